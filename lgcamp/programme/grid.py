"""Changing the session grid: placing, moving, swapping, unscheduling and undoing, each under
the event's grid lock, checked against the placement version the organiser saw."""

from __future__ import annotations

import uuid
from datetime import tzinfo
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.events.models import Event
from lgcamp.programme.layout import host_ids, star_counts
from lgcamp.programme.models import (
    CampSession,
    ChangeKind,
    GridChange,
    ProgrammeState,
    Room,
    RoomFullFlag,
    TimeSlot,
)


class CellTaken(Conflict):
    """The room already has a session in that slot."""


class StaleSession(Conflict):
    """The session changed since the organiser looked at it."""


class NotPlaceable(DomainError):
    """That slot or room cannot take sessions (a break, lunch, a removed room)."""


# --- the grid lock ----------------------------------------------------------------------------


def lock_grid(session: Session, event_id: int) -> int:
    """Take the event's grid lock and bump its grid version; return the new version.

    Changes to one event's grid take turns, so the checks that follow (placement versions, see
    README.md) read the latest committed state.
    """
    # The conditional UPDATE of the event's `programme_state` row locks it until commit on
    # PostgreSQL, as BEGIN IMMEDIATE locks the whole database on SQLite.
    bump = (
        update(ProgrammeState)
        .where(ProgrammeState.event_id == event_id)
        .values(grid_version=ProgrammeState.grid_version + 1, updated_at=utcnow())
        .returning(ProgrammeState.grid_version)
        .execution_options(synchronize_session=False)
    )
    version = session.scalar(bump)
    if version is not None:
        return version
    try:
        with session.begin_nested():
            session.add(ProgrammeState(event_id=event_id, grid_version=1, updated_at=utcnow()))
        return 1
    except IntegrityError:
        # Another transaction created the row first: wait for its lock like everyone else.
        return int(session.scalar(bump) or 1)


def bump_sequences(session: Session, *where: ColumnElement[bool]) -> None:
    """Raise the calendar SEQUENCE of the sessions matching ``where`` (their time, room,
    title or hosts changed); sessions that did not change keep theirs."""
    session.execute(
        update(CampSession)
        .where(*where)
        .values(sequence=CampSession.sequence + 1)
        .execution_options(synchronize_session="fetch")
    )


# --- labels ------------------------------------------------------------------------------------


def slot_time(slot: TimeSlot, tz: tzinfo) -> str:
    """10:00 to 10:45 in the event's timezone."""
    return f"{slot.starts_at.astimezone(tz):%H:%M} to {slot.ends_at.astimezone(tz):%H:%M}"


def cell_label(slot: TimeSlot | None, room: Room | None, tz: tzinfo) -> str:
    """Room A, 10:00 to 10:45 (or "not on the grid")."""
    if slot is None or room is None:
        return "not on the grid"
    return f"{room.name}, {slot_time(slot, tz)}"


# --- changes -----------------------------------------------------------------------------------


def _check_seen(camp_session: CampSession, seen_version: int | None) -> None:
    if seen_version is not None and seen_version != camp_session.version:
        where = cell_label(camp_session.slot, camp_session.room, camp_session.event.tz)
        raise StaleSession(
            f"“{camp_session.title}” was changed by someone else since you loaded the grid "
            f"(it is now: {where}). Nothing was changed: reload the grid and try again."
        )


def _set_cell(
    session: Session, camp_session: CampSession, slot_id: int | None, room_id: int | None
) -> None:
    """Move the session with a conditional UPDATE on its placement version."""
    statement = (
        update(CampSession)
        .where(CampSession.id == camp_session.id, CampSession.version == camp_session.version)
        .values(
            slot_id=slot_id,
            room_id=room_id,
            version=CampSession.version + 1,
            sequence=CampSession.sequence + 1,
        )
        .execution_options(synchronize_session=False)
    )
    try:
        with session.begin_nested():
            result = cast(CursorResult[Any], session.execute(statement))
    except IntegrityError as error:
        raise CellTaken(
            "Another session has just been put in that cell. Reload the grid and try again."
        ) from error
    if result.rowcount != 1:
        raise StaleSession(
            f"“{camp_session.title}” was changed by someone else at the same moment. "
            "Nothing was changed: reload the grid and try again."
        )
    if room_id != camp_session.room_id:
        # A full room says nothing about the room the session moves to.
        session.execute(delete(RoomFullFlag).where(RoomFullFlag.camp_session_id == camp_session.id))
    session.refresh(camp_session)


