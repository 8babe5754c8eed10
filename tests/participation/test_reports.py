"""Report figures, merge and delete keeping them right, and no query per row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import event as sa_event

from lgcamp.events.models import Event, EventRoleName
from lgcamp.extensions import db
from lgcamp.participation import facts, merge, people, reports
from lgcamp.participation.evidence import person_record
from lgcamp.programme.models import SessionHost
from lgcamp.tickets.models import Booking, BookingStatus
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


def _at(year: int, month: int = 6) -> datetime:
    return datetime(year, month, 14, 9, 0, tzinfo=UTC)


def _event_report(event: Event) -> reports.EventReport:
    return reports.event_reports(db.session, [event], NOW)[0]


def _years() -> dict[int, tuple[int, int, int, int]]:
    """The per-year figures, the same from the records (stale events) and from stored facts."""

    def figures() -> dict[int, tuple[int, int, int, int]]:
        return {
            r.year: (r.events, r.participants, r.returning, r.organisations)
            for r in reports.year_reports(db.session, NOW)
        }

    from_records = figures()
    facts.refresh_stale(db.session)
    assert figures() == from_records
    return from_records


def test_per_event_figures() -> None:
    earlier = make_event("Camp 2025", starts_at=_at(2025))
    camp = make_event("Camp 2026", starts_at=_at(2026))
    ticket_type = make_ticket_type(camp)
    returner, newcomer, no_show, walker = (make_person() for _ in range(4))
    make_attendance(earlier, returner)
    make_attendance(camp, returner)
    make_attendance(camp, newcomer)
    make_booking(ticket_type, no_show)
    walk_in = make_booking(ticket_type, walker)
    walk_in.source = "walk_in"
    db.session.commit()
    make_check_in(walk_in, scanned_at=_at(2026))
    make_booking(ticket_type, make_person(), status=BookingStatus.RELEASED)  # not booked
    room, slot = make_room(camp), make_slot(camp, 60)
    make_camp_session(camp, returner, "Held", slot=slot, room=room, co_hosts=(newcomer,))
    make_camp_session(camp, no_show, "Never placed")

    r = _event_report(camp)
    assert (r.booked, r.attended, r.no_shows, r.walk_ins) == (4, 3, 1, 1)
    assert r.no_show_rate == pytest.approx(0.25)
    assert (r.first_timers, r.returning) == (2, 1)
    assert (r.sessions, r.hosts) == (1, 2)
    assert reports.sessions_held(db.session, camp, NOW)[0][0] == "Held"
    assert reports.event_rows([r])[0][5] == "25%"


def test_an_event_with_no_check_ins_has_no_no_show_rate() -> None:
    camp = make_event("Quiet", starts_at=_at(2026))
    make_booking(make_ticket_type(camp), make_person())
    r = _event_report(camp)
    assert (r.booked, r.attended, r.no_show_rate) == (1, 0, None)
    assert reports.event_rows([r])[0][4:6] == ["", ""]


def test_per_year_figures() -> None:
    a = make_person(organisation="Leeds City Council")
    b = make_person(organisation="leeds city council ")
    c = make_person(organisation="")
    make_attendance(make_event(starts_at=_at(2024)), a)
    camp = make_event(starts_at=_at(2025))
    make_attendance(camp, a)
    make_attendance(camp, b)
    make_role(camp, c, EventRoleName.VOLUNTEER)
    make_role(camp, a, EventRoleName.ORGANISER)  # a second kind of evidence: still one person
    assert _years() == {2024: (1, 1, 0, 1), 2025: (1, 3, 1, 1)}
    assert reports.year_reports(db.session, NOW)[1].returning_rate == pytest.approx(1 / 3)


def test_merge_keeps_totals_right_and_counts_a_person_once() -> None:
    camp = make_event("Camp", starts_at=_at(2026))
    later = make_event("Later camp", starts_at=datetime(2027, 1, 10, tzinfo=UTC))
    other_type = make_ticket_type(later)
    kept, duplicate = make_person(email="kept@example.org"), make_person(email="dup@example.org")
    make_attendance(camp, kept)
    make_attendance(camp, duplicate)  # both accounts were scanned at the same camp
    kept_booking = make_booking(other_type, kept, status=BookingStatus.WAITLISTED)
    dup_booking = make_booking(other_type, duplicate)  # confirmed: the better one
    room, slot = make_room(camp), make_slot(camp, 60)
    held = make_camp_session(camp, kept, slot=slot, room=room, co_hosts=(duplicate,))
    make_role(camp, kept, EventRoleName.VOLUNTEER)
    make_role(camp, duplicate, EventRoleName.VOLUNTEER)
    assert _event_report(camp).attended == 2
    assert _years()[2026][1] == 2

    log = merge.merge_people(db.session, make_person(is_admin=True), kept, duplicate, NOW)
    db.session.commit()

    r = _event_report(camp)
    assert (r.booked, r.attended, r.hosts) == (1, 1, 1)
    assert _years()[2026][1] == 1
    assert db.session.get(Booking, dup_booking.id).person_id == kept.id
    assert db.session.get(Booking, dup_booking.id).status is BookingStatus.CONFIRMED
    assert db.session.get(Booking, kept_booking.id).status is BookingStatus.RELEASED
    assert db.session.query(SessionHost).filter_by(camp_session_id=held.id).count() == 1
    assert log.merged_email == "dup@example.org" and log.kept_person_id == kept.id
    assert "booking.person_id" in log.moved
    record = person_record(db.session, kept, NOW)
    assert [e.name for e in record.events] == ["Camp"]


def test_merge_refuses_merging_into_itself() -> None:
    person = make_person()
    with pytest.raises(merge.SelfMerge):
        merge.merge_people(db.session, make_person(is_admin=True), person, person, NOW)


def test_delete_keeps_totals_right() -> None:
    camp = make_event("Camp", starts_at=_at(2026))
    leaver = make_person(organisation="Dorset Council")
    stayer = make_person(organisation="Kent County Council")
    make_attendance(camp, leaver)
    make_attendance(camp, stayer)
    room, slot = make_room(camp), make_slot(camp, 60)
    make_camp_session(camp, leaver, slot=slot, room=room)
    before = (_event_report(camp), _years())

    people.delete_account(db.session, leaver, NOW)
    db.session.commit()

    after = (_event_report(camp), _years())
    assert after == before
    assert leaver.name == "Deleted person" and leaver.email.endswith("@deleted.invalid")
    with pytest.raises(people.DomainError):
        people.delete_account(db.session, leaver, NOW)


@contextmanager
def _count_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def _record(*args: object) -> None:
        statements.append(str(args[2]))

    engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", _record)


def _report_queries() -> int:
    db.session.expire_all()
    with _count_statements() as statements:
        events = reports.reportable_events(db.session, NOW)
        reports.event_reports(db.session, events, NOW)
        reports.year_reports(db.session, NOW)
    return len(statements)


def test_report_query_count_does_not_grow_with_people() -> None:
    camps = [make_event(f"Camp {y}", starts_at=_at(y)) for y in (2024, 2025)]
    for camp in camps:
        make_attendance(camp)
    small = _report_queries()
    for camp in camps:
        for _ in range(15):
            person = make_person()
            make_attendance(camp, person)
            make_role(camp, person, EventRoleName.VOLUNTEER)
    assert _report_queries() == small
    assert small <= 8  # BEGIN, events, 3 per-event aggregates, 2 per-year aggregates
