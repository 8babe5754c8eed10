"""Programme operations on sessions: pitches, hosts, stars, notes and room-full flags.

Grid placement lives in `grid`, rooms and slots in `planning`; everything here that changes what
the public grid shows takes the grid lock (which bumps the grid version live pages poll).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email
from lgcamp.errors import Conflict, DomainError, NotAllowed
from lgcamp.events.models import Event, EventStatus
from lgcamp.permissions import can_pitch, can_star, is_event_team
from lgcamp.programme.grid import cell_label, lock_grid, unschedule_session
from lgcamp.programme.models import (
    QUEUE_ORDER,
    CampSession,
    ChangeKind,
    RoomFullFlag,
    SessionFormat,
    SessionHost,
    SessionStatus,
    Star,
    TimeSlot,
)

TITLE_MAX = 120
DESCRIPTION_MAX = 5000
ACCESSIBILITY_MAX = 1000
NOTES_URL_MAX = 500
HOST_NAME_MAX = 120


class NoSuchPerson(DomainError):
    """No account matches the name or email given for a host."""


# --- people ------------------------------------------------------------------------------------


def find_host(session: Session, query: str, field: str = "host") -> Person:
    """One account by email, or by full name when only one person has it."""
    text = query.strip()
    if not text:
        raise NoSuchPerson("Enter the host's name or email address", field=field)
    if "@" in text:
        person = find_person_by_email(session, text)
        if person is None:
            raise NoSuchPerson(
                f"No account uses the email address {text}. Ask them to create an account.",
                field=field,
            )
        return person
    matches = list(
        session.scalars(select(Person).where(func.lower(Person.name) == text.lower()).limit(2))
    )
    if not matches:
        raise NoSuchPerson(
            f"No one called {text} has an account. Check the spelling, or use their email.",
            field=field,
        )
    if len(matches) > 1:
        raise NoSuchPerson(
            f"More than one person is called {text}: enter their email address instead.",
            field=field,
        )
    return matches[0]


# --- pitches -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PitchDetails:
    """What a pitcher enters for a session."""

    title: str
    description: str = ""
    format: SessionFormat = SessionFormat.DISCUSSION
    accessibility: str = ""


def _apply_pitch(camp_session: CampSession, details: PitchDetails) -> None:
    title = " ".join(details.title.split())
    if not title:
        raise DomainError("Enter a title for the session", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Title must be {TITLE_MAX} characters or fewer", field="title")
    if len(details.description) > DESCRIPTION_MAX:
        raise DomainError(
            f"Description must be {DESCRIPTION_MAX:,} characters or fewer", field="description"
        )
    if len(details.accessibility) > ACCESSIBILITY_MAX:
        raise DomainError(
            f"Accessibility notes must be {ACCESSIBILITY_MAX:,} characters or fewer",
            field="accessibility",
        )
    camp_session.title = title
    camp_session.description = details.description.strip()
    camp_session.format = details.format
    camp_session.accessibility = details.accessibility.strip()


def _check_open(event: Event) -> None:
    if event.status == EventStatus.CANCELLED:
        raise Conflict(f"{event.name} has been cancelled: it takes no more pitches.")


def _add_hosts(session: Session, camp_session: CampSession, people: list[Person]) -> None:
    present = {h.person_id for h in camp_session.hosts}
    for person in people:
        if person.id not in present:
            camp_session.hosts.append(SessionHost(person_id=person.id))
            present.add(person.id)


def _join_queue(session: Session, camp_session: CampSession) -> None:
    """Give a new pitch the next place in its event's queue, under the grid lock.

    The lock makes places follow the order pitches arrive in on both databases (and bumps the
    grid version, so open grid editors show the new pitch); the unique constraint backs it.
    """
    lock_grid(session, camp_session.event_id)
    last = session.scalar(
        select(func.max(CampSession.queue_position)).where(
            CampSession.event_id == camp_session.event_id
        )
    )
    camp_session.queue_position = (last or 0) + 1


def pitch_session(
    session: Session,
    actor: Person,
    event: Event,
    details: PitchDetails,
    co_hosts: list[Person] | None = None,
) -> CampSession:
    """A ticket holder pitches a session; they host it, with any co-hosts."""
    if not can_pitch(actor, event):
        raise NotAllowed(f"You need a confirmed ticket for {event.name} to pitch a session.")
    _check_open(event)
    camp_session = CampSession(event_id=event.id, pitched_by_id=actor.id, entered_by_id=actor.id)
    _apply_pitch(camp_session, details)
    _join_queue(session, camp_session)
    session.add(camp_session)
    _add_hosts(session, camp_session, [actor, *(co_hosts or [])])
    session.flush()
    return camp_session


def queue_pitch(
    session: Session, actor: Person, event: Event, details: PitchDetails, host: Person | str
) -> CampSession:
    """An organiser or volunteer enters a pitch made on the day, for its host: an account, or
    the name of someone without one yet (linked to an account later)."""
    if not is_event_team(actor, event):
        raise NotAllowed("Only organisers and volunteers can enter pitches for others.")
    _check_open(event)
    camp_session = CampSession(event_id=event.id, entered_by_id=actor.id)
    _apply_pitch(camp_session, details)
    if isinstance(host, Person):
        camp_session.pitched_by_id = host.id
        camp_session.hosts.append(SessionHost(person_id=host.id))
    else:
        name = " ".join(host.split())
        if not name:
            raise NoSuchPerson("Enter the host's name or email address", field="host")
        if len(name) > HOST_NAME_MAX:
            raise DomainError(f"Host must be {HOST_NAME_MAX} characters or fewer", field="host")
        camp_session.hosts.append(SessionHost(name=name))
    _join_queue(session, camp_session)
    session.add(camp_session)
    session.flush()
    return camp_session


def update_pitch(session: Session, camp_session: CampSession, details: PitchDetails) -> None:
    """Change a pitch's title, description, format or accessibility notes."""
    if camp_session.is_withdrawn:
        raise Conflict("This session has been withdrawn: it can no longer be changed.")
    if camp_session.is_scheduled:
        lock_grid(session, camp_session.event_id)  # the title shows on the live grid
    _apply_pitch(camp_session, details)
    if session.is_modified(camp_session):
        camp_session.sequence += 1  # its calendar entry changes: this session's only
    session.flush()


