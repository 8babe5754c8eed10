"""The grid as shown: rooms across, slots down, the sessions in them, their hosts and stars,
room-full flags, the organisers' warnings and the change log, read in a handful of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.events.models import Event
from lgcamp.programme.live import grid_version
from lgcamp.programme.models import (
    QUEUE_ORDER,
    CampSession,
    ChangeKind,
    GridChange,
    Room,
    RoomFullFlag,
    SessionHost,
    SessionStatus,
    Star,
    TimeSlot,
)


def host_ids(session: Session, session_ids: list[int]) -> dict[int, set[int]]:
    """Host person ids per session."""
    hosts: dict[int, set[int]] = defaultdict(set)
    if session_ids:
        rows = session.execute(
            select(SessionHost.camp_session_id, SessionHost.person_id).where(
                SessionHost.camp_session_id.in_(session_ids)
            )
        )
        for session_id, person_id in rows:
            if person_id is not None:  # a name without an account is no one's clash
                hosts[session_id].add(person_id)
    return hosts


def star_counts(session: Session, session_ids: list[int]) -> dict[int, int]:
    """Stars per session."""
    if not session_ids:
        return {}
    rows = session.execute(
        select(Star.camp_session_id, func.count(Star.id))
        .where(Star.camp_session_id.in_(session_ids))
        .group_by(Star.camp_session_id)
    )
    return {session_id: count for session_id, count in rows}


@dataclass
class Grid:
    """An event's grid, ready to show: rows of slots, columns of rooms."""

    event: Event
    rooms: list[Room]
    slots: list[TimeSlot]
    cells: dict[tuple[int, int], CampSession]
    unscheduled: list[CampSession]
    host_names: dict[int, list[str]]
    stars: dict[int, int]
    full: set[int]
    current_slot_id: int | None
    next_slot_id: int | None
    changes: list[GridChange] = field(default_factory=list)
    warnings: dict[int, list[str]] = field(default_factory=dict)
    version: int = 0
    now: datetime = field(default_factory=utcnow)

    def cell(self, slot: TimeSlot, room: Room) -> CampSession | None:
        """The session in this cell, if any."""
        return self.cells.get((slot.id, room.id))

    def in_slot(self, slot: TimeSlot) -> list[tuple[Room, CampSession]]:
        """The sessions of one slot, in room order."""
        return [
            (r, self.cells[(slot.id, r.id)]) for r in self.rooms if (slot.id, r.id) in self.cells
        ]

    def with_space(self, slot: TimeSlot) -> list[tuple[Room, CampSession]]:
        """The sessions of a slot whose room has not been flagged full."""
        return [(r, s) for r, s in self.in_slot(slot) if s.id not in self.full]

    def now_and_next(self) -> list[tuple[str, TimeSlot]]:
        """Big screen: the slot running now (if any) and what comes next."""
        shown = [("Now", s) for s in self.slots if s.id == self.current_slot_id]
        ahead = [s for s in self.slots if s.starts_at >= self.now and self.within_event(s)]
        labels = ["Next", "After that"]
        shown += [(labels[n], s) for n, s in enumerate(ahead[: 2 - len(shown)])]
        return shown

    def within_event(self, slot: TimeSlot) -> bool:
        """Whether the slot lies inside the event's time (slots left behind when it moved do
        not, and are never "Now" or "Next")."""
        return self.event.starts_at <= slot.starts_at and slot.ends_at <= self.event.ends_at

    def slots_by_time(self) -> list[TimeSlot]:
        """Phones: the current slot first, then what comes next, then what is over."""
        current = [s for s in self.slots if s.id == self.current_slot_id]
        ahead = [s for s in self.slots if s.id != self.current_slot_id and s.starts_at > self.now]
        over = [s for s in self.slots if s not in current and s not in ahead]
        return current + ahead + over


