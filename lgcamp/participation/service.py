"""Participation operations: the status rule and sharing a record through a verification link
(the co-op's members are `membership`); the domain errors both raise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.participation import verification
from lgcamp.participation.evidence import Record, person_record, shared_statement
from lgcamp.participation.models import (
    DEFAULT_WINDOW_MONTHS,
    ParticipationSetting,
    RecordShare,
)


class NotFound(DomainError):
    """The thing asked for does not exist."""

    status_code = 404


class AlreadyDecided(Conflict):
    """The application was approved or turned down already."""


class FutureDate(DomainError):
    """A date that has not come yet, where only past or present dates make sense."""


class LinkNotValid(DomainError):
    """A verification link that was changed, cut short or made up."""

    status_code = 404


class LinkWithdrawn(DomainError):
    """A verification link its owner revoked or replaced."""

    status_code = 410


# --- settings -------------------------------------------------------------------------------


def _insert_or_nothing(session: Session, model: type[Any], values: dict[str, Any]) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


def get_settings(session: Session) -> ParticipationSetting:
    """The settings row, or unsaved defaults when admins never changed anything."""
    found = session.get(ParticipationSetting, 1)
    if found is not None:
        return found
    return ParticipationSetting(id=1, window_months=DEFAULT_WINDOW_MONTHS, next_membership_number=1)


def settings_row(session: Session) -> ParticipationSetting:
    """The stored settings row, created when missing (safely when two requests race)."""
    _insert_or_nothing(
        session,
        ParticipationSetting,
        {
            "id": 1,
            "window_months": DEFAULT_WINDOW_MONTHS,
            "next_membership_number": 1,
            "updated_at": utcnow(),
        },
    )
    row = session.get(ParticipationSetting, 1)
    assert row is not None
    return row


def set_status_rule(session: Session, actor: Person, months: int) -> ParticipationSetting:
    """Admins set the window of the rule "part of the network = evidence within N months"."""
    if not 1 <= months <= 240:
        raise DomainError("Enter a number of months between 1 and 240.", field="window_months")
    row = settings_row(session)
    row.window_months = months
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    session.flush()
    return row


# --- the shared record and its verification link --------------------------------------------


@dataclass(frozen=True)
class ShareChoices:
    """What the verification page shows besides the statement."""

    name: bool = True
    organisation: bool = False
    years: bool = True
    events: bool = False


def share_of(session: Session, person: Person) -> RecordShare | None:
    """The person's share settings, if they ever made a link."""
    return session.scalar(select(RecordShare).where(RecordShare.person_id == person.id))


def save_share(session: Session, person: Person, choices: ShareChoices) -> RecordShare:
    """Save what the link shows (making the link if there is none). A revoked link stays so."""
    share = share_of(session, person)
    if share is None:
        share = RecordShare(person_id=person.id, version=1, is_revoked=False)
        session.add(share)
    share.show_name = choices.name
    share.show_organisation = choices.organisation
    share.show_years = choices.years
    share.show_events = choices.events
    share.updated_at = utcnow()
    session.flush()
    return share


def new_share_link(session: Session, person: Person) -> RecordShare:
    """A new link: links given out before stop working."""
    share = share_of(session, person)
    if share is None:
        return save_share(session, person, ShareChoices())
    share.version += 1
    share.is_revoked = False
    share.revoked_at = None
    session.flush()
    return share


def revoke_share(session: Session, person: Person) -> RecordShare:
    """Withdraw the link: anyone opening it is told it was withdrawn."""
    share = share_of(session, person)
    if share is None:
        raise NotFound("You have no verification link to withdraw.")
    if not share.is_revoked:
        share.is_revoked = True
        share.revoked_at = utcnow()
        session.flush()
    return share


def share_token(secret_key: str, share: RecordShare) -> str:
    """The token of the share's current link."""
    return verification.sign(secret_key, share.person_id, share.version)


@dataclass(frozen=True)
class Verified:
    """A genuine, current link: the person, what they share, and their record now."""

    person: Person
    share: RecordShare
    record: Record

    @property
    def statement(self) -> str:
        """The status statement, naming years and events only if the person shows them."""
        return shared_statement(
            self.record.status, years=self.share.show_years, events=self.share.show_events
        )


def verify_link(session: Session, secret_key: str, token: str, now: datetime) -> Verified:
    """Check a verification link: signed by us, not withdrawn, not replaced by a newer one."""
    try:
        person_id, version = verification.read(secret_key, token)
    except verification.BadLink as error:
        raise LinkNotValid(
            "This verification link is not valid: it was changed or copied incompletely. "
            "Ask the person for their link again."
        ) from error
    share = session.scalar(select(RecordShare).where(RecordShare.person_id == person_id))
    person = session.get(Person, person_id)
    if share is None or person is None:
        raise LinkWithdrawn("This verification link no longer works: the record was removed.")
    if share.is_revoked or share.version != version:
        raise LinkWithdrawn(
            "This verification link was withdrawn or replaced by its owner. "
            "Ask the person for their current link."
        )
    return Verified(person, share, person_record(session, person, now))
