"""Rooms, time slots, pitched sessions, hosts, stars, room-full flags and the grid change log.

A session sits in one (slot, room) cell or in none, one per cell (a unique constraint; NULLs
never collide); each event's grid version, bumped on every change, is the live pages' ETag.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lgcamp.accounts.models import Person
from lgcamp.database import Base, UTCDateTime, str_enum, utcnow
from lgcamp.events.models import Event


class SlotKind(enum.StrEnum):
    """What happens in a time slot; sessions are placed only in session and plenary slots."""

    SESSION = "session"
    PLENARY = "plenary"
    PITCHING = "pitching"
    BREAK = "break"
    LUNCH = "lunch"

    @property
    def label(self) -> str:
        """How the kind is written for people."""
        return {
            "session": "Sessions",
            "plenary": "Plenary",
            "pitching": "Welcome and pitching",
            "break": "Break",
            "lunch": "Lunch",
        }[self.value]

    @property
    def takes_sessions(self) -> bool:
        """Whether sessions may be placed into slots of this kind."""
        return self in (SlotKind.SESSION, SlotKind.PLENARY)


class SessionFormat(enum.StrEnum):
    """The shape of a pitched session."""

    DISCUSSION = "discussion"
    WORKSHOP = "workshop"
    SHOW_AND_TELL = "show_and_tell"
    OTHER = "other"

    @property
    def label(self) -> str:
        """How the format is written for people."""
        return {
            "discussion": "Discussion",
            "workshop": "Workshop",
            "show_and_tell": "Show and tell",
            "other": "Other",
        }[self.value]


class SessionStatus(enum.StrEnum):
    """Pitched sessions are live; withdrawn ones (by their host or an organiser) are not."""

    PITCHED = "pitched"
    WITHDRAWN = "withdrawn"


class ChangeKind(enum.StrEnum):
    """What one entry of the grid change log did."""

    PLACED = "placed"  # from nowhere onto the grid: "new"
    MOVED = "moved"
    UNSCHEDULED = "unscheduled"
    CANCELLED = "cancelled"  # withdrawn while on the grid
    UNDONE = "undone"


class ProgrammeState(Base):
    """One row per event: the grid version that live pages use as their ETag."""

    __tablename__ = "programme_state"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    grid_version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Room(Base):
    """A room at the venue. Removed rooms are kept (the change log points at them)."""

    __tablename__ = "room"
    __table_args__ = (CheckConstraint("capacity > 0", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    capacity: Mapped[int] = mapped_column(Integer)
    directions: Mapped[str] = mapped_column(String(200), default="")  # floor and how to get there
    access_notes: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def is_deleted(self) -> bool:
        """Removed from the programme."""
        return self.deleted_at is not None


class TimeSlot(Base):
    """A stretch of the day: sessions, a break, lunch, pitching or a plenary."""

    __tablename__ = "time_slot"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[SlotKind] = mapped_column(str_enum(SlotKind, "slot_kind"))
    label: Mapped[str] = mapped_column(String(80), default="")

    event: Mapped[Event] = relationship()

    @property
    def title(self) -> str:
        """The label, or the kind's name."""
        return self.label or self.kind.label


