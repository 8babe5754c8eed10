"""Check-ins, the log of every scan, and scanner links for volunteers without accounts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lgcamp.accounts.models import Person
from lgcamp.database import Base, UTCDateTime, str_enum, utcnow
from lgcamp.events.models import Event
from lgcamp.tickets.models import Booking


class ScanMethod(enum.StrEnum):
    """How the scanner found the booking."""

    QR = "qr"
    SEARCH = "search"
    WALK_IN = "walk_in"


class ScanResult(enum.StrEnum):
    """What a scan led to. Only ACCEPTED is green; DUPLICATE is amber; the rest red."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # the booking was checked in already (earlier or elsewhere)
    SUPERSEDED = "superseded"  # was accepted, then an earlier offline scan of the ticket synced
    INVALID = "invalid"  # not a ticket code at all (empty, garbage, oversized)
    UNKNOWN = "unknown"  # looks like a ticket code, but no booking has it
    OTHER_EVENT = "other_event"
    CANCELLED = "cancelled"
    RELEASED = "released"
    NOT_CONFIRMED = "not_confirmed"  # ballot entry, waitlist, offer or expired offer
    OUTSIDE_WINDOW = "outside_window"  # a valid ticket, scanned before or after check-in hours

    @property
    def colour(self) -> str:
        """green, amber or red, as the scanner shows it."""
        if self is ScanResult.ACCEPTED:
            return "green"
        if self in (ScanResult.DUPLICATE, ScanResult.SUPERSEDED):
            return "amber"
        return "red"


class ScannerLink(Base):
    """A link that opens one event's scanner, and nothing else, for a volunteer's phone.

    The secret is derived from the app's secret key and ``nonce`` (so organisers can show the
    QR again); the database keeps only its SHA-256 hash.
    """

    __tablename__ = "scanner_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(60))
    nonce: Mapped[str] = mapped_column(String(32))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    # Unused: when a link was last used is read from the scan log (links.scanner_links_of).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    def is_active(self, now: datetime | None = None) -> bool:
        """Not revoked and not expired."""
        return self.revoked_at is None and (now or utcnow()) < self.expires_at


class ScanLog(Base):
    """Every scan, accepted or not, keyed by the scan id the device generated (idempotency)."""

    __tablename__ = "scan_log"
    __table_args__ = (Index("ix_scan_log_event_received", "event_id", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking.id", ondelete="SET NULL"), index=True
    )
    token_hash: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[ScanMethod] = mapped_column(str_enum(ScanMethod, "scan_method"))
    result: Mapped[ScanResult] = mapped_column(str_enum(ScanResult, "scan_result"))
    device_label: Mapped[str] = mapped_column(String(60))
    device_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # The phone's clock when it scanned, the server's when the scan arrived, and the time the
    # scan is taken to have happened (device time corrected for the phone's clock offset).
    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scanner_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("scanner_link.id", ondelete="SET NULL")
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    booking: Mapped[Booking | None] = relationship()


class CheckIn(Base):
    """The accepted check-in of a booking: at most one not undone per booking."""

    __tablename__ = "check_in"
    __table_args__ = (
        Index(
            "uq_check_in_accepted_booking",
            "booking_id",
            unique=True,
            sqlite_where=text("undone_at IS NULL"),
            postgresql_where=text("undone_at IS NULL"),
        ),
        Index("ix_check_in_event_scanned", "event_id", "scanned_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    scan_log_id: Mapped[int | None] = mapped_column(ForeignKey("scan_log.id", ondelete="SET NULL"))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    door_label: Mapped[str] = mapped_column(String(60))
    scanner_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("scanner_link.id", ondelete="SET NULL")
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    undone_by_label: Mapped[str | None] = mapped_column(String(60))

    booking: Mapped[Booking] = relationship()
    checked_in_by: Mapped[Person | None] = relationship(foreign_keys=[person_id])


class WalkInRecord(Base):
    """A walk-in registered by a door that may not look people up (a scanner link, the scanner
    role): only what the volunteer typed. It holds a place and counts at the door; it becomes a
    booking and a check-in of an account only when that person confirms (an emailed link) or
    an organiser links it, so a door learns nothing of who has an account."""

    __tablename__ = "walk_in_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_type.id", ondelete="CASCADE"))
    scan_log_id: Mapped[int | None] = mapped_column(ForeignKey("scan_log.id", ondelete="SET NULL"))
    scan_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(160), default="")
    door_label: Mapped[str] = mapped_column(String(60))
    scanner_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("scanner_link.id", ondelete="SET NULL")
    )
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the person confirmed (or an organiser linked it): the booking it became.
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
