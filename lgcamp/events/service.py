"""Event operations: create, edit, organisers, and the public lists."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.events.models import (
    CHECK_IN_CLOSES_MINUTES,
    CHECK_IN_OPENS_MINUTES,
    Event,
    EventKind,
    EventRole,
    EventRoleName,
    EventStatus,
)

# Changing these tells calendars and attendees that the event itself changed.
SEQUENCED_FIELDS = ("starts_at", "ends_at", "venue_name", "venue_address", "status", "name")


class InvalidDates(DomainError):
    """The event would end before it starts."""


@dataclass(frozen=True)
class EventDetails:
    """What a person enters for an event, with times in the event's timezone."""

    name: str
    kind: EventKind
    status: EventStatus
    summary: str
    description: str
    venue_name: str
    venue_address: str
    access_info: str
    start_date: date
    start_time: time
    end_date: date
    end_time: time
    timezone: str
    # The door's check-in window, relative to the start and the end (see Event).
    check_in_opens_minutes: int = CHECK_IN_OPENS_MINUTES
    check_in_closes_minutes: int = CHECK_IN_CLOSES_MINUTES

    def starts_at(self) -> datetime:
        """Start in UTC."""
        return _to_utc(self.start_date, self.start_time, self.timezone)

    def ends_at(self) -> datetime:
        """End in UTC."""
        return _to_utc(self.end_date, self.end_time, self.timezone)


def _to_utc(day: date, at: time, timezone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone)).astimezone(ZoneInfo("UTC"))


def slugify(text: str) -> str:
    """A URL-safe, lower-case, hyphenated form of a name."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60] or "event"


# Paths under /events/ that are pages, not events.
RESERVED_SLUGS = frozenset({"new", "past", "mine", "feed", "calendar"})


def _unique_slug(session: Session, name: str, starts_at: datetime) -> str:
    base = slugify(f"{name} {starts_at.year}" if str(starts_at.year) not in name else name)
    slug, n = base, 2
    while (
        slug in RESERVED_SLUGS
        or session.scalar(select(Event.id).where(Event.slug == slug)) is not None
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply(event: Event, details: EventDetails) -> None:
    starts_at, ends_at = details.starts_at(), details.ends_at()
    if ends_at <= starts_at:
        raise InvalidDates("The end must be after the start", field="end_date")
    event.name = details.name.strip()
    event.kind = details.kind
    event.status = details.status
    event.summary = details.summary.strip()
    event.description = details.description
    event.venue_name = details.venue_name.strip()
    event.venue_address = details.venue_address.strip()
    event.access_info = details.access_info
    event.starts_at = starts_at
    event.ends_at = ends_at
    event.timezone = details.timezone.strip()
    event.check_in_opens_minutes = details.check_in_opens_minutes
    event.check_in_closes_minutes = details.check_in_closes_minutes


def create_event(session: Session, actor: Person, details: EventDetails) -> Event:
    """Create an event; its creator becomes its first organiser."""
    event = Event(created_by_id=actor.id)
    _apply(event, details)
    event.slug = _unique_slug(session, event.name, event.starts_at)
    session.add(event)
    session.flush()
    session.add(EventRole(event_id=event.id, person_id=actor.id, role=EventRoleName.ORGANISER))
    session.flush()
    return event


def update_event(session: Session, event: Event, details: EventDetails) -> Event:
    """Change an event; a change of time, place, name or status bumps its sequence."""
    before = {name: getattr(event, name) for name in SEQUENCED_FIELDS}
    _apply(event, details)
    if any(getattr(event, name) != value for name, value in before.items()):
        event.sequence += 1
    event.updated_at = utcnow()
    session.flush()
    return event


def organisers_of(session: Session, event: Event) -> list[Person]:
    """The event's organisers, by name."""
    return list(
        session.scalars(
            select(Person)
            .join(EventRole, EventRole.person_id == Person.id)
            .where(EventRole.event_id == event.id, EventRole.role == EventRoleName.ORGANISER)
            .order_by(Person.name)
        )
    )


def add_organiser(session: Session, event: Event, email: str) -> Person:
    """Make the person with this account email an organiser of the event."""
    person = find_person_by_email(session, email)
    if person is None:
        raise DomainError(
            "There is no account with that email address. Ask them to sign up first.", field="email"
        )
    if person in organisers_of(session, event):
        raise Conflict(f"{person.name} is already an organiser.", field="email")
    session.add(EventRole(event_id=event.id, person_id=person.id, role=EventRoleName.ORGANISER))
    session.flush()
    return person


def remove_organiser(session: Session, event: Event, person_id: int) -> None:
    """Remove an organiser; an event always keeps at least one."""
    organisers = organisers_of(session, event)
    if person_id not in {p.id for p in organisers}:
        raise DomainError("That person is not an organiser of this event.")
    if len(organisers) == 1:
        raise Conflict("An event needs at least one organiser. Add another first.")
    role = session.scalar(
        select(EventRole).where(
            EventRole.event_id == event.id,
            EventRole.person_id == person_id,
            EventRole.role == EventRoleName.ORGANISER,
        )
    )
    session.delete(role)
    session.flush()


# Built once: every event page, and most event pages' sub-pages, start with this lookup.
_EVENT_BY_SLUG = select(Event).where(Event.slug == bindparam("slug"))


def get_event(session: Session, slug: str) -> Event | None:
    """The event with this slug, whatever its status."""
    return session.scalar(_EVENT_BY_SLUG, {"slug": slug})


def upcoming_events(session: Session, now: datetime | None = None) -> list[Event]:
    """Published and cancelled events that have not ended, soonest first."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Event)
            .where(Event.status != EventStatus.DRAFT, Event.ends_at >= now)
            .order_by(Event.starts_at)
        )
    )


def past_events(session: Session, now: datetime | None = None) -> list[Event]:
    """Events that have ended, most recent first."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Event)
            .where(Event.status != EventStatus.DRAFT, Event.ends_at < now)
            .order_by(Event.starts_at.desc())
        )
    )


def events_managed_by(session: Session, person: Person) -> list[Event]:
    """Every event the person organises (all events for an admin), drafts included."""
    query = select(Event).order_by(Event.starts_at.desc())
    if not person.is_admin:
        query = query.join(EventRole).where(
            EventRole.person_id == person.id, EventRole.role == EventRoleName.ORGANISER
        )
    return list(session.scalars(query))


def count_events(session: Session) -> int:
    """How many events exist (for the demo seeder)."""
    return session.scalar(select(func.count(Event.id))) or 0
