"""The organisers' grid editor: place, move, swap, unschedule and undo (JSON or plain forms)."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.http import quote_etag
from werkzeug.wrappers import Response

from lgcamp.database import utcnow
from lgcamp.errors import DomainError
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.inputs import bounded_int
from lgcamp.programme import grid as grid_service
from lgcamp.programme import layout, live, service
from lgcamp.programme.blueprint import POLL_SECONDS, bp, load_grid_event, owned
from lgcamp.programme.forms import PlaceForm, VersionForm
from lgcamp.programme.models import CampSession, GridChange
from lgcamp.transaction import commit


def _editor_page(
    event: Event, status: int = 200, error: str = "", warnings: list[str] | None = None
) -> tuple[str, int]:
    grid = layout.load_grid(
        db.session, event, with_unscheduled=True, with_changes=20, with_warnings=True
    )
    state = live.live_state(db.session, event.slug, utcnow())
    return render_template(
        "programme/editor.html",
        event=event,
        grid=grid,
        live_etag=quote_etag(state.tag("grid")) if state else "",
        error=error,
        warnings=warnings or [],
        poll_seconds=POLL_SECONDS + 2,
    ), status


@bp.route("/events/<slug>/programme/editor")
def editor(slug: str) -> tuple[str, int]:
    """The grid editor: drag and drop, tap to select then tap to place, or plain forms."""
    return _editor_page(load_grid_event(slug))


def _editor_answer(
    event: Event, message: str, warnings: list[str], camp_session: CampSession
) -> Response | tuple[str, int]:
    if request.is_json:
        return jsonify(message=message, warnings=warnings, version=camp_session.version)
    flash(message, "success")
    for warning in warnings:
        flash(f"Warning: {warning}", "warning")
    return redirect(url_for("programme.editor", slug=event.slug))


def _editor_error(event: Event, error: DomainError) -> ResponseReturnValue:
    db.session.rollback()
    if request.is_json:
        return jsonify(
            error={"status": error.status_code, "message": error.message}
        ), error.status_code
    return _editor_page(event, error.status_code, error=error.message)


@bp.route("/events/<slug>/programme/sessions/<int:session_id>/place", methods=["POST"])
def place_session(slug: str, session_id: int) -> ResponseReturnValue:
    """Place, move or swap a session (JSON from the editor script, or the plain form)."""
    event = load_grid_event(slug)
    camp_session = owned(CampSession, session_id, event)
    form = PlaceForm()  # Flask-WTF reads JSON bodies as form data
    if not form.validate_on_submit():
        errors = [e for field in form for e in field.errors] or ["Choose a room and a time"]
        return _editor_error(event, DomainError(" ".join(str(e) for e in errors)))
    try:
        warnings = grid_service.place_session(
            db.session, current_user, camp_session, form.slot_id.data, form.room_id.data,
            form.version.data, swap=form.swap.data, swap_version=form.swap_version.data,
        )  # fmt: skip
    except DomainError as error:
        return _editor_error(event, error)
    commit()
    where = service.where_and_when(camp_session)
    return _editor_answer(
        event, f"“{camp_session.title}” is now in {where}.", warnings, camp_session
    )


@bp.route("/events/<slug>/programme/sessions/<int:session_id>/unschedule", methods=["POST"])
def unschedule_session(slug: str, session_id: int) -> ResponseReturnValue:
    """Take a session off the grid."""
    event = load_grid_event(slug)
    camp_session = owned(CampSession, session_id, event)
    form = VersionForm()
    try:
        seen = bounded_int(form.version.data) if form.version.data not in (None, "") else None
    except (TypeError, ValueError):
        return _editor_error(event, DomainError("Reload the grid and try again"))
    try:
        grid_service.unschedule_session(db.session, current_user, camp_session, seen)
    except DomainError as error:
        return _editor_error(event, error)
    commit()
    return _editor_answer(event, f"“{camp_session.title}” is off the grid.", [], camp_session)


@bp.route("/events/<slug>/programme/changes/<int:change_id>/undo", methods=["POST"])
def undo_change(slug: str, change_id: int) -> ResponseReturnValue:
    """Undo a logged change, unless the session has moved since."""
    event = load_grid_event(slug)
    change = owned(GridChange, change_id, event)
    try:
        grid_service.undo_change(db.session, current_user, change)
    except DomainError as error:
        return _editor_error(event, error)
    commit()
    return _editor_answer(event, "The change has been undone.", [], change.camp_session)