def load_grid(
    session: Session,
    event: Event,
    now: datetime | None = None,
    *,
    with_unscheduled: bool = False,
    with_changes: int = 0,
    public_changes: bool = False,
    with_warnings: bool = False,
    version: int | None = None,
) -> Grid:
    """Load an event's rooms, slots and placed sessions in a handful of queries."""
    now = now or utcnow()
    rooms = list(
        session.scalars(
            select(Room)
            .where(Room.event_id == event.id, Room.deleted_at.is_(None))
            .order_by(Room.sort_order, Room.id)
        )
    )
    slots = list(
        session.scalars(
            select(TimeSlot).where(TimeSlot.event_id == event.id).order_by(TimeSlot.starts_at)
        )
    )
    query = select(CampSession).where(
        CampSession.event_id == event.id, CampSession.status == SessionStatus.PITCHED
    )
    if not with_unscheduled:
        query = query.where(CampSession.slot_id.is_not(None))
    sessions = list(session.scalars(query.order_by(*QUEUE_ORDER)))
    ids = [s.id for s in sessions]
    names: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = session.execute(
            # A host without an account yet shows the name given at the pitch queue.
            select(SessionHost.camp_session_id, func.coalesce(Person.name, SessionHost.name))
            .outerjoin(Person, Person.id == SessionHost.person_id)
            .where(SessionHost.camp_session_id.in_(ids))
            .order_by(SessionHost.id)
        )
        for session_id, name in rows:
            names[session_id].append(name)
    full = set(
        session.scalars(
            select(RoomFullFlag.camp_session_id)
            .join(CampSession, CampSession.id == RoomFullFlag.camp_session_id)
            .where(CampSession.event_id == event.id)
        )
    )
    # "Now" and "Next" only ever point inside the event: slots left at another time when the
    # event moved (the organiser chose to keep them) are never "Now".
    during = [s for s in slots if event.starts_at <= s.starts_at and s.ends_at <= event.ends_at]
    current = next((s for s in during if s.starts_at <= now < s.ends_at), None)
    upcoming = next((s for s in during if s.starts_at >= now), None)
    grid = Grid(
        event=event,
        rooms=rooms,
        slots=slots,
        cells={(s.slot_id, s.room_id): s for s in sessions if s.is_scheduled},  # type: ignore[misc]
        unscheduled=[s for s in sessions if not s.is_scheduled],
        host_names=names,
        stars=star_counts(session, ids) if with_unscheduled or with_warnings else {},
        full=full,
        current_slot_id=current.id if current else None,
        next_slot_id=upcoming.id if upcoming else None,
        now=now,
        version=grid_version(session, event.id) if version is None else version,
    )
    if with_changes:
        grid.changes = recent_changes(session, event, with_changes, public=public_changes)
    if with_warnings:
        grid.warnings = _grid_warnings(session, grid)
    return grid


def _grid_warnings(session: Session, grid: Grid) -> dict[int, list[str]]:
    rooms = {r.id: r for r in grid.rooms}
    hosts = host_ids(session, [s.id for s in grid.cells.values()])
    by_slot: dict[int, list[CampSession]] = defaultdict(list)
    for (slot_id, _room_id), camp_session in grid.cells.items():
        by_slot[slot_id].append(camp_session)
    warnings: dict[int, list[str]] = defaultdict(list)
    for (_slot_id, room_id), camp_session in grid.cells.items():
        stars = grid.stars.get(camp_session.id, 0)
        if stars > rooms[room_id].capacity:
            warnings[camp_session.id].append(
                f"{stars} stars, {rooms[room_id].capacity} seats: needs a bigger room"
            )
    for same_slot in by_slot.values():
        for a in same_slot:
            for b in same_slot:
                if a.id != b.id and hosts[a.id] & hosts[b.id]:
                    warnings[a.id].append(f"A host is also running “{b.title}” at this time")
    return warnings


def recent_changes(
    session: Session, event: Event, limit: int = 10, *, public: bool = False
) -> list[GridChange]:
    """The latest entries of the change log, newest first.

    The public see what changed, not the organisers' second thoughts: a change that was undone
    and its undoing cancel out, so neither is shown.
    """
    query = select(GridChange).where(GridChange.event_id == event.id)
    if public:
        query = query.where(GridChange.undone_at.is_(None), GridChange.kind != ChangeKind.UNDONE)
    return list(
        session.scalars(
            query.order_by(GridChange.created_at.desc(), GridChange.id.desc()).limit(limit)
        )
    )
