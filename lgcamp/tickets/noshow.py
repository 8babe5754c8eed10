"""No-shows: reminders, reconfirmation, door release, and each person's history.

All of it runs from `lgcamp tick`; concurrent ticks send each email once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.errors import Conflict
from lgcamp.events.models import Event, EventStatus
from lgcamp.tickets import emails
from lgcamp.tickets.models import Booking, BookingStatus, TicketSettings
from lgcamp.tickets.offers import free_place
from lgcamp.tickets.service import _end_booking

FINAL_WARNING_BEFORE = timedelta(days=1)
DEFAULT_REMINDER_DAYS = 3


def _claim(session: Session, booking_id: int, column: str, now: datetime) -> bool:
    # Each email is claimed by a conditional UPDATE of its `*_sent_at` column before it is
    # queued (with a dedupe key too), so concurrent ticks send it once.
    attribute = getattr(Booking, column)
    result = session.execute(
        update(Booking)
        .where(
            Booking.id == booking_id,
            Booking.status == BookingStatus.CONFIRMED,
            attribute.is_(None),
        )
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    return cast("CursorResult[Any]", result).rowcount == 1


def _upcoming_with_settings(session: Session, now: datetime) -> list[tuple[Event, TicketSettings]]:
    rows = session.execute(
        select(Event, TicketSettings)
        .join(TicketSettings, TicketSettings.event_id == Event.id)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at > now)
    )
    return list(rows)


def _confirmed_ids(session: Session, event: Event, *conditions: object) -> list[int]:
    return list(
        session.scalars(
            select(Booking.id).where(
                Booking.event_id == event.id,
                Booking.status == BookingStatus.CONFIRMED,
                *conditions,  # type: ignore[arg-type]
            )
        )
    )


def send_reminders(session: Session, now: datetime | None = None) -> int:
    """N days before the event: "see you soon; can't come? release your ticket"."""
    now = now or utcnow()
    sent = 0
    events = session.execute(
        select(Event, TicketSettings.id, TicketSettings.reminder_days)
        .outerjoin(TicketSettings, TicketSettings.event_id == Event.id)
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now)
    )
    for event, settings_id, reminder_days in list(events):
        # No saved settings: the default (3 days); saved with no days: reminders are off.
        days = DEFAULT_REMINDER_DAYS if settings_id is None else reminder_days
        if days is None or event.starts_at - timedelta(days=days) > now:
            continue
        for booking_id in _confirmed_ids(session, event, Booking.reminder_sent_at.is_(None)):
            if _claim(session, booking_id, "reminder_sent_at", now):
                booking = session.get(Booking, booking_id)
                assert booking is not None
                emails.send_reminder(session, booking)
                sent += 1
    session.flush()
    return sent


def run_reconfirmation(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Ask "still coming?", send the final warning, release the unconfirmed at the deadline."""
    now = now or utcnow()
    counts = {"asked": 0, "warned": 0, "released": 0}
    for event, settings in _upcoming_with_settings(session, now):
        if settings.reconfirm_days is None or event.starts_at <= now:
            continue
        ask_at = event.starts_at - timedelta(days=settings.reconfirm_days)
        deadline = event.starts_at - timedelta(days=settings.reconfirm_deadline_days)
        if now < ask_at:
            continue
        unconfirmed = Booking.reconfirmed_at.is_(None)
        if now >= deadline:
            for booking_id in _confirmed_ids(session, event, unconfirmed):
                booking = session.get(Booking, booking_id)
                assert booking is not None
                if booking.reconfirmed_at is None and _end_booking(
                    session, booking, BookingStatus.RELEASED, "unconfirmed", now
                ):
                    emails.send_unconfirmed_released(session, booking)
                    counts["released"] += 1
            continue
        for booking_id in _confirmed_ids(
            session, event, unconfirmed, Booking.reconfirm_sent_at.is_(None)
        ):
            if _claim(session, booking_id, "reconfirm_sent_at", now):
                booking = session.get(Booking, booking_id)
                assert booking is not None
                emails.send_reconfirm(session, booking, deadline)
                counts["asked"] += 1
        if now >= deadline - FINAL_WARNING_BEFORE:
            warn = and_(unconfirmed, Booking.final_warning_sent_at.is_(None))
            for booking_id in _confirmed_ids(session, event, warn):
                if _claim(session, booking_id, "final_warning_sent_at", now):
                    booking = session.get(Booking, booking_id)
                    assert booking is not None
                    emails.send_reconfirm(session, booking, deadline, final=True)
                    counts["warned"] += 1
    session.flush()
    return counts


