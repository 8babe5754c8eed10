"""The live grid's validator: the grid version and how far through the day, from one query.

Open grids and big screens ask for it every few seconds, so a 304 costs this query and nothing
else; the ETag changes when the grid does and when a slot starts or ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from lgcamp.events.models import Event, EventStatus
from lgcamp.programme.models import ProgrammeState, TimeSlot


@dataclass(frozen=True)
class LiveState:
    """What a live page's ETag is made of: the grid version and how far through the day."""

    event_id: int
    is_published: bool
    version: int
    started: int
    ended: int

    def tag(self, view: str) -> str:
        """The (unquoted) entity tag of one view of the grid."""
        return f"{view}-{self.version}-{self.started}-{self.ended}"


def _slots_passed(column: InstrumentedAttribute[datetime], now: datetime) -> ScalarSelect[int]:
    """How many of the event's slots have started (or ended) by now."""
    return (
        select(func.count(TimeSlot.id))
        .where(TimeSlot.event_id == Event.id, column <= now)
        .scalar_subquery()
    )


def live_state(session: Session, slug: str, now: datetime) -> LiveState | None:
    """The event's live state, or None if there is no such event."""
    row = session.execute(
        select(
            Event.id,
            Event.status,
            ProgrammeState.grid_version,
            _slots_passed(TimeSlot.starts_at, now),
            _slots_passed(TimeSlot.ends_at, now),
        )
        .outerjoin(ProgrammeState, ProgrammeState.event_id == Event.id)
        .where(Event.slug == slug)
    ).first()
    if row is None:
        return None
    event_id, status, version, started, ended = row
    return LiveState(event_id, status != EventStatus.DRAFT, version or 0, started, ended)


def grid_version(session: Session, event_id: int) -> int:
    """The event's grid version now (0 before anything was ever placed)."""
    return (
        session.scalar(
            select(ProgrammeState.grid_version).where(ProgrammeState.event_id == event_id)
        )
        or 0
    )
