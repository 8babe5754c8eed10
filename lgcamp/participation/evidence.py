"""Evidence of participation, derived on every read from the records it rests on.

What counts (never a booking on its own) is in README.md, Participation and membership; each
piece names its source record (table and id).
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import CheckIn, ScanLog
from lgcamp.events.models import Event, EventRole, EventRoleName, EventStatus
from lgcamp.participation.models import DEFAULT_WINDOW_MONTHS, ParticipationSetting
from lgcamp.programme.models import CampSession, SessionHost, SessionStatus, TimeSlot
from lgcamp.tickets.models import Booking


class EvidenceKind(enum.StrEnum):
    """The kinds of participation."""

    ATTENDED = "attended"
    HOSTED = "hosted"
    VOLUNTEERED = "volunteered"
    ORGANISED = "organised"

    @property
    def label(self) -> str:
        """How the kind is written for people."""
        return {
            "attended": "Attended",
            "hosted": "Hosted a session",
            "volunteered": "Volunteered",
            "organised": "Organised",
        }[self.value]


HELPER_ROLES = (EventRoleName.VOLUNTEER, EventRoleName.SCANNER)
EVIDENCE_ROLES = (EventRoleName.ORGANISER, *HELPER_ROLES)


def took_place_sql(now: datetime) -> ColumnElement[bool]:
    """CampSession.took_place(now) as SQL (the session must be joined with its TimeSlot)."""
    by_rule = and_(
        CampSession.took_place_override.is_(None),
        CampSession.room_id.is_not(None),
        TimeSlot.ends_at <= now,
    )
    return and_(
        CampSession.status != SessionStatus.WITHDRAWN,
        or_(CampSession.took_place_override.is_(True), by_rule),
    )


def _label(text: str) -> ColumnElement[str]:
    return cast(literal(text), String)


def evidence_union(
    now: datetime, person_id: int | None = None, event_ids: Select | list[int] | None = None
) -> CompoundSelect:
    """Every piece of evidence as rows (person_id, event_id, kind, source, source_id, detail).

    With ``person_id`` (or ``event_ids``, a list or select of event ids) each part filters on
    its own indexed column; without, the whole network. Evidence is dated by its event's start,
    so events that have not started give none yet (a check-in when the door opens early, a
    role on next year's camp): no evidence is ever dated in the future.
    """
    started = Event.starts_at <= now
    attended = (
        select(
            Booking.person_id.label("person_id"),
            CheckIn.event_id.label("event_id"),
            _label(EvidenceKind.ATTENDED).label("kind"),
            _label("check_in").label("source"),
            CheckIn.id.label("source_id"),
            _label("").label("detail"),
        )
        .join(Booking, Booking.id == CheckIn.booking_id)
        .join(Event, Event.id == CheckIn.event_id)
        .where(CheckIn.undone_at.is_(None), started)
    )
    hosted = (
        select(
            SessionHost.person_id,
            CampSession.event_id,
            _label(EvidenceKind.HOSTED),
            _label("camp_session"),
            CampSession.id,
            CampSession.title,
        )
        .join(CampSession, CampSession.id == SessionHost.camp_session_id)
        .outerjoin(TimeSlot, TimeSlot.id == CampSession.slot_id)
        .join(Event, Event.id == CampSession.event_id)
        .where(SessionHost.person_id.is_not(None))  # hosts with no account linked yet: nobody
        .where(took_place_sql(now), started)
    )
    roles = (
        select(
            EventRole.person_id,
            EventRole.event_id,
            case(
                (EventRole.role == EventRoleName.ORGANISER, _label(EvidenceKind.ORGANISED)),
                else_=_label(EvidenceKind.VOLUNTEERED),
            ),
            _label("event_role"),
            EventRole.id,
            EventRole.role,
        )
        .join(Event, Event.id == EventRole.event_id)
        .where(
            EventRole.role.in_([str(r) for r in EVIDENCE_ROLES]),
            # A role on next year's camp is a plan, not participation yet.
            Event.status == EventStatus.PUBLISHED,
            started,
        )
    )
    scans = (
        select(
            ScanLog.person_id,
            ScanLog.event_id,
            _label(EvidenceKind.VOLUNTEERED),
            _label("scan_log"),
            func.min(ScanLog.id),
            _label("scans"),
        )
        .join(Event, Event.id == ScanLog.event_id)
        .where(ScanLog.person_id.is_not(None), started)
        .group_by(ScanLog.person_id, ScanLog.event_id)
    )
    if person_id is not None:
        attended = attended.where(Booking.person_id == person_id)
        hosted = hosted.where(SessionHost.person_id == person_id)
        roles = roles.where(EventRole.person_id == person_id)
        scans = scans.where(ScanLog.person_id == person_id)
    if event_ids is not None:
        attended = attended.where(CheckIn.event_id.in_(event_ids))
        hosted = hosted.where(CampSession.event_id.in_(event_ids))
        roles = roles.where(EventRole.event_id.in_(event_ids))
        scans = scans.where(ScanLog.event_id.in_(event_ids))
    return union_all(attended, hosted, roles, scans)


def participation_pairs(now: datetime) -> Select:
    """Distinct (person_id, event_id) pairs with any evidence: the unit reports count."""
    union = evidence_union(now).subquery("evidence")
    return select(union.c.person_id, union.c.event_id).distinct()


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence and the record it comes from."""

    kind: EvidenceKind
    source: str  # check_in, camp_session, event_role or scan_log
    source_id: int
    detail: str


@dataclass
class EventParticipation:
    """What a person did at one event."""

    event_id: int
    name: str
    slug: str
    starts_at: datetime
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def kinds(self) -> list[EvidenceKind]:
        """The kinds of evidence, each once, in a fixed order."""
        present = {e.kind for e in self.evidence}
        return [k for k in EvidenceKind if k in present]


@dataclass(frozen=True)
class NetworkStatus:
    """Whether a person is part of the network now, and why."""

    is_part: bool
    window_months: int
    cutoff: datetime
    first_year: int | None
    last: EventParticipation | None
    statement: str
    reason: str


@dataclass
class Record:
    """A person's network record: events by year (newest first) and their status."""

    person_id: int
    events: list[EventParticipation]
    status: NetworkStatus

    @property
    def years(self) -> OrderedDict[int, list[EventParticipation]]:
        """Events grouped by year, newest year first."""
        grouped: OrderedDict[int, list[EventParticipation]] = OrderedDict()
        for item in self.events:
            grouped.setdefault(item.starts_at.year, []).append(item)
        return grouped

    def summary(self) -> dict[str, object]:
        """A plain summary (no personal data beyond event names), e.g. for an application."""
        return {
            "statement": self.status.statement,
            "is_part": self.status.is_part,
            "years": {
                str(year): [
                    {"event": e.name, "date": e.starts_at.date().isoformat(), "did": e.kinds}
                    for e in items
                ]
                for year, items in self.years.items()
            },
        }


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time some months later (or earlier), clamped to the month's end."""
    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


def window_months(session: Session) -> int:
    """The configured window of the status rule (the default if admins never set it)."""
    value = session.scalar(select(ParticipationSetting.window_months))
    return value if value is not None else DEFAULT_WINDOW_MONTHS


def person_evidence(session: Session, person: Person, now: datetime) -> list[EventParticipation]:
    """The person's evidence grouped by event, newest event first (one query)."""
    union = evidence_union(now, person.id).subquery("evidence")
    rows = session.execute(
        select(
            Event.id,
            Event.name,
            Event.slug,
            Event.starts_at,
            union.c.kind,
            union.c.source,
            union.c.source_id,
            union.c.detail,
        )
        .join(union, union.c.event_id == Event.id)
        .order_by(Event.starts_at.desc(), Event.id, union.c.kind, union.c.source_id)
    ).all()
    events: OrderedDict[int, EventParticipation] = OrderedDict()
    for event_id, name, slug, starts_at, kind, source, source_id, detail in rows:
        item = events.setdefault(event_id, EventParticipation(event_id, name, slug, starts_at))
        item.evidence.append(Evidence(EvidenceKind(kind), source, source_id, detail or ""))
    return list(events.values())


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def network_status(events: list[EventParticipation], months: int, now: datetime) -> NetworkStatus:
    """Apply the rule: part of the network when some evidence falls within the window."""
    cutoff = add_months(now, -months)
    if not events:
        return NetworkStatus(
            False,
            months,
            cutoff,
            None,
            None,
            "No participation recorded yet.",
            "Nothing is recorded yet: attend (and be checked in), host a session, volunteer "
            "or organise at a network event to start your record.",
        )
    last = max(events, key=lambda e: e.starts_at)
    first_year = min(e.starts_at.year for e in events)
    is_part = last.starts_at >= cutoff
    if is_part:
        reason = (
            f"You took part at {last.name} on {_day(last.starts_at)}, within the last {months} "
            f"months (since {_day(cutoff)})."
        )
    else:
        reason = (
            f"Your last participation, at {last.name} on {_day(last.starts_at)}, was before "
            f"{_day(cutoff)}: more than {months} months ago. Take part in any network event "
            "to be part of the network again."
        )
    statement = _statement(is_part, first_year, last, years=True, events=True)
    return NetworkStatus(is_part, months, cutoff, first_year, last, statement, reason)


def _statement(
    is_part: bool, first_year: int, last: EventParticipation, *, years: bool, events: bool
) -> str:
    """The one-line statement, naming the first year and the last event only when shown."""
    if is_part:
        text = "Part of the network" + (f" since {first_year}" if years else "")
        return text + (f"; last took part at {last.name}." if events else ".")
    text = "Took part in the network" + (f" from {first_year}" if years else "")
    return text + (f"; last took part at {last.name} in {last.starts_at:%B %Y}." if events else ".")


def shared_statement(status: NetworkStatus, *, years: bool, events: bool) -> str:
    """The statement as a verification link shows it: only what its owner chose to show (the
    years they took part, the events), never more."""
    if status.last is None or status.first_year is None:
        return status.statement
    return _statement(status.is_part, status.first_year, status.last, years=years, events=events)


def person_record(session: Session, person: Person, now: datetime) -> Record:
    """A person's record: evidence by event and their status (two small queries)."""
    events = person_evidence(session, person, now)
    return Record(person.id, events, network_status(events, window_months(session), now))


def is_part_of_network(session: Session, person: Person, now: datetime) -> bool:
    """Whether the person is part of the network now."""
    return person_record(session, person, now).status.is_part
