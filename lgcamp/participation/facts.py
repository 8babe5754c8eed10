"""Stored participation facts: the evidence of ``evidence.py`` copied per event, for reports.

Kept so that the per-year report need not re-derive the evidence on each request; how they
are never behind the records: README.md, Participation and membership (figures: benchmarks/).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    String,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import CheckIn, ScanLog
from lgcamp.events.models import Event, EventRole, EventRoleName, EventStatus
from lgcamp.participation.evidence import EVIDENCE_ROLES, EvidenceKind, evidence_union
from lgcamp.participation.models import ParticipationFact, ParticipationStaleEvent
from lgcamp.programme.models import CampSession, SessionHost, SessionStatus, TimeSlot
from lgcamp.tickets.models import Booking

FACT_COLUMNS = (
    "person_id",
    "event_id",
    "year",
    "kind",
    "source",
    "source_id",
    "counts_from",
    "organisation",
)


def _label(text: str) -> ColumnElement[str]:
    return cast(literal(text), String)


def event_year(
    column: ColumnElement[datetime] | InstrumentedAttribute[datetime],
) -> ColumnElement[int]:
    """The calendar year of a timestamp, as an integer on both databases."""
    return cast(func.extract("year", column), Integer)


def organisation_key() -> ColumnElement[str]:
    """A person's organisation as reports compare it: trimmed, lower case."""
    return func.lower(func.trim(Person.organisation))


def _no_time() -> ColumnElement[datetime]:
    return cast(literal(None), Event.starts_at.type)


def fact_rows(event_ids: Select) -> Select:
    """The evidence of these events with the moment each piece starts to count, as fact rows.

    The same rules as ``evidence.evidence_union`` with ``now`` left open: that function's rows
    at any ``now`` are exactly these rows with ``counts_from`` absent or not after ``now``.
    """
    attended = (
        select(
            Booking.person_id,
            CheckIn.event_id,
            _label(EvidenceKind.ATTENDED),
            _label("check_in"),
            CheckIn.id,
            _no_time(),
        )
        .join(Booking, Booking.id == CheckIn.booking_id)
        .where(CheckIn.undone_at.is_(None), CheckIn.event_id.in_(event_ids))
    )
    # took_place_sql(now): not withdrawn, and either marked as held or in a room with a slot
    # that has ended by now.
    hosted = (
        select(
            SessionHost.person_id,
            CampSession.event_id,
            _label(EvidenceKind.HOSTED),
            _label("camp_session"),
            CampSession.id,
            case((CampSession.took_place_override.is_(True), _no_time()), else_=TimeSlot.ends_at),
        )
        .join(CampSession, CampSession.id == SessionHost.camp_session_id)
        .outerjoin(TimeSlot, TimeSlot.id == CampSession.slot_id)
        .where(SessionHost.person_id.is_not(None))  # hosts with no account linked yet: nobody
        .where(
            CampSession.event_id.in_(event_ids),
            CampSession.status != SessionStatus.WITHDRAWN,
            or_(
                CampSession.took_place_override.is_(True),
                CampSession.took_place_override.is_(None)
                & CampSession.room_id.is_not(None)
                & TimeSlot.ends_at.is_not(None),
            ),
        )
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
            Event.starts_at,
        )
        .join(Event, Event.id == EventRole.event_id)
        .where(
            EventRole.event_id.in_(event_ids),
            EventRole.role.in_([str(r) for r in EVIDENCE_ROLES]),
            Event.status == EventStatus.PUBLISHED,
        )
    )
    scans = (
        select(
            ScanLog.person_id,
            ScanLog.event_id,
            _label(EvidenceKind.VOLUNTEERED),
            _label("scan_log"),
            func.min(ScanLog.id),
            _no_time(),
        )
        .where(ScanLog.person_id.is_not(None), ScanLog.event_id.in_(event_ids))
        .group_by(ScanLog.person_id, ScanLog.event_id)
    )
    union = union_all(attended, hosted, roles, scans).subquery("evidence")
    c = list(union.c)
    # Nothing counts before its event starts (evidence is dated by the start).
    counts_from = case(
        (c[5].is_(None) | (c[5] < Event.starts_at), Event.starts_at), else_=c[5]
    ).label("counts_from")
    return (
        select(c[0], c[1], event_year(Event.starts_at), *c[2:5], counts_from, organisation_key())
        .join(Event, Event.id == c[1])
        .join(Person, Person.id == c[0])
    )


def rebuild_events(session: Session, event_ids: list[int]) -> None:
    """Replace the stored facts of these events with the evidence in their records."""
    if not event_ids:
        return
    ids = select(Event.id).where(Event.id.in_(event_ids))
    session.execute(delete(ParticipationFact).where(ParticipationFact.event_id.in_(event_ids)))
    session.execute(insert(ParticipationFact).from_select(FACT_COLUMNS, fact_rows(ids)))


def refresh_stale(session: Session, batch: int = 50) -> int:
    """Rebuild the facts of events marked stale; returns how many. Safe to run concurrently:
    each event is claimed by deleting its mark (a concurrent run finds it gone and skips it),
    and a change committed meanwhile marks the event again."""
    done = 0
    while True:
        wanted = list(session.scalars(select(ParticipationStaleEvent.event_id).limit(batch)))
        if not wanted:
            return done
        claimed = list(
            session.scalars(
                delete(ParticipationStaleEvent)
                .where(ParticipationStaleEvent.event_id.in_(wanted))
                .returning(ParticipationStaleEvent.event_id)
            )
        )
        rebuild_events(session, claimed)
        session.commit()
        done += len(claimed)


def rebuild_all(session: Session) -> int:
    """Rebuild every event's facts (after a restore, or to check); returns the event count."""
    ids = list(session.scalars(select(Event.id)))
    session.execute(delete(ParticipationStaleEvent))
    session.execute(delete(ParticipationFact))
    for start in range(0, len(ids), 50):
        rebuild_events(session, ids[start : start + 50])
    return len(ids)


def counts_by(now: datetime) -> ColumnElement[bool]:
    """Whether a stored fact counts at ``now``."""
    return or_(ParticipationFact.counts_from.is_(None), ParticipationFact.counts_from <= now)


def reportable_rows(session: Session, now: datetime) -> Select | CTE:
    """(person_id, year, organisation) of every piece of evidence at ``now``: the stored facts
    of events that are up to date, and the records themselves for events marked stale (one
    small query to find those; none of them in the usual case, after ``lgcamp tick``)."""
    f = ParticipationFact
    stored = select(f.person_id, f.year, f.organisation).where(counts_by(now))
    stale = list(session.scalars(select(ParticipationStaleEvent.event_id)))
    if not stale:
        return stored
    live = evidence_union(now, event_ids=stale).subquery("live")
    fresh = (
        select(live.c.person_id, event_year(Event.starts_at), organisation_key())
        .join(Event, Event.id == live.c.event_id)
        .join(Person, Person.id == live.c.person_id)
    )
    # Materialised once (a CTE used by several parts of the report), not derived per part.
    return union_all(stored.where(f.event_id.not_in(stale)), fresh).cte("evidence")