def _log(
    session: Session,
    actor: Person | None,
    camp_session: CampSession,
    kind: ChangeKind,
    batch: str,
    before: tuple[TimeSlot | None, Room | None],
) -> GridChange:
    tz = camp_session.event.tz
    change = GridChange(
        event_id=camp_session.event_id,
        camp_session_id=camp_session.id,
        actor_id=actor.id if actor else None,
        kind=kind,
        batch=batch,
        from_slot_id=before[0].id if before[0] else None,
        from_room_id=before[1].id if before[1] else None,
        to_slot_id=camp_session.slot_id,
        to_room_id=camp_session.room_id,
        from_label=cell_label(before[0], before[1], tz),
        to_label=cell_label(camp_session.slot, camp_session.room, tz),
        created_at=utcnow(),
    )
    session.add(change)
    return change


def _target(session: Session, event: Event, slot_id: int, room_id: int) -> tuple[TimeSlot, Room]:
    slot = session.get(TimeSlot, slot_id)
    room = session.get(Room, room_id)
    if slot is None or slot.event_id != event.id:
        raise NotPlaceable("Choose a time slot of this event.", field="slot_id")
    if room is None or room.event_id != event.id:
        raise NotPlaceable("Choose a room of this event.", field="room_id")
    if room.is_deleted:
        raise NotPlaceable(
            f"{room.name} has been removed from the programme. Choose another room.",
            field="room_id",
        )
    if not slot.kind.takes_sessions:
        raise NotPlaceable(
            f"{slot_time(slot, event.tz)} is a {slot.kind.value} slot: sessions can only go in "
            "session or plenary slots.",
            field="slot_id",
        )
    return slot, room


def place_session(
    session: Session,
    actor: Person,
    camp_session: CampSession,
    slot_id: int,
    room_id: int,
    seen_version: int | None,
    *,
    swap: bool = False,
    swap_version: int | None = None,
) -> list[str]:
    """Place or move a session into a cell (swapping with its occupant if asked).

    Returns warnings (a host in two places, more stars than seats) that do not stop the move.
    """
    lock_grid(session, camp_session.event_id)
    session.refresh(camp_session)
    _check_seen(camp_session, seen_version)
    event = camp_session.event
    if camp_session.is_withdrawn:
        raise Conflict(f"“{camp_session.title}” has been withdrawn and cannot be placed.")
    slot, room = _target(session, event, slot_id, room_id)
    if (camp_session.slot_id, camp_session.room_id) == (slot.id, room.id):
        raise Conflict(f"“{camp_session.title}” is already in {cell_label(slot, room, event.tz)}.")
    occupant = session.scalar(
        select(CampSession).where(CampSession.slot_id == slot.id, CampSession.room_id == room.id)
    )
    before = (camp_session.slot, camp_session.room)
    batch = uuid.uuid4().hex
    kind = ChangeKind.MOVED if camp_session.is_scheduled else ChangeKind.PLACED
    if occupant is None:
        _set_cell(session, camp_session, slot.id, room.id)
        _log(session, actor, camp_session, kind, batch, before)
        return placement_warnings(session, camp_session)
    if not swap:
        raise CellTaken(
            f"{cell_label(slot, room, event.tz)} already has “{occupant.title}”. "
            "Choose an empty cell, or swap the two sessions.",
            field="room_id",
        )
    if swap_version is not None and swap_version != occupant.version:
        _check_seen(occupant, swap_version)
    occupant_before = (occupant.slot, occupant.room)
    _set_cell(session, occupant, None, None)  # free the cell first: (slot, room) is unique
    _set_cell(session, camp_session, slot.id, room.id)
    _log(session, actor, camp_session, kind, batch, before)
    if before[0] is not None and before[1] is not None:
        _set_cell(session, occupant, before[0].id, before[1].id)
        _log(session, actor, occupant, ChangeKind.MOVED, batch, occupant_before)
    else:
        _log(session, actor, occupant, ChangeKind.UNSCHEDULED, batch, occupant_before)
    return placement_warnings(session, camp_session) + placement_warnings(session, occupant)


