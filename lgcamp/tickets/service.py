"""Ticket operations. Capacity is enforced inside the transaction by conditional UPDATEs."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from lgcamp.tickets.models import TicketType


def take_place(session: Session, ticket_type_id: int) -> bool:
    """Take one place if any is left; False when full. The same on SQLite and PostgreSQL."""
    result = session.execute(
        update(TicketType)
        .where(TicketType.id == ticket_type_id, TicketType.taken < TicketType.capacity)
        .values(taken=TicketType.taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def free_place(session: Session, ticket_type_id: int) -> None:
    """Give one place back (a release, a cancellation, an expired offer)."""
    session.execute(
        update(TicketType)
        .where(TicketType.id == ticket_type_id, TicketType.taken > 0)
        .values(taken=TicketType.taken - 1)
        .execution_options(synchronize_session=False)
    )
