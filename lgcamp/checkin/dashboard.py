"""The organisers' live door dashboard: counts (per door, per ticket type, walk-ins), arrivals
per 15 minutes, recent scans."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import CheckIn, ScanLog, WalkInRecord
from lgcamp.database import utcnow
from lgcamp.events.models import Event
from lgcamp.tickets.models import Booking, BookingStatus, TicketType

BUCKET = timedelta(minutes=15)


@dataclass(frozen=True)
class Arrivals:
    """Check-ins in one 15-minute slot, and the bar height step (0-20) for the chart."""

    starts_at: datetime
    label: str
    count: int
    step: int


@dataclass(frozen=True)
class RecentScan:
    """One line of the recent scans list, with what organisers need to undo its check-in."""

    received_at: datetime
    time: str
    name: str
    result: str
    colour: str  # the result's (green, amber, red), or grey once its check-in is undone
    door: str
    check_in_id: int | None = None  # the check-in this scan made, while it still counts
    undone_time: str | None = None  # when and by whom that check-in was undone
    undone_by: str | None = None


@dataclass(frozen=True)
class TypeCount:
    """Places held and people checked in, for one ticket type."""

    name: str
    booked: int
    checked_in: int


@dataclass(frozen=True)
class DoorStats:
    """Everything the dashboard shows."""

    booked: int
    checked_in: int
    no_shows: int
    has_started: bool
    arrivals: list[Arrivals]
    recent: list[RecentScan]
    as_of: str  # when these numbers were read, event time (HH:MM:SS)
    by_door: list[tuple[str, int]] = field(default_factory=list)  # check-ins, busiest first
    by_type: list[TypeCount] = field(default_factory=list)
    walk_ins: int = 0  # registered at the door (each one checked in)

    def as_json(self) -> dict[str, Any]:
        """The dashboard's polling answer."""
        return {
            "booked": self.booked,
            "checked_in": self.checked_in,
            "no_shows": self.no_shows,
            "has_started": self.has_started,
            "as_of": self.as_of,
            "walk_ins": self.walk_ins,
            "by_door": [{"door": door, "checked_in": n} for door, n in self.by_door],
            "by_type": [
                {"name": t.name, "booked": t.booked, "checked_in": t.checked_in}
                for t in self.by_type
            ],
            "arrivals": [
                {"starts_at": a.starts_at.isoformat(), "label": a.label, "count": a.count,
                 "step": a.step}
                for a in self.arrivals
            ],
            "recent": [
                {"time": r.time, "name": r.name, "result": r.result, "colour": r.colour,
                 "door": r.door, "check_in_id": r.check_in_id, "undone_time": r.undone_time,
                 "undone_by": r.undone_by}
                for r in self.recent
            ],
        }  # fmt: skip


def _clock(moment: datetime, event: Event) -> str:
    return moment.astimezone(event.tz).strftime("%H:%M:%S")


def _slot(moment: datetime, event: Event) -> datetime:
    local = moment.astimezone(event.tz)
    return local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)


def arrivals_per_slot(times: list[datetime], event: Event) -> list[Arrivals]:
    """Count check-ins per 15-minute slot (event's timezone), filling empty slots between."""
    if not times:
        return []
    counts: dict[datetime, int] = {}
    for moment in times:
        slot = _slot(moment, event)
        counts[slot] = counts.get(slot, 0) + 1
    first, last = min(counts), max(counts)
    slots: list[datetime] = []
    slot = first
    while slot <= last and len(slots) < 96:  # at most a day of slots on the chart
        slots.append(slot)
        slot = slot + BUCKET
    peak = max(counts.values())
    return [
        Arrivals(s, s.strftime("%H:%M"), counts.get(s, 0), round(20 * counts.get(s, 0) / peak))
        for s in slots
    ]


