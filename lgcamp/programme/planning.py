"""Planning the day (organisers): rooms, time slots, the default camp day and volunteers.

Every change here that the public grid shows takes the grid lock (which bumps the version
that live pages poll).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.events.models import Event, EventRole, EventRoleName
from lgcamp.events.service import EventUpdate, on_event_change
from lgcamp.programme.grid import bump_sequences, lock_grid, slot_time, unschedule_session
from lgcamp.programme.models import CampSession, Room, SlotKind, TimeSlot
from lgcamp.programme.service import find_host

# --- rooms -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomDetails:
    """What an organiser enters for a room."""

    name: str
    capacity: int
    directions: str = ""
    access_notes: str = ""
    sort_order: int = 0


def _apply_room(room: Room, details: RoomDetails) -> None:
    name = details.name.strip()
    if not name:
        raise DomainError("Enter the room name", field="name")
    if len(name) > 80:
        raise DomainError("Room name must be 80 characters or fewer", field="name")
    if details.capacity < 1:
        raise DomainError("Capacity must be at least 1", field="capacity")
    room.name, room.capacity = name, details.capacity
    room.directions = details.directions.strip()[:200]
    room.access_notes = details.access_notes.strip()
    room.sort_order = details.sort_order


def active_rooms(session: Session, event: Event) -> list[Room]:
    """The event's rooms in their order (removed rooms left out)."""
    return list(
        session.scalars(
            select(Room)
            .where(Room.event_id == event.id, Room.deleted_at.is_(None))
            .order_by(Room.sort_order, Room.id)
        )
    )


def add_room(session: Session, event: Event, details: RoomDetails) -> Room:
    """Add a room to the event's programme."""
    lock_grid(session, event.id)
    room = Room(event_id=event.id)
    _apply_room(room, details)
    session.add(room)
    session.flush()
    return room


def update_room(session: Session, room: Room, details: RoomDetails) -> Room:
    """Change a room's name, capacity, directions, notes or order."""
    if room.is_deleted:
        raise Conflict(f"{room.name} has been removed from the programme.")
    lock_grid(session, room.event_id)
    where = (room.name, room.directions)
    _apply_room(room, details)
    if (room.name, room.directions) != where:  # part of each session's calendar LOCATION
        bump_sequences(session, CampSession.room_id == room.id)
    session.flush()
    return room


def remove_room(session: Session, actor: Person, room: Room) -> int:
    """Remove a room; its sessions go back to the unscheduled pitches. Returns how many."""
    if room.is_deleted:
        raise Conflict(f"{room.name} has already been removed.")
    lock_grid(session, room.event_id)
    placed = list(session.scalars(select(CampSession).where(CampSession.room_id == room.id)))
    for camp_session in placed:
        unschedule_session(session, actor, camp_session, None)
    room.deleted_at = utcnow()
    session.flush()
    return len(placed)


# --- time slots --------------------------------------------------------------------------------


def slots_of(session: Session, event: Event) -> list[TimeSlot]:
    """The event's time slots in time order."""
    return list(
        session.scalars(
            select(TimeSlot).where(TimeSlot.event_id == event.id).order_by(TimeSlot.starts_at)
        )
    )


def _check_slot(
    session: Session, event: Event, starts_at: datetime, ends_at: datetime, slot_id: int | None
) -> None:
    if ends_at <= starts_at:
        raise DomainError("The end must be after the start", field="end_time")
    overlapping = session.scalar(
        select(TimeSlot).where(
            TimeSlot.event_id == event.id,
            TimeSlot.starts_at < ends_at,
            TimeSlot.ends_at > starts_at,
            TimeSlot.id != (slot_id or 0),
        )
    )
    if overlapping is not None:
        raise Conflict(
            f"That overlaps {overlapping.title} at {slot_time(overlapping, event.tz)}",
            field="start_time",
        )


def add_slot(
    session: Session,
    event: Event,
    starts_at: datetime,
    ends_at: datetime,
    kind: SlotKind,
    label: str = "",
) -> TimeSlot:
    """Add a time slot; slots of one event do not overlap."""
    lock_grid(session, event.id)
    _check_slot(session, event, starts_at, ends_at, None)
    slot = TimeSlot(
        event_id=event.id, starts_at=starts_at, ends_at=ends_at, kind=kind, label=label.strip()
    )
    session.add(slot)
    session.flush()
    return slot


def update_slot(
    session: Session,
    slot: TimeSlot,
    starts_at: datetime,
    ends_at: datetime,
    kind: SlotKind,
    label: str = "",
) -> TimeSlot:
    """Change a slot's times, kind or label (not to a break while sessions sit in it)."""
    lock_grid(session, slot.event_id)
    _check_slot(session, slot.event, starts_at, ends_at, slot.id)
    placed = session.scalar(
        select(func.count(CampSession.id)).where(CampSession.slot_id == slot.id)
    )
    if placed and not kind.takes_sessions:
        raise Conflict(
            f"{placed} session(s) are in this slot: move them out before making it a {kind.value}.",
            field="kind",
        )
    if (slot.starts_at, slot.ends_at) != (starts_at, ends_at):
        bump_sequences(session, CampSession.slot_id == slot.id)  # its sessions' times change
    slot.starts_at, slot.ends_at, slot.kind, slot.label = starts_at, ends_at, kind, label.strip()
    session.flush()
    return slot