def withdraw_session(session: Session, actor: Person, camp_session: CampSession) -> None:
    """Withdraw a pitch; on the grid it shows as cancelled."""
    if camp_session.is_withdrawn:
        raise Conflict("This session has already been withdrawn.")
    unschedule_session(session, actor, camp_session, None, kind=ChangeKind.CANCELLED)
    camp_session.status = SessionStatus.WITHDRAWN
    camp_session.sequence += 1
    session.flush()


def add_co_host(session: Session, camp_session: CampSession, query: str) -> Person:
    """Add a co-host found by name or email."""
    person = find_host(session, query)
    if any(h.person_id == person.id for h in camp_session.hosts):
        raise Conflict(f"{person.name} already hosts this session.", field="host")
    if camp_session.is_scheduled:
        lock_grid(session, camp_session.event_id)
    _add_hosts(session, camp_session, [person])
    camp_session.sequence += 1  # the calendar entry names its hosts
    session.flush()
    return person


def remove_co_host(session: Session, camp_session: CampSession, host_id: int) -> None:
    """Remove a host (by its host entry, with or without an account); a session keeps one."""
    host = next((h for h in camp_session.hosts if h.id == host_id), None)
    if host is None:
        raise DomainError("That person does not host this session.")
    if len(camp_session.hosts) == 1:
        raise Conflict("A session needs at least one host.")
    if camp_session.is_scheduled:
        lock_grid(session, camp_session.event_id)
    camp_session.hosts.remove(host)
    camp_session.sequence += 1
    session.flush()


def pitches_of(
    session: Session, event: Event, *, include_withdrawn: bool = False
) -> list[CampSession]:
    """The event's pitched sessions, newest first."""
    query = select(CampSession).where(CampSession.event_id == event.id)
    if not include_withdrawn:
        query = query.where(CampSession.status == SessionStatus.PITCHED)
    return list(
        session.scalars(query.order_by(CampSession.created_at.desc(), CampSession.id.desc()))
    )


def pitch_queue(session: Session, event: Event) -> list[CampSession]:
    """The event's live pitches in the order they were made or queued, first first."""
    return list(
        session.scalars(
            select(CampSession)
            .where(CampSession.event_id == event.id, CampSession.status == SessionStatus.PITCHED)
            .order_by(*QUEUE_ORDER)
            .options(
                selectinload(CampSession.hosts).joinedload(SessionHost.person),
                joinedload(CampSession.room),
                joinedload(CampSession.slot),
            )
        )
    )


