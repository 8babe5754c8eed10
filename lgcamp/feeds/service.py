"""What goes in each calendar feed, the validators (ETag, Last-Modified) that let polling
clients get a 304 before any feed is built (one query each), and personal feed tokens."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventStatus
from lgcamp.feeds.ical import Item, event_item, session_item
from lgcamp.feeds.models import FeedToken, hash_feed_token
from lgcamp.programme.models import (
    CampSession,
    GridChange,
    ProgrammeState,
    Room,
    SessionHost,
    Star,
    TimeSlot,
)
from lgcamp.tickets.models import Booking, BookingStatus

# Cancelled events and withdrawn or unscheduled sessions stay in feeds this long, marked
# STATUS:CANCELLED, so that subscribed calendars remove them rather than keep a stale copy.
CANCELLED_KEPT = timedelta(days=30)
# Part of every ETag: raise it when the feed format changes, so clients fetch the new one.
FEED_FORMAT = 1
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass(frozen=True)
class Validator:
    """A feed's ETag and Last-Modified, computed from one query before the feed is built."""

    etag: str
    last_modified: datetime | None


def _validator(kind: str, parts: Sequence[object], now: datetime) -> Validator:
    # The day is part of the tag: cancelled items leave the feed after 30 days without any
    # row changing, so a cached copy is worth at most a day.
    key = repr((FEED_FORMAT, kind, now.date().isoformat(), *parts)).encode()
    stamps = [p for p in parts if isinstance(p, datetime)]
    digest = hashlib.sha256(key).hexdigest()[:32]
    return Validator(f"{kind}-{digest}", max(stamps) if stamps else None)


def _as_aware(moment: datetime | None) -> datetime | None:
    # Aggregates (max) come back without the column type on SQLite: naive UTC text.
    if moment is None or (isinstance(moment, datetime) and moment.tzinfo is not None):
        return moment
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=utcnow().tzinfo)


def _in_feeds(now: datetime) -> ColumnElement[bool]:
    """Published events, and events cancelled in the last 30 days; never drafts."""
    return or_(
        Event.status == EventStatus.PUBLISHED,
        and_(Event.status == EventStatus.CANCELLED, Event.updated_at >= now - CANCELLED_KEPT),
    )


# --- the network feed --------------------------------------------------------------------------


# Both answers come from an index (the primary key, and ix_event_updated_at, declared in
# feeds/models.py), so the cost does not grow with the number of events. Drafts count too:
# editing one costs subscribers a refetch, while publishing, changing or cancelling an event
# always moves max(updated_at) or max(id). Cancelled events leave the feed after 30 days; the
# day in the ETag picks that up.
_NETWORK_STATE = select(func.max(Event.id), func.max(Event.updated_at))


def network_validator(session: Session, now: datetime) -> Validator:
    """One indexed query: the newest event and the latest change to any event."""
    newest, latest = session.execute(_NETWORK_STATE).one()
    return _validator("network", (newest, _as_aware(latest)), now)


def network_items(session: Session, now: datetime) -> list[Item]:
    """Every published event of the network (LocalGovCamp, fringe, #NotWestminster)."""
    rows = session.execute(
        select(Event.__table__).where(_in_feeds(now)).order_by(Event.starts_at, Event.id)
    )
    base_url = current_app.config["BASE_URL"]
    return [event_item(row, base_url=base_url) for row in rows]


# --- one event, with or without its sessions ---------------------------------------------------


@dataclass(frozen=True)
class EventHead:
    """What the event feed's validator needs: found by slug, drafts left out by the caller."""

    event_id: int
    status: EventStatus
    validator: Validator


_SESSIONS = select(func.count(CampSession.id), func.max(CampSession.updated_at)).where(
    CampSession.event_id == Event.id
)
_EVENT_STATE = (
    select(
        Event.id,
        Event.status,
        Event.sequence,
        Event.updated_at,
        ProgrammeState.grid_version,
        ProgrammeState.updated_at,
        _SESSIONS.with_only_columns(func.count(CampSession.id)).scalar_subquery(),
        _SESSIONS.with_only_columns(func.max(CampSession.updated_at)).scalar_subquery(),
    )
    .outerjoin(ProgrammeState, ProgrammeState.event_id == Event.id)
    .where(Event.slug == bindparam("slug"))
)


