"""Programme services: rooms, slots, pitches, stars, flags, placement, conflicts and undo."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError, NotAllowed
from lgcamp.extensions import db
from lgcamp.programme import cohosts, grid, layout, live, planning, service
from lgcamp.programme.models import (
    CampSession,
    ChangeKind,
    GridChange,
    RoomFullFlag,
    SessionStatus,
    SlotKind,
)
from tests.factories import (
    make_camp_session,
    make_event,
    make_person,
    make_room,
    make_slot,
    make_ticket_holder,
    make_volunteer,
)

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def setup():  # type: ignore[no-untyped-def]
    """An event with an organiser, two rooms, two session slots and a break."""
    organiser = make_person("Olu Organiser")
    event = make_event(organisers=(organiser,))
    room_a = make_room(event, "Room A", capacity=2)
    room_b = make_room(event, "Room B", capacity=40)
    slot1 = make_slot(event, 60)
    slot2 = make_slot(event, 120)
    brk = make_slot(event, 105, 15, SlotKind.BREAK)
    return organiser, event, room_a, room_b, slot1, slot2, brk


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_default_day_has_pitching_five_session_slots_lunch_and_rooms() -> None:
    event = make_event()
    slots = planning.create_default_day(db.session, event)
    db.session.commit()
    kinds = [s.kind for s in slots]
    assert kinds[0] == SlotKind.PITCHING
    assert kinds.count(SlotKind.SESSION) == 5
    assert SlotKind.LUNCH in kinds
    assert slots[0].starts_at == event.starts_at
    assert all(a.ends_at <= b.starts_at for a, b in itertools.pairwise(slots))
    assert len(planning.active_rooms(db.session, event)) == 4
    with pytest.raises(Conflict):
        planning.create_default_day(db.session, event)


def test_overlapping_slot_and_end_before_start_are_refused(setup) -> None:  # type: ignore[no-untyped-def]
    _o, event, *_rest, slot1, _slot2, _brk = setup
    with pytest.raises(Conflict, match="overlaps"):
        planning.add_slot(
            db.session,
            event,
            slot1.starts_at + timedelta(minutes=10),
            slot1.ends_at,
            SlotKind.SESSION,
        )
    db.session.rollback()
    with pytest.raises(DomainError, match="end must be after"):
        planning.add_slot(db.session, event, slot1.ends_at, slot1.starts_at, SlotKind.SESSION)


def test_pitching_needs_a_ticket() -> None:
    event = make_event()
    stranger = make_person()
    with pytest.raises(NotAllowed, match="ticket"):
        service.pitch_session(db.session, stranger, event, service.PitchDetails("Open data"))
    db.session.rollback()
    assert _count(CampSession) == 0


def test_ticket_holder_pitches_with_co_hosts_by_name_and_email() -> None:
    event = make_event()
    pitcher = make_ticket_holder(event)
    by_name = make_person("Grace Hughes")
    by_email = make_person(email="kwame@example.org")
    co_hosts = cohosts.split_co_hosts(db.session, "grace hughes, KWAME@example.org")
    assert co_hosts.emails == ["kwame@example.org"]  # invited, not added (cohosts tests)
    camp_session = service.pitch_session(
        db.session,
        pitcher,
        event,
        service.PitchDetails("  Open   data  ", "<script>alert(1)</script>"),
        co_hosts.people,
    )
    db.session.commit()
    assert camp_session.title == "Open data"
    assert {h.person_id for h in camp_session.hosts} == {pitcher.id, by_name.id}
    assert by_email.id not in {h.person_id for h in camp_session.hosts}


def test_ambiguous_or_unknown_co_host_is_refused_clearly() -> None:
    make_person("Sam Jones")
    make_person("Sam Jones")
    with pytest.raises(DomainError, match="More than one person is called Sam Jones"):
        cohosts.split_co_hosts(db.session, "Sam Jones")
    with pytest.raises(DomainError, match="No one called Nobody Here"):
        cohosts.split_co_hosts(db.session, "Nobody Here")


@pytest.mark.parametrize(
    ("title", "message"), [("", "Enter a title"), ("   ", "Enter a title"), ("x" * 121, "120")]
)
def test_empty_or_overlong_title_is_refused(title: str, message: str) -> None:
    event = make_event()
    pitcher = make_ticket_holder(event)
    with pytest.raises(DomainError, match=message) as raised:
        service.pitch_session(db.session, pitcher, event, service.PitchDetails(title))
    assert raised.value.field == "title"


def test_volunteer_queues_a_pitch_for_a_host() -> None:
    event = make_event()
    volunteer = make_volunteer(event)
    host = make_person("Priya Patel")
    camp_session = service.queue_pitch(
        db.session, volunteer, event, service.PitchDetails("Agile in councils"), host
    )
    db.session.commit()
    assert camp_session.pitched_by_id == host.id
    assert camp_session.entered_by_id == volunteer.id
    with pytest.raises(NotAllowed):
        service.queue_pitch(db.session, make_person(), event, service.PitchDetails("x"), host)


def test_place_logs_bumps_versions_and_refuses_stale_version(setup) -> None:  # type: ignore[no-untyped-def]
    organiser, event, room_a, room_b, slot1, slot2, _brk = setup
    camp_session = make_camp_session(event)
    before = live.grid_version(db.session, event.id)
    grid.place_session(db.session, organiser, camp_session, slot1.id, room_a.id, 1)
    db.session.commit()
    assert (camp_session.slot_id, camp_session.room_id, camp_session.version) == (
        slot1.id,
        room_a.id,
        2,
    )
    assert live.grid_version(db.session, event.id) > before
    change = db.session.scalar(select(GridChange))
    assert change is not None
    assert (change.kind, change.actor_id, change.to_room_id) == (
        ChangeKind.PLACED,
        organiser.id,
        room_a.id,
    )
    assert change.from_label == "not on the grid"
    assert change.to_label.startswith("Room A, ")
    # A second organiser still looking at version 1 must not silently move it back.
    with pytest.raises(grid.StaleSession, match="changed by someone else"):
        grid.place_session(db.session, organiser, camp_session, slot2.id, room_b.id, 1)
    db.session.rollback()
    assert (camp_session.slot_id, camp_session.room_id) == (slot1.id, room_a.id)
    assert _count(GridChange) == 1


def test_break_slot_and_removed_room_are_refused(setup) -> None:  # type: ignore[no-untyped-def]
    organiser, event, room_a, room_b, slot1, _slot2, brk = setup
    camp_session = make_camp_session(event)
    with pytest.raises(grid.NotPlaceable, match="break slot"):
        grid.place_session(db.session, organiser, camp_session, brk.id, room_a.id, 1)
    db.session.rollback()
    planning.remove_room(db.session, organiser, room_b)
    db.session.commit()
    with pytest.raises(grid.NotPlaceable, match="Room B has been removed"):
        grid.place_session(db.session, organiser, camp_session, slot1.id, room_b.id, 1)
    db.session.rollback()
    assert camp_session.slot_id is None


def test_taken_cell_is_refused_unless_swapping_and_swap_undoes_as_one(setup) -> None:  # type: ignore[no-untyped-def]
    organiser, event, room_a, room_b, slot1, _slot2, _brk = setup
    first = make_camp_session(event, title="First", slot=slot1, room=room_a)
    second = make_camp_session(event, title="Second", slot=slot1, room=room_b)
    with pytest.raises(grid.CellTaken, match="already has “First”"):
        grid.place_session(db.session, organiser, second, slot1.id, room_a.id, 1)
    db.session.rollback()
    grid.place_session(db.session, organiser, second, slot1.id, room_a.id, 1, swap=True)
    db.session.commit()
    assert (first.room_id, second.room_id) == (room_b.id, room_a.id)
    changes = list(db.session.scalars(select(GridChange)))
    assert len(changes) == 2 and len({c.batch for c in changes}) == 1
    grid.undo_change(db.session, organiser, changes[0])
    db.session.commit()
    assert (first.room_id, second.room_id) == (room_a.id, room_b.id)
    assert all(c.undone_at is not None for c in changes)
    with pytest.raises(Conflict, match="already been undone"):
        grid.undo_change(db.session, organiser, changes[0])


def test_undo_is_refused_when_the_session_moved_since(setup) -> None:  # type: ignore[no-untyped-def]
    organiser, event, room_a, room_b, slot1, slot2, _brk = setup
    camp_session = make_camp_session(event)
    grid.place_session(db.session, organiser, camp_session, slot1.id, room_a.id, 1)
    grid.place_session(db.session, organiser, camp_session, slot2.id, room_b.id, 2)
    db.session.commit()
    first, second = db.session.scalars(select(GridChange).order_by(GridChange.id))
    with pytest.raises(grid.StaleSession, match="moved again"):
        grid.undo_change(db.session, organiser, first)
    db.session.rollback()
    grid.undo_change(db.session, organiser, second)
    db.session.commit()
    assert (camp_session.slot_id, camp_session.room_id) == (slot1.id, room_a.id)
    grid.undo_change(db.session, organiser, first)
    db.session.commit()
    assert camp_session.slot_id is None
    kinds = [c.kind for c in db.session.scalars(select(GridChange).order_by(GridChange.id))]
    assert kinds == [ChangeKind.PLACED, ChangeKind.MOVED, ChangeKind.UNDONE, ChangeKind.UNDONE]


def test_warnings_for_double_booked_host_and_too_many_stars(setup) -> None:  # type: ignore[no-untyped-def]
    organiser, event, room_a, room_b, slot1, _slot2, _brk = setup
    host = make_person("Busy Host")
    make_camp_session(event, host, "Already here", slot=slot1, room=room_b)
    camp_session = make_camp_session(event, host, "Popular")
    for _ in range(3):
        service.star_session(db.session, make_ticket_holder(event), camp_session)
    warnings = grid.place_session(db.session, organiser, camp_session, slot1.id, room_a.id, 1)
    db.session.commit()
    assert any("3 stars but Room A seats 2" in w for w in warnings)
    assert any("Busy Host hosts both" in w for w in warnings)
    loaded = layout.load_grid(db.session, event, with_warnings=True, with_unscheduled=True)
    assert loaded.warnings[camp_session.id]


def test_withdrawing_a_placed_session_cancels_it_on_the_grid(setup) -> None:  # type: ignore[no-untyped-def]
    organiser, event, room_a, _b, slot1, _slot2, _brk = setup
    camp_session = make_camp_session(event, slot=slot1, room=room_a)
    service.withdraw_session(db.session, organiser, camp_session)
    db.session.commit()
    assert camp_session.status == SessionStatus.WITHDRAWN
    assert camp_session.slot_id is None
    change = db.session.scalar(select(GridChange))
    assert change is not None and change.kind == ChangeKind.CANCELLED
    with pytest.raises(Conflict):
        grid.place_session(db.session, organiser, camp_session, slot1.id, room_a.id, None)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org/x", "notes", "data:text/html,hi", "https://"]
)
def test_notes_link_must_be_http(url: str) -> None:
    camp_session = make_camp_session(make_event())
    with pytest.raises(DomainError, match="https://"):
        service.set_notes_url(db.session, camp_session, url)
    assert camp_session.notes_url == ""


def test_notes_link_and_took_place_rule(setup) -> None:  # type: ignore[no-untyped-def]
    _o, event, room_a, _b, slot1, _slot2, _brk = setup
    camp_session = make_camp_session(event, slot=slot1, room=room_a)
    service.set_notes_url(db.session, camp_session, "https://docs.example.org/notes")
    assert camp_session.notes_url == "https://docs.example.org/notes"
    assert not camp_session.took_place(utcnow())
    assert camp_session.took_place(slot1.ends_at)
    service.set_took_place(db.session, camp_session, False)
    assert not camp_session.took_place(slot1.ends_at)
    unplaced = make_camp_session(event)
    assert not unplaced.took_place(slot1.ends_at)
    service.set_took_place(db.session, unplaced, True)
    assert unplaced.took_place(utcnow())


def test_stars_need_a_ticket_and_make_an_agenda(setup) -> None:  # type: ignore[no-untyped-def]
    _o, event, room_a, _b, slot1, slot2, _brk = setup
    early = make_camp_session(event, title="Early", slot=slot1, room=room_a)
    late = make_camp_session(event, title="Late", slot=slot2, room=room_a)
    fan = make_ticket_holder(event)
    assert service.star_session(db.session, fan, late)
    assert service.star_session(db.session, fan, early)
    assert not service.star_session(db.session, fan, early)
    db.session.commit()
    assert [s.title for s in service.agenda(db.session, fan, event)] == ["Early", "Late"]
    with pytest.raises(NotAllowed):
        service.star_session(db.session, make_person(), early)


def test_room_full_flag_shows_and_clears_when_the_session_moves(setup) -> None:  # type: ignore[no-untyped-def]
    organiser, event, room_a, room_b, slot1, slot2, _brk = setup
    full = make_camp_session(event, title="Packed", slot=slot1, room=room_a)
    spare = make_camp_session(event, title="Space", slot=slot1, room=room_b)
    version = live.grid_version(db.session, event.id)
    service.flag_room_full(db.session, make_volunteer(event), full)
    db.session.commit()
    assert live.grid_version(db.session, event.id) > version
    loaded = layout.load_grid(db.session, event)
    assert loaded.full == {full.id}
    assert [s.title for _r, s in loaded.with_space(slot1)] == [spare.title]
    grid.place_session(db.session, organiser, full, slot2.id, room_b.id, full.version)
    db.session.commit()
    assert _count(RoomFullFlag) == 0


def test_live_state_etag_changes_with_the_grid_and_the_clock(setup) -> None:  # type: ignore[no-untyped-def]
    organiser, event, room_a, _b, slot1, _slot2, _brk = setup
    camp_session = make_camp_session(event)
    state = live.live_state(db.session, event.slug, utcnow())
    assert state is not None
    grid.place_session(db.session, organiser, camp_session, slot1.id, room_a.id, 1)
    db.session.commit()
    moved = live.live_state(db.session, event.slug, utcnow())
    assert moved is not None and moved.tag("grid") != state.tag("grid")
    service.star_session(db.session, make_ticket_holder(event), camp_session)
    db.session.commit()
    starred = live.live_state(db.session, event.slug, utcnow())
    assert starred is not None and starred.tag("grid") == moved.tag("grid")
    later = live.live_state(db.session, event.slug, slot1.starts_at)
    assert later is not None and later.tag("grid") != moved.tag("grid")
    assert live.live_state(db.session, "no-such-event", utcnow()) is None


def test_removing_a_room_unschedules_its_sessions_and_slot_rules(setup) -> None:  # type: ignore[no-untyped-def]
    organiser, event, room_a, _b, slot1, _slot2, _brk = setup
    camp_session = make_camp_session(event, slot=slot1, room=room_a)
    with pytest.raises(Conflict, match="move them out"):
        planning.update_slot(
            db.session, slot1, slot1.starts_at, slot1.ends_at, SlotKind.LUNCH, "Lunch"
        )
    db.session.rollback()
    with pytest.raises(Conflict, match="move or unschedule"):
        planning.remove_slot(db.session, slot1)
    db.session.rollback()
    assert planning.remove_room(db.session, organiser, room_a) == 1
    db.session.commit()
    assert camp_session.slot_id is None and room_a.is_deleted
    planning.remove_slot(db.session, slot1)
    db.session.commit()


def test_co_host_add_and_remove_keeps_one_host() -> None:
    event = make_event()
    host = make_person()
    camp_session = make_camp_session(event, host)
    other = make_person("Zara Lewis")
    service.add_co_host(db.session, camp_session, "Zara Lewis")
    with pytest.raises(Conflict, match="already hosts"):
        service.add_co_host(db.session, camp_session, "zara lewis")
    entries = {h.person_id: h.id for h in camp_session.hosts}
    service.remove_co_host(db.session, camp_session, entries[other.id])
    with pytest.raises(Conflict, match="at least one host"):
        service.remove_co_host(db.session, camp_session, entries[host.id])


def test_database_refuses_two_sessions_in_one_cell(setup) -> None:  # type: ignore[no-untyped-def]
    _o, event, room_a, _b, slot1, _slot2, _brk = setup
    make_camp_session(event, slot=slot1, room=room_a)
    with pytest.raises(IntegrityError):
        make_camp_session(event, slot=slot1, room=room_a)
    db.session.rollback()
    with pytest.raises(IntegrityError):  # a slot without a room (or the reverse) is refused too
        make_camp_session(event, slot=slot1)