def unschedule_session(
    session: Session,
    actor: Person | None,
    camp_session: CampSession,
    seen_version: int | None,
    kind: ChangeKind = ChangeKind.UNSCHEDULED,
) -> None:
    """Take a session off the grid (back to the unscheduled pitches)."""
    lock_grid(session, camp_session.event_id)
    session.refresh(camp_session)
    _check_seen(camp_session, seen_version)
    if not camp_session.is_scheduled:
        if kind == ChangeKind.CANCELLED:
            return
        raise Conflict(f"“{camp_session.title}” is not on the grid.")
    before = (camp_session.slot, camp_session.room)
    _set_cell(session, camp_session, None, None)
    _log(session, actor, camp_session, kind, uuid.uuid4().hex, before)


UNDOABLE = (ChangeKind.PLACED, ChangeKind.MOVED, ChangeKind.UNSCHEDULED)


def undo_change(session: Session, actor: Person, change: GridChange) -> list[GridChange]:
    """Undo one logged change (a swap's two entries together), if nothing has moved since."""
    lock_grid(session, change.event_id)
    session.refresh(change)
    entries = list(
        session.scalars(
            select(GridChange).where(GridChange.batch == change.batch).order_by(GridChange.id)
        )
    )
    if change.kind not in UNDOABLE:
        raise Conflict("Only moves, placements and unscheduling can be undone.")
    if any(entry.undone_at is not None for entry in entries):
        raise Conflict("That change has already been undone.")
    tz = change.camp_session.event.tz
    for entry in entries:
        camp_session = entry.camp_session
        session.refresh(camp_session)
        if (camp_session.slot_id, camp_session.room_id) != (entry.to_slot_id, entry.to_room_id):
            raise StaleSession(
                f"“{camp_session.title}” has moved again since then (it is now: "
                f"{cell_label(camp_session.slot, camp_session.room, tz)}). Undo the later "
                "change first, or move it by hand."
            )
        if camp_session.is_withdrawn:
            raise Conflict(f"“{camp_session.title}” has been withdrawn since then.")
        if entry.from_label != "not on the grid" and (
            entry.from_slot_id is None or entry.from_room_id is None
        ):
            raise Conflict(f"The slot or room “{camp_session.title}” came from no longer exists.")
    batch_ids = {entry.camp_session_id for entry in entries}
    for entry in entries:
        if entry.from_slot_id is None or entry.from_room_id is None:
            continue
        slot, room = _target(
            session, change.camp_session.event, entry.from_slot_id, entry.from_room_id
        )
        occupant = session.scalar(
            select(CampSession).where(
                CampSession.slot_id == slot.id, CampSession.room_id == room.id
            )
        )
        if occupant is not None and occupant.id not in batch_ids:
            raise CellTaken(
                f"{cell_label(slot, room, tz)} now has “{occupant.title}”: move it first."
            )
    now, batch, undone = utcnow(), uuid.uuid4().hex, []
    befores = {e.id: (e.camp_session.slot, e.camp_session.room) for e in entries}
    for entry in entries:
        _set_cell(session, entry.camp_session, None, None)
    for entry in entries:
        if entry.from_slot_id is not None:
            _set_cell(session, entry.camp_session, entry.from_slot_id, entry.from_room_id)
        entry.undone_at = now
        undone.append(
            _log(session, actor, entry.camp_session, ChangeKind.UNDONE, batch, befores[entry.id])
        )
    session.flush()
    return undone


def placement_warnings(session: Session, camp_session: CampSession) -> list[str]:
    """Problems with where a session sits that an organiser should see (not errors)."""
    if not camp_session.is_scheduled or camp_session.room is None:
        return []
    warnings = []
    stars = star_counts(session, [camp_session.id]).get(camp_session.id, 0)
    if stars > camp_session.room.capacity:
        warnings.append(
            f"“{camp_session.title}” has {stars} stars but {camp_session.room.name} seats "
            f"{camp_session.room.capacity}."
        )
    same_slot = list(
        session.scalars(
            select(CampSession).where(
                CampSession.slot_id == camp_session.slot_id, CampSession.id != camp_session.id
            )
        )
    )
    hosts = host_ids(session, [camp_session.id, *(s.id for s in same_slot)])
    for other in same_slot:
        shared = hosts[camp_session.id] & hosts[other.id]
        for person_id in sorted(shared):
            person = session.get(Person, person_id)
            name = person.name if person else "A host"
            warnings.append(
                f"{name} hosts both “{camp_session.title}” and “{other.title}” at the same time."
            )
    return warnings
