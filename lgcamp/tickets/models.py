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
    UniqueConstraint,
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
# The condition of the one-live-booking index, as SQL: a query that repeats it word for word
# lets SQLite (and PostgreSQL) answer from that partial index.
LIVE_STATUS_SQL = "status IN ('registered','waitlisted','offered','confirmed')"


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
    # Set once, by the conditional UPDATE that claims the ballot draw (see ballot.py).
    ballot_drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    @property
    def places_left(self) -> int:
        """Free places now."""
        return max(self.capacity - self.taken, 0)

    @property
    def is_hidden(self) -> bool:
        """Reachable only through its secret link."""
        return self.visibility == TicketVisibility.HIDDEN

    @property
    def is_ballot(self) -> bool:
        """Places are drawn at close rather than given first come, first served."""
        return self.allocation == AllocationMode.BALLOT


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
            sqlite_where=text(LIVE_STATUS_SQL),
            postgresql_where=text(LIVE_STATUS_SQL),
        ),
        Index("ix_booking_type_status", "ticket_type_id", "status"),
        # The next waitlist place (max + 1) is read from this index: one seek, not a scan of
        # every booking of the type while a booking holds the write lock.
        Index("ix_booking_type_queue", "ticket_type_id", "queue_position"),
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
    # Why a booking ended: released, transferred, cancelled, unconfirmed, door_release, expired.
    end_reason: Mapped[str] = mapped_column(String(32), default="", server_default="")
    # The standard questions, asked of everyone (kept with the booking, not purged).
    organisation: Mapped[str] = mapped_column(String(160), default="", server_default="")
    job_role: Mapped[str] = mapped_column(String(120), default="", server_default="")
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the check-in feature when the ticket is accepted at the door.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Timed emails, each sent at most once (the column is claimed by a conditional UPDATE).
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reconfirm_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    final_warning_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reconfirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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


class QuestionKind(enum.StrEnum):
    """How a question is answered."""

    TEXT = "text"
    CHOICE = "choice"
    YES_NO = "yes_no"


# Who, besides organisers, may see a question's answers: "organisers" or a helper role name.
ORGANISERS_ONLY = "organisers"


class Question(Base):
    """An organiser-defined question asked when booking (dietary needs, access needs...)."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    hint: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    # Choice questions: one option per line.
    choices: Mapped[str] = mapped_column(Text, default="")
    is_required: Mapped[bool] = mapped_column(Boolean, default=False)
    visibility: Mapped[str] = mapped_column(String(32), default=ORGANISERS_ONLY)
    # Sensitive answers are deleted a set number of days after the event (totals are kept).
    is_sensitive: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def options(self) -> list[str]:
        """The choices of a choice question, in order."""
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Answer(Base):
    """One booking's answer to one question."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("booking_id", "question_id", name="one_per_question"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(Text, default="")

    question: Mapped[Question] = relationship()


class AnswerTotal(Base):
    """Anonymous counts kept when a sensitive question's answers are deleted."""

    __tablename__ = "answer_total"
    __table_args__ = (UniqueConstraint("question_id", "value", name="one_per_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)


class BallotDraw(Base):
    """The record of a ballot draw: the seed and the order, so anyone can repeat it."""

    __tablename__ = "ballot_draw"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_type_id: Mapped[int] = mapped_column(
        ForeignKey("ticket_type.id", ondelete="CASCADE"), unique=True
    )
    seed: Mapped[str] = mapped_column(String(64))
    entrants: Mapped[int] = mapped_column(Integer)
    winners: Mapped[int] = mapped_column(Integer)
    # Booking ids in drawn order, comma-separated: entrants sorted by id, shuffled by the seed.
    drawn_order: Mapped[str] = mapped_column(Text, default="")
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket_type: Mapped[TicketType] = relationship()


class TransferStatus(enum.StrEnum):
    """A transfer waits for the colleague, or was accepted or withdrawn."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"


class Transfer(Base):
    """A ticket holder passing their place to a colleague by email."""

    __tablename__ = "transfer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("booking.id", ondelete="CASCADE"), index=True
    )
    to_email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[TransferStatus] = mapped_column(
        str_enum(TransferStatus, "transfer_status"), default=TransferStatus.PENDING
    )
    new_booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship(foreign_keys=[booking_id])


class TicketSettings(Base):
    """One event's ticketing settings: offers, reminders, retention and no-show handling."""

    __tablename__ = "ticket_settings"
    __table_args__ = (
        CheckConstraint("offer_hours >= 1", name="offer_hours_positive"),
        CheckConstraint("offer_hours_near >= 1", name="offer_hours_near_positive"),
    )

    DEFAULT_RETENTION_DAYS = 30

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    offer_hours: Mapped[int] = mapped_column(Integer, default=48)
    # In the last week before the event offers are shorter, so places still reach people.
    offer_hours_near: Mapped[int] = mapped_column(Integer, default=12)
    reminder_days: Mapped[int | None] = mapped_column(Integer, default=3)
    answer_retention_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_RETENTION_DAYS)
    # Reconfirmation: ask `reconfirm_days` before the start; release the unconfirmed
    # `reconfirm_deadline_days` before it, after a final warning a day before the deadline.
    reconfirm_days: Mapped[int | None] = mapped_column(Integer)
    reconfirm_deadline_days: Mapped[int] = mapped_column(Integer, default=2)
    # Door release: places not checked in this many minutes after the start go to walk-ins.
    door_release_minutes: Mapped[int | None] = mapped_column(Integer)
    door_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BulkEmail(Base):
    """The log of an organiser's message to a group of attendees: who, when, to whom, what.

    The form's idempotency key is unique here, so Back and Send again (or a retried request)
    finds the message already sent instead of mailing everyone twice.
    """

    __tablename__ = "bulk_email"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    audience: Mapped[str] = mapped_column(String(32))
    ticket_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_type.id", ondelete="SET NULL")
    )
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[Person | None] = relationship()
    ticket_type: Mapped[TicketType | None] = relationship()
