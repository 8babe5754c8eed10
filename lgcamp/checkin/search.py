"""Finding people at the door: search by name, email or organisation, and the offline list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import CheckIn
from lgcamp.checkin.needs import access_needs_bookings
from lgcamp.checkin.outcomes import DOOR_RELEASE
from lgcamp.events.models import Event
from lgcamp.tickets.models import Booking, BookingStatus, TicketType


@dataclass(frozen=True)
class BookingMatch:
    """A search result at the door (no email or access needs details)."""

    booking_id: int
    name: str
    organisation: str
    ticket_type: str
    status: BookingStatus
    token_hash: str
    checked_in_at: datetime | None
    door: str | None
    check_in_id: int | None  # the accepted check-in, for the door's undo
    released_at_door: datetime | None = None  # the place went to walk-ins (they can be admitted)

    def as_json(self) -> dict[str, Any]:
        """The API's view of a match."""
        return {
            "booking_id": self.booking_id,
            "name": self.name,
            "organisation": self.organisation,
            "ticket_type": self.ticket_type,
            "status": self.status.value,
            "h": self.token_hash,
            "checked_in_at": self.checked_in_at.isoformat() if self.checked_in_at else None,
            "door": self.door,
            "check_in_id": self.check_in_id,
            "released_at_door": (
                self.released_at_door.isoformat() if self.released_at_door else None
            ),
        }


DoorRow = Select[int, str, str, str, BookingStatus, str, datetime, str, int, datetime]


def _door_rows(event: Event) -> DoorRow:
    return (
        select(
            Booking.id,
            Person.name,
            Person.organisation,
            TicketType.name,
            Booking.status,
            Booking.token_hash,
            CheckIn.scanned_at,
            CheckIn.door_label,
            CheckIn.id,
            case((Booking.end_reason == DOOR_RELEASE, Booking.ended_at), else_=None),
        )
        .join(Person, Person.id == Booking.person_id)
        .join(TicketType, TicketType.id == Booking.ticket_type_id)
        .outerjoin(CheckIn, (CheckIn.booking_id == Booking.id) & CheckIn.undone_at.is_(None))
        .where(Booking.event_id == event.id)
    )


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(query: str) -> ColumnElement[bool]:
    """The holder's name, email or organisation contains the text (any case)."""
    pattern = _like(query.strip())
    return or_(
        func.lower(Person.name).like(pattern, escape="\\"),
        Person.email.like(pattern, escape="\\"),
        func.lower(Person.organisation).like(pattern, escape="\\"),
    )


def search_bookings(
    session: Session, event: Event, query: str, limit: int = 20
) -> list[BookingMatch]:
    """Bookings of the event whose holder's name, email or organisation contains the text."""
    rows = session.execute(
        _door_rows(event).where(_matches(query)).order_by(Person.name, Booking.id).limit(limit)
    ).all()
    return [BookingMatch(*row) for row in rows]


def ticket_list(session: Session, event: Event) -> list[dict[str, Any]]:
    """The offline list: token hashes (never tokens), names, ticket type, status, check-in
    (and "r", when a place was released at the door)."""
    rows = session.execute(_door_rows(event).order_by(Booking.id)).all()
    with_needs = set(session.scalars(access_needs_bookings(event.id)))
    tickets = []
    for row in rows:
        (
            booking_id,
            name,
            _org,
            ticket_type,
            status,
            token_hash,
            checked_in_at,
            door,
            _,
            released,
        ) = row
        ticket = {
            "h": token_hash,
            "b": booking_id,
            "n": name,
            "t": ticket_type,
            "s": status.value,
            "c": checked_in_at.isoformat() if checked_in_at else None,
            "d": door,
            "a": booking_id in with_needs,
        }
        if released is not None:
            ticket["r"] = released.isoformat()
        tickets.append(ticket)
    return tickets


@dataclass(frozen=True)
class NotArrivedPage:
    """One page of the people with a place who have not been checked in yet."""

    people: list[BookingMatch]
    total: int
    page: int
    pages: int
    query: str


def not_arrived(
    session: Session, event: Event, query: str = "", page: int = 1, per_page: int = 25
) -> NotArrivedPage:
    """Confirmed bookings not checked in, by name; filtered by name, email or organisation."""
    wanted = (
        _door_rows(event)
        .where(Booking.status == BookingStatus.CONFIRMED, CheckIn.id.is_(None))
        .order_by(Person.name, Booking.id)
    )
    query = query.strip()[:100]
    if query:
        wanted = wanted.where(_matches(query))
    total = session.scalar(select(func.count()).select_from(wanted.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = session.execute(wanted.limit(per_page).offset((page - 1) * per_page)).all()
    return NotArrivedPage([BookingMatch(*row) for row in rows], total, page, pages, query)