def door_stats(session: Session, event: Event, now: datetime | None = None) -> DoorStats:
    """Checked in / booked, arrivals, the last 15 scans, and no-shows so far."""
    now = now or utcnow()
    booked = session.scalar(
        select(func.count(Booking.id)).where(
            Booking.event_id == event.id, Booking.status == BookingStatus.CONFIRMED
        )
    )
    times = list(
        session.scalars(
            select(CheckIn.scanned_at)
            .join(Booking, Booking.id == CheckIn.booking_id)
            .where(
                CheckIn.event_id == event.id,
                CheckIn.undone_at.is_(None),
                Booking.status == BookingStatus.CONFIRMED,
            )
        )
    )
    # Walk-ins kept as records (not yet confirmed by the person) came in and hold a place.
    walked_in = list(
        session.scalars(
            select(WalkInRecord.registered_at).where(
                WalkInRecord.event_id == event.id, WalkInRecord.linked_at.is_(None)
            )
        )
    )
    times += walked_in
    # A check-in points at the scan that made it (or, after an offline conflict, the earlier
    # scan that replaced it): at most one check-in per scan.
    rows = session.execute(
        select(
            ScanLog,
            func.coalesce(Person.name, WalkInRecord.name),
            CheckIn.id,
            CheckIn.undone_at,
            CheckIn.undone_by_label,
        )
        .outerjoin(Booking, Booking.id == ScanLog.booking_id)
        .outerjoin(Person, Person.id == Booking.person_id)
        .outerjoin(WalkInRecord, WalkInRecord.scan_log_id == ScanLog.id)
        .outerjoin(CheckIn, CheckIn.scan_log_id == ScanLog.id)
        .where(ScanLog.event_id == event.id)
        .order_by(ScanLog.received_at.desc(), ScanLog.id.desc())
        .limit(15)
    ).all()
    recent = [
        RecentScan(
            log.received_at,
            _clock(log.received_at, event),
            name or "(no booking)",
            "undone" if undone_at else log.result.value.replace("_", " "),
            "grey" if undone_at else log.result.colour,
            log.device_label,
            check_in_id if check_in_id is not None and undone_at is None else None,
            _clock(undone_at, event) if undone_at else None,
            undone_by if undone_at else None,
        )
        for log, name, check_in_id, undone_at, undone_by in rows
    ]
    booked = (booked or 0) + len(walked_in)
    has_started = now >= event.starts_at
    by_door, by_type, walk_ins = _breakdown(session, event)
    return DoorStats(
        booked=booked,
        checked_in=len(times),
        no_shows=max(booked - len(times), 0) if has_started else 0,
        has_started=has_started,
        arrivals=arrivals_per_slot(times, event),
        recent=recent,
        as_of=_clock(now, event),
        by_door=by_door,
        by_type=by_type,
        walk_ins=walk_ins,
    )


def _breakdown(
    session: Session, event: Event
) -> tuple[list[tuple[str, int]], list[TypeCount], int]:
    """Check-ins per door, places and check-ins per ticket type, and walk-ins; a walk-in kept
    as a record (not yet confirmed) counts as booked and checked in at its door."""
    records = session.execute(
        select(WalkInRecord.door_label, WalkInRecord.ticket_type_id).where(
            WalkInRecord.event_id == event.id, WalkInRecord.linked_at.is_(None)
        )
    ).all()
    per_door: Counter[str] = Counter()
    for door, count in session.execute(
        select(CheckIn.door_label, func.count(CheckIn.id))
        .join(Booking, Booking.id == CheckIn.booking_id)
        .where(
            CheckIn.event_id == event.id,
            CheckIn.undone_at.is_(None),
            Booking.status == BookingStatus.CONFIRMED,
        )
        .group_by(CheckIn.door_label)
    ):
        per_door[door] = count
    per_door.update(door for door, _type_id in records)
    recorded = Counter(type_id for _door, type_id in records)
    per_type = session.execute(
        select(TicketType.id, TicketType.name, func.count(Booking.id), func.count(CheckIn.id))
        .outerjoin(
            Booking,
            (Booking.ticket_type_id == TicketType.id) & (Booking.status == BookingStatus.CONFIRMED),
        )
        .outerjoin(CheckIn, (CheckIn.booking_id == Booking.id) & CheckIn.undone_at.is_(None))
        .where(TicketType.event_id == event.id)
        .group_by(TicketType.id, TicketType.name, TicketType.sort_order)
        .order_by(TicketType.sort_order, TicketType.id)
    ).all()
    walk_ins = session.scalar(
        select(func.count(Booking.id)).where(
            Booking.event_id == event.id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.source == "walk_in",
        )
    )
    return (
        sorted(per_door.items(), key=lambda item: (-item[1], item[0])),
        [
            TypeCount(name, booked + recorded[type_id], checked_in + recorded[type_id])
            for type_id, name, booked, checked_in in per_type
        ],
        (walk_ins or 0) + len(records),
    )
