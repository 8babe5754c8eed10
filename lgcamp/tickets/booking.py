"""Booking a place: the sale rules and `book_ticket`, the one service every client uses
(the HTML form, the JSON API, the CLI and the demo seed, on the ORM session).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from lgcamp import mail
from lgcamp.accounts.models import Person
from lgcamp.database import UTCDateTime, utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.events.models import Event, EventStatus
from lgcamp.tickets import emails
from lgcamp.tickets.answers import BookingAnswers, questions_for, save_answers, validate_answers
from lgcamp.tickets.models import (
    LIVE_STATUSES,
    AllocationMode,
    Booking,
    BookingStatus,
    Question,
    TicketType,
    TicketVisibility,
    hash_token,
    new_token,
)
from lgcamp.tickets.offers import expire_due_offers, fill_places, take_place


class NotOnSale(DomainError):
    """The ticket type cannot be booked now (window, event state)."""


class AlreadyBooked(Conflict):
    """The person already has a live booking for this event."""


DUPLICATE_MESSAGE = "You already have a booking for this event. See your tickets."


# --- the sale rules -----------------------------------------------------------------------


def closes_at(ticket_type: TicketType) -> datetime:
    """When booking closes: the set time, or the start of the event, whichever is first (the
    waitlist stops moving at the start; a later time may remain from a moved event)."""
    starts_at = ticket_type.event.starts_at
    if ticket_type.closes_at is None:
        return starts_at
    return min(ticket_type.closes_at, starts_at)


def sale_state(ticket_type: TicketType, now: datetime | None = None) -> str:
    """'not_open', 'open' or 'closed' for this ticket type now (closed once cancelled)."""
    if ticket_type.event.status == EventStatus.CANCELLED:
        return "closed"
    now = now or utcnow()
    if ticket_type.opens_at is not None and now < ticket_type.opens_at:
        return "not_open"
    if now >= closes_at(ticket_type):
        return "closed"
    return "open"


def check_bookable(
    ticket_type: TicketType, secret: str | None = None, now: datetime | None = None
) -> None:
    """Raise NotOnSale unless this ticket type can be booked now by someone with this link."""
    event = ticket_type.event
    now = now or utcnow()
    if event.status == EventStatus.DRAFT:
        raise NotOnSale("This event is not published yet, so it cannot be booked.")
    if event.status == EventStatus.CANCELLED:
        raise NotOnSale("This event has been cancelled, so it cannot be booked.")
    if event.ends_at <= now:
        raise NotOnSale("This event has ended, so it cannot be booked.")
    if ticket_type.visibility == TicketVisibility.HIDDEN and secret != ticket_type.secret:
        raise NotOnSale("This ticket is only available through its private link.")
    state = sale_state(ticket_type, now)
    if state == "not_open" and ticket_type.opens_at is not None:
        local = ticket_type.opens_at.astimezone(event.tz)
        raise NotOnSale(f"Booking opens at {local.strftime('%H:%M on %A %-d %B %Y')}.")
    if state == "closed":
        raise NotOnSale("Booking for this ticket has closed.")


def already_message(status: BookingStatus) -> str:
    """What to tell someone whose live booking for the event is in this state."""
    return {
        BookingStatus.CONFIRMED: "You already have a ticket for this event.",
        BookingStatus.OFFERED: "A place is already offered to you: claim it from your booking.",
        BookingStatus.WAITLISTED: "You are already on the waitlist for this event.",
        BookingStatus.REGISTERED: "You are already in the ballot for this event.",
    }.get(status, "You already have a booking for this event.")


# --- reading ------------------------------------------------------------------------------


def _live_bookings(person_id: int, event_id: int) -> Select[Booking]:
    """The person's live bookings for the event: at most one (the partial unique index)."""
    return select(Booking).where(
        Booking.person_id == person_id,
        Booking.event_id == event_id,
        Booking.status.in_(LIVE_STATUSES),
    )


def live_booking(session: Session, person: Person | Any, event: Event) -> Booking | None:
    """The person's live booking (ticket, offer, waitlist place, ballot entry) for the event;
    None for an anonymous visitor."""
    if not isinstance(person, Person):
        return None
    return session.scalar(_live_bookings(person.id, event.id))


def bookable_type(session: Session, slug: str, ticket_type_id: int) -> TicketType | None:
    """The ticket type with this id of the event with this slug, with its event: one query.

    Whether the event may be seen (a draft) is the caller's question.
    """
    return session.scalar(
        select(TicketType)
        .join(TicketType.event)
        .options(contains_eager(TicketType.event))
        .where(Event.slug == slug, TicketType.id == ticket_type_id)
    )


