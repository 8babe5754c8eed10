"""Network settings, shared-record verification, membership types and members, merge log,
and ``ParticipationFact``: a copy of the evidence (``evidence.py``) for network reports.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import ScanLog
from lgcamp.database import Base, UTCDateTime, str_enum, utcnow
from lgcamp.participation.triggers import install as install_triggers

DEFAULT_WINDOW_MONTHS = 24

# "Scans made via their account" are evidence of volunteering; a person's record looks them
# up by person, which the check-in feature's table has no index for.
Index("ix_scan_log_person_id", ScanLog.person_id)


class ParticipationSetting(Base):
    """The one row of network-wide settings: the status rule and the membership counter."""

    __tablename__ = "participation_setting"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("window_months BETWEEN 1 AND 240", name="window_in_range"),
        CheckConstraint("next_membership_number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    # "Part of the network" means evidence within this many months.
    window_months: Mapped[int] = mapped_column(Integer, default=DEFAULT_WINDOW_MONTHS)
    # Taken by a conditional UPDATE when a member is approved: unique under concurrency.
    next_membership_number: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))


class RecordShare(Base):
    """What a person shares through their verification link, and whether the link works.

    Links carry (person id, version) signed with the app's secret key. Regenerating bumps the
    version and revoking sets the flag: either way, links handed out before stop working.
    """

    __tablename__ = "record_share"
    __table_args__ = (CheckConstraint("version > 0", name="version_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    show_name: Mapped[bool] = mapped_column(Boolean, default=True)
    show_organisation: Mapped[bool] = mapped_column(Boolean, default=False)
    show_years: Mapped[bool] = mapped_column(Boolean, default=True)
    show_events: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MembershipType(Base):
    """A kind of co-op membership (practitioner, supporter, organisation), edited by admins."""

    __tablename__ = "membership_type"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)  # open to new applications
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MembershipStatus(enum.StrEnum):
    """Where a membership stands. Applied and active are live (one per person)."""

    APPLIED = "applied"
    ACTIVE = "active"
    REJECTED = "rejected"
    LEFT = "left"

    @property
    def label(self) -> str:
        """How the status is written for people."""
        return {
            "applied": "Applied",
            "active": "Member",
            "rejected": "Not accepted",
            "left": "Left",
        }[self.value]


LIVE_MEMBERSHIP = (MembershipStatus.APPLIED, MembershipStatus.ACTIVE)


class FeeStatus(enum.StrEnum):
    """The membership fee as admins record it (lgcamp takes no payments)."""

    DUE = "due"
    PAID = "paid"
    WAIVED = "waived"

    @property
    def label(self) -> str:
        """How the fee status is written for people."""
        return self.value.capitalize()


GOOD_STANDING_FEES = (FeeStatus.PAID, FeeStatus.WAIVED)


class Membership(Base):
    """One application or membership of the co-op: number, dates, fee status, evidence."""

    __tablename__ = "membership"
    __table_args__ = (
        # One application or membership at a time per person, on both engines.
        Index(
            "uq_membership_live_person",
            "person_id",
            unique=True,
            sqlite_where=text("status IN ('applied','active')"),
            postgresql_where=text("status IN ('applied','active')"),
        ),
        CheckConstraint("number IS NULL OR number > 0", name="number_positive"),
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_in_order"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    membership_type_id: Mapped[int] = mapped_column(
        ForeignKey("membership_type.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus, "membership_status"), default=MembershipStatus.APPLIED
    )
    number: Mapped[int | None] = mapped_column(Integer, unique=True)
    statement: Mapped[str] = mapped_column(Text, default="")  # why they want to join
    # The participation evidence at the time of applying (JSON), so the approver sees what
    # the applicant saw; the live record is always derived afresh.
    evidence_summary: Mapped[str] = mapped_column(Text, default="{}")
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    fee_status: Mapped[FeeStatus] = mapped_column(
        str_enum(FeeStatus, "fee_status"), default=FeeStatus.DUE
    )
    fee_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fee_updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(String(500), default="")

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    membership_type: Mapped[MembershipType] = relationship()


class AccountMerge(Base):
    """The log of a merge: who merged which account into which, when, and what moved."""

    __tablename__ = "account_merge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    kept_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    # The merged account no longer exists: its id and email are kept as text for the log.
    merged_person_id: Mapped[int] = mapped_column(Integer)
    merged_email: Mapped[str] = mapped_column(String(254))
    kept_email: Mapped[str] = mapped_column(String(254))
    moved: Mapped[str] = mapped_column(Text, default="{}")  # JSON: rows moved per table
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[Person | None] = relationship(foreign_keys=[actor_id])


class ParticipationFact(Base):
    """One piece of evidence, stored so that network reports need not re-derive every check-in.

    A copy, never the truth: rebuilt per event from the records (``facts.py``); reports read
    events marked stale (``ParticipationStaleEvent``) from the records themselves.
    """

    __tablename__ = "participation_fact"
    __table_args__ = (
        # Covering indexes for the per-year report's three grouped scans.
        Index("ix_participation_fact_year_person", "year", "person_id", "counts_from", "event_id"),
        Index("ix_participation_fact_person_year", "person_id", "year", "counts_from", "event_id"),
        Index(
            "ix_participation_fact_year_organisation",
            "year",
            "organisation",
            "counts_from",
            "event_id",
        ),
        Index("ix_participation_fact_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(Integer)
    # When it starts to count: a hosted session at the end of its slot, a role at the start of
    # its event (None: at once); the time rules are data, so no refresh is needed then.
    counts_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The person's organisation, trimmed and lower-cased (a change marks their events stale).
    organisation: Mapped[str] = mapped_column(String(160))


class ParticipationStaleEvent(Base):
    """An event whose stored facts may be behind its records (marked by database triggers)."""

    __tablename__ = "participation_stale_event"

    # No foreign key: a trigger may mark an event in the same statement that deletes it.
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


install_triggers(Base.metadata)
