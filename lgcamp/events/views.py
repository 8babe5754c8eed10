"""Public event pages and organisers' event editing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from lgcamp.errors import DomainError, show_on_form
from lgcamp.events import service
from lgcamp.events.forms import CancelEventForm, EditEventForm, EventForm, OrganiserForm
from lgcamp.events.models import (
    CHECK_IN_CLOSES_MINUTES,
    CHECK_IN_OPENS_MINUTES,
    EventChange,
    EventKind,
    EventStatus,
)
from lgcamp.extensions import db
from lgcamp.permissions import (
    authorize,
    can_create_event,
    load_event,
    load_managed_event,
    signin_required,
)
from lgcamp.transaction import commit

bp = Blueprint("events", __name__)


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _details(form: EventForm) -> service.EventDetails:
    return service.EventDetails(
        name=form.name.data or "",
        kind=EventKind(form.kind.data),
        status=EventStatus(form.status.data),
        summary=form.summary.data or "",
        description=form.description.data or "",
        venue_name=form.venue_name.data or "",
        venue_address=form.venue_address.data or "",
        access_info=form.access_info.data or "",
        start_date=form.start_date.data,
        start_time=form.start_time.data,
        end_date=form.end_date.data,
        end_time=form.end_time.data,
        timezone=(form.timezone.data or "").strip(),
        check_in_opens_minutes=_or(form.check_in_opens_minutes.data, CHECK_IN_OPENS_MINUTES),
        check_in_closes_minutes=_or(form.check_in_closes_minutes.data, CHECK_IN_CLOSES_MINUTES),
    )


@bp.route("/")
def index() -> str:
    """Upcoming events of the network."""
    return render_template("events/index.html", events=service.upcoming_events(db.session))


@bp.route("/events/past")
def past() -> str:
    """Events that have happened."""
    return render_template("events/past.html", events=service.past_events(db.session))


@bp.route("/events/<slug>")
def show(slug: str) -> str:
    """One event's public page."""
    return render_template("events/show.html", event=load_event(slug))


@bp.route("/events/mine")
@signin_required
def mine() -> str:
    """Events the person organises, drafts included."""
    return render_template(
        "events/mine.html", events=service.events_managed_by(db.session, current_user)
    )


@bp.route("/events/new", methods=["GET", "POST"])
@signin_required
def create() -> str | Response:
    """Create an event (admins, and people who organise an event already)."""
    authorize(can_create_event(current_user))
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = service.create_event(db.session, current_user, _details(form))
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash(f"{event.name} has been created.", "success")
            return redirect(url_for("events.manage", slug=event.slug))
    return render_template("events/edit.html", form=form, event=None)


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str) -> str | Response:
    """Edit an event's details."""
    event = load_managed_event(slug)
    form = EditEventForm(obj=event)
    if not form.is_submitted():
        starts, ends = event.local_starts_at, event.local_ends_at
        form.start_date.data, form.start_time.data = starts.date(), starts.time()
        form.end_date.data, form.end_time.data = ends.date(), ends.time()
        form.kind.data, form.status.data = event.kind.value, event.status.value
        form.slots.data = "move"
    if form.validate_on_submit():
        sequence = event.sequence
        try:
            service.update_event(
                db.session, event, _details(form), actor=current_user,
                move_slots=form.slots.data == "move",
            )  # fmt: skip
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            commit()
            told = service.latest_change(db.session, event) if event.sequence != sequence else None
            flash(_saved_message(told), "success")
            return redirect(url_for("events.manage", slug=event.slug))
    return render_template("events/edit.html", form=form, event=event)


def _saved_message(change: EventChange | None) -> str:
    if change is None:
        return "The event has been saved."
    return (
        f"The event has been saved. {change.recipients} people with a place or on the waitlist "
        "are being emailed about the change."
    )


@bp.route("/events/<slug>/cancel", methods=["GET", "POST"])
def cancel(slug: str) -> str | Response | tuple[str, int]:
    """Cancel the event after confirming: everyone who booked is emailed; bookings are kept."""
    event = load_managed_event(slug)
    form = CancelEventForm()
    if form.validate_on_submit():
        try:
            change = service.cancel_event(db.session, current_user, event, form.reason.data or "")
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            commit()
            flash(
                f"{event.name} has been cancelled. {change.recipients} people with a place or "
                "on the waitlist are being emailed.",
                "success",
            )
            return redirect(url_for("events.manage", slug=slug))
    page = render_template("events/cancel.html", event=event, form=form)
    return (page, 400) if form.errors else page


@bp.route("/events/<slug>/manage")
def manage(slug: str) -> str:
    """The organisers' page for one event."""
    event = load_managed_event(slug)
    return render_template(
        "events/manage.html",
        event=event,
        organisers=service.organisers_of(db.session, event),
        organiser_form=OrganiserForm(),
        changes=service.changes_of(db.session, event),
    )


@bp.route("/events/<slug>/organisers", methods=["POST"])
def add_organiser(slug: str) -> str | Response | tuple[str, int]:
    """Add an organiser by account email."""
    event = load_managed_event(slug)
    form = OrganiserForm()
    if form.validate_on_submit():
        try:
            person = service.add_organiser(db.session, event, form.email.data or "")
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash(f"{person.name} is now an organiser.", "success")
            return redirect(url_for("events.manage", slug=slug))
    return render_template(
        "events/manage.html",
        event=event,
        organiser_form=form,
        organisers=service.organisers_of(db.session, event),
        changes=service.changes_of(db.session, event),
    ), 400


@bp.route("/events/<slug>/organisers/<int:person_id>/remove", methods=["POST"])
def remove_organiser(slug: str, person_id: int) -> Response:
    """Remove an organiser (never the last one)."""
    event = load_managed_event(slug)
    service.remove_organiser(db.session, event, person_id)
    commit()
    flash("The organiser has been removed.", "success")
    return redirect(url_for("events.manage", slug=slug))
