"""Plain functions that make test data with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import select

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import hash_password
from lgcamp.checkin.links import create_scanner_link, link_secret
from lgcamp.checkin.models import CheckIn, ScanLog, ScanMethod, ScannerLink, ScanResult
from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventKind, EventRole, EventRoleName, EventStatus
from lgcamp.extensions import db
from lgcamp.programme.models import CampSession, Room, SessionHost, SlotKind, TimeSlot
from lgcamp.tickets import answers as answer_service
from lgcamp.tickets.answers import QuestionDetails
from lgcamp.tickets.models import (
    PLACE_HOLDING_STATUSES,
    Booking,
    BookingStatus,
    Question,
    QuestionKind,
    TicketType,
    TicketVisibility,
)

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


@cache
def _password_hash() -> str:
    # Hashing is deliberately slow: hash the shared test password once per run.
    return hash_password(PASSWORD)


def make_person(
    name: str | None = None,
    email: str | None = None,
    *,
    is_admin: bool = False,
    organisation: str = "Test Borough Council",
) -> Person:
    """A person with the shared test password."""
    n = next(_counter)
    person = Person(
        name=name or f"Person {n}",
        email=(email or f"person{n}@example.org").lower(),
        organisation=organisation,
        password_hash=_password_hash(),
        is_admin=is_admin,
    )
    db.session.add(person)
    db.session.commit()
    return person


def make_event(
    name: str | None = None,
    *,
    status: EventStatus = EventStatus.PUBLISHED,
    kind: EventKind = EventKind.LOCALGOVCAMP,
    starts_at: datetime | None = None,
    hours: int = 8,
    organisers: tuple[Person, ...] = (),
    **fields: object,
) -> Event:
    """An event (published, a month ahead, eight hours long) with its organisers."""
    n = next(_counter)
    starts_at = starts_at or (utcnow() + timedelta(days=30)).replace(second=0, microsecond=0)
    event = Event(
        slug=f"event-{n}",
        name=name or f"Event {n}",
        kind=kind,
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        timezone="Europe/London",
        **fields,
    )
    db.session.add(event)
    db.session.flush()
    for person in organisers:
        db.session.add(
            EventRole(event_id=event.id, person_id=person.id, role=EventRoleName.ORGANISER)
        )
    db.session.commit()
    return event


def make_door_event(name: str | None = None, **fields: object) -> Event:
    """An event under way (it started an hour ago), so that its door accepts check-ins."""
    start = (utcnow() - timedelta(hours=1)).replace(second=0, microsecond=0)
    fields.setdefault("starts_at", start)
    return make_event(name, **fields)  # type: ignore[arg-type]


def make_ticket_type(
    event: Event, capacity: int = 100, name: str = "General admission", **fields: object
) -> TicketType:
    """A public, first-come ticket type on sale now."""
    ticket_type = TicketType(event_id=event.id, name=name, capacity=capacity, **fields)
    db.session.add(ticket_type)
    db.session.commit()
    return ticket_type


def make_booking(
    ticket_type: TicketType,
    person: Person | None = None,
    status: BookingStatus = BookingStatus.CONFIRMED,
) -> Booking:
    """A booking (a confirmed ticket unless told otherwise); takes a place when it holds one."""
    person = person or make_person()
    booking = Booking(
        event_id=ticket_type.event_id,
        ticket_type_id=ticket_type.id,
        person_id=person.id,
        status=status,
        confirmed_at=utcnow() if status == BookingStatus.CONFIRMED else None,
    )
    if status in PLACE_HOLDING_STATUSES:
        ticket_type.taken += 1
    db.session.add(booking)
    db.session.commit()
    return booking


def make_scanner_link(
    event: Event,
    label: str = "Door 1",
    *,
    expires_at: datetime | None = None,
    key: str = "test-secret",
) -> tuple[ScannerLink, str]:
    """A scanner link for the event and its secret (derived from the test app's secret key)."""
    creator = make_person()
    link = create_scanner_link(
        db.session, creator, event, label, expires_at or utcnow() + timedelta(hours=12), key
    )
    db.session.commit()
    return link, link_secret(key, link)


def make_volunteer(event: Event, person: Person | None = None) -> Person:
    """A person with the volunteer role at the event."""
    person = person or make_person()
    db.session.add(EventRole(event_id=event.id, person_id=person.id, role=EventRoleName.VOLUNTEER))
    db.session.commit()
    return person


def make_ticket_holder(event: Event, person: Person | None = None) -> Person:
    """A person with a confirmed booking for the event."""
    person = person or make_person()
    ticket_type = db.session.scalar(select(TicketType).where(TicketType.event_id == event.id))
    make_booking(ticket_type or make_ticket_type(event), person)
    return person


def make_room(event: Event, name: str | None = None, capacity: int = 30, **fields: object) -> Room:
    """A room at the event."""
    room = Room(
        event_id=event.id, name=name or f"Room {next(_counter)}", capacity=capacity, **fields
    )
    db.session.add(room)
    db.session.commit()
    return room


def make_slot(
    event: Event,
    offset_minutes: int = 60,
    minutes: int = 45,
    kind: SlotKind = SlotKind.SESSION,
    label: str = "",
) -> TimeSlot:
    """A time slot starting this many minutes after the event starts."""
    starts_at = event.starts_at + timedelta(minutes=offset_minutes)
    slot = TimeSlot(
        event_id=event.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        kind=kind,
        label=label,
    )
    db.session.add(slot)
    db.session.commit()
    return slot


def make_camp_session(
    event: Event,
    host: Person | None = None,
    title: str | None = None,
    *,
    slot: TimeSlot | None = None,
    room: Room | None = None,
    co_hosts: tuple[Person, ...] = (),
    **fields: object,
) -> CampSession:
    """A pitched session with its host (a new person unless given), placed if slot and room."""
    host = host or make_person()
    camp_session = CampSession(
        event_id=event.id,
        title=title or f"Session {next(_counter)}",
        pitched_by_id=host.id,
        slot_id=slot.id if slot else None,
        room_id=room.id if room else None,
        **fields,
    )
    camp_session.hosts = [SessionHost(person_id=p.id) for p in (host, *co_hosts)]
    db.session.add(camp_session)
    db.session.commit()
    return camp_session


def make_check_in(
    booking: Booking,
    *,
    scanned_at: datetime | None = None,
    by: Person | None = None,
    door: str = "Door 1",
) -> CheckIn:
    """An accepted check-in of the booking (with its scan log entry), by a scanner if given."""
    scanned_at = scanned_at or utcnow()
    log = ScanLog(
        scan_id=f"scan-{next(_counter)}-{booking.id}",
        event_id=booking.event_id,
        booking_id=booking.id,
        token_hash=booking.token_hash,
        method=ScanMethod.QR,
        result=ScanResult.ACCEPTED,
        device_label=door,
        scanned_at=scanned_at,
        person_id=by.id if by else None,
    )
    db.session.add(log)
    db.session.flush()
    check_in = CheckIn(
        booking_id=booking.id,
        event_id=booking.event_id,
        scan_log_id=log.id,
        scanned_at=scanned_at,
        door_label=door,
        person_id=by.id if by else None,
    )
    db.session.add(check_in)
    db.session.commit()
    return check_in


def make_attendance(event: Event, person: Person | None = None, **fields: object) -> CheckIn:
    """A person booked and checked in at the event (at its start unless told otherwise)."""
    person = person or make_person()
    ticket_type = db.session.scalar(select(TicketType).where(TicketType.event_id == event.id))
    booking = make_booking(ticket_type or make_ticket_type(event), person)
    fields.setdefault("scanned_at", event.starts_at)
    return make_check_in(booking, **fields)  # type: ignore[arg-type]


def make_role(event: Event, person: Person, role: EventRoleName) -> EventRole:
    """A role (organiser, volunteer, scanner) for a person at the event."""
    event_role = EventRole(event_id=event.id, person_id=person.id, role=role)
    db.session.add(event_role)
    db.session.commit()
    return event_role


def make_question(event: Event, **fields: object) -> Question:
    """A question of the event (text, optional, sensitive, shown to catering) through the
    service that organisers use, with any field changed."""
    details: dict[str, object] = {
        "label": "Dietary needs",
        "hint": "",
        "kind": QuestionKind.TEXT,
        "choices": "",
        "is_required": False,
        "visibility": "catering",
        "is_sensitive": True,
        **fields,
    }
    question = answer_service.add_question(db.session, event, QuestionDetails(**details))  # type: ignore[arg-type]
    db.session.commit()
    return question


# Events and ticket types that refuse a booking, with the message: shared by the ORM service's
# tests and the Core booking's, which must refuse the same things the same way.
NOT_ON_SALE_CASES = [
    ({"status": EventStatus.DRAFT}, {}, "not published"),
    ({"status": EventStatus.CANCELLED}, {}, "cancelled"),
    ({"starts_at": utcnow() - timedelta(days=2)}, {}, "ended"),
    ({}, {"opens_at": utcnow() + timedelta(hours=2)}, "Booking opens at"),
    ({}, {"closes_at": utcnow() - timedelta(minutes=1)}, "closed"),
    ({}, {"visibility": TicketVisibility.HIDDEN}, "private link"),
]