def sessions_hosted_by(session: Session, person: Person, event: Event) -> list[CampSession]:
    """The person's own pitches at an event (withdrawn ones too)."""
    return list(
        session.scalars(
            select(CampSession)
            .outerjoin(SessionHost, SessionHost.camp_session_id == CampSession.id)
            .where(
                CampSession.event_id == event.id,
                or_(CampSession.pitched_by_id == person.id, SessionHost.person_id == person.id),
            )
            .distinct()
            .order_by(CampSession.created_at)
        )
    )


# --- stars, notes, flags -----------------------------------------------------------------------


def star_session(session: Session, actor: Person, camp_session: CampSession) -> bool:
    """Star a session ("I'd go to this"); False when it was starred already."""
    if not can_star(actor, camp_session.event):
        raise NotAllowed("Stars are for people with a ticket to this event.")
    if camp_session.is_withdrawn:
        raise Conflict("This session has been withdrawn.")
    exists = session.scalar(
        select(Star.id).where(Star.camp_session_id == camp_session.id, Star.person_id == actor.id)
    )
    if exists is not None:
        return False
    session.add(Star(camp_session_id=camp_session.id, person_id=actor.id))
    session.flush()
    return True


def unstar_session(session: Session, actor: Person, camp_session: CampSession) -> None:
    """Take a star back."""
    session.execute(
        delete(Star).where(Star.camp_session_id == camp_session.id, Star.person_id == actor.id)
    )
    session.flush()


def starred_ids(session: Session, actor: Person, event: Event) -> set[int]:
    """Which of the event's sessions this person starred."""
    return set(
        session.scalars(
            select(Star.camp_session_id)
            .join(CampSession, CampSession.id == Star.camp_session_id)
            .where(Star.person_id == actor.id, CampSession.event_id == event.id)
        )
    )


def agenda(session: Session, actor: Person, event: Event) -> list[CampSession]:
    """A person's starred sessions: scheduled ones by time, then the rest."""
    sessions = list(
        session.scalars(
            select(CampSession)
            .join(Star, Star.camp_session_id == CampSession.id)
            .outerjoin(TimeSlot, TimeSlot.id == CampSession.slot_id)
            .where(
                Star.person_id == actor.id,
                CampSession.event_id == event.id,
                CampSession.status == SessionStatus.PITCHED,
            )
            .order_by(TimeSlot.starts_at.is_(None), TimeSlot.starts_at, CampSession.title)
        )
    )
    return sessions


def set_notes_url(session: Session, camp_session: CampSession, url: str) -> None:
    """Link the session's shared notes (http or https only); empty removes the link."""
    url = url.strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise DomainError(
                "Enter a web address starting with https:// or http://", field="notes_url"
            )
        if len(url) > NOTES_URL_MAX:
            raise DomainError(
                f"The web address must be {NOTES_URL_MAX} characters or fewer", field="notes_url"
            )
    camp_session.notes_url = url
    session.flush()


def set_took_place(session: Session, camp_session: CampSession, value: bool | None) -> None:
    """Say whether the session took place; None goes back to the rule (scheduled and over)."""
    if camp_session.is_withdrawn and value:
        raise Conflict("A withdrawn session did not take place.")
    camp_session.took_place_override = value
    session.flush()


def flag_room_full(session: Session, actor: Person, camp_session: CampSession) -> None:
    """Mark the session's room as full; the grid and big screen point people elsewhere."""
    if not camp_session.is_scheduled:
        raise Conflict("This session is not on the grid, so it has no room to be full.")
    lock_grid(session, camp_session.event_id)
    exists = session.scalar(
        select(RoomFullFlag.id).where(RoomFullFlag.camp_session_id == camp_session.id)
    )
    if exists is None:
        session.add(RoomFullFlag(camp_session_id=camp_session.id, flagged_by_id=actor.id))
    session.flush()


def clear_room_full(session: Session, camp_session: CampSession) -> None:
    """The room has space again."""
    lock_grid(session, camp_session.event_id)
    session.execute(delete(RoomFullFlag).where(RoomFullFlag.camp_session_id == camp_session.id))
    session.flush()


def is_room_full(session: Session, camp_session: CampSession) -> bool:
    """Whether the session's room is flagged full."""
    flag = session.scalar(
        select(RoomFullFlag.id).where(RoomFullFlag.camp_session_id == camp_session.id)
    )
    return flag is not None


def where_and_when(camp_session: CampSession) -> str:
    """Room and time in the event's timezone, for pages and messages."""
    return cell_label(camp_session.slot, camp_session.room, camp_session.event.tz)
