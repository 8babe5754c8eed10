"""Offers: places held by conditional UPDATEs and passed down the waitlist (README.md).

`taken` on a ticket type counts the places held (confirmed tickets and open offers); only
`take_place` and `free_place` change it, check and change in one statement: no overselling.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, exists, func, select, update
from sqlalchemy.orm import Session

from lgcamp.database import utcnow
from lgcamp.events.models import Event
from lgcamp.tickets import emails
from lgcamp.tickets.models import Booking, BookingStatus, TicketSettings, TicketType

NEAR_EVENT = timedelta(days=7)
LAST_DAY = timedelta(days=1)
LAST_DAY_OFFER_HOURS = 3


_type, _booking = cast(Table, TicketType.__table__), cast(Table, Booking.__table__)
# Taking a place: one conditional UPDATE (built once; the check and the change are one
# statement), and its variant that also refuses while anyone is waitlisted.
_TAKE_PLACE = (
    update(_type)
    .where(_type.c.id == bindparam("type_id"), _type.c.taken < _type.c.capacity)
    .values(taken=_type.c.taken + 1)
)
_TAKE_PLACE_UNLESS_WAITLIST = _TAKE_PLACE.where(
    ~exists().where(
        _booking.c.ticket_type_id == bindparam("type_id"),
        _booking.c.status == BookingStatus.WAITLISTED,
    )
)


def take_place(session: Session, ticket_type_id: int, unless_waitlist: bool = False) -> bool:
    """Take one place if any is left; False when full. The same on SQLite and PostgreSQL.

    With `unless_waitlist`, also False while anyone is waiting: a new booker never jumps the
    queue."""
    query = _TAKE_PLACE_UNLESS_WAITLIST if unless_waitlist else _TAKE_PLACE
    result = session.execute(query, {"type_id": ticket_type_id})
    return cast("CursorResult[Any]", result).rowcount == 1


def free_place(session: Session, ticket_type_id: int) -> None:
    """Give one place back (a release, a cancellation, an expired offer)."""
    session.execute(
        update(TicketType)
        .where(TicketType.id == ticket_type_id, TicketType.taken > 0)
        .values(taken=TicketType.taken - 1)
        .execution_options(synchronize_session=False)
    )


def default_settings(event: Event) -> TicketSettings:
    """The settings an event has until an organiser changes them (not added to the session)."""
    return TicketSettings(
        event_id=event.id,
        offer_hours=48,
        offer_hours_near=12,
        reminder_days=3,
        answer_retention_days=TicketSettings.DEFAULT_RETENTION_DAYS,
        reconfirm_days=None,
        reconfirm_deadline_days=2,
        door_release_minutes=None,
    )


def settings_for(session: Session, event: Event) -> TicketSettings:
    """The event's ticket settings (defaults when none were saved)."""
    found = session.scalar(select(TicketSettings).where(TicketSettings.event_id == event.id))
    return found or default_settings(event)


def offer_expiry(settings: TicketSettings, event: Event, now: datetime) -> datetime:
    """When an offer made now runs out: shorter as the event nears, never after its start."""
    hours = settings.offer_hours
    to_start = event.starts_at - now
    if to_start <= NEAR_EVENT:
        hours = min(hours, settings.offer_hours_near)
    if to_start <= LAST_DAY:
        hours = min(hours, LAST_DAY_OFFER_HOURS)
    return min(now + timedelta(hours=hours), event.starts_at)