def event_head(
    session: Session, slug: str, now: datetime, *, with_sessions: bool
) -> EventHead | None:
    """The event feed's validator from one query, or None if there is no such event."""
    row = session.execute(_EVENT_STATE, {"slug": slug}).one_or_none()
    if row is None:
        return None
    event_id, status, sequence, updated_at, grid_version, grid_at, count, latest = row
    parts: list[object] = [event_id, sequence, _as_aware(updated_at)]
    if with_sessions:
        parts += [grid_version or 0, _as_aware(grid_at), count, _as_aware(latest)]
    kind = "programme" if with_sessions else "event"
    return EventHead(event_id, EventStatus(status), _validator(kind, parts, now))


def _last_placements(
    session: Session, session_ids: list[int], now: datetime
) -> dict[int, GridChange]:
    """For sessions off the grid: the change that took each off it, if within 30 days."""
    if not session_ids:
        return {}
    changes = session.scalars(
        select(GridChange)
        .where(
            GridChange.camp_session_id.in_(session_ids),
            GridChange.created_at >= now - CANCELLED_KEPT,
            GridChange.from_slot_id.is_not(None),
            GridChange.to_slot_id.is_(None),
        )
        .order_by(GridChange.id)
    )
    return {change.camp_session_id: change for change in changes}  # the latest wins


def session_items(
    session: Session, camp_sessions: Sequence[CampSession], now: datetime
) -> list[Item]:
    """Scheduled sessions as confirmed items; withdrawn or unscheduled ones as cancelled items,
    at the time and room they last had, for 30 days after they left the grid.
    """
    off_grid = [cs.id for cs in camp_sessions if not cs.is_scheduled]
    last = _last_placements(session, off_grid, now)
    slots = {s.id: s for s in session.scalars(
        select(TimeSlot).where(TimeSlot.id.in_({c.from_slot_id for c in last.values()}))
    )} if last else {}  # fmt: skip
    rooms = {r.id: r for r in session.scalars(
        select(Room).where(Room.id.in_({c.from_room_id for c in last.values()}))
    )} if last else {}  # fmt: skip
    items = []
    for cs in camp_sessions:
        event = cs.event
        # The session's row changes (updated_at) whenever its sequence rises, so that one move
        # does not mark every session of the grid as modified.
        stamps = [cs.updated_at]
        if cs.is_scheduled:
            slot, room = cs.slot, cs.room
            cancelled = cs.is_withdrawn or event.status == EventStatus.CANCELLED
        elif (change := last.get(cs.id)) is not None and change.from_slot_id in slots:
            slot, room = slots[change.from_slot_id], rooms.get(change.from_room_id or 0)
            cancelled = True
            stamps.append(change.created_at)
        else:
            continue  # never on the grid, or off it for over 30 days: not in the feed
        if event.status == EventStatus.CANCELLED:
            stamps.append(event.updated_at)
        assert slot is not None
        items.append(
            session_item(
                cs,
                slot,
                room,
                # The session's own sequence, raised by the programme services that change
                # its time, room, title or hosts (a slot's new times included), so that one
                # move does not show every session of the grid as updated.
                sequence=event.sequence + cs.sequence,
                last_modified=max(stamps),
                cancelled=cancelled,
                host_names=[host.display_name for host in cs.hosts],
            )
        )
    return items


def _sessions_query() -> Select[CampSession]:
    return select(CampSession).options(
        joinedload(CampSession.event),
        joinedload(CampSession.slot),
        joinedload(CampSession.room),
        selectinload(CampSession.hosts).joinedload(SessionHost.person),
    )


def event_items(
    session: Session, event_id: int, now: datetime, *, with_sessions: bool
) -> list[Item]:
    """The event itself and, if asked, its sessions in time order."""
    event = session.get_one(Event, event_id)
    items = [event_item(event)]
    if with_sessions:
        camp_sessions = session.scalars(
            _sessions_query().where(CampSession.event_id == event_id).order_by(CampSession.id)
        ).unique()
        found = session_items(session, list(camp_sessions), now)
        items += sorted(found, key=lambda item: (item.starts_at, item.location))
    return items


