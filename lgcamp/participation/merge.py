"""One person, one record: merging a duplicate account into the one to keep.

Live bookings of the same event are resolved (the better one stays), rows that would be
duplicates are dropped, memberships are resolved, and every other row moves to the kept person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email
from lgcamp.checkin.models import CheckIn
from lgcamp.database import Base
from lgcamp.errors import DomainError
from lgcamp.events.models import EventRole
from lgcamp.participation.models import LIVE_MEMBERSHIP, AccountMerge, Membership, MembershipStatus
from lgcamp.participation.people import end_booking, is_deleted
from lgcamp.participation.service import NotFound, share_of
from lgcamp.programme.models import SessionHost, Star
from lgcamp.tickets.models import LIVE_STATUSES, Booking, BookingStatus

BOOKING_RANK = {
    BookingStatus.CONFIRMED: 4,
    BookingStatus.OFFERED: 3,
    BookingStatus.WAITLISTED: 2,
    BookingStatus.REGISTERED: 1,
}


class SelfMerge(DomainError):
    """An account cannot be merged into itself."""


def find_account(session: Session, email: str, field: str) -> Person:
    """The account with this email, or a message on the form field."""
    person = find_person_by_email(session, email)
    if person is None or is_deleted(person):
        raise NotFound(f"There is no account with the email address {email}.", field=field)
    return person


def _duplicate_bookings(session: Session, kept: Person, merged: Person) -> list[Booking]:
    """Where both accounts have a live booking for one event, the worse of the two (checked
    in beats confirmed beats further along; then the older stays)."""
    live = list(
        session.scalars(
            select(Booking).where(
                Booking.person_id.in_([kept.id, merged.id]), Booking.status.in_(LIVE_STATUSES)
            )
        )
    )
    checked_in = set(
        session.scalars(
            select(CheckIn.booking_id).where(
                CheckIn.booking_id.in_([b.id for b in live]), CheckIn.undone_at.is_(None)
            )
        )
    )
    by_event: dict[int, list[Booking]] = {}
    for booking in live:
        by_event.setdefault(booking.event_id, []).append(booking)
    worse = []
    for pair in by_event.values():
        pair.sort(key=lambda b: (b.id not in checked_in, -BOOKING_RANK[b.status], b.id))
        worse += pair[1:]
    return worse


def _resolve_bookings(session: Session, kept: Person, merged: Person, now: datetime) -> int:
    """Release the worse of two live bookings for one event, so that one live booking remains."""
    ended = 0
    for booking in _duplicate_bookings(session, kept, merged):
        end_booking(session, booking, now)
        ended += 1
    session.flush()
    return ended


def _drop_duplicates(session: Session, kept: Person, merged: Person) -> int:
    """Rows of the merged account that the kept one already has (unique per person)."""
    dropped = 0
    for model, key in (
        (EventRole, (EventRole.event_id, EventRole.role)),
        (SessionHost, (SessionHost.camp_session_id,)),
        (Star, (Star.camp_session_id,)),
    ):
        kept_keys = set(session.execute(select(*key).where(model.person_id == kept.id)).all())
        for row_id, *values in session.execute(
            select(model.id, *key).where(model.person_id == merged.id)
        ).all():
            if tuple(values) in kept_keys:
                session.execute(delete(model).where(model.id == row_id))
                dropped += 1
    share = share_of(session, merged)
    if share is not None:
        session.delete(share)
        dropped += 1
    return dropped


def _memberships_to_end(session: Session, kept: Person, merged: Person) -> list[Membership]:
    """Two live memberships: the member (lowest number) stays over an application."""
    live = list(
        session.scalars(
            select(Membership).where(
                Membership.person_id.in_([kept.id, merged.id]),
                Membership.status.in_(LIVE_MEMBERSHIP),
            )
        )
    )
    live.sort(key=lambda m: (m.status is not MembershipStatus.ACTIVE, m.number or 0, m.id))
    return live[1:]


def _resolve_memberships(session: Session, kept: Person, merged: Person, now: datetime) -> None:
    """End the duplicate live membership, if both accounts have one."""
    for worse in _memberships_to_end(session, kept, merged):
        worse.status = MembershipStatus.LEFT
        worse.ends_on = now.date() if worse.starts_on is not None else None
        worse.note = "Ended when duplicate accounts were merged."
    session.flush()


def _person_columns() -> list[tuple[Any, Any]]:
    """Every (table, column) that points at a person, from the metadata: new features'
    tables are covered without changing this module."""
    found = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "person" and fk.column.name == "id":
                found.append((table, fk.parent))
    return found


MOVES = "Moves to the kept account"


@dataclass(frozen=True)
class MergePreview:
    """What a merge would do, read before anything changes: the admin confirms from this."""

    kept: Person
    merged: Person
    bookings: list[tuple[Booking, str]]  # every booking of either account and what happens
    check_ins: int  # accepted check-ins on the duplicate's bookings (they move with them)
    memberships: list[tuple[Membership, str]]
    rows: dict[str, int]  # other rows that move, by what they are
    duplicates: int  # roles, host rows, stars the kept account has already (dropped)

    @property
    def bookings_moving(self) -> int:
        """How many of the duplicate's bookings move to the kept account."""
        return sum(1 for _booking, fate in self.bookings if fate == MOVES)


