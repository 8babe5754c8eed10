"""Evidence is derived from check-ins, hosting, volunteering and organising; never bookings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import CheckIn, ScanLog, ScanMethod, ScanResult
from lgcamp.errors import DomainError
from lgcamp.events.models import EventRoleName, EventStatus
from lgcamp.extensions import db
from lgcamp.participation import service
from lgcamp.participation.evidence import (
    EvidenceKind,
    add_months,
    person_evidence,
    person_record,
)
from lgcamp.programme.models import CampSession, SessionStatus
from lgcamp.tickets.models import BookingStatus
from tests.factories import (
    make_attendance,
    make_booking,
    make_camp_session,
    make_event,
    make_person,
    make_role,
    make_room,
    make_slot,
    make_ticket_type,
)

pytestmark = pytest.mark.usefixtures("app")

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _at(year: int, month: int = 6, day: int = 14) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


def _kinds(person: Person, now: datetime = NOW) -> list[tuple[str, EvidenceKind, str]]:
    return [
        (item.name, e.kind, e.source)
        for item in person_evidence(db.session, person, now)
        for e in item.evidence
    ]


def test_a_booking_alone_is_not_evidence_but_a_check_in_is() -> None:
    event = make_event("LocalGovCamp 2026", starts_at=_at(2026))
    booked, attended = make_person(), make_person()
    ticket_type = make_ticket_type(event)
    make_booking(ticket_type, booked)
    make_booking(ticket_type, make_person(), status=BookingStatus.WAITLISTED)
    check_in = make_attendance(event, attended)

    assert _kinds(booked) == []
    evidence = person_evidence(db.session, attended, NOW)
    assert [(e.name, e.evidence[0].kind) for e in evidence] == [
        ("LocalGovCamp 2026", EvidenceKind.ATTENDED)
    ]
    assert evidence[0].evidence[0].source == "check_in"
    assert evidence[0].evidence[0].source_id == check_in.id


def test_an_undone_check_in_is_not_evidence() -> None:
    event = make_event(starts_at=_at(2026))
    person = make_person()
    check_in = make_attendance(event, person)
    check_in.undone_at = NOW
    db.session.commit()
    assert _kinds(person) == []


def test_hosting_counts_only_when_the_session_took_place() -> None:
    event = make_event("Camp", starts_at=NOW - timedelta(hours=6))
    room = make_room(event)
    past_slot, later_slot = make_slot(event, 60), make_slot(event, 600)
    host, co_host, not_yet, withdrawn, unscheduled, said_no = (make_person() for _ in range(6))
    held = make_camp_session(
        event, host, "Open data", slot=past_slot, room=room, co_hosts=(co_host,)
    )
    make_camp_session(event, not_yet, "Later", slot=later_slot, room=make_room(event))
    make_camp_session(
        event,
        withdrawn,
        "Gone",
        slot=past_slot,
        room=make_room(event),
        status=SessionStatus.WITHDRAWN,
    )
    make_camp_session(event, unscheduled, "Corridor chat", took_place_override=True)
    make_camp_session(
        event,
        said_no,
        "Cancelled",
        slot=past_slot,
        room=make_room(event),
        took_place_override=False,
    )

    assert _kinds(host) == [("Camp", EvidenceKind.HOSTED, "camp_session")]
    assert _kinds(co_host) == [("Camp", EvidenceKind.HOSTED, "camp_session")]
    assert person_evidence(db.session, host, NOW)[0].evidence[0].source_id == held.id
    assert person_evidence(db.session, host, NOW)[0].evidence[0].detail == "Open data"
    assert _kinds(unscheduled) == [("Camp", EvidenceKind.HOSTED, "camp_session")]
    for person in (not_yet, withdrawn, said_no):
        assert _kinds(person) == []
    # The SQL rule agrees with the programme's own took_place() for every session.
    for camp_session in db.session.query(CampSession).all():
        hosts = [h.person_id for h in camp_session.hosts]
        derived = any(
            e.source_id == camp_session.id
            for pid in hosts
            for item in person_evidence(db.session, db.session.get(Person, pid), NOW)
            for e in item.evidence
        )
        assert derived == camp_session.took_place(NOW)


def test_volunteering_and_organising_count_once_the_event_has_started() -> None:
    past = make_event("Fringe 2026", starts_at=_at(2026, 3))
    future = make_event("Camp 2027", starts_at=_at(2027))
    draft = make_event("Draft", starts_at=_at(2026, 2), status=EventStatus.DRAFT)
    volunteer, scanner, organiser, planner = (make_person() for _ in range(4))
    make_role(past, volunteer, EventRoleName.VOLUNTEER)
    make_role(past, scanner, EventRoleName.SCANNER)
    make_role(past, organiser, EventRoleName.ORGANISER)
    make_role(future, planner, EventRoleName.ORGANISER)
    make_role(draft, planner, EventRoleName.VOLUNTEER)

    assert _kinds(volunteer) == [("Fringe 2026", EvidenceKind.VOLUNTEERED, "event_role")]
    assert _kinds(scanner) == [("Fringe 2026", EvidenceKind.VOLUNTEERED, "event_role")]
    assert _kinds(organiser) == [("Fringe 2026", EvidenceKind.ORGANISED, "event_role")]
    assert _kinds(planner) == []
    assert _kinds(planner, now=_at(2027, 7)) == [
        ("Camp 2027", EvidenceKind.ORGANISED, "event_role")
    ]


def test_scans_made_through_an_account_are_volunteering() -> None:
    event = make_event("Camp", starts_at=_at(2026))
    helper = make_person()
    # Three people checked in by the helper: one piece of evidence for the event, not three.
    for _ in range(3):
        make_attendance(event, by=helper)
    pieces = _kinds(helper)
    assert pieces == [("Camp", EvidenceKind.VOLUNTEERED, "scan_log")]
    first_log = db.session.query(ScanLog).filter_by(person_id=helper.id).order_by(ScanLog.id)[0]
    assert person_evidence(db.session, helper, NOW)[0].evidence[0].source_id == first_log.id


def test_a_rejected_scan_by_a_scanner_still_shows_they_volunteered() -> None:
    event = make_event("Camp", starts_at=_at(2026))
    helper = make_person()
    db.session.add(
        ScanLog(
            scan_id="scan-rejected-1",
            event_id=event.id,
            method=ScanMethod.QR,
            result=ScanResult.UNKNOWN,
            device_label="Door",
            scanned_at=_at(2026),
            person_id=helper.id,
        )
    )
    db.session.commit()
    assert _kinds(helper) == [("Camp", EvidenceKind.VOLUNTEERED, "scan_log")]
    assert db.session.query(CheckIn).count() == 0


def test_record_groups_evidence_by_year_and_states_it_plainly() -> None:
    person = make_person()
    make_attendance(make_event("LocalGovCamp 2019", starts_at=_at(2019)), person)
    make_attendance(make_event("LocalGovCamp 2025", starts_at=_at(2025)), person)
    camp = make_event("LocalGovCamp 2026", starts_at=_at(2026))
    make_attendance(camp, person)
    make_role(camp, person, EventRoleName.VOLUNTEER)

    record = person_record(db.session, person, NOW)
    assert list(record.years) == [2026, 2025, 2019]
    assert record.years[2026][0].kinds == [EvidenceKind.ATTENDED, EvidenceKind.VOLUNTEERED]
    assert record.status.is_part
    assert record.status.statement == (
        "Part of the network since 2019; last took part at LocalGovCamp 2026."
    )
    assert "within the last 24 months" in record.status.reason


def test_status_changes_as_the_window_moves() -> None:
    person = make_person()
    make_attendance(make_event("LocalGovCamp 2025", starts_at=_at(2025, 6, 14)), person)

    assert person_record(db.session, person, _at(2027, 6, 13)).status.is_part
    later = person_record(db.session, person, _at(2027, 6, 15)).status
    assert not later.is_part
    assert later.statement.startswith("Took part in the network from 2025")
    assert "more than 24 months ago" in later.reason

    admin = make_person(is_admin=True)
    service.set_status_rule(db.session, admin, 36)
    db.session.commit()
    assert person_record(db.session, person, _at(2027, 6, 15)).status.is_part
    service.set_status_rule(db.session, admin, 12)
    db.session.commit()
    assert not person_record(db.session, person, _at(2026, 6, 15)).status.is_part


def test_no_evidence_gives_a_clear_status() -> None:
    status = person_record(db.session, make_person(), NOW).status
    assert not status.is_part
    assert status.statement == "No participation recorded yet."


@pytest.mark.parametrize("months", [0, 241, -3])
def test_the_window_must_be_sensible(months: int) -> None:
    with pytest.raises(DomainError):
        service.set_status_rule(db.session, make_person(is_admin=True), months)


def test_add_months_clamps_to_the_end_of_a_month() -> None:
    assert add_months(datetime(2026, 3, 31, tzinfo=UTC), -1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 1, 15, tzinfo=UTC), -24) == datetime(2024, 1, 15, tzinfo=UTC)
