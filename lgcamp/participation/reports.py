"""Reports for organisers and admins, aggregated in SQL (GROUP BY): no query per row.

What each figure counts: README.md, Participation and membership. Every count is of distinct
people, so merged accounts are never counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    CTE,
    Executable,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import CheckIn
from lgcamp.events.models import Event, EventRole, EventRoleName, EventStatus
from lgcamp.participation.evidence import took_place_sql
from lgcamp.participation.facts import event_year, reportable_rows
from lgcamp.programme.models import CampSession, SessionHost, TimeSlot
from lgcamp.tickets.models import Booking, BookingStatus


@dataclass
class EventReport:
    """One event's figures."""

    event_id: int
    name: str
    slug: str
    starts_at: datetime
    booked: int = 0
    attended: int = 0
    no_shows: int = 0
    walk_ins: int = 0
    first_timers: int = 0
    returning: int = 0
    sessions: int = 0
    hosts: int = 0

    @property
    def has_check_ins(self) -> bool:
        """Whether anyone was checked in (otherwise there is no no-show rate)."""
        return self.attended > 0

    @property
    def no_show_rate(self) -> float | None:
        """Share of booked people not checked in; None without check-ins or bookings."""
        if not self.has_check_ins or self.booked == 0:
            return None
        return self.no_shows / self.booked


@dataclass
class YearReport:
    """One year's figures across the network."""

    year: int
    events: int = 0
    participants: int = 0
    returning: int = 0
    organisations: int = 0

    @property
    def returning_rate(self) -> float | None:
        """Share of the year's participants who took part in an earlier year."""
        return self.returning / self.participants if self.participants else None


def reportable_events(
    session: Session, now: datetime, managed_by: Person | None = None
) -> list[Event]:
    """Events that have started (not drafts), newest first; only those a person organises
    when ``managed_by`` is given (admins pass None to see all)."""
    query = select(Event).where(Event.status != EventStatus.DRAFT, Event.starts_at <= now)
    if managed_by is not None:
        query = query.where(
            exists().where(
                EventRole.event_id == Event.id,
                EventRole.person_id == managed_by.id,
                EventRole.role == EventRoleName.ORGANISER,
            )
        )
    return list(session.scalars(query.order_by(Event.starts_at.desc(), Event.id)))


def _by_event(session: Session, query: Executable) -> dict[int, tuple[int, ...]]:
    return {row[0]: tuple(row[1:]) for row in session.execute(query).all()}


def event_reports(session: Session, events: list[Event], now: datetime) -> list[EventReport]:
    """Figures for these events: three grouped queries, however many people or events."""
    reports = [EventReport(e.id, e.name, e.slug, e.starts_at) for e in events]
    if not events:
        return reports
    ids = [e.id for e in events]

    accepted = and_(CheckIn.booking_id == Booking.id, CheckIn.undone_at.is_(None))
    bookings = _by_event(
        session,
        select(
            Booking.event_id,
            func.count(distinct(Booking.person_id)),
            func.count(distinct(case((CheckIn.id.is_(None), Booking.person_id)))),
            func.count(distinct(case((Booking.source == "walk_in", Booking.person_id)))),
        )
        .outerjoin(CheckIn, accepted)
        .where(Booking.status == BookingStatus.CONFIRMED, Booking.event_id.in_(ids))
        .group_by(Booking.event_id),
    )

    # Each attendance (person, event) with the date of the person's first attendance anywhere.
    attendance = (
        select(
            Booking.person_id,
            CheckIn.event_id,
            Event.starts_at,
            func.min(Event.starts_at).over(partition_by=Booking.person_id).label("first_at"),
        )
        .join(Booking, Booking.id == CheckIn.booking_id)
        .join(Event, Event.id == CheckIn.event_id)
        .where(CheckIn.undone_at.is_(None))
        .subquery("attendance")
    )
    attended = _by_event(
        session,
        select(
            attendance.c.event_id,
            func.count(distinct(attendance.c.person_id)),
            func.count(
                distinct(
                    case((attendance.c.first_at < attendance.c.starts_at, attendance.c.person_id))
                )
            ),
        )
        .where(attendance.c.event_id.in_(ids))
        .group_by(attendance.c.event_id),
    )
    hosting = _by_event(
        session,
        select(
            CampSession.event_id,
            func.count(distinct(CampSession.id)),
            func.count(distinct(SessionHost.person_id)),
        )
        .outerjoin(TimeSlot, TimeSlot.id == CampSession.slot_id)
        .outerjoin(SessionHost, SessionHost.camp_session_id == CampSession.id)
        .where(CampSession.event_id.in_(ids), took_place_sql(now))
        .group_by(CampSession.event_id),
    )
    for report in reports:
        report.booked, report.no_shows, report.walk_ins = bookings.get(report.event_id, (0, 0, 0))
        report.attended, report.returning = attended.get(report.event_id, (0, 0))
        report.first_timers = report.attended - report.returning
        report.sessions, report.hosts = hosting.get(report.event_id, (0, 0))
    return reports