class CampSession(Base):
    """A pitched session; placed on the grid when slot_id and room_id are both set."""

    __tablename__ = "camp_session"
    __table_args__ = (
        # A cell holds one session, enforced by the database on both engines.
        UniqueConstraint("slot_id", "room_id", name="one_session_per_cell"),
        CheckConstraint("(slot_id IS NULL) = (room_id IS NULL)", name="placed_in_slot_and_room"),
        CheckConstraint("version > 0", name="version_positive"),
        Index("ix_camp_session_event_status", "event_id", "status"),
        # The order pitches were made or queued in, one number per pitch of an event (an index,
        # so that adding it does not rebuild the table on SQLite).
        Index("ix_camp_session_queue", "event_id", "queue_position", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[SessionFormat] = mapped_column(
        str_enum(SessionFormat, "session_format"), default=SessionFormat.DISCUSSION
    )
    accessibility: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus, "session_status"), default=SessionStatus.PITCHED
    )
    pitched_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    # Who typed it in, when an organiser or volunteer entered it from the pitch queue.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("time_slot.id", ondelete="SET NULL"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    # Placement version: bumped on every move, so that a move based on an old view is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The session's own calendar revision (added to the event's SEQUENCE): raised when its
    # time, room, title or status changes, never because another session moved.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    notes_url: Mapped[str] = mapped_column(String(500), default="")
    # Place in the event's pitch queue (1, 2, 3...), given under the grid lock when pitched.
    queue_position: Mapped[int | None] = mapped_column(Integer)
    # None: decided by the rule in `took_place`; True/False: set by a host or an organiser.
    took_place_override: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    slot: Mapped[TimeSlot | None] = relationship()
    room: Mapped[Room | None] = relationship()
    pitched_by: Mapped[Person | None] = relationship(foreign_keys=[pitched_by_id])
    hosts: Mapped[list[SessionHost]] = relationship(
        back_populates="camp_session", cascade="all, delete-orphan", order_by="SessionHost.id"
    )

    @property
    def is_withdrawn(self) -> bool:
        """Withdrawn by its host or cancelled by an organiser."""
        return self.status == SessionStatus.WITHDRAWN

    @property
    def is_scheduled(self) -> bool:
        """Placed in a room and a slot."""
        return self.slot_id is not None and self.room_id is not None

    def took_place(self, now: datetime) -> bool:
        """Evidence of hosting: a host's or organiser's word, else scheduled and its slot over."""
        if self.took_place_override is not None:
            return self.took_place_override and not self.is_withdrawn
        return (
            not self.is_withdrawn
            and self.slot is not None
            and self.room_id is not None
            and self.slot.ends_at <= now
        )


# The pitch queue's order (rows made before positions existed, as in tests, come last).
QUEUE_ORDER = (
    CampSession.queue_position.is_(None),
    CampSession.queue_position,
    CampSession.created_at,
    CampSession.id,
)


class SessionHost(Base):
    """A host of a session (the pitcher is the first): an account, or a name given at the
    pitch queue by someone without an account yet, linked to an account later."""

    __tablename__ = "session_host"
    __table_args__ = (
        UniqueConstraint("camp_session_id", "person_id", name="host_once"),
        CheckConstraint("person_id IS NOT NULL OR name <> ''", name="account_or_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camp_session_id: Mapped[int] = mapped_column(
        ForeignKey("camp_session.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    # The name as typed at the pitch queue; shown while no account is linked.
    name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    camp_session: Mapped[CampSession] = relationship(back_populates="hosts")
    person: Mapped[Person | None] = relationship()

    @property
    def display_name(self) -> str:
        """The account's name, or the name given for a host without an account."""
        return self.person.name if self.person is not None else self.name

    @property
    def is_linked(self) -> bool:
        """Whether an account is linked (only then does hosting count as participation)."""
        return self.person_id is not None


class Star(Base):
    """ "I'd go to this": one person's interest in one session."""

    __tablename__ = "star"
    __table_args__ = (UniqueConstraint("camp_session_id", "person_id", name="star_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camp_session_id: Mapped[int] = mapped_column(
        ForeignKey("camp_session.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoomFullFlag(Base):
    """A session's room is full (flagged by a volunteer, host or organiser)."""

    __tablename__ = "room_full_flag"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camp_session_id: Mapped[int] = mapped_column(
        ForeignKey("camp_session.id", ondelete="CASCADE"), unique=True
    )
    flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GridChange(Base):
    """One entry of the grid change log: who moved which session, when, from where to where."""

    __tablename__ = "grid_change"
    __table_args__ = (Index("ix_grid_change_event_created", "event_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    camp_session_id: Mapped[int] = mapped_column(
        ForeignKey("camp_session.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    kind: Mapped[ChangeKind] = mapped_column(str_enum(ChangeKind, "change_kind"))
    # A swap writes two entries with one batch; undo reverses the whole batch.
    batch: Mapped[str] = mapped_column(String(32), index=True)
    from_slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("time_slot.id", ondelete="SET NULL")
    )
    from_room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    to_slot_id: Mapped[int | None] = mapped_column(ForeignKey("time_slot.id", ondelete="SET NULL"))
    to_room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    # Kept as text too, so the log still reads well after a room or slot is removed.
    from_label: Mapped[str] = mapped_column(String(160), default="")
    to_label: Mapped[str] = mapped_column(String(160), default="")
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    camp_session: Mapped[CampSession] = relationship()
    actor: Mapped[Person | None] = relationship()
