"""Ticket operations after booking (booking.py): reading, claiming offers, ending bookings,
and the organisers' changes to bookings. A freed place goes straight to the next person on
the waitlist as an offer (offers.py), in the same transaction as the release that freed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, func, select, update
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError, NotAllowed
from lgcamp.events.models import Event
from lgcamp.tickets import emails
from lgcamp.tickets.booking import AlreadyBooked, insert_booking, live_booking
from lgcamp.tickets.models import (
    LIVE_STATUSES,
    PLACE_HOLDING_STATUSES,
    Booking,
    BookingStatus,
    TicketType,
    TicketVisibility,
    hash_token,
)
from lgcamp.tickets.offers import fill_places, free_place, offers_due, process_offers, take_place


class OfferExpired(Conflict):
    """The offer ran out before it was claimed."""


class NotYourBooking(NotAllowed):
    """The booking or offer belongs to someone else."""


class CheckedIn(Conflict):
    """The ticket was checked in: it is attendance now, and cannot be released or cancelled."""


def refuse_release_after_end(booking: Booking, now: datetime | None = None) -> None:
    """Raise Conflict when the booking's event is over: there is no place left to give back."""
    if booking.event.ends_at <= (now or utcnow()):
        raise Conflict(
            f"{booking.event.name} has ended, so there is no place to release: the booking "
            "stays on your record."
        )


def refuse_if_checked_in(booking: Booking) -> None:
    """Raise CheckedIn for a booking accepted at the door (its attendance must stay counted)."""
    if booking.checked_in_at is not None:
        local = booking.checked_in_at.astimezone(booking.event.tz).strftime("%H:%M on %-d %B")
        raise CheckedIn(
            f"{booking.person.name} was checked in at {local}, so this ticket can no longer be "
            "released or cancelled: attendance stays on the record. (A check-in made by "
            "mistake can be undone from the door dashboard first.)"
        )


# --- reading ------------------------------------------------------------------------------


# Built once (the event page runs these on every view).
_TYPES = select(TicketType).where(TicketType.event_id == bindparam("event_id"))
_ALL_TYPES = _TYPES.order_by(TicketType.sort_order, TicketType.id)
_PUBLIC_TYPES = _TYPES.where(TicketType.visibility == TicketVisibility.PUBLIC).order_by(
    TicketType.sort_order, TicketType.id
)


def ticket_types_for(
    session: Session, event: Event, include_hidden: bool = False
) -> list[TicketType]:
    """The event's ticket types in display order; hidden ones only when asked."""
    query = _ALL_TYPES if include_hidden else _PUBLIC_TYPES
    return list(session.scalars(query, {"event_id": event.id}))


def get_ticket_type(session: Session, event: Event, ticket_type_id: int) -> TicketType | None:
    """The event's ticket type with this id."""
    ticket_type = session.get(TicketType, ticket_type_id)
    return ticket_type if ticket_type and ticket_type.event_id == event.id else None


def ticket_type_by_secret(session: Session, event: Event, secret: str) -> TicketType | None:
    """A (hidden) ticket type reached by its secret link."""
    return session.scalar(
        select(TicketType).where(TicketType.event_id == event.id, TicketType.secret == secret)
    )


@dataclass(frozen=True)
class TypeCounts:
    """Numbers shown for a ticket type."""

    capacity: int
    confirmed: int
    offered: int
    waitlisted: int
    registered: int

    @property
    def places_left(self) -> int:
        """Places not held by a ticket or an open offer."""
        return max(self.capacity - self.confirmed - self.offered, 0)

    @property
    def gives_ticket(self) -> bool:
        """Booking now gets a ticket: a place is free and nobody is waiting for one."""
        return self.places_left > 0 and self.waitlisted == 0


_TYPE_COUNTS = (
    select(Booking.ticket_type_id, Booking.status, func.count(Booking.id))
    .where(
        Booking.ticket_type_id.in_(bindparam("type_ids", expanding=True)),
        Booking.status.in_(LIVE_STATUSES),
    )
    .group_by(Booking.ticket_type_id, Booking.status)
)


def type_counts(session: Session, ticket_types: list[TicketType]) -> dict[int, TypeCounts]:
    """Counts per ticket type, in one query."""
    rows = session.execute(_TYPE_COUNTS, {"type_ids": [t.id for t in ticket_types]})
    by_type: dict[int, dict[str, int]] = {t.id: {} for t in ticket_types}
    for type_id, status, count in rows:
        by_type[type_id][str(status)] = count
    return {
        t.id: TypeCounts(
            capacity=t.capacity,
            confirmed=by_type[t.id].get(BookingStatus.CONFIRMED, 0),
            offered=by_type[t.id].get(BookingStatus.OFFERED, 0),
            waitlisted=by_type[t.id].get(BookingStatus.WAITLISTED, 0),
            registered=by_type[t.id].get(BookingStatus.REGISTERED, 0),
        )
        for t in ticket_types
    }