def session_single_item(session: Session, camp_session: CampSession, now: datetime) -> Item | None:
    """One session's item for an "add to calendar" download (None while it has no time)."""
    found = session_items(session, [camp_session], now)
    return found[0] if found else None


# --- personal feeds ------------------------------------------------------------------------------


def person_for_token(session: Session, token: str) -> int | None:
    """The id of the person whose feed this token opens, or None (malformed, unknown, rotated)."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    return session.scalar(
        select(FeedToken.person_id).where(FeedToken.token_hash == hash_feed_token(token))
    )


def feed_token_of(session: Session, person: Person) -> FeedToken | None:
    """The person's feed token, if they have made one."""
    return session.get(FeedToken, person.id)


def rotate_feed_token(session: Session, person: Person) -> str:
    """Make the person's feed token, or replace it (the old address stops working)."""
    feed_token = session.get(FeedToken, person.id)
    if feed_token is None:
        feed_token = FeedToken(person_id=person.id)
        session.add(feed_token)
    token = feed_token.rotate()
    session.flush()
    return token


def _personal_state() -> Select[Any]:
    # The token's owner, as a subquery repeated in each part (a unique-index lookup each time):
    # an unknown or rotated token gives a row of NULLs, never anyone's data.
    person = (
        select(FeedToken.person_id)
        .where(FeedToken.token_hash == bindparam("token_hash"))
        .scalar_subquery()
    )
    confirmed = and_(Booking.person_id == person, Booking.status == BookingStatus.CONFIRMED)
    booked = select(Booking.event_id).where(confirmed)
    starred = select(Star.camp_session_id).where(Star.person_id == person)
    starred_events = select(CampSession.event_id).where(CampSession.id.in_(starred))
    return select(
        person,
        select(func.count(Booking.id)).where(confirmed).scalar_subquery(),
        select(func.max(Booking.updated_at)).where(confirmed).scalar_subquery(),
        select(func.count(Star.id)).where(Star.person_id == person).scalar_subquery(),
        select(func.max(Star.created_at)).where(Star.person_id == person).scalar_subquery(),
        select(func.max(Event.updated_at))
        .where(or_(Event.id.in_(booked), Event.id.in_(starred_events)))
        .scalar_subquery(),
        select(func.max(CampSession.updated_at))
        .where(CampSession.id.in_(starred))
        .scalar_subquery(),
        select(func.max(ProgrammeState.updated_at))
        .where(ProgrammeState.event_id.in_(starred_events))
        .scalar_subquery(),
    )


_PERSONAL_STATE = _personal_state()


def personal_head(session: Session, token: str, now: datetime) -> tuple[int, Validator] | None:
    """The feed's owner and its validator, from the token, in one query over the person's
    tickets, stars and what they point at; None for a malformed, unknown or rotated token."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    row = session.execute(_PERSONAL_STATE, {"token_hash": hash_feed_token(token)}).one()
    person_id = row[0]
    if person_id is None:
        return None
    parts = [person_id, *(v if isinstance(v, int) else _as_aware(v) for v in row[1:])]
    return person_id, _validator("personal", parts, now)


def personal_items(session: Session, person_id: int, now: datetime) -> list[Item]:
    """The person's booked events (confirmed tickets) and starred sessions; never drafts."""
    events = session.scalars(
        select(Event)
        .join(Booking, Booking.event_id == Event.id)
        .where(
            Booking.person_id == person_id,
            Booking.status == BookingStatus.CONFIRMED,
            _in_feeds(now),
        )
        .order_by(Event.starts_at, Event.id)
    )
    items = [event_item(event) for event in events]
    camp_sessions = session.scalars(
        _sessions_query()
        .join(Star, Star.camp_session_id == CampSession.id)
        .join(Event, Event.id == CampSession.event_id)
        .where(Star.person_id == person_id, _in_feeds(now))
        .order_by(CampSession.id)
    ).unique()
    found = session_items(session, list(camp_sessions), now)
    return items + sorted(found, key=lambda item: (item.starts_at, item.location))
