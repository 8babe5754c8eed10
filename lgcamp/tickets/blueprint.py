"""The tickets blueprint and what its pages share: loaders, the booking page, template helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    render_template,
)
from flask_login import current_user

from lgcamp.database import utcnow
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.permissions import (
    authorize,
    can_view_booking,
    can_view_event,
)
from lgcamp.tickets import answers as answer_service
from lgcamp.tickets import service
from lgcamp.tickets.api_input import MAX_ID
from lgcamp.tickets.booking import (
    bookable_type,
    closes_at,
    live_booking,
    sale_state,
)
from lgcamp.tickets.forms import (
    BookingForm,
    booking_form,
)
from lgcamp.tickets.models import (
    Booking,
    BookingStatus,
    TicketType,
)

bp = Blueprint("tickets", __name__)


# --- loaders and shared steps -------------------------------------------------------------


def load_type(event: Event, ticket_type_id: int) -> TicketType:
    ticket_type = service.get_ticket_type(db.session, event, ticket_type_id)
    if ticket_type is None:
        abort(404)
    return ticket_type


def load_bookable(slug: str, ticket_type_id: int) -> TicketType:
    """The ticket type and its event in one query; 404 for an unknown one, or a draft event
    this person may not see (as `load_event`). An id no column can hold names none."""
    ticket_type = (
        bookable_type(db.session, slug, ticket_type_id) if 0 < ticket_type_id <= MAX_ID else None
    )
    if ticket_type is None or not can_view_event(current_user, ticket_type.event):
        abort(404)
    return ticket_type


def load_booking(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    authorize(can_view_booking(current_user, booking))
    return booking


def load_event_booking(event: Event, booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.event_id != event.id:
        abort(404)
    return booking


def load_by_token(token: str) -> Booking:
    booking = service.booking_by_token(db.session, token)
    if booking is None or booking.status != BookingStatus.CONFIRMED:
        abort(404, "This ticket link is not valid: the ticket may have been reissued or ended.")
    return booking


def questions_of(event: Event) -> list[Any]:
    return answer_service.questions_for(db.session, event)


def with_ids_prefixed(form: BookingForm, prefix: str) -> BookingForm:
    """Give the form's fields (and so their labels and options) ids starting with `prefix`,
    so that several booking forms on one page never share an element id."""
    for field in form:
        field.id = f"{prefix}-{field.id}"
        field.label.field_id = field.id
    return form


def render_booking_page(
    event: Event,
    ticket_types: list[TicketType],
    secret: str | None,
    submitted: tuple[int, BookingForm] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The tickets page: a booking form per ticket type, each with its own element ids; the
    form `submitted` (ticket type id, form) comes back with its errors, the others empty."""
    counts = service.type_counts(db.session, ticket_types) if ticket_types else {}
    questions = questions_of(event)
    organisation = getattr(current_user, "organisation", "")
    forms: dict[int, BookingForm] = {}
    for ticket_type in ticket_types:
        if submitted is not None and submitted[0] == ticket_type.id:
            form = submitted[1]
        else:
            form = booking_form(questions, formdata=None, organisation=organisation)
        forms[ticket_type.id] = with_ids_prefixed(form, f"type-{ticket_type.id}")
    return render_template(
        "tickets/event_tickets.html",
        event=event,
        ticket_types=ticket_types,
        counts=counts,
        forms=forms,
        error_form=submitted[1] if submitted is not None else None,
        secret=secret,
        booking=live_booking(db.session, current_user, event),
        sale_state=sale_state,
        closes_at=closes_at,
    ), status


@bp.app_template_global()
def now_utc() -> datetime:
    """The current time, for countdowns in templates."""
    return utcnow()


@bp.app_template_filter("duration")
def duration(seconds: float) -> str:
    """A span of time in words: '2 days, 3 hours', '5 minutes'."""
    seconds = max(int(seconds), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = max(rest // 60, 0 if days or hours else 1)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return ", ".join(words) or "less than a minute"


@bp.app_template_global()
def ticket_panel(event: Event) -> dict[str, Any]:
    """What the event page shows about tickets: counts, sale state and the viewer's booking."""
    ticket_types = service.ticket_types_for(db.session, event)
    return {
        "ticket_types": ticket_types,
        "counts": service.type_counts(db.session, ticket_types) if ticket_types else {},
        "booking": live_booking(db.session, current_user, event),
        "sale_state": sale_state,
    }