def bookings_of(session: Session, person: Person) -> list[Booking]:
    """Every booking of a person, the soonest event first, live ones before ended ones."""
    return list(
        session.scalars(
            select(Booking)
            .join(Event, Event.id == Booking.event_id)
            .where(Booking.person_id == person.id)
            .order_by(Event.starts_at, Booking.id.desc())
        )
    )


@dataclass(frozen=True)
class PersonTickets:
    """A person's bookings as "Your tickets" shows them."""

    upcoming: list[Booking]  # live, for events not over yet: the soonest first
    ended: list[Booking]  # released, cancelled or expired, for events not over yet
    past: list[Booking]  # for events that are over: the latest first, never with a live QR


def tickets_of(session: Session, person: Person, now: datetime | None = None) -> PersonTickets:
    """The person's bookings split into upcoming, ended and past events."""
    now = now or utcnow()
    bookings = bookings_of(session, person)
    current = [b for b in bookings if b.event.ends_at > now]
    past = [b for b in reversed(bookings) if b.event.ends_at <= now]
    return PersonTickets(
        upcoming=[b for b in current if b.is_live],
        ended=[b for b in current if not b.is_live],
        past=past,
    )


def booking_by_token(session: Session, token: str) -> Booking | None:
    """The booking whose current token this is (an old, reissued token finds nothing)."""
    if not token or len(token) > 64:
        return None
    return session.scalar(select(Booking).where(Booking.token_hash == hash_token(token)))


def waitlist(session: Session, ticket_type: TicketType) -> list[Booking]:
    """Offers and waitlist places in order: open offers first, then the queue."""
    return list(
        session.scalars(
            select(Booking)
            .where(
                Booking.ticket_type_id == ticket_type.id,
                Booking.status.in_([BookingStatus.OFFERED, BookingStatus.WAITLISTED]),
            )
            .order_by(
                (Booking.status == BookingStatus.WAITLISTED),
                Booking.queue_position,
                Booking.id,
            )
        )
    )


# --- offers -------------------------------------------------------------------------------


