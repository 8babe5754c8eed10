"""Stored participation facts match the evidence derived on read, and are never behind it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from lgcamp.checkin.models import CheckIn
from lgcamp.events.models import Event, EventRoleName, EventStatus
from lgcamp.extensions import db
from lgcamp.participation import facts, merge, people, reports
from lgcamp.participation.evidence import evidence_union
from lgcamp.participation.models import ParticipationFact, ParticipationStaleEvent
from lgcamp.programme.models import CampSession, SessionStatus
from lgcamp.tickets.models import Booking
from tests.factories import (
    make_attendance,
    make_booking,
    make_camp_session,
    make_check_in,
    make_event,
    make_person,
    make_role,
    make_room,
    make_slot,
    make_ticket_type,
)

pytestmark = pytest.mark.usefixtures("app")

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _derived(now: datetime) -> set[tuple[int, int, str, str, int]]:
    union = evidence_union(now).subquery()
    rows = db.session.execute(
        select(union.c.person_id, union.c.event_id, union.c.kind, union.c.source, union.c.source_id)
    )
    return {tuple(r) for r in rows}  # type: ignore[misc]


def _stored(now: datetime) -> set[tuple[int, int, str, str, int]]:
    f = ParticipationFact
    rows = db.session.execute(
        select(f.person_id, f.event_id, f.kind, f.source, f.source_id).where(facts.counts_by(now))
    )
    return {tuple(r) for r in rows}  # type: ignore[misc]


def _stale() -> set[int]:
    return set(db.session.scalars(select(ParticipationStaleEvent.event_id)))


def _years(now: datetime = NOW) -> list[tuple[int, int, int, int, int]]:
    return [
        (r.year, r.events, r.participants, r.returning, r.organisations)
        for r in reports.year_reports(db.session, now)
    ]


def _network() -> tuple[Event, Event, Event]:
    """Every kind of evidence, some of it counting only later, some never."""
    old = make_event("Camp 2025", starts_at=datetime(2025, 6, 14, 9, tzinfo=UTC))
    camp = make_event("Camp 2026", starts_at=datetime(2026, 10, 31, 9, tzinfo=UTC))
    soon = make_event("Camp 2027", starts_at=datetime(2027, 3, 1, 9, tzinfo=UTC))
    a, b, c = (make_person(organisation=f"Council {n}") for n in range(3))
    make_attendance(old, a)
    make_attendance(camp, a)
    undone = make_attendance(camp, b)
    undone.undone_at = NOW
    make_check_in(make_booking(make_ticket_type(soon), c), scanned_at=NOW, by=b)  # scans: b
    room = make_room(camp)
    make_camp_session(camp, c, slot=make_slot(camp, 60), room=room)  # held by the rule
    make_camp_session(camp, b, took_place_override=True)  # marked as held
    make_camp_session(camp, a, slot=make_slot(camp, 60 * 24 * 5), room=room)  # ends next week
    withdrawn_slot, other_room = make_slot(camp, 120), make_room(camp)
    make_camp_session(camp, b, slot=withdrawn_slot, room=other_room, status=SessionStatus.WITHDRAWN)
    make_camp_session(camp, a, slot=make_slot(camp, 180), room=room, took_place_override=False)
    make_role(camp, c, EventRoleName.ORGANISER)
    make_role(soon, a, EventRoleName.VOLUNTEER)  # counts once Camp 2027 starts
    make_role(make_event("Draft", status=EventStatus.DRAFT, starts_at=old.starts_at), b,
              EventRoleName.ORGANISER)  # fmt: skip
    db.session.commit()
    return old, camp, soon


def test_stored_facts_match_the_evidence_derived_on_read_at_any_time() -> None:
    _network()
    live = _years()
    assert _stale()  # nothing stored yet: reports read the records
    assert facts.refresh_stale(db.session) >= 3
    assert _stale() == set()
    for now in (NOW, NOW + timedelta(days=7), datetime(2027, 3, 2, tzinfo=UTC)):
        assert _stored(now) == _derived(now), now
    assert _years() == live
    assert _years(datetime(2027, 3, 2, tzinfo=UTC))[-1][2] == 3  # a: role, b: scans, c: came
    facts.rebuild_all(db.session)
    assert _stored(NOW) == _derived(NOW)


@pytest.mark.parametrize(
    "change",
    [
        "undo check-in",
        "booking changes hands",
        "new role",
        "session withdrawn",
        "event moved",
        "organisation changed",
    ],
)
def test_any_change_to_a_record_marks_its_event_stale_and_reports_stay_exact(
    change: str,
) -> None:
    old, camp, _soon = _network()
    facts.refresh_stale(db.session)
    check_in = db.session.scalars(select(CheckIn).where(CheckIn.event_id == camp.id)).first()
    assert check_in is not None
    if change == "undo check-in":
        db.session.execute(update(CheckIn).where(CheckIn.id == check_in.id).values(undone_at=NOW))
    elif change == "booking changes hands":
        booking = db.session.get(Booking, check_in.booking_id)
        assert booking is not None
        booking.person_id = make_person().id
    elif change == "new role":
        make_role(camp, make_person(), EventRoleName.VOLUNTEER)
    elif change == "session withdrawn":
        db.session.execute(
            update(CampSession)
            .where(CampSession.event_id == camp.id)
            .values(status=SessionStatus.WITHDRAWN)
        )
    elif change == "event moved":
        camp.starts_at = datetime(2024, 5, 1, 9, tzinfo=UTC)
    else:
        booking = db.session.get(Booking, check_in.booking_id)
        assert booking is not None and booking.person.organisation
        booking.person.organisation = " NEW council "
    db.session.commit()
    # A new organisation: every event with a fact about the person (here also a future role).
    if change == "organisation changed":
        assert _stale() >= {old.id, camp.id}
    else:
        assert _stale() == {camp.id}
    exact = _years()
    assert _stored(NOW) != _derived(NOW) or change in ("event moved", "organisation changed")
    facts.refresh_stale(db.session)
    assert _stored(NOW) == _derived(NOW)
    assert _years() == exact


def test_merges_and_deletions_keep_the_stored_facts_right() -> None:
    old, camp, _soon = _network()
    facts.refresh_stale(db.session)
    kept, duplicate = make_person(), make_person()
    make_attendance(old, kept)
    make_attendance(camp, duplicate)
    facts.refresh_stale(db.session)
    merge.merge_people(db.session, make_person(is_admin=True), kept, duplicate, NOW)
    db.session.commit()
    assert camp.id in _stale()
    assert (2026, 1, 4, 2, 4) in _years()  # kept returns in 2026 through the merged check-in
    facts.refresh_stale(db.session)
    assert _stored(NOW) == _derived(NOW)
    people.delete_account(db.session, kept, NOW)
    db.session.commit()
    facts.refresh_stale(db.session)
    assert _stored(NOW) == _derived(NOW)
    db.session.delete(camp)
    db.session.commit()
    assert _stored(NOW) == _derived(NOW)


def test_tick_refreshes_stale_events(runner: object) -> None:
    _network()
    result = runner.invoke(args=["tick"])  # type: ignore[attr-defined]
    # Camp 2025 has only check-ins, whose facts the trigger added: never stale.
    assert "refreshed participation facts of 3 event(s)" in result.output
    assert _stale() == set() and _stored(NOW) == _derived(NOW)


def test_a_new_check_in_adds_its_fact_without_making_the_event_stale() -> None:
    _old, camp, _soon = _network()
    facts.refresh_stale(db.session)
    make_attendance(camp, make_person())
    assert _stale() == set()
    assert _stored(NOW) == _derived(NOW)