def reconfirm_booking(session: Session, booking: Booking, now: datetime | None = None) -> Booking:
    """The holder says "still coming" (idempotent)."""
    now = now or utcnow()
    if booking.status != BookingStatus.CONFIRMED:
        raise Conflict("This ticket is no longer active, so there is nothing to confirm.")
    if booking.reconfirmed_at is None:
        booking.reconfirmed_at = now
        session.flush()
    return booking


def places_to_release(session: Session, event: Event) -> int:
    """How many places a door release would free now (confirmed, not checked in)."""
    return len(_confirmed_ids(session, event, Booking.checked_in_at.is_(None)))


def door_release(session: Session, event: Event, now: datetime | None = None) -> int:
    """Release every ticket not checked in: the places go to walk-ins, and each holder is
    emailed (a scan of their QR at the door says what happened); return how many."""
    now = now or utcnow()
    released = 0
    holders: dict[int, str] = dict(
        session.execute(
            select(Booking.id, Person.email)
            .join(Person, Person.id == Booking.person_id)
            .where(
                Booking.event_id == event.id,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.checked_in_at.is_(None),
            )
        ).all()
    )
    for booking_id, email in holders.items():
        result = session.execute(
            update(Booking)
            .where(
                Booking.id == booking_id,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.checked_in_at.is_(None),
            )
            .values(status=BookingStatus.RELEASED, ended_at=now, end_reason="door_release")
            .execution_options(synchronize_session=False)
        )
        if cast("CursorResult[Any]", result).rowcount == 1:
            ticket_type_id = session.scalar(
                select(Booking.ticket_type_id).where(Booking.id == booking_id)
            )
            free_place(session, ticket_type_id)  # type: ignore[arg-type]
            emails.send_door_released(session, booking_id, email, event.name)
            released += 1
    session.flush()
    return released


def run_door_releases(session: Session, now: datetime | None = None) -> int:
    """Door release for events whose start plus the set minutes has passed (once each)."""
    now = now or utcnow()
    total = 0
    for event, settings in _upcoming_with_settings(session, now):
        if settings.door_release_minutes is None or settings.door_released_at is not None:
            continue
        if now < event.starts_at + timedelta(minutes=settings.door_release_minutes):
            continue
        claimed = session.execute(
            update(TicketSettings)
            .where(TicketSettings.id == settings.id, TicketSettings.door_released_at.is_(None))
            .values(door_released_at=now)
            .execution_options(synchronize_session=False)
        )
        if cast("CursorResult[Any]", claimed).rowcount == 1:
            total += door_release(session, event, now)
    return total


@dataclass(frozen=True)
class AttendanceRecord:
    """A person's record across past events: a fact shown to organisers, not a penalty."""

    attended: int
    no_shows: int


def attendance_records(
    session: Session, person_ids: list[int], now: datetime | None = None
) -> dict[int, AttendanceRecord]:
    """Attended and no-show counts over ended events, per person."""
    now = now or utcnow()
    records = {pid: AttendanceRecord(0, 0) for pid in person_ids}
    if not person_ids:
        return records
    rows = session.execute(
        select(Booking.person_id, Booking.checked_in_at, Booking.status, Booking.end_reason)
        .join(Event, Event.id == Booking.event_id)
        .where(Booking.person_id.in_(person_ids), Event.ends_at < now)
    )
    counts: dict[int, list[int]] = {pid: [0, 0] for pid in person_ids}
    for person_id, checked_in_at, status, end_reason in rows:
        if checked_in_at is not None:
            counts[person_id][0] += 1
        elif status == BookingStatus.CONFIRMED or end_reason == "door_release":
            counts[person_id][1] += 1
    return {pid: AttendanceRecord(a, n) for pid, (a, n) in counts.items()}


def no_show_history(session: Session, person_id: int, now: datetime | None = None) -> list[Booking]:
    """The person's bookings for ended events that held a place at the start."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Booking)
            .join(Event, Event.id == Booking.event_id)
            .where(
                Booking.person_id == person_id,
                Event.ends_at < now,
                or_(
                    Booking.status == BookingStatus.CONFIRMED,
                    Booking.end_reason == "door_release",
                    Booking.checked_in_at.is_not(None),
                ),
            )
            .order_by(Event.starts_at.desc())
        )
    )