def claim_offer(
    session: Session, actor: Person, booking: Booking, now: datetime | None = None
) -> Booking:
    """Turn an offer into a ticket (the place is already held for the person)."""
    now = now or utcnow()
    if booking.person_id != actor.id:
        raise NotYourBooking("This offer is for someone else. Sign in with your own account.")
    if (
        booking.status == BookingStatus.OFFERED
        and booking.offer_expires_at
        and booking.offer_expires_at < now
    ):
        process_offers(session, booking.ticket_type, now)
        local = booking.offer_expires_at.astimezone(booking.event.tz)
        raise OfferExpired(f"Sorry, this offer expired at {local.strftime('%H:%M on %-d %B')}.")
    if booking.status != BookingStatus.OFFERED:
        raise OfferExpired(_not_offered_message(booking))
    result = session.execute(
        update(Booking)
        .where(
            Booking.id == booking.id,
            Booking.status == BookingStatus.OFFERED,
            Booking.offer_expires_at >= now,
        )
        .values(status=BookingStatus.CONFIRMED, confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", result).rowcount != 1:
        raise OfferExpired("Sorry, this offer has just expired or changed. Reload the page.")
    session.refresh(booking)
    emails.send_ticket(session, booking)
    return booking


def _not_offered_message(booking: Booking) -> str:
    if booking.status == BookingStatus.CONFIRMED:
        return "You have already claimed this place: it is in your tickets."
    if booking.status == BookingStatus.EXPIRED:
        return "Sorry, this offer has expired."
    return "There is no open offer on this booking."


# --- ending bookings ----------------------------------------------------------------------


def _end_booking(
    session: Session,
    booking: Booking,
    status: BookingStatus,
    reason: str,
    now: datetime,
) -> bool:
    """Move a live booking to an ended state; free its place and pass it on. False if ended."""
    held = booking.status in PLACE_HOLDING_STATUSES
    # Never a checked-in booking, even one checked in a moment ago by another request.
    result = session.execute(
        update(Booking)
        .where(
            Booking.id == booking.id,
            Booking.status == booking.status,
            Booking.checked_in_at.is_(None),
        )
        .values(status=status, ended_at=now, end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", result).rowcount != 1:
        return False
    session.refresh(booking)
    if held:
        free_place(session, booking.ticket_type_id)
        fill_places(session, booking.ticket_type, now)
    return True


def release_booking(
    session: Session, actor: Person | None, booking: Booking, now: datetime | None = None
) -> Booking:
    """The holder gives the place back (or leaves the waitlist); the next person is offered it.

    `actor` is None when the release comes from a signed link in an email.
    """
    now = now or utcnow()
    if actor is not None and booking.person_id != actor.id:
        raise NotYourBooking("This booking is someone else's.")
    if not booking.is_live:
        raise Conflict("This booking has already ended: there is nothing to release.")
    refuse_release_after_end(booking, now)
    refuse_if_checked_in(booking)
    if not _end_booking(session, booking, BookingStatus.RELEASED, "released", now):
        raise Conflict("This booking changed a moment ago. Reload the page and try again.")
    emails.send_released(session, booking)
    return booking


def cancel_booking(
    session: Session, actor: Person, booking: Booking, now: datetime | None = None
) -> Booking:
    """An organiser cancels a booking; a held place passes to the waitlist."""
    now = now or utcnow()
    if not booking.is_live:
        raise Conflict("This booking has already ended.")
    refuse_if_checked_in(booking)
    if not _end_booking(session, booking, BookingStatus.CANCELLED, "cancelled", now):
        raise Conflict("This booking changed a moment ago. Reload the page and try again.")
    emails.send_cancelled(session, booking)
    return booking


# --- organiser operations -----------------------------------------------------------------


def add_booking_manually(
    session: Session,
    actor: Person,
    ticket_type: TicketType,
    email: str,
    now: datetime | None = None,
) -> Booking:
    """An organiser gives a person with an account a ticket (outside the on-sale window)."""
    now = now or utcnow()
    person = find_person_by_email(session, email)
    if person is None:
        raise DomainError(
            "There is no account with that email address. Ask them to sign up first.",
            field="email",
        )
    if live_booking(session, person, ticket_type.event) is not None:
        raise AlreadyBooked(f"{person.name} already has a booking for this event.", field="email")
    if not take_place(session, ticket_type.id):
        raise Conflict(
            f"{ticket_type.name} is full. Raise its capacity first, or move someone from the "
            "waitlist.",
            field="ticket_type_id",
        )
    booking = insert_booking(
        session,
        event_id=ticket_type.event_id,
        ticket_type_id=ticket_type.id,
        person_id=person.id,
        status=BookingStatus.CONFIRMED,
        confirmed_at=now,
        source="manual",
        organisation=person.organisation,
    )
    emails.send_ticket(session, booking)
    return booking


def move_from_waitlist(
    session: Session, actor: Person, booking: Booking, now: datetime | None = None
) -> Booking:
    """An organiser gives a waitlisted (or ballot) person a ticket straight away."""
    now = now or utcnow()
    if booking.status not in (BookingStatus.WAITLISTED, BookingStatus.REGISTERED):
        raise Conflict("Only people on the waitlist can be moved to a ticket.")
    if not take_place(session, booking.ticket_type_id):
        raise Conflict("There is no free place. Raise the capacity first.")
    result = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == booking.status)
        .values(status=BookingStatus.CONFIRMED, confirmed_at=now, offer_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", result).rowcount != 1:
        raise Conflict("This booking changed a moment ago. Reload the page and try again.")
    session.refresh(booking)
    emails.send_ticket(session, booking)
    return booking


def reissue_token(session: Session, actor: Person, booking: Booking) -> Booking:
    """Give the ticket a new token (the old QR stops working) and email it."""
    if booking.status != BookingStatus.CONFIRMED:
        raise Conflict("Only confirmed tickets can be reissued.")
    booking.reissue_token()
    session.flush()
    emails.send_ticket(session, booking, reason="reissued")
    return booking


def ticket_types_with_offer_work(session: Session, now: datetime | None = None) -> list[TicketType]:
    """Every ticket type with an overdue offer, or a free place and a waitlist (for tick)."""
    now = now or utcnow()
    upcoming = (
        select(TicketType.id)
        .join(Event, Event.id == TicketType.event_id)
        .where(Event.ends_at > now)
    )
    ids = offers_due(session, list(session.scalars(upcoming)), now)
    return [t for t in (session.get(TicketType, i) for i in ids) if t is not None]
