"""Telling people with or waiting for a place that their event moved or was cancelled.

Registered with `events.service.on_event_change`: inside the change's transaction it queues
one small row per person, built when sent (the event as it is then, with its .ics).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from lgcamp import mail
from lgcamp.accounts.models import Person
from lgcamp.events.models import Event, EventChange, EventChangeKind
from lgcamp.events.service import EventUpdate, on_event_change
from lgcamp.extensions import db
from lgcamp.feeds.ical import event_cancel_ics, event_ics, page_url
from lgcamp.tickets import links
from lgcamp.tickets.blueprint import bp
from lgcamp.tickets.models import LIVE_STATUSES, Booking, BookingStatus

CHANGE_KIND = "tickets.event_change"


def change_subject(change: EventChange) -> str:
    """The subject of the email about a change or a cancellation."""
    if change.kind == EventChangeKind.CANCELLED:
        return f"Cancelled: {change.event.name}"
    return f"{change.event.name} has changed: new date, time or venue"


@on_event_change
def notify_places(session: Session, update: EventUpdate) -> None:
    """Queue one email per person holding, offered or waiting for a place (ballot included)."""
    change = update.change
    if change is None:
        return
    rows = session.execute(
        select(Booking.id, Person.id, Person.email)
        .join(Person, Person.id == Booking.person_id)
        .where(Booking.event_id == update.event.id, Booking.status.in_(LIVE_STATUSES))
        .order_by(Booking.id)
    )
    subject, seen = change_subject(change), set()
    for booking_id, person_id, email in rows:
        if person_id in seen:  # one live booking per person, but never two emails
            continue
        seen.add(person_id)
        mail.queue_later(session, CHANGE_KIND, booking_id, email, subject, variant=str(change.id))
    change.recipients = len(seen)
    session.flush()


def render_change(session: Session, booking_id: int, variant: str) -> EmailMessage | None:
    """The email for one booking and one change, with the event's .ics as it is now."""
    booking = session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .options(joinedload(Booking.event), joinedload(Booking.person))
    )
    change = session.get(EventChange, int(variant)) if variant.isdigit() else None
    if booking is None or change is None:
        return None
    event, person = booking.event, booking.person
    cancelled = change.kind == EventChangeKind.CANCELLED
    if cancelled:
        organizer = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
        calendar = event_cancel_ics(event, organizer, person.email)
    else:
        calendar = event_ics(event)
    text = render_template(
        "tickets/email/event_change.txt",
        booking=booking,
        event=event,
        person=person,
        change=change,
        cancelled=cancelled,
        holds_place=booking.status in (BookingStatus.CONFIRMED, BookingStatus.OFFERED),
        event_url=page_url(f"/events/{event.slug}"),
        release_link=links.release_url(booking)
        if booking.status == BookingStatus.CONFIRMED and not cancelled
        else None,
    )
    attachment = (f"{event.slug}.ics", "text/calendar", calendar)
    return mail.compose(person.email, change_subject(change), text, attachments=[attachment])


mail.register_renderer(CHANGE_KIND, render_change)


@bp.app_template_global()
def places_to_tell(event: Event) -> int:
    """How many people a change or cancellation of the event would email (for its pages)."""
    count = db.session.scalar(
        select(func.count(func.distinct(Booking.person_id))).where(
            Booking.event_id == event.id, Booking.status.in_(LIVE_STATUSES)
        )
    )
    return count or 0
