"""Finding people at the door: search by name, email or organisation, and the offline list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import CheckIn
from lgcamp.checkin.needs import access_needs_bookings
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
        }


DoorRow = Select[int, str, str, str, BookingStatus, str, datetime, str, int]


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
        )
        .join(Person, Person.id == Booking.person_id)
        .join(TicketType, TicketType.id == Booking.ticket_type_id)
        .outerjoin(CheckIn, (CheckIn.booking_id == Booking.id) & CheckIn.undone_at.is_(None))
        .where(Booking.event_id == event.id)
    )


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_bookings(
    session: Session, event: Event, query: str, limit: int = 20
) -> list[BookingMatch]:
    """Bookings of the event whose holder's name, email or organisation contains the text."""
    pattern = _like(query.strip())
    rows = session.execute(
        _door_rows(event)
        .where(
            or_(
                func.lower(Person.name).like(pattern, escape="\\"),
                Person.email.like(pattern, escape="\\"),
                func.lower(Person.organisation).like(pattern, escape="\\"),
            )
        )
        .order_by(Person.name, Booking.id)
        .limit(limit)
    ).all()
    return [BookingMatch(*row) for row in rows]


def ticket_list(session: Session, event: Event) -> list[dict[str, Any]]:
    """The offline list: token hashes (never tokens), names, ticket type, status, check-in."""
    rows = session.execute(_door_rows(event).order_by(Booking.id)).all()
    with_needs = set(session.scalars(access_needs_bookings(event.id)))
    return [
        {
            "h": token_hash,
            "b": booking_id,
            "n": name,
            "t": ticket_type,
            "s": status.value,
            "c": checked_in_at.isoformat() if checked_in_at else None,
            "d": door,
            "a": booking_id in with_needs,
        }
        for booking_id, name, _org, ticket_type, status, token_hash, checked_in_at, door, _ in rows
    ]
