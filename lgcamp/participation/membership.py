"""The co-op's members: membership types, applications with their evidence, decisions,
numbers, fees, leaving, the register and the AGM eligibility list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, joinedload

from lgcamp.accounts.models import Person
from lgcamp.errors import Conflict, DomainError
from lgcamp.pagination import Paged, paginate
from lgcamp.participation.evidence import person_record
from lgcamp.participation.models import (
    GOOD_STANDING_FEES,
    LIVE_MEMBERSHIP,
    FeeStatus,
    Membership,
    MembershipStatus,
    MembershipType,
    ParticipationSetting,
)
from lgcamp.participation.service import AlreadyDecided, FutureDate, NotFound, settings_row

# --- membership types -----------------------------------------------------------------------


@dataclass(frozen=True)
class TypeDetails:
    """The editable fields of a membership type."""

    name: str
    description: str = ""
    is_open: bool = True
    sort_order: int = 0


def membership_types(session: Session, open_only: bool = False) -> list[MembershipType]:
    """Membership types in their order."""
    query = select(MembershipType).order_by(MembershipType.sort_order, MembershipType.name)
    if open_only:
        query = query.where(MembershipType.is_open.is_(True))
    return list(session.scalars(query))


def save_membership_type(
    session: Session, details: TypeDetails, membership_type: MembershipType | None = None
) -> MembershipType:
    """Add a membership type, or change one."""
    name = details.name.strip()
    clash = session.scalar(
        select(MembershipType.id).where(func.lower(MembershipType.name) == name.lower())
    )
    if clash is not None and (membership_type is None or clash != membership_type.id):
        raise Conflict(f"There is already a membership type called {name}.", field="name")
    if membership_type is None:
        membership_type = MembershipType()
        session.add(membership_type)
    membership_type.name = name
    membership_type.description = details.description.strip()
    membership_type.is_open = details.is_open
    membership_type.sort_order = details.sort_order
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise Conflict(f"There is already a membership type called {name}.", "name") from error
    return membership_type


# --- the member register --------------------------------------------------------------------


def live_membership(session: Session, person: Person) -> Membership | None:
    """The person's current application or membership."""
    return session.scalar(
        select(Membership)
        .where(Membership.person_id == person.id, Membership.status.in_(LIVE_MEMBERSHIP))
        .options(joinedload(Membership.membership_type))
    )


def memberships_of(session: Session, person: Person) -> list[Membership]:
    """All of a person's applications and memberships, newest first."""
    return list(
        session.scalars(
            select(Membership)
            .where(Membership.person_id == person.id)
            .options(joinedload(Membership.membership_type))
            .order_by(Membership.applied_at.desc(), Membership.id.desc())
        )
    )


def apply_for_membership(
    session: Session, person: Person, membership_type_id: int, statement: str, now: datetime
) -> Membership:
    """Apply to join the co-op; the participation record is attached as it stands now."""
    membership_type = session.get(MembershipType, membership_type_id)
    if membership_type is None or not membership_type.is_open:
        raise DomainError("Select a membership type that is open.", field="membership_type_id")
    current = live_membership(session, person)
    if current is not None:
        raise Conflict(
            "You are already a member."
            if current.status is MembershipStatus.ACTIVE
            else "You have applied already: an admin will look at your application."
        )
    record = person_record(session, person, now)
    membership = Membership(
        person_id=person.id,
        membership_type_id=membership_type.id,
        status=MembershipStatus.APPLIED,
        statement=statement.strip(),
        evidence_summary=json.dumps(record.summary()),
        applied_at=now,
        fee_status=FeeStatus.DUE,
    )
    try:
        with session.begin_nested():
            session.add(membership)
            session.flush()
    except IntegrityError as error:  # a second tab applied at the same moment
        raise Conflict("You have applied already.") from error
    return membership


def get_membership(session: Session, membership_id: int) -> Membership:
    """A membership by id, or NotFound."""
    membership = session.get(
        Membership, membership_id, options=[joinedload(Membership.membership_type)]
    )
    if membership is None:
        raise NotFound("There is no such application or membership.")
    return membership


