"""Ballot allocation: a reproducible random draw when booking closes.

The seed and the drawn order are recorded, so anyone with the list of entries can repeat the
draw; the first drawn get the places, everyone else joins the waitlist in drawn order.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from lgcamp.database import utcnow
from lgcamp.errors import Conflict
from lgcamp.tickets import emails
from lgcamp.tickets.booking import closes_at
from lgcamp.tickets.models import AllocationMode, BallotDraw, Booking, BookingStatus, TicketType
from lgcamp.tickets.offers import take_place


class BallotNotDue(Conflict):
    """The ballot cannot be drawn now (still open, drawn already, not a ballot)."""


def drawn_order(entrant_ids: list[int], seed: str) -> list[int]:
    """The draw itself: entrants sorted by id, shuffled by the seed. Pure and repeatable."""
    order = sorted(entrant_ids)
    random.Random(seed).shuffle(order)
    return order


def draw_ballot(
    session: Session,
    ticket_type: TicketType,
    seed: str | None = None,
    now: datetime | None = None,
) -> BallotDraw:
    """Draw the ballot once: winners get tickets, the rest the waitlist in drawn order."""
    now = now or utcnow()
    if ticket_type.allocation != AllocationMode.BALLOT:
        raise BallotNotDue("This ticket type is first come, first served: there is no ballot.")
    if now < closes_at(ticket_type):
        raise BallotNotDue("The ballot is drawn when booking closes. It is still open.")
    # Claim the draw: of two concurrent draws (two ticks, an organiser's click) one wins.
    claimed = session.execute(
        update(TicketType)
        .where(TicketType.id == ticket_type.id, TicketType.ballot_drawn_at.is_(None))
        .values(ballot_drawn_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", claimed).rowcount != 1:
        raise BallotNotDue("This ballot has already been drawn.")
    seed = seed or secrets.token_hex(16)
    entrants = session.scalars(
        select(Booking.id).where(
            Booking.ticket_type_id == ticket_type.id,
            Booking.status == BookingStatus.REGISTERED,
        )
    ).all()
    order = drawn_order(list(entrants), seed)
    winners = 0
    for position, booking_id in enumerate(order, start=1):
        booking = session.get(Booking, booking_id)
        assert booking is not None
        if take_place(session, ticket_type.id):
            booking.status = BookingStatus.CONFIRMED
            booking.confirmed_at = now
            booking.queue_position = position
            winners += 1
            session.flush()
            emails.send_ticket(session, booking, reason="ballot")
        else:
            booking.status = BookingStatus.WAITLISTED
            booking.queue_position = position
            session.flush()
            emails.send_ballot_lost(session, booking)
    draw = BallotDraw(
        ticket_type_id=ticket_type.id,
        seed=seed,
        entrants=len(order),
        winners=winners,
        drawn_order=",".join(str(i) for i in order),
        drawn_at=now,
    )
    session.add(draw)
    session.flush()
    session.refresh(ticket_type)
    return draw


def due_ballots(session: Session, now: datetime | None = None) -> list[TicketType]:
    """Ballot ticket types whose booking has closed and that are not drawn yet."""
    now = now or utcnow()
    candidates = session.scalars(
        select(TicketType).where(
            TicketType.allocation == AllocationMode.BALLOT,
            TicketType.ballot_drawn_at.is_(None),
        )
    )
    return [t for t in candidates if closes_at(t) <= now]


def draw_for(session: Session, ticket_type: TicketType) -> BallotDraw | None:
    """The recorded draw of a ticket type, if drawn."""
    return session.scalar(select(BallotDraw).where(BallotDraw.ticket_type_id == ticket_type.id))