def remove_slot(session: Session, slot: TimeSlot) -> None:
    """Delete a slot that has no sessions in it."""
    lock_grid(session, slot.event_id)
    placed = session.scalar(
        select(func.count(CampSession.id)).where(CampSession.slot_id == slot.id)
    )
    if placed:
        raise Conflict(f"{placed} session(s) are in this slot: move or unschedule them first.")
    session.delete(slot)
    session.flush()


@on_event_change
def move_slots_with_event(session: Session, update: EventUpdate) -> None:
    """When the event's start moves (and the organiser chose so), every time slot moves by as
    much: the day keeps its shape, and the sessions in it their rooms."""
    if not update.move_slots or not update.moved_by:
        return
    slots = slots_of(session, update.event)
    if not slots:
        return
    lock_grid(session, update.event.id)
    for slot in slots:
        slot.starts_at, slot.ends_at = (
            slot.starts_at + update.moved_by,
            slot.ends_at + update.moved_by,
        )
    bump_sequences(session, CampSession.slot_id.in_([slot.id for slot in slots]))
    session.flush()


def slots_outside(session: Session, event: Event) -> list[TimeSlot]:
    """Time slots that start before the event or end after it (after its time changed)."""
    return [
        slot
        for slot in slots_of(session, event)
        if slot.starts_at < event.starts_at or slot.ends_at > event.ends_at
    ]


# A typical camp day, as (minutes after the start, length in minutes, kind, label).
DEFAULT_DAY = (
    (0, 60, SlotKind.PITCHING, "Welcome and pitching"),
    (60, 45, SlotKind.SESSION, "Session 1"),
    (105, 15, SlotKind.BREAK, "Break"),
    (120, 45, SlotKind.SESSION, "Session 2"),
    (165, 45, SlotKind.SESSION, "Session 3"),
    (210, 60, SlotKind.LUNCH, "Lunch"),
    (270, 45, SlotKind.SESSION, "Session 4"),
    (315, 15, SlotKind.BREAK, "Break"),
    (330, 45, SlotKind.SESSION, "Session 5"),
)
DEFAULT_ROOMS = 4
DEFAULT_CAPACITY = 30


def create_default_day(session: Session, event: Event) -> list[TimeSlot]:
    """Welcome and pitching, five session slots, breaks and lunch from the event's start.

    Adds four rooms too when the event has none; organisers then adjust both.
    """
    if slots_of(session, event):
        raise Conflict("This event already has time slots: change them one by one instead.")
    lock_grid(session, event.id)
    start = event.starts_at
    slots = [
        TimeSlot(
            event_id=event.id,
            starts_at=start + timedelta(minutes=offset),
            ends_at=start + timedelta(minutes=offset + length),
            kind=kind,
            label=label,
        )
        for offset, length, kind, label in DEFAULT_DAY
    ]
    session.add_all(slots)
    if not active_rooms(session, event):
        session.add_all(
            Room(event_id=event.id, name=f"Room {n}", capacity=DEFAULT_CAPACITY, sort_order=n)
            for n in range(1, DEFAULT_ROOMS + 1)
        )
    session.flush()
    return slots


# --- volunteers ----------------------------------------------------------------------------------


def add_volunteer(session: Session, event: Event, email: str) -> Person:
    """Give the person with this account email the volunteer role at the event."""
    person = find_host(session, email, field="email")
    exists = session.scalar(
        select(EventRole).where(
            EventRole.event_id == event.id,
            EventRole.person_id == person.id,
            EventRole.role == EventRoleName.VOLUNTEER,
        )
    )
    if exists is not None:
        raise Conflict(f"{person.name} is already a volunteer.", field="email")
    session.add(EventRole(event_id=event.id, person_id=person.id, role=EventRoleName.VOLUNTEER))
    session.flush()
    return person


def remove_volunteer(session: Session, event: Event, person_id: int) -> None:
    """Take the volunteer role away."""
    session.execute(
        delete(EventRole).where(
            EventRole.event_id == event.id,
            EventRole.person_id == person_id,
            EventRole.role == EventRoleName.VOLUNTEER,
        )
    )
    session.flush()


def volunteers_of(session: Session, event: Event) -> list[Person]:
    """The event's volunteers, by name."""
    return list(
        session.scalars(
            select(Person)
            .join(EventRole, EventRole.person_id == Person.id)
            .where(EventRole.event_id == event.id, EventRole.role == EventRoleName.VOLUNTEER)
            .order_by(Person.name)
        )
    )