def _take_number(session: Session) -> int:
    """The next membership number, taken by one conditional UPDATE (unique under races)."""
    settings_row(session)
    taken = session.execute(
        update(ParticipationSetting)
        .where(ParticipationSetting.id == 1)
        .values(next_membership_number=ParticipationSetting.next_membership_number + 1)
        .returning(ParticipationSetting.next_membership_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(taken) - 1


def _refuse_decided(session: Session, membership_id: int) -> None:
    membership = get_membership(session, membership_id)
    if membership.status is MembershipStatus.ACTIVE:
        raise AlreadyDecided(
            f"{membership.person.name} is a member already (number {membership.number})."
        )
    raise AlreadyDecided(
        f"This application is {membership.status.label.lower()}: it cannot be approved now."
    )


def approve_membership(
    session: Session, actor: Person, membership_id: int, now: datetime
) -> Membership:
    """Approve an application: it becomes a membership with the next number, from today.

    The status changes by a conditional UPDATE, so approving twice (two admins, two clicks)
    gives one membership and one number; the second is told it was approved already.
    """
    claimed = session.execute(
        update(Membership)
        .where(Membership.id == membership_id, Membership.status == MembershipStatus.APPLIED)
        .values(
            status=MembershipStatus.ACTIVE,
            decided_at=now,
            decided_by_id=actor.id,
            starts_on=now.date(),
        )
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], claimed).rowcount != 1:
        _refuse_decided(session, membership_id)
    number = _take_number(session)
    session.execute(
        update(Membership)
        .where(Membership.id == membership_id)
        .values(number=number)
        .execution_options(synchronize_session=False)
    )
    membership = get_membership(session, membership_id)
    session.refresh(membership)
    return membership


def reject_application(
    session: Session, actor: Person, membership_id: int, now: datetime, note: str = ""
) -> Membership:
    """Turn an application down (it can be made again later)."""
    claimed = session.execute(
        update(Membership)
        .where(Membership.id == membership_id, Membership.status == MembershipStatus.APPLIED)
        .values(
            status=MembershipStatus.REJECTED,
            decided_at=now,
            decided_by_id=actor.id,
            note=note.strip()[:500],
        )
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], claimed).rowcount != 1:
        _refuse_decided(session, membership_id)
    membership = get_membership(session, membership_id)
    session.refresh(membership)
    return membership


def record_fee(
    session: Session, actor: Person, membership_id: int, fee_status: FeeStatus, now: datetime
) -> Membership:
    """Admins record the fee status (no payments are taken here)."""
    membership = get_membership(session, membership_id)
    if membership.status not in LIVE_MEMBERSHIP:
        raise Conflict("This membership has ended: its fee status can no longer change.")
    membership.fee_status = fee_status
    membership.fee_updated_at = now
    membership.fee_updated_by_id = actor.id
    session.flush()
    return membership


def end_membership(
    session: Session, membership: Membership, on: date, note: str = ""
) -> Membership:
    """A member leaves (or withdraws an application) on a date."""
    if membership.status not in LIVE_MEMBERSHIP:
        raise Conflict("This membership has ended already.")
    if membership.starts_on is not None and on < membership.starts_on:
        raise DomainError("The leaving date cannot be before the membership started.", "ends_on")
    membership.status = MembershipStatus.LEFT
    membership.ends_on = on if membership.starts_on is not None else None
    if note:
        membership.note = note.strip()[:500]
    session.flush()
    return membership


def leave_membership(session: Session, person: Person, now: datetime) -> Membership:
    """The person leaves the co-op, or withdraws their application, today."""
    membership = live_membership(session, person)
    if membership is None:
        raise Conflict("You have no membership or application to end.")
    was_member = membership.status is MembershipStatus.ACTIVE
    note = "Left the co-op." if was_member else "Withdrew the application."
    return end_membership(session, membership, now.date(), note)


def register(session: Session, status: MembershipStatus | None = None) -> list[Membership]:
    """The member register: members by number, then applications, then the rest."""
    return list(session.scalars(_register_query(status)))


def register_page(
    session: Session, status: MembershipStatus | None, search: str, page: int
) -> Paged[Membership]:
    """One page of the register, searched by name, email or organisation."""
    return paginate(session, _register_query(status, search), page)


def _register_query(status: MembershipStatus | None, search: str = "") -> Select[Membership]:
    query = (
        select(Membership)
        .join(Person, Person.id == Membership.person_id)
        .options(contains_eager(Membership.person), joinedload(Membership.membership_type))
    )
    if status is not None:
        query = query.where(Membership.status == status)
    if search.strip():
        like = f"%{search.strip().lower()}%"
        query = query.where(
            or_(Person.name.ilike(like), Person.email.ilike(like), Person.organisation.ilike(like))
        )
    return query.order_by(
        Membership.number.is_(None), Membership.number, Membership.applied_at, Membership.id
    )


def agm_eligible(session: Session, on: date, today: date) -> list[Membership]:
    """Members in good standing on a date: joined by then, not left, fee paid or waived."""
    if on > today:
        raise FutureDate(
            f"The eligibility date cannot be in the future: enter {today:%d %m %Y} or earlier.",
            field="on",
        )
    return list(
        session.scalars(
            select(Membership)
            .where(
                Membership.number.is_not(None),
                Membership.status.in_([MembershipStatus.ACTIVE, MembershipStatus.LEFT]),
                Membership.starts_on <= on,
                or_(Membership.ends_on.is_(None), Membership.ends_on > on),
                Membership.fee_status.in_(GOOD_STANDING_FEES),
            )
            .options(joinedload(Membership.person), joinedload(Membership.membership_type))
            .order_by(Membership.number)
        )
    )


def evidence_snapshot(membership: Membership) -> dict[str, Any]:
    """The participation summary attached to an application."""
    try:
        value = json.loads(membership.evidence_summary or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
