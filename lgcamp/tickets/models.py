"""Ticket types and bookings: the records that capacity, waitlists and check-in rest on."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lgcamp.accounts.models import Person
from lgcamp.database import Base, UTCDateTime, str_enum, utcnow
from lgcamp.events.models import Event


class AllocationMode(enum.StrEnum):
    """How places are given out."""

    FIRST_COME = "first_come"
    BALLOT = "ballot"


class TicketVisibility(enum.StrEnum):
    """Public ticket types are listed; hidden ones need their secret link."""

    PUBLIC = "public"
    HIDDEN = "hidden"


class BookingStatus(enum.StrEnum):
    """A booking's state. Live states hold (or wait for) a place."""

    REGISTERED = "registered"  # ballot entry, before the draw
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # a freed place is held for this person until the offer expires
    CONFIRMED = "confirmed"  # holds a place: the ticket
    RELEASED = "released"  # the holder gave the place back
    CANCELLED = "cancelled"  # an organiser cancelled it
    EXPIRED = "expired"  # an offer ran out unclaimed


LIVE_STATUSES = (
    BookingStatus.REGISTERED,
    BookingStatus.WAITLISTED,
    BookingStatus.OFFERED,
    BookingStatus.CONFIRMED,
)
# States that use up one unit of the ticket type's `taken` counter.
PLACE_HOLDING_STATUSES = (BookingStatus.OFFERED, BookingStatus.CONFIRMED)


class TicketType(Base):
    """A kind of ticket for one event, with its own capacity and on-sale window."""

    __tablename__ = "ticket_type"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("taken >= 0", name="taken_not_negative"),
        CheckConstraint("taken <= capacity", name="taken_within_capacity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(Integer)
    # Places held (confirmed + offered): changed only by conditional UPDATEs in the service.
    taken: Mapped[int] = mapped_column(Integer, default=0)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    visibility: Mapped[TicketVisibility] = mapped_column(
        str_enum(TicketVisibility, "ticket_visibility"), default=TicketVisibility.PUBLIC
    )
    secret: Mapped[str] = mapped_column(
        String(43), default=lambda: secrets.token_urlsafe(16), unique=True
    )
    allocation: Mapped[AllocationMode] = mapped_column(
        str_enum(AllocationMode, "allocation_mode"), default=AllocationMode.FIRST_COME
    )
    allow_transfer: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def places_left(self) -> int:
        """Free places now."""
        return max(self.capacity - self.taken, 0)


def new_token() -> str:
    """A ticket token: 192 random bits, URL-safe, no personal data."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    """How tokens are looked up (and all the offline scanner list carries)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Booking(Base):
    """One person's booking for one event: a ballot entry, a waitlist place or a ticket."""

    __tablename__ = "booking"
    __table_args__ = (
        # One live booking per person per event, enforced by the database on both engines.
        Index(
            "uq_booking_live_person_event",
            "event_id",
            "person_id",
            unique=True,
            sqlite_where=text("status IN ('registered','waitlisted','offered','confirmed')"),
            postgresql_where=text("status IN ('registered','waitlisted','offered','confirmed')"),
        ),
        Index("ix_booking_type_status", "ticket_type_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_type.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus, "booking_status"))
    # The token is shown as the QR on the ticket; lookups go through its hash.
    token: Mapped[str] = mapped_column(String(64), default=new_token)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Waitlist and ballot order: lower first.
    queue_position: Mapped[int | None] = mapped_column(Integer)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16), default="online")  # online, walk_in, manual
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    ticket_type: Mapped[TicketType] = relationship()
    person: Mapped[Person] = relationship()

    def __init__(self, **fields: object) -> None:
        super().__init__(**fields)
        if not self.token:
            self.token = new_token()
        self.token_hash = hash_token(self.token)

    def reissue_token(self) -> str:
        """Replace the token: the old QR stops working."""
        self.token = new_token()
        self.token_hash = hash_token(self.token)
        return self.token

    @property
    def is_live(self) -> bool:
        """Holds or waits for a place."""
        return self.status in LIVE_STATUSES
