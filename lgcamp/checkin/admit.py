"""Admitting at the door someone whose place was released there (they came late): a walk-in."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lgcamp.checkin.models import ScanMethod
from lgcamp.checkin.outcomes import DOOR_RELEASE, ScanOutcome
from lgcamp.checkin.scans import NotFound, ScanActor, ScanInput, record_scan
from lgcamp.checkin.walk_ins import AlreadyBooked, NoPlacesLeft, walk_in_ticket_types
from lgcamp.checkin.window import closed_message, is_open
from lgcamp.database import utcnow
from lgcamp.errors import Conflict
from lgcamp.events.models import Event
from lgcamp.tickets.booking import insert_booking, live_booking
from lgcamp.tickets.models import Booking, BookingStatus
from lgcamp.tickets.offers import take_place


def admit_released(
    session: Session, actor: ScanActor, event: Event, booking_id: int, scan: ScanInput
) -> ScanOutcome:
    """A new confirmed booking for the holder of a place released at the door, checked in: a
    place of their old ticket type if one is left, else of any type with room."""
    released = session.get(Booking, booking_id)
    if released is None or released.event_id != event.id:
        raise NotFound("There is no such booking for this event.")
    if released.status != BookingStatus.RELEASED or released.end_reason != DOOR_RELEASE:
        raise Conflict("This place was not released at the door: scan the ticket instead.")
    now = utcnow()
    if not is_open(event, now):
        raise Conflict(closed_message(event, now)[1])
    person = released.person
    if live_booking(session, person, event) is not None:
        raise AlreadyBooked(f"{person.name} already has a booking: find them with search instead.")
    candidates = [released.ticket_type_id, *(t.id for t in walk_in_ticket_types(session, event))]
    ticket_type_id = next((i for i in candidates if take_place(session, i)), None)
    if ticket_type_id is None:
        raise NoPlacesLeft("No places left: the event is full, so they cannot be admitted.")
    booking = insert_booking(
        session,
        event_id=event.id,
        ticket_type_id=ticket_type_id,
        person_id=person.id,
        status=BookingStatus.CONFIRMED,
        source="walk_in",
        confirmed_at=now,
        organisation=released.organisation,
    )
    admitted = ScanInput(
        scan_id=scan.scan_id, method=ScanMethod.WALK_IN, booking_id=booking.id,
        device_id=scan.device_id,
    )  # fmt: skip
    return record_scan(session, actor, event, admitted)
