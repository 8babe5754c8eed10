"""Events and the roles people hold in them."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lgcamp.accounts.models import Person
from lgcamp.database import Base, UTCDateTime, str_enum, utcnow


class EventKind(enum.StrEnum):
    """The kinds of event the network runs."""

    LOCALGOVCAMP = "localgovcamp"
    NOTWESTMINSTER = "notwestminster"
    FRINGE = "fringe"
    OTHER = "other"

    @property
    def label(self) -> str:
        """How the kind is written for people."""
        return {
            "localgovcamp": "LocalGovCamp",
            "notwestminster": "#NotWestminster",
            "fringe": "Fringe event",
            "other": "Other event",
        }[self.value]


class EventStatus(enum.StrEnum):
    """Draft events are seen by their organisers only."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class EventRoleName(enum.StrEnum):
    """Roles a person can hold in one event."""

    ORGANISER = "organiser"
    # Helper roles: see the answers to the questions an organiser opens to them.
    CATERING = "catering"
    ACCESS_LEAD = "access_lead"
    SCANNER = "scanner"  # checks people in at the door of this event
    VOLUNTEER = "volunteer"  # helps on the day: pitch queue, room-full flags


# The door's check-in window by default: from 3 hours before the start until the end.
CHECK_IN_OPENS_MINUTES = 180
CHECK_IN_CLOSES_MINUTES = 0


class Event(Base):
    """One event: a LocalGovCamp, a #NotWestminster, a fringe event."""

    __tablename__ = "event"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, "event_kind"))
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, "event_status"), default=EventStatus.DRAFT, index=True
    )
    summary: Mapped[str] = mapped_column(String(280), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    venue_name: Mapped[str] = mapped_column(String(160), default="")
    venue_address: Mapped[str] = mapped_column(Text, default="")
    access_info: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    # Bumped whenever time, place or status changes: doubles as the iCalendar SEQUENCE.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    # Check-ins are accepted from this many minutes before the start until this many after
    # the end: kept relative to the event's times, so that the window moves with the event.
    check_in_opens_minutes: Mapped[int] = mapped_column(
        Integer, default=CHECK_IN_OPENS_MINUTES, server_default=str(CHECK_IN_OPENS_MINUTES)
    )
    check_in_closes_minutes: Mapped[int] = mapped_column(
        Integer, default=CHECK_IN_CLOSES_MINUTES, server_default=str(CHECK_IN_CLOSES_MINUTES)
    )

    roles: Mapped[list[EventRole]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )

    @property
    def tz(self) -> ZoneInfo:
        """The event's timezone, for showing its times."""
        return ZoneInfo(self.timezone)

    @property
    def local_starts_at(self) -> datetime:
        """Start in the event's own timezone."""
        return self.starts_at.astimezone(self.tz)

    @property
    def local_ends_at(self) -> datetime:
        """End in the event's own timezone."""
        return self.ends_at.astimezone(self.tz)

    @property
    def check_in_opens_at(self) -> datetime:
        """When the door starts accepting check-ins."""
        minutes = self.check_in_opens_minutes
        return self.starts_at - timedelta(
            minutes=CHECK_IN_OPENS_MINUTES if minutes is None else minutes
        )

    @property
    def check_in_closes_at(self) -> datetime:
        """When the door stops accepting check-ins."""
        minutes = self.check_in_closes_minutes
        return self.ends_at + timedelta(
            minutes=CHECK_IN_CLOSES_MINUTES if minutes is None else minutes
        )

    @property
    def is_published(self) -> bool:
        """Visible to the public (published or cancelled, not draft)."""
        return self.status != EventStatus.DRAFT

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class EventRole(Base):
    """A person's role in one event (organiser; later features add helper roles)."""

    __tablename__ = "event_role"
    __table_args__ = (UniqueConstraint("event_id", "person_id", "role", name="one_role_each"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="roles")
    person: Mapped[Person] = relationship()


class EventChangeKind(enum.StrEnum):
    """What an organiser did that ticket holders are told about."""

    CHANGED = "changed"  # date, time or venue
    CANCELLED = "cancelled"


class EventChange(Base):
    """A change of date, time or venue, or a cancellation, that ticket holders were emailed
    about: what changed (as the organiser saw it), the reason given and the new SEQUENCE."""

    __tablename__ = "event_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    kind: Mapped[EventChangeKind] = mapped_column(str_enum(EventChangeKind, "event_change_kind"))
    # One line per change, "Date: Saturday 14 March 2027 (was Saturday 7 March 2027)".
    summary: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    actor: Mapped[Person | None] = relationship()

    @property
    def lines(self) -> list[str]:
        """The summary, one change a line."""
        return [line for line in self.summary.splitlines() if line.strip()]