# Listed one by one in the preview, not counted again with the other rows.
SHOWN_ABOVE = {("booking", "person_id"), ("membership", "person_id")}
# How the moved rows are named for people (table.column); others show as the table name.
ROW_NAMES = {
    "event_role.person_id": "Roles at events (organiser, volunteer, helper)",
    "session_host.person_id": "Sessions hosted",
    "star.person_id": "Starred sessions",
    "camp_session.pitched_by_id": "Sessions pitched",
    "check_in.person_id": "Check-ins",
    "participation_fact.person_id": "Participation facts (what reports count)",
    "scan_log.person_id": "Scans at the door (as a volunteer)",
    "grid_change.actor_id": "Changes made to session grids",
    "bulk_email.actor_id": "Messages sent to attendees",
    "event_change.actor_id": "Event changes announced",
}


def preview_merge(session: Session, kept: Person, merged: Person) -> MergePreview:
    """What `merge_people` would move, release, end and drop, without changing anything."""
    if kept.id == merged.id:
        raise SelfMerge(
            "Choose two different accounts: an account cannot be merged into itself.",
            field="merge_email",
        )
    released = {b.id for b in _duplicate_bookings(session, kept, merged)}
    bookings = []
    for booking in session.scalars(
        select(Booking)
        .where(Booking.person_id.in_([kept.id, merged.id]))
        .order_by(Booking.event_id, Booking.id)
    ):
        if booking.id in released:
            fate = "Released: the other account has a better booking for this event"
        elif booking.person_id == merged.id:
            fate = MOVES
        else:
            fate = "Stays"
        bookings.append((booking, fate))
    check_ins = session.scalar(
        select(func.count(CheckIn.id))
        .join(Booking, Booking.id == CheckIn.booking_id)
        .where(Booking.person_id == merged.id, CheckIn.undone_at.is_(None))
    )
    ending = {m.id for m in _memberships_to_end(session, kept, merged)}
    memberships = [
        (m, "Ends (duplicate)" if m.id in ending else
            (MOVES if m.person_id == merged.id else "Stays"))
        for m in session.scalars(
            select(Membership).where(Membership.person_id.in_([kept.id, merged.id]))
        )
    ]  # fmt: skip
    rows: dict[str, int] = {}
    for table, column in _person_columns():
        if (table.name, column.name) in SHOWN_ABOVE:
            continue
        count = session.scalar(select(func.count()).select_from(table).where(column == merged.id))
        if count:
            name = f"{table.name}.{column.name}"
            rows[ROW_NAMES.get(name, name)] = count
    return MergePreview(
        kept, merged, bookings, check_ins or 0, memberships, rows,
        duplicates=_count_duplicates(session, kept, merged),
    )  # fmt: skip


def _count_duplicates(session: Session, kept: Person, merged: Person) -> int:
    count = 0
    for model, key in (
        (EventRole, (EventRole.event_id, EventRole.role)),
        (SessionHost, (SessionHost.camp_session_id,)),
        (Star, (Star.camp_session_id,)),
    ):
        kept_keys = set(session.execute(select(*key).where(model.person_id == kept.id)).all())
        merged_keys = session.execute(select(*key).where(model.person_id == merged.id)).all()
        count += sum(1 for values in merged_keys if tuple(values) in kept_keys)
    return count


def merge_people(
    session: Session, actor: Person, kept: Person, merged: Person, now: datetime
) -> AccountMerge:
    """Merge a duplicate account into the kept one: everything moves, then the duplicate goes.

    Clashes with unique rules are settled first (one live booking per event, one role, one
    host row, one star, one live membership), so that the moves cannot fail.
    """
    if kept.id == merged.id:
        raise SelfMerge(
            "Choose two different accounts: an account cannot be merged into itself.",
            field="merge_email",
        )
    moved: dict[str, int] = {}
    ended = _resolve_bookings(session, kept, merged, now)
    if ended:
        moved["bookings released as duplicates"] = ended
    dropped = _drop_duplicates(session, kept, merged)
    if dropped:
        moved["duplicate rows dropped"] = dropped
    _resolve_memberships(session, kept, merged, now)
    session.flush()
    for table, column in _person_columns():
        result = session.execute(
            update(table).where(column == merged.id).values({column.name: kept.id})
        )
        changed = cast(CursorResult[Any], result).rowcount
        if changed:
            moved[f"{table.name}.{column.name}"] = changed
    kept.is_admin = kept.is_admin or merged.is_admin
    kept.organisation = kept.organisation or merged.organisation
    log = AccountMerge(
        actor_id=actor.id,
        kept_person_id=kept.id,
        merged_person_id=merged.id,
        merged_email=merged.email,
        kept_email=kept.email,
        moved=json.dumps(moved, sort_keys=True),
        created_at=now,
    )
    session.add(log)
    session.flush()
    merged_id = merged.id
    session.expunge(merged)
    session.execute(delete(Person).where(Person.id == merged_id))
    session.expire_all()
    return log


def merge_log(session: Session, limit: int = 50) -> list[AccountMerge]:
    """The latest merges, newest first."""
    return list(
        session.scalars(
            select(AccountMerge).order_by(AccountMerge.created_at.desc(), AccountMerge.id.desc())
        ).all()[:limit]
    )