def fill_places(session: Session, ticket_type: TicketType, now: datetime | None = None) -> int:
    """Offer each free place to the next person on the waitlist; return offers made.

    Safe to run concurrently. Offers stop when the event starts (walk-ins get the rest).
    """
    now = now or utcnow()
    event = ticket_type.event
    if now >= event.starts_at:
        return 0
    settings: TicketSettings | None = None  # read only when a place is free (rarely)
    made = 0
    skipped: set[int] = set()
    # A place is taken before a person is picked, and the person moved from waitlisted to
    # offered by a conditional UPDATE: two runs never offer one place or pick one person twice.
    while take_place(session, ticket_type.id):
        candidate = session.scalar(
            select(Booking.id)
            .where(
                Booking.ticket_type_id == ticket_type.id,
                Booking.status == BookingStatus.WAITLISTED,
                Booking.id.not_in(skipped),
            )
            .order_by(Booking.queue_position, Booking.id)
            .limit(1)
        )
        if candidate is None:
            free_place(session, ticket_type.id)
            break
        settings = settings or settings_for(session, event)
        expires = offer_expiry(settings, event, now)
        moved = session.execute(
            update(Booking)
            .where(Booking.id == candidate, Booking.status == BookingStatus.WAITLISTED)
            .values(status=BookingStatus.OFFERED, offered_at=now, offer_expires_at=expires)
            .execution_options(synchronize_session=False)
        )
        if (
            cast("CursorResult[Any]", moved).rowcount != 1
        ):  # someone else offered or changed it first: try the next
            free_place(session, ticket_type.id)
            skipped.add(candidate)
            continue
        booking = session.get(Booking, candidate)
        assert booking is not None
        session.refresh(booking)
        emails.send_offer(session, booking)
        made += 1
    session.flush()
    return made


def expire_due_offers(
    session: Session, ticket_type: TicketType, now: datetime | None = None
) -> int:
    """Expire offers past their time, freeing their places (process_offers passes them on)."""
    now = now or utcnow()
    due = session.scalars(
        select(Booking.id)
        .where(
            Booking.ticket_type_id == ticket_type.id,
            Booking.status == BookingStatus.OFFERED,
            Booking.offer_expires_at < now,
        )
        .order_by(Booking.offer_expires_at, Booking.id)
    ).all()
    expired = 0
    # The freed places go down the waitlist in the same transaction (process_offers, or the
    # booking that found them due): as many as people are waiting are passed on, until the
    # start (then the door has them for walk-ins).
    started = now >= ticket_type.event.starts_at
    waiting = 0
    if due and not started:
        waiting = (
            session.scalar(
                select(func.count(Booking.id)).where(
                    Booking.ticket_type_id == ticket_type.id,
                    Booking.status == BookingStatus.WAITLISTED,
                )
            )
            or 0
        )
    for booking_id in due:
        result = session.execute(
            update(Booking)
            .where(Booking.id == booking_id, Booking.status == BookingStatus.OFFERED)
            .values(status=BookingStatus.EXPIRED, ended_at=now, end_reason="expired")
            .execution_options(synchronize_session=False)
        )
        if cast("CursorResult[Any]", result).rowcount != 1:
            continue
        free_place(session, ticket_type.id)
        booking = session.get(Booking, booking_id)
        assert booking is not None
        session.refresh(booking)
        outcome = "started" if started else ("passed_on" if expired < waiting else "freed")
        emails.send_offer_expired(session, booking, outcome)
        expired += 1
    return expired


def process_offers(session: Session, ticket_type: TicketType, now: datetime | None = None) -> int:
    """Expire due offers and offer free places; return offers changed (0 when nothing to do)."""
    now = now or utcnow()
    return expire_due_offers(session, ticket_type, now) + fill_places(session, ticket_type, now)


def offers_due(
    session: Session, ticket_type_ids: list[int], now: datetime | None = None
) -> list[int]:
    """Ticket types (of these) with an overdue offer or a free place and a waitlist: cheap read."""
    if not ticket_type_ids:
        return []
    now = now or utcnow()
    overdue = select(Booking.ticket_type_id).where(
        Booking.ticket_type_id.in_(ticket_type_ids),
        Booking.status == BookingStatus.OFFERED,
        Booking.offer_expires_at < now,
    )
    free_with_queue = (
        select(TicketType.id)
        .join(Event, Event.id == TicketType.event_id)
        .where(
            TicketType.id.in_(ticket_type_ids),
            TicketType.taken < TicketType.capacity,
            Event.starts_at > now,
            exists().where(
                Booking.ticket_type_id == TicketType.id,
                Booking.status == BookingStatus.WAITLISTED,
            ),
        )
    )
    return sorted(set(session.scalars(overdue)) | set(session.scalars(free_with_queue)))
