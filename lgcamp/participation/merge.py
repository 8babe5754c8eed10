"""One person, one record: merging a duplicate account into the one to keep.

Live bookings of the same event are resolved (the better one stays), rows that would be
duplicates are dropped, memberships are resolved, and every other row moves to the kept person.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
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


def _resolve_bookings(session: Session, kept: Person, merged: Person, now: datetime) -> int:
    """Two live bookings for one event: keep the better (checked in, then confirmed, then
    further along, then older); release the other so that one live booking remains."""
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
    ended = 0
    for pair in by_event.values():
        if len(pair) < 2:
            continue
        pair.sort(key=lambda b: (b.id not in checked_in, -BOOKING_RANK[b.status], b.id))
        for worse in pair[1:]:
            end_booking(session, worse, now)
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


def _resolve_memberships(session: Session, kept: Person, merged: Person, now: datetime) -> None:
    """Two live memberships: keep the member (lowest number) over an application."""
    live = list(
        session.scalars(
            select(Membership).where(
                Membership.person_id.in_([kept.id, merged.id]),
                Membership.status.in_(LIVE_MEMBERSHIP),
            )
        )
    )
    if len(live) < 2:
        return
    live.sort(key=lambda m: (m.status is not MembershipStatus.ACTIVE, m.number or 0, m.id))
    for worse in live[1:]:
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
