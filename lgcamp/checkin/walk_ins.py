"""Walk-ins: someone without a ticket registered at the door, given a place and checked in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email, normalise_email
from lgcamp.checkin.models import ScanMethod
from lgcamp.checkin.outcomes import ScanOutcome
from lgcamp.checkin.scans import ScanActor, ScanInput, record_scan
from lgcamp.checkin.walk_in_records import record_walk_in
from lgcamp.checkin.window import closed_message, is_open
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.events.models import Event, EventStatus
from lgcamp.tickets.booking import insert_booking, live_booking
from lgcamp.tickets.models import BookingStatus, TicketType
from lgcamp.tickets.offers import take_place


class NoPlacesLeft(Conflict):
    """The ticket type is full: no walk-in possible."""


class AlreadyBooked(Conflict):
    """The walk-in already has a booking for this event."""


@dataclass(frozen=True)
class WalkIn:
    """A person registered at the door."""

    name: str
    email: str
    organisation: str
    ticket_type_id: int


def _unusable_password() -> str:
    # werkzeug's check_password_hash() is False for any value without "method$salt$hash".
    return "!walk-in:" + secrets.token_urlsafe(32)


def _walk_in_person(session: Session, event: Event, walk_in: WalkIn) -> Person:
    """The walk-in's account (made now if they have none); AlreadyBooked if they hold a booking."""
    person = find_person_by_email(session, walk_in.email)
    if person is None:
        person = Person(
            name=walk_in.name.strip(),
            email=normalise_email(walk_in.email),
            organisation=walk_in.organisation.strip(),
            password_hash=_unusable_password(),
        )
        session.add(person)
        session.flush()
    elif live_booking(session, person, event) is not None:
        raise AlreadyBooked(
            f"{person.name} already has a booking: find them with search instead.", field="email"
        )
    return person


def register_walk_in(
    session: Session,
    actor: ScanActor,
    event: Event,
    walk_in: WalkIn,
    scan: ScanInput,
    may_look_up: bool = True,
) -> ScanOutcome:
    """Register someone at the door: a confirmed booking (if a place is left) and a check-in.

    Without ``may_look_up`` (a scanner link, the scanner role: ``permissions.can_link_walk_in``)
    the walk-in is kept as typed, as a record the person confirms by email (walk_in_records).
    """
    if event.status is EventStatus.CANCELLED:
        raise DomainError("This event is cancelled.")
    if not is_open(event, utcnow()):  # before any place is taken
        raise Conflict(closed_message(event, utcnow())[1])
    ticket_type = session.get(TicketType, walk_in.ticket_type_id)
    if ticket_type is None or ticket_type.event_id != event.id:
        raise DomainError("Select a ticket type of this event.", field="ticket_type_id")
    if not may_look_up:
        typed = {"name": walk_in.name, "email": walk_in.email, "organisation": walk_in.organisation}
        return record_walk_in(session, actor, event, ticket_type, typed, scan)
    person = _walk_in_person(session, event, walk_in)
    if not take_place(session, ticket_type.id):
        raise NoPlacesLeft(
            f"No places left for {ticket_type.name}: the event is full.", field="ticket_type_id"
        )
    booking = insert_booking(
        session,
        event_id=event.id,
        ticket_type_id=ticket_type.id,
        person_id=person.id,
        status=BookingStatus.CONFIRMED,
        source="walk_in",
        confirmed_at=utcnow(),
        # What the door was told, even when the person's account says otherwise.
        organisation=walk_in.organisation.strip() or person.organisation,
    )
    walked_in = ScanInput(
        scan_id=scan.scan_id,
        method=ScanMethod.WALK_IN,
        booking_id=booking.id,
        device_id=scan.device_id,
    )
    return record_scan(session, actor, event, walked_in)


def walk_in_ticket_types(session: Session, event: Event) -> list[TicketType]:
    """The event's ticket types with places left, for the walk-in form."""
    return list(
        session.scalars(
            select(TicketType)
            .where(TicketType.event_id == event.id, TicketType.taken < TicketType.capacity)
            .order_by(TicketType.sort_order, TicketType.id)
        )
    )