_type, _booking = cast(Table, TicketType.__table__), cast(Table, Booking.__table__)
_question = cast(Table, Question.__table__)
# What booking needs to know, in one statement (built once) that also locks the ticket type's
# row: place_free, live_status, has_overdue_offer, has_questions.
_FACTS = (
    select(
        (_type.c.taken < _type.c.capacity).label("place_free"),
        select(_booking.c.status)
        .where(
            _booking.c.person_id == bindparam("person_id"),
            _booking.c.event_id == _type.c.event_id,
            _booking.c.status.in_(LIVE_STATUSES),
        )
        .scalar_subquery()
        .label("live_status"),
        exists()
        .where(
            _booking.c.ticket_type_id == _type.c.id,
            _booking.c.status == BookingStatus.OFFERED,
            _booking.c.offer_expires_at < bindparam("now", type_=UTCDateTime),
        )
        .label("has_overdue_offer"),
        exists().where(_question.c.event_id == _type.c.event_id).label("has_questions"),
    )
    .where(_type.c.id == bindparam("type_id"))
    .with_for_update(of=_type)
)


def _booking_facts(session: Session, person_id: int, ticket_type: TicketType, now: datetime) -> Any:
    """The facts above for this person and ticket type."""
    # The lock (PostgreSQL; SQLite's write transaction holds the whole database already)
    # makes concurrent bookings of one ticket type take turns until commit, so that a
    # waitlist join reads the end of the queue its predecessor left.
    params = {"person_id": person_id, "type_id": ticket_type.id, "now": now}
    return session.execute(_FACTS, params).one()


# --- booking ------------------------------------------------------------------------------


# One INSERT ... RETURNING the row, for every new booking; a waitlist place's position (the end
# of the queue + 1) is read in the statement itself.
_INSERT = insert(Booking).returning(Booking)
_INSERT_WAITLISTED = (
    insert(Booking)
    .values(
        queue_position=select(func.coalesce(func.max(_booking.c.queue_position), 0) + 1)
        .where(_booking.c.ticket_type_id == bindparam("queue_of"))
        .scalar_subquery()
    )
    .returning(Booking)
)


def insert_booking(session: Session, *, next_in_queue: bool = False, **values: Any) -> Booking:
    """Insert a live booking with a new token (`next_in_queue`: at the end of the waitlist);
    the database's partial unique index refuses a second live booking per person and event."""
    token = new_token()
    values |= {"token": token, "token_hash": hash_token(token)}
    statement = _INSERT
    if next_in_queue:
        statement, values["queue_of"] = _INSERT_WAITLISTED, values["ticket_type_id"]
    try:
        return session.scalars(statement, values).one()
    except IntegrityError as error:
        # The transaction is now unusable: the caller's error handler rolls it back.
        raise AlreadyBooked(DUPLICATE_MESSAGE) from error


def book_ticket(
    session: Session,
    actor: Person,
    ticket_type: TicketType,
    answers: BookingAnswers | None = None,
    secret: str | None = None,
    now: datetime | None = None,
) -> Booking:
    """Book a place: a ticket if one is free, else the waitlist (or a ballot entry).

    Raises NotOnSale, AlreadyBooked or InvalidAnswer; the caller commits (its email is queued
    in the same transaction) or, on any error, rolls back.
    """
    now = now or utcnow()
    check_bookable(ticket_type, secret, now)
    facts = _booking_facts(session, actor.id, ticket_type, now)
    if facts.live_status is not None:  # the partial unique index refuses it too
        raise AlreadyBooked(already_message(BookingStatus(facts.live_status)))
    answers = answers or BookingAnswers(organisation=actor.organisation)
    questions = questions_for(session, ticket_type.event) if facts.has_questions else []
    validate_answers(questions, answers)
    place_free = bool(facts.place_free)
    if facts.has_overdue_offer and expire_due_offers(session, ticket_type, now):
        place_free = True
    placed: dict[str, Any]
    if ticket_type.allocation == AllocationMode.BALLOT:
        placed = {"status": BookingStatus.REGISTERED}
    elif take_place(session, ticket_type.id, unless_waitlist=True):  # no queue jumping
        placed = {"status": BookingStatus.CONFIRMED, "confirmed_at": now}
    else:
        # The end of the queue is read in the INSERT itself, after `_booking_facts` took the
        # lock.
        placed = {"status": BookingStatus.WAITLISTED, "next_in_queue": True}
    booking = insert_booking(
        session,
        event_id=ticket_type.event_id,
        ticket_type_id=ticket_type.id,
        person_id=actor.id,
        organisation=answers.organisation.strip(),
        job_role=answers.job_role.strip(),
        **placed,
    )
    save_answers(session, booking, questions, answers)
    kind, subject, variant = emails.booking_email(booking.status, ticket_type.event.name)
    mail.queue_later(session, kind, booking.id, actor.email, subject, variant)
    if booking.status == BookingStatus.WAITLISTED and place_free:
        # A place is free but people were waiting for it: it goes down the queue now, which
        # may reach this booking.
        fill_places(session, ticket_type, now)
        session.refresh(booking)
    return booking


def booking_json(booking: Booking, url: str) -> dict[str, Any]:
    """The JSON booking API's answer about a booking ("url": its page)."""
    return {
        "id": booking.id,
        "status": booking.status.value,
        "ticket_type_id": booking.ticket_type_id,
        "queue_position": booking.queue_position,
        "url": url,
    }
