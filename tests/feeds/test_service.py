"""What goes in each feed, SEQUENCE and UID through moves, cancellations, validators, tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventStatus
from lgcamp.extensions import db
from lgcamp.feeds import service
from lgcamp.feeds.ical import event_uid, session_uid
from lgcamp.programme import grid, planning
from lgcamp.programme import service as programme
from lgcamp.programme.models import GridChange, SlotKind
from lgcamp.tickets.models import BookingStatus
from tests.factories import (
    make_booking,
    make_camp_session,
    make_event,
    make_person,
    make_room,
    make_slot,
    make_ticket_type,
)


@pytest.fixture
def camp(app: Any) -> dict[str, Any]:
    """An event with two rooms, two slots and a session placed in the first cell."""
    organiser = make_person("Olu Organiser")
    event = make_event("LocalGovCamp 2027", organisers=(organiser,), venue_name="Civic Hall")
    rooms = make_room(event, "Room A"), make_room(event, "Room B")
    slots = make_slot(event, 60), make_slot(event, 120)
    camp_session = make_camp_session(event, organiser, "Open data")
    grid.place_session(db.session, organiser, camp_session, slots[0].id, rooms[0].id, None)
    db.session.commit()
    return {
        "event": event,
        "organiser": organiser,
        "rooms": rooms,
        "slots": slots,
        "cs": camp_session,
    }


def _by_uid(items: list[Any]) -> dict[str, Any]:
    return {item.uid: item for item in items}


def _programme(event: Event) -> dict[str, Any]:
    return _by_uid(service.event_items(db.session, event.id, utcnow(), with_sessions=True))


def test_network_feed_has_published_and_recently_cancelled_events_never_drafts(app: Any) -> None:
    published = make_event(status=EventStatus.PUBLISHED)
    draft = make_event(status=EventStatus.DRAFT)
    cancelled = make_event(status=EventStatus.CANCELLED)
    old_cancelled = make_event(status=EventStatus.CANCELLED)
    db.session.execute(
        update(Event)
        .where(Event.id == old_cancelled.id)
        .values(updated_at=utcnow() - timedelta(days=31))
    )
    db.session.commit()
    items = _by_uid(service.network_items(db.session, utcnow()))
    assert set(items) == {event_uid(published), event_uid(cancelled)}
    assert items[event_uid(cancelled)].cancelled and not items[event_uid(published)].cancelled
    assert event_uid(draft) not in items


def test_moving_a_session_keeps_its_uid_and_raises_its_sequence(camp: dict[str, Any]) -> None:
    before = _programme(camp["event"])[session_uid(camp["cs"])]
    grid.place_session(
        db.session, camp["organiser"], camp["cs"], camp["slots"][1].id, camp["rooms"][1].id, None
    )
    db.session.commit()
    after = _programme(camp["event"])[session_uid(camp["cs"])]
    assert after.sequence > before.sequence
    assert after.starts_at == camp["slots"][1].starts_at
    assert after.location.startswith("Room B")
    assert after.last_modified >= before.last_modified


def test_changing_a_slots_time_raises_the_sequence_of_its_sessions(camp: dict[str, Any]) -> None:
    slot = camp["slots"][0]
    before = _programme(camp["event"])[session_uid(camp["cs"])]
    planning.update_slot(
        db.session, slot, slot.starts_at + timedelta(minutes=15),
        slot.ends_at + timedelta(minutes=15), SlotKind.SESSION,
    )  # fmt: skip
    db.session.commit()
    after = _programme(camp["event"])[session_uid(camp["cs"])]
    assert after.sequence > before.sequence
    assert after.starts_at == before.starts_at + timedelta(minutes=15)


def test_withdrawn_session_stays_as_cancelled_at_its_old_time_for_30_days(
    camp: dict[str, Any],
) -> None:
    before = _programme(camp["event"])[session_uid(camp["cs"])]
    programme.withdraw_session(db.session, camp["organiser"], camp["cs"])
    db.session.commit()
    item = _programme(camp["event"])[session_uid(camp["cs"])]
    assert item.cancelled
    assert item.sequence > before.sequence
    assert item.starts_at == camp["slots"][0].starts_at
    db.session.execute(update(GridChange).values(created_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    assert session_uid(camp["cs"]) not in _programme(camp["event"])


def test_unscheduled_session_is_cancelled_and_never_placed_ones_are_absent(
    camp: dict[str, Any],
) -> None:
    pitch = make_camp_session(camp["event"], title="Not placed yet")
    grid.unschedule_session(db.session, camp["organiser"], camp["cs"], None)
    db.session.commit()
    items = _programme(camp["event"])
    assert items[session_uid(camp["cs"])].cancelled
    assert session_uid(pitch) not in items


def test_cancelling_the_event_cancels_its_sessions_with_a_higher_sequence(
    camp: dict[str, Any],
) -> None:
    before = _programme(camp["event"])
    event = camp["event"]
    event.status, event.sequence, event.updated_at = (
        EventStatus.CANCELLED,
        event.sequence + 1,
        utcnow(),
    )
    db.session.commit()
    after = _programme(event)
    for uid in (event_uid(event), session_uid(camp["cs"])):
        assert after[uid].cancelled
        assert after[uid].sequence > before[uid].sequence


def test_personal_feed_has_confirmed_bookings_and_starred_sessions(camp: dict[str, Any]) -> None:
    person = make_person()
    other = make_event("Fringe")
    waitlisted = make_event("Waitlisted")
    draft = make_event("Draft", status=EventStatus.DRAFT)
    make_booking(make_ticket_type(camp["event"]), person)
    make_booking(make_ticket_type(draft), person)
    make_booking(make_ticket_type(waitlisted), person, status=BookingStatus.WAITLISTED)
    programme.star_session(db.session, person, camp["cs"])
    db.session.commit()
    items = _by_uid(service.personal_items(db.session, person.id, utcnow()))
    assert set(items) == {event_uid(camp["event"]), session_uid(camp["cs"])}
    assert event_uid(other) not in items


def test_validators_change_with_the_feed_and_only_then(camp: dict[str, Any]) -> None:
    now = utcnow()
    slug = camp["event"].slug
    first = service.event_head(db.session, slug, now, with_sessions=True)
    again = service.event_head(db.session, slug, now, with_sessions=True)
    network = service.network_validator(db.session, now)
    assert first is not None and again is not None
    assert first.validator == again.validator
    grid.place_session(
        db.session, camp["organiser"], camp["cs"], camp["slots"][1].id, camp["rooms"][0].id, None
    )
    db.session.commit()
    moved = service.event_head(db.session, slug, now, with_sessions=True)
    assert moved is not None and moved.validator.etag != first.validator.etag
    assert service.network_validator(db.session, now) == network  # events unchanged
    make_event("Another")
    assert service.network_validator(db.session, now).etag != network.etag


def test_feed_tokens_rotate_and_bad_tokens_find_nobody(app: Any) -> None:
    person = make_person()
    first = service.rotate_feed_token(db.session, person)
    db.session.commit()
    assert service.person_for_token(db.session, first) == person.id
    second = service.rotate_feed_token(db.session, person)
    db.session.commit()
    assert second != first and len(second) == 32
    assert service.person_for_token(db.session, second) == person.id
    assert service.person_for_token(db.session, first) is None
    for bad in ("", "x" * 32, "short", "../../etc/passwd", "é" * 32, first + "x"):
        assert service.person_for_token(db.session, bad) is None
    stored = service.feed_token_of(db.session, person)
    assert stored is not None and stored.token_hash != second


def test_a_sessions_sequence_rises_when_it_changes_not_when_others_move(
    camp: dict[str, Any],
) -> None:
    """Issue 14: session 6 reached SEQUENCE 32 without moving, because every move of the
    grid raised every session's SEQUENCE."""
    event, organiser, rooms, slots = camp["event"], camp["organiser"], camp["rooms"], camp["slots"]
    still = make_camp_session(event, organiser, "Never moves")
    grid.place_session(db.session, organiser, still, slots[1].id, rooms[1].id, None)
    db.session.commit()
    before = _programme(event)
    for target in (slots[1], slots[0], slots[1]):  # three moves of the other session
        room = rooms[0]
        grid.place_session(db.session, organiser, camp["cs"], target.id, room.id, None)
        db.session.commit()
    programme.add_co_host(db.session, camp["cs"], make_person("Co Host").email)
    db.session.commit()
    after = _programme(event)
    unchanged, moved = session_uid(still), session_uid(camp["cs"])
    assert after[unchanged].sequence == before[unchanged].sequence
    assert after[unchanged].last_modified == before[unchanged].last_modified
    assert after[moved].sequence == before[moved].sequence + 4
    # Renaming the session or its room raises its own sequence, nobody else's.
    programme.update_pitch(db.session, still, programme.PitchDetails(title="Renamed"))
    db.session.commit()
    planning.update_room(db.session, rooms[0], planning.RoomDetails(name="Room Z", capacity=30))
    db.session.commit()
    last = _programme(event)
    assert last[unchanged].sequence == before[unchanged].sequence + 1
    assert last[moved].sequence == after[moved].sequence + 1
    assert last[moved].location.startswith("Room Z")
