"""Event operations: create, edit, organisers, and the public lists."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
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
    EventChange,
    EventChangeKind,
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


@dataclass(frozen=True)
class EventUpdate:
    """What the features that hang off an event hear when it changes (see `on_event_change`)."""

    event: Event
    actor: Person | None
    change: EventChange | None  # set when ticket holders are to be told
    moved_by: timedelta  # how far the start moved
    move_slots: bool  # the organiser's answer: move the programme's time slots with it


ChangeListener = Callable[[Session, EventUpdate], None]
# Tickets (emails) and the programme (time slots) register here at import, as mail renderers
# do: events come before both in the dependency order, so they cannot be called by name.
CHANGE_LISTENERS: list[ChangeListener] = []


def on_event_change(listener: ChangeListener) -> ChangeListener:
    """Run ``listener`` inside the transaction of every event update and cancellation."""
    if listener not in CHANGE_LISTENERS:
        CHANGE_LISTENERS.append(listener)
    return listener


def _when(fields: dict[str, object]) -> str:
    tz = ZoneInfo(str(fields["timezone"]))
    starts = fields["starts_at"].astimezone(tz)  # type: ignore[attr-defined]
    ends = fields["ends_at"].astimezone(tz)  # type: ignore[attr-defined]
    day = f"{starts:%A} {starts.day} {starts:%B %Y}, {starts:%H:%M}"
    if starts.date() == ends.date():
        return f"{day} to {ends:%H:%M}"
    return f"{day} to {ends:%A} {ends.day} {ends:%B %Y}, {ends:%H:%M}"


def _where(fields: dict[str, object]) -> str:
    parts = [str(fields["venue_name"]), *str(fields["venue_address"]).splitlines()]
    return ", ".join(p.strip() for p in parts if p.strip()) or "to be announced"


def _what_changed(before: dict[str, object], event: Event) -> list[str]:
    """Lines for people holding a place: the new date, time or venue and what it was."""
    after = {name: getattr(event, name) for name in NOTIFIED_FIELDS}
    lines = []
    if any(before[name] != after[name] for name in ("starts_at", "ends_at", "timezone")):
        lines.append(f"When: {_when(after)} (was {_when(before)})")
    if any(before[name] != after[name] for name in ("venue_name", "venue_address")):
        lines.append(f"Where: {_where(after)} (was {_where(before)})")
    return lines


def _record_change(
    session: Session,
    actor: Person | None,
    event: Event,
    kind: EventChangeKind,
    lines: list[str],
    reason: str = "",
) -> EventChange:
    change = EventChange(
        event_id=event.id,
        actor_id=actor.id if actor else None,
        kind=kind,
        summary="\n".join(lines),
        reason=reason.strip(),
        sequence=event.sequence,
        created_at=utcnow(),
    )
    session.add(change)
    session.flush()
    return change


def _tell(session: Session, update: EventUpdate) -> None:
    for listener in CHANGE_LISTENERS:
        listener(session, update)


NOTIFIED_FIELDS = ("starts_at", "ends_at", "timezone", "venue_name", "venue_address")


def update_event(
    session: Session,
    event: Event,
    details: EventDetails,
    *,
    actor: Person | None = None,
    move_slots: bool = True,
) -> Event:
    """Change an event; a change of time, place, name or status bumps its sequence.

    A new date, time or venue of a published event is emailed to everyone holding or waiting
    for a place, in this transaction; setting the status to cancelled cancels it (`cancel_event`).
    """
    before = {name: getattr(event, name) for name in {*SEQUENCED_FIELDS, *NOTIFIED_FIELDS}}
    was_cancelled = event.status == EventStatus.CANCELLED
    _apply(event, details)
    if any(getattr(event, name) != before[name] for name in SEQUENCED_FIELDS):
        event.sequence += 1
    event.updated_at = utcnow()
    change = None
    if event.status == EventStatus.CANCELLED and not was_cancelled:
        change = _record_change(session, actor, event, EventChangeKind.CANCELLED, [])
    elif event.status == EventStatus.PUBLISHED:
        lines = _what_changed(before, event)
        if was_cancelled:
            lines.insert(0, "The event is going ahead after all.")
        if lines:
            change = _record_change(session, actor, event, EventChangeKind.CHANGED, lines)
    moved_by = event.starts_at - before["starts_at"]
    session.flush()
    _tell(session, EventUpdate(event, actor, change, moved_by, move_slots))
    return event


def cancel_event(session: Session, actor: Person, event: Event, reason: str) -> EventChange:
    """Cancel the event: bookings keep their history; everyone with or waiting for a place is
    emailed (with the reason and a calendar cancellation) in this transaction."""
    if event.status == EventStatus.CANCELLED:
        raise Conflict(f"{event.name} has already been cancelled.")
    if len(reason) > 2000:
        raise DomainError("The reason must be 2,000 characters or fewer", field="reason")
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    event.updated_at = utcnow()
    change = _record_change(session, actor, event, EventChangeKind.CANCELLED, [], reason)
    _tell(session, EventUpdate(event, actor, change, timedelta(0), move_slots=False))
    return change


def latest_change(session: Session, event: Event) -> EventChange | None:
    """The change people were told about at the event's current sequence, if any."""
    return session.scalar(
        select(EventChange)
        .where(EventChange.event_id == event.id, EventChange.sequence == event.sequence)
        .order_by(EventChange.id.desc())
        .limit(1)
    )


def changes_of(session: Session, event: Event) -> list[EventChange]:
    """What people holding a place were told about, newest first."""
    return list(
        session.scalars(
            select(EventChange)
            .where(EventChange.event_id == event.id)
            .order_by(EventChange.created_at.desc(), EventChange.id.desc())
        )
    )


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
