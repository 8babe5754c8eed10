"""Ticket types as organisers set them up: window, allocation, visibility and capacity.

A capacity change goes through `change_capacity`, whose conditional UPDATE never sets it below
the places held; new places go out as offers to the waitlist (offers.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.errors import Conflict, DomainError
from lgcamp.events.models import Event
from lgcamp.tickets.models import AllocationMode, TicketType, TicketVisibility
from lgcamp.tickets.offers import fill_places


class CapacityTooLow(Conflict):
    """The new capacity is below the places already held."""


def change_capacity(
    session: Session,
    actor: Person,
    ticket_type: TicketType,
    capacity: int,
    now: datetime | None = None,
) -> int:
    """Set the capacity (never below the places held); more places go out as offers."""
    if capacity < 0:
        raise DomainError("Capacity must be 0 or more", field="capacity")
    result = session.execute(
        update(TicketType)
        .where(TicketType.id == ticket_type.id, TicketType.taken <= capacity)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    session.refresh(ticket_type)
    if cast("CursorResult[Any]", result).rowcount != 1:
        raise CapacityTooLow(
            f"{ticket_type.taken} places are held (tickets and open offers), so the capacity "
            f"cannot be lower than {ticket_type.taken}. Cancel bookings first.",
            field="capacity",
        )
    return fill_places(session, ticket_type, now)


@dataclass(frozen=True)
class TicketTypeDetails:
    """What an organiser enters for a ticket type; times are aware UTC (or None)."""

    name: str
    description: str
    capacity: int
    opens_at: datetime | None
    closes_at: datetime | None
    visibility: TicketVisibility
    allocation: AllocationMode
    allow_transfer: bool


def _check_window(event: Event, details: TicketTypeDetails) -> None:
    if details.opens_at and details.opens_at >= (details.closes_at or event.starts_at):
        raise DomainError(
            "Booking must open before it closes (when the event starts, unless you set a time)",
            field="opens_date",
        )
    if details.closes_at and details.closes_at > event.starts_at:
        # No offers are made after the start (walk-ins get the places left), so a waitlist
        # joined after it would never move.
        raise DomainError(
            "Booking must close by the time the event starts: after that, places go to "
            "walk-ins at the door",
            field="closes_date",
        )
    if details.allocation == AllocationMode.BALLOT and details.closes_at is None:
        raise DomainError(
            "A ballot needs a closing time: the draw happens then", field="closes_date"
        )


def create_ticket_type(
    session: Session, actor: Person, event: Event, details: TicketTypeDetails
) -> TicketType:
    """Add a ticket type to the event."""
    _check_window(event, details)
    if details.capacity < 0:
        raise DomainError("Capacity must be 0 or more", field="capacity")
    last = session.scalar(
        select(func.max(TicketType.sort_order)).where(TicketType.event_id == event.id)
    )
    ticket_type = TicketType(event_id=event.id, taken=0, sort_order=(last or 0) + 1)
    _apply_details(ticket_type, details)
    ticket_type.capacity = details.capacity
    session.add(ticket_type)
    session.flush()
    return ticket_type


def update_ticket_type(
    session: Session, actor: Person, ticket_type: TicketType, details: TicketTypeDetails
) -> TicketType:
    """Change a ticket type; the capacity goes through change_capacity (offers on increase)."""
    _check_window(ticket_type.event, details)
    if ticket_type.ballot_drawn_at and details.allocation != ticket_type.allocation:
        raise Conflict("The ballot has been drawn: the allocation can no longer change.")
    _apply_details(ticket_type, details)
    session.flush()
    change_capacity(session, actor, ticket_type, details.capacity)
    return ticket_type


def _apply_details(ticket_type: TicketType, details: TicketTypeDetails) -> None:
    ticket_type.name = details.name.strip()
    ticket_type.description = details.description.strip()
    ticket_type.opens_at = details.opens_at
    ticket_type.closes_at = details.closes_at
    ticket_type.visibility = details.visibility
    ticket_type.allocation = details.allocation
    ticket_type.allow_transfer = details.allow_transfer
