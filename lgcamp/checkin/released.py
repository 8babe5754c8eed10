"""Places released at the door: whether their holder can still come in as a walk-in."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, exists, select
from sqlalchemy.orm import Session

from lgcamp.checkin.outcomes import DOOR_RELEASE
from lgcamp.checkin.window import is_open
from lgcamp.events.models import Event
from lgcamp.tickets.models import LIVE_STATUSES, Booking, BookingStatus, TicketType

_booking, _ticket_type = cast(Table, Booking.__table__), cast(Table, TicketType.__table__)


def can_admit(
    session: Session, event: Event, ticket: Mapping[Any, Any] | None, now: datetime
) -> bool:
    """Whether the holder of a ticket released at the door can come in as a walk-in now: the
    door is open, they hold no other live booking, and some ticket type has a place left."""
    if (
        ticket is None
        or ticket["event_id"] != event.id
        or ticket["status"] != BookingStatus.RELEASED
        or ticket["end_reason"] != DOOR_RELEASE
        or not is_open(event, now)
    ):
        return False
    holds_another = session.scalar(
        select(
            exists().where(
                _booking.c.person_id == ticket["person_id"],
                _booking.c.event_id == event.id,
                _booking.c.status.in_(LIVE_STATUSES),
            )
        )
    )
    room = session.scalar(
        select(
            exists().where(
                _ticket_type.c.event_id == event.id,
                _ticket_type.c.taken < _ticket_type.c.capacity,
            )
        )
    )
    return bool(room) and not holds_another
