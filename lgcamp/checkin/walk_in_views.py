"""Walk-ins kept as records: the person confirms from the emailed link, or an organiser links."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from lgcamp.checkin import walk_in_records
from lgcamp.checkin.blueprint import bp
from lgcamp.errors import DomainError
from lgcamp.extensions import db
from lgcamp.permissions import authorize, can_see_door_dashboard, load_event, signin_required
from lgcamp.transaction import commit


@bp.route("/walk-ins/confirm/<signed>", methods=["GET", "POST"])
@signin_required
def confirm_walk_in(signed: str) -> Response | tuple[str, int] | str:
    """The link in a walk-in's email: a button that adds the attendance to their record."""
    try:
        record = walk_in_records.record_from_link(db.session, signed)
    except DomainError as error:
        abort(404, error.message)
    form = FlaskForm()
    if form.validate_on_submit():
        walk_in_records.confirm_walk_in(db.session, current_user, record)
        commit()
        flash(f"Your attendance at {record.event.name} is on your record.", "success")
        return redirect(url_for("participation.record"))
    return render_template("checkin/confirm_walk_in.html", record=record, form=form)


@bp.route("/events/<slug>/door/walk-ins/<int:record_id>/link", methods=["POST"])
def link_walk_in(slug: str, record_id: int) -> Response:
    """An organiser links a walk-in to the account with its email address."""
    event = load_event(slug)
    authorize(can_see_door_dashboard(current_user, event))
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        person = walk_in_records.link_by_organiser(db.session, current_user, event, record_id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "info")
    else:
        commit()
        flash(f"The walk-in is now on the record of {person.name}.", "success")
    return redirect(url_for("checkin.dashboard", slug=slug))