def year_reports(session: Session, now: datetime) -> list[YearReport]:
    """Figures per year across the network, oldest first (two queries), from the stored facts
    and the records of events marked stale (``facts.reportable_rows``).
    """
    found = reportable_rows(session, now)
    rows = found if isinstance(found, CTE) else found.subquery("evidence")
    first = select(func.min(rows.c.year).label("year")).group_by(rows.c.person_id).subquery("first")
    year = event_year(Event.starts_at)
    # One statement of four grouped parts, each a scan of a covering index.
    parts = union_all(
        select(
            literal("participants"), rows.c.year, func.count(distinct(rows.c.person_id))
        ).group_by(rows.c.year),
        select(literal("organisations"), rows.c.year, func.count(distinct(rows.c.organisation)))
        .where(rows.c.organisation != "")
        .group_by(rows.c.year),
        select(literal("newcomers"), first.c.year, func.count()).group_by(first.c.year),
        select(literal("events"), year, func.count())
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at <= now)
        .group_by(year),
    )
    figures: dict[str, dict[int, int]] = {}
    for part, y, count in session.execute(parts).all():
        figures.setdefault(part, {})[int(y)] = count
    get = {part: figures.get(part, {}).get for part in ("events", "organisations", "newcomers")}
    # Returning participants in a year: its participants less those whose first year it is.
    return [
        YearReport(
            y, get["events"](y, 0), p, p - get["newcomers"](y, 0), get["organisations"](y, 0)
        )
        for y, p in sorted(figures.get("participants", {}).items())
    ]


def bar_step(value: float, maximum: float) -> int:
    """The height class of a bar in the CSS chart: 0..20 (5% steps)."""
    if maximum <= 0 or value <= 0:
        return 0
    return max(1, min(20, round(value / maximum * 20)))


def percent(value: float | None) -> str:
    """A share as a whole percentage, or a dash when there is none."""
    return "\u2013" if value is None else f"{round(value * 100)}%"


EVENT_COLUMNS = [
    ("Event", "name"),
    ("Date", "date"),
    ("Booked", "booked"),
    ("Attended", "attended"),
    ("No-shows", "no_shows"),
    ("No-show rate", "no_show_rate"),
    ("Walk-ins", "walk_ins"),
    ("First-timers", "first_timers"),
    ("Returning", "returning"),
    ("Sessions held", "sessions"),
    ("Hosts", "hosts"),
]
YEAR_COLUMNS = [
    ("Year", "year"),
    ("Events", "events"),
    ("Unique participants", "participants"),
    ("Returning", "returning"),
    ("Returning rate", "returning_rate"),
    ("Organisations represented", "organisations"),
]


def event_rows(reports: list[EventReport]) -> list[list[object]]:
    """The per-event table as rows of cells (for the page and the CSV)."""
    return [
        [
            r.name,
            r.starts_at.date().isoformat(),
            r.booked,
            r.attended,
            r.no_shows if r.has_check_ins else "",
            percent(r.no_show_rate) if r.has_check_ins else "",
            r.walk_ins,
            r.first_timers,
            r.returning,
            r.sessions,
            r.hosts,
        ]
        for r in reports
    ]


def year_rows(reports: list[YearReport]) -> list[list[object]]:
    """The per-year table as rows of cells."""
    return [
        [r.year, r.events, r.participants, r.returning, percent(r.returning_rate), r.organisations]
        for r in reports
    ]


def sessions_held(session: Session, event: Event, now: datetime) -> list[tuple[str, str]]:
    """The event's sessions that took place, with their hosts' names (one query)."""
    rows = session.execute(
        select(CampSession.id, CampSession.title, func.coalesce(Person.name, SessionHost.name))
        .outerjoin(TimeSlot, TimeSlot.id == CampSession.slot_id)
        .outerjoin(SessionHost, SessionHost.camp_session_id == CampSession.id)
        .outerjoin(Person, Person.id == SessionHost.person_id)
        .where(CampSession.event_id == event.id, took_place_sql(now))
        .order_by(CampSession.title, CampSession.id, SessionHost.id)
    ).all()
    held: dict[int, tuple[str, list[str]]] = {}
    for session_id, title, host in rows:
        held.setdefault(session_id, (title, []))[1].extend([host] if host else [])
    return [(title, ", ".join(hosts)) for title, hosts in held.values()]
