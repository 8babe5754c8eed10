"""Check-in services: scans, idempotency, offline conflicts, undo, search, walk-ins, links."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from lgcamp.accounts.models import Person
from lgcamp.checkin import links, outcomes, scans, search, walk_ins
from lgcamp.checkin.dashboard import door_stats
from lgcamp.checkin.models import CheckIn, ScanLog, ScanMethod, ScanResult
from lgcamp.checkin.needs import has_access_needs
from lgcamp.checkin.scans import ScanActor, ScanInput
from lgcamp.checkin.walk_ins import WalkIn
from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventRoleName
from lgcamp.extensions import db
from lgcamp.permissions import can_scan
from lgcamp.tickets.models import Answer, Booking, BookingStatus, Question, QuestionKind, TicketType
from tests.factories import (
    make_booking,
    make_door_event,
    make_person,
    make_scanner_link,
    make_ticket_type,
)

DOOR_1 = ScanActor(person=None, link=None, door_label="Door 1")
DOOR_2 = ScanActor(person=None, link=None, door_label="Door 2")
_ids = iter(range(10**6))
pytestmark = pytest.mark.usefixtures("app")


def scan(
    event: Event, payload: str, actor: ScanActor = DOOR_1, scan_id: str | None = None, **kw: object
) -> outcomes.ScanOutcome:
    """Record a QR scan and commit, as a view would."""
    outcome = scans.record_scan(
        db.session,
        actor,
        event,
        ScanInput(scan_id=scan_id or f"scan-{next(_ids):06d}", payload=payload, **kw),  # type: ignore[arg-type]
    )
    db.session.commit()
    return outcome


def accepted_check_ins(booking: Booking) -> list[CheckIn]:
    query = select(CheckIn).where(CheckIn.booking_id == booking.id, CheckIn.undone_at.is_(None))
    return list(db.session.scalars(query))


def log_count() -> int:
    return db.session.scalar(select(func.count(ScanLog.id))) or 0


@pytest.fixture
def ticket_type(app: Flask) -> TicketType:
    return make_ticket_type(make_door_event(), capacity=5)


def test_first_scan_is_green_with_name_and_ticket_type(ticket_type: TicketType) -> None:
    person = make_person("Priya Patel")
    booking = make_booking(ticket_type, person)
    outcome = scan(ticket_type.event, booking.token)
    assert outcome.result is ScanResult.ACCEPTED
    assert outcome.result.colour == "green"
    assert (outcome.name, outcome.ticket_type) == ("Priya Patel", "General admission")
    assert outcome.has_access_needs is False
    assert [c.door_label for c in accepted_check_ins(booking)] == ["Door 1"]


def test_second_scan_is_amber_with_door_and_time(ticket_type: TicketType) -> None:
    booking = make_booking(ticket_type)
    scan(ticket_type.event, booking.token, DOOR_2)
    again = scan(ticket_type.event, booking.token, DOOR_1)
    assert again.result is ScanResult.DUPLICATE and again.result.colour == "amber"
    assert again.door == "Door 2"
    assert "Checked in at Door 2" in again.detail
    assert len(accepted_check_ins(booking)) == 1
    assert log_count() == 2


def test_scan_in_a_url_is_accepted(ticket_type: TicketType) -> None:
    booking = make_booking(ticket_type)
    outcome = scan(ticket_type.event, f"https://camp.example/tickets/{booking.token}\n")
    assert outcome.result is ScanResult.ACCEPTED


@pytest.mark.parametrize(
    ("payload", "result"),
    [
        ("", ScanResult.INVALID),
        ("   ", ScanResult.INVALID),
        ("hello world!", ScanResult.INVALID),
        ("x" * 10_000, ScanResult.INVALID),
        ("\x00\x01<script>", ScanResult.INVALID),
        ("A" * 32, ScanResult.UNKNOWN),
    ],
)
def test_bad_payloads_are_red_and_logged(
    ticket_type: TicketType, payload: str, result: ScanResult
) -> None:
    outcome = scan(ticket_type.event, payload)
    assert outcome.result is result and outcome.result.colour == "red"
    assert outcome.name is None
    logged = db.session.scalar(select(ScanLog))
    assert logged is not None and logged.result is result
    assert db.session.scalar(select(func.count(CheckIn.id))) == 0


def test_ticket_for_another_event_is_red(ticket_type: TicketType) -> None:
    other = make_booking(make_ticket_type(make_door_event()))
    outcome = scan(ticket_type.event, other.token)
    assert outcome.result is ScanResult.OTHER_EVENT
    assert outcome.name is None
    assert accepted_check_ins(other) == []


@pytest.mark.parametrize(
    ("status", "result"),
    [
        (BookingStatus.CANCELLED, ScanResult.CANCELLED),
        (BookingStatus.RELEASED, ScanResult.RELEASED),
        (BookingStatus.WAITLISTED, ScanResult.NOT_CONFIRMED),
        (BookingStatus.EXPIRED, ScanResult.NOT_CONFIRMED),
    ],
)
def test_bookings_without_a_place_are_red(
    ticket_type: TicketType, status: BookingStatus, result: ScanResult
) -> None:
    booking = make_booking(ticket_type, make_person("Sam Jones"), status=status)
    outcome = scan(ticket_type.event, booking.token)
    assert outcome.result is result
    assert outcome.detail.startswith("Sam Jones")
    assert accepted_check_ins(booking) == []


def test_same_scan_id_twice_is_one_scan(ticket_type: TicketType) -> None:
    booking = make_booking(ticket_type)
    first = scan(ticket_type.event, booking.token, scan_id="phone-a-0001")
    second = scan(ticket_type.event, booking.token, scan_id="phone-a-0001")
    assert first.result is second.result is ScanResult.ACCEPTED
    assert log_count() == 1
    assert len(accepted_check_ins(booking)) == 1


def test_scan_id_of_another_event_is_a_conflict(ticket_type: TicketType) -> None:
    booking = make_booking(ticket_type)
    scan(ticket_type.event, booking.token, scan_id="phone-a-0002")
    with pytest.raises(scans.Conflict):
        scan(make_door_event(), booking.token, scan_id="phone-a-0002")


def test_clock_skew_is_corrected_and_future_clamped() -> None:
    received = utcnow()
    # The phone's clock runs 10 minutes fast; it scanned 3 minutes before sending.
    sent = received + timedelta(minutes=10)
    scanned = sent - timedelta(minutes=3)
    assert scans.effective_time(received, scanned, sent) == received - timedelta(minutes=3)
    # No send time and a clock in the future: never later than arrival.
    assert scans.effective_time(received, received + timedelta(hours=2), None) == received
    # A year-old clock is clamped to 48 hours back.
    old = received - timedelta(days=365)
    assert scans.effective_time(received, old, None) == received - scans.MAX_BACKDATE


def test_offline_conflict_earliest_scan_counts(ticket_type: TicketType) -> None:
    """Door 2 scanned first (offline) but Door 1 synced first: Door 2's scan counts."""
    booking = make_booking(ticket_type, make_person("Grace Hughes"))
    now = utcnow()
    late = scan(
        ticket_type.event, booking.token, DOOR_1, device_time=now, device_sent_at=now,
        device_id="phone-1",
    )  # fmt: skip
    assert late.result is ScanResult.ACCEPTED
    early = scan(
        ticket_type.event,
        booking.token,
        DOOR_2,
        device_time=now - timedelta(minutes=2),
        device_sent_at=now,
        device_id="phone-2",
    )
    assert early.result is ScanResult.ACCEPTED
    [check_in] = accepted_check_ins(booking)
    assert check_in.door_label == "Door 2"
    logs = db.session.scalars(select(ScanLog).order_by(ScanLog.id)).all()
    assert [log.result for log in logs] == [ScanResult.SUPERSEDED, ScanResult.ACCEPTED]
    [notice] = scans.superseded_scans(db.session, ticket_type.event, "phone-1")
    assert notice.result.colour == "amber"
    assert "Checked in at Door 2, 2 minutes earlier" in notice.detail
    assert scans.superseded_scans(db.session, ticket_type.event, "phone-2") == []
    # The later door that syncs second is told straight away.
    later = scan(
        ticket_type.event, booking.token, DOOR_1, device_time=now, device_sent_at=now,
    )  # fmt: skip
    assert later.result is ScanResult.DUPLICATE
    assert "Door 2, 2 minutes earlier" in later.detail


@pytest.mark.parametrize("earlier", [False, True], ids=["later scan", "earlier scan"])
def test_a_look_up_made_stale_by_another_door_still_counts_the_earliest_scan(
    ticket_type: TicketType, monkeypatch: pytest.MonkeyPatch, earlier: bool
) -> None:
    """Door 1 checks the ticket in between Door 2's look-up and its write (a race): Door 2's
    scan is a duplicate, or the check-in when its phone scanned earlier (an offline sync)."""
    booking = make_booking(ticket_type, make_person("Ada Race"))
    now = utcnow()
    assert scan(ticket_type.event, booking.token, DOOR_1, device_time=now).check_in_id
    find_ticket = scans._find_ticket

    def as_read_before_door_1(connection, scan_input):  # type: ignore[no-untyped-def]
        ticket, token_hash = find_ticket(connection, scan_input)
        stale = {**ticket, "check_in_id": None, "checked_in_at": None, "door": None}
        return stale, token_hash

    monkeypatch.setattr(scans, "_find_ticket", as_read_before_door_1)
    when = now - timedelta(minutes=3) if earlier else now + timedelta(seconds=5)
    outcome = scan(
        ticket_type.event, booking.token, DOOR_2, device_time=when, device_sent_at=utcnow()
    )
    [check_in] = accepted_check_ins(booking)
    logs = db.session.scalars(select(ScanLog).order_by(ScanLog.id)).all()
    if earlier:
        assert outcome.result is ScanResult.ACCEPTED
        assert check_in.door_label == "Door 2" and check_in.scan_log_id == logs[1].id
        assert [log.result for log in logs] == [ScanResult.SUPERSEDED, ScanResult.ACCEPTED]
    else:
        assert outcome.result is ScanResult.DUPLICATE
        assert "Checked in at Door 1" in outcome.detail
        assert check_in.door_label == "Door 1" and check_in.scan_log_id == logs[0].id
        assert [log.result for log in logs] == [ScanResult.ACCEPTED, ScanResult.DUPLICATE]
    db.session.refresh(booking)
    assert booking.checked_in_at == check_in.scanned_at


def test_undo_records_who_and_when_then_rescan_is_green(ticket_type: TicketType) -> None:
    booking = make_booking(ticket_type)
    first = scan(ticket_type.event, booking.token)
    assert first.check_in_id is not None
    organiser = make_person("Olu Organiser")
    actor = ScanActor(person=organiser, link=None, door_label="Olu's phone")
    undone = scans.undo_check_in(db.session, actor, ticket_type.event, first.check_in_id)
    db.session.commit()
    assert undone.undone_at is not None
    assert (undone.undone_by_id, undone.undone_by_label) == (organiser.id, "Olu's phone")
    with pytest.raises(scans.Conflict):
        scans.undo_check_in(db.session, actor, ticket_type.event, first.check_in_id)
    with pytest.raises(scans.NotFound):
        scans.undo_check_in(db.session, actor, make_door_event(), first.check_in_id)
    # The first scan sent again (a phone's retry) is replayed: it does not check in again.
    assert scan(ticket_type.event, booking.token, scan_id=first.scan_id).check_in_id is None
    assert accepted_check_ins(booking) == []
    assert scan(ticket_type.event, booking.token).result is ScanResult.ACCEPTED
    assert db.session.scalar(select(func.count(CheckIn.id))) == 2
    assert len(accepted_check_ins(booking)) == 1


def test_search_by_name_email_and_organisation(ticket_type: TicketType) -> None:
    make_booking(ticket_type, make_person("Kwame Mensah", "kwame@hackney.gov.uk"))
    make_booking(ticket_type, make_person("Lucy 100% Real", organisation="Fife Council"))
    make_booking(make_ticket_type(make_door_event()), make_person("Kwame Other"))
    event = ticket_type.event
    assert [m.name for m in search.search_bookings(db.session, event, "kwame")] == ["Kwame Mensah"]
    assert [m.name for m in search.search_bookings(db.session, event, "HACKNEY.gov")] == [
        "Kwame Mensah"
    ]
    assert [m.name for m in search.search_bookings(db.session, event, "fife")] == ["Lucy 100% Real"]
    assert [m.name for m in search.search_bookings(db.session, event, "100%")] == ["Lucy 100% Real"]
    assert search.search_bookings(db.session, event, "_") == []


def test_search_result_checks_in_by_booking_id(ticket_type: TicketType) -> None:
    booking = make_booking(ticket_type, make_person("Owen Evans"))
    [match] = search.search_bookings(db.session, ticket_type.event, "owen")
    outcome = scans.record_scan(
        db.session,
        DOOR_1,
        ticket_type.event,
        ScanInput(scan_id="search-0001", method=ScanMethod.SEARCH, booking_id=match.booking_id),
    )
    db.session.commit()
    assert outcome.result is ScanResult.ACCEPTED
    assert len(accepted_check_ins(booking)) == 1
    [match] = search.search_bookings(db.session, ticket_type.event, "owen")
    assert match.door == "Door 1"


def test_search_results_carry_the_accepted_check_in_to_undo(ticket_type: TicketType) -> None:
    booking = make_booking(ticket_type, make_person("Priya Shah"))
    [match] = search.search_bookings(db.session, ticket_type.event, "priya")
    assert match.check_in_id is None and match.as_json()["check_in_id"] is None
    first = scan(ticket_type.event, booking.token)
    [match] = search.search_bookings(db.session, ticket_type.event, "priya")
    assert match.check_in_id == first.check_in_id is not None
    assert match.as_json()["check_in_id"] == first.check_in_id
    scans.undo_check_in(db.session, DOOR_2, ticket_type.event, first.check_in_id)
    db.session.commit()
    [match] = search.search_bookings(db.session, ticket_type.event, "priya")
    assert (match.check_in_id, match.checked_in_at) == (None, None)
    again = scan(ticket_type.event, booking.token)
    [match] = search.search_bookings(db.session, ticket_type.event, "priya")
    assert match.check_in_id == again.check_in_id != first.check_in_id


def test_ticket_list_has_hashes_never_tokens(ticket_type: TicketType) -> None:
    booking = make_booking(ticket_type, make_person("Zara Ahmed"))
    cancelled = make_booking(ticket_type, status=BookingStatus.CANCELLED)
    scan(ticket_type.event, booking.token)
    listing = search.ticket_list(db.session, ticket_type.event)
    assert {t["h"] for t in listing} == {booking.token_hash, cancelled.token_hash}
    text = repr(listing)
    assert booking.token not in text and cancelled.token not in text
    mine = next(t for t in listing if t["h"] == booking.token_hash)
    assert (mine["n"], mine["t"], mine["s"], mine["d"]) == (
        "Zara Ahmed",
        "General admission",
        "confirmed",
        "Door 1",
    )


def test_walk_in_registers_books_and_checks_in(ticket_type: TicketType) -> None:
    outcome = walk_ins.register_walk_in(
        db.session,
        DOOR_1,
        ticket_type.event,
        WalkIn("Rhiannon Walker", "Rhiannon@Example.org", "Cornwall Council", ticket_type.id),
        ScanInput(scan_id="walkin-0001"),
    )
    db.session.commit()
    assert outcome.result is ScanResult.ACCEPTED and outcome.name == "Rhiannon Walker"
    person = db.session.scalar(select(Person).where(Person.email == "rhiannon@example.org"))
    assert person is not None
    assert not check_password_hash(person.password_hash, "")
    booking = db.session.scalar(select(Booking).where(Booking.person_id == person.id))
    assert booking is not None
    assert (booking.status, booking.source) == (BookingStatus.CONFIRMED, "walk_in")
    db.session.refresh(ticket_type)
    assert ticket_type.taken == 1
    assert len(accepted_check_ins(booking)) == 1
    log = db.session.scalar(select(ScanLog))
    assert log is not None and log.method is ScanMethod.WALK_IN


def test_walk_in_refused_when_full_or_already_booked() -> None:
    ticket_type = make_ticket_type(make_door_event(), capacity=1)
    booked = make_person("Tom Taylor", "tom@example.org")
    make_booking(ticket_type, booked)
    bigger = make_ticket_type(ticket_type.event, capacity=10, name="Speaker")
    with pytest.raises(walk_ins.AlreadyBooked):
        walk_ins.register_walk_in(
            db.session, DOOR_1, ticket_type.event,
            WalkIn("Tom", "TOM@example.org", "", bigger.id), ScanInput(scan_id="walkin-0002"),
        )  # fmt: skip
    db.session.rollback()
    with pytest.raises(walk_ins.NoPlacesLeft, match="No places left for General admission"):
        walk_ins.register_walk_in(
            db.session, DOOR_1, ticket_type.event,
            WalkIn("Dan Wright", "dan@example.org", "", ticket_type.id),
            ScanInput(scan_id="walkin-0003"),
        )  # fmt: skip
    db.session.rollback()
    assert db.session.scalar(select(func.count(Person.id))) == 1
    other = make_ticket_type(make_door_event())
    with pytest.raises(scans.DomainError, match="ticket type of this event"):
        walk_ins.register_walk_in(
            db.session, DOOR_1, ticket_type.event,
            WalkIn("Dan Wright", "dan@example.org", "", other.id), ScanInput(scan_id="w-0004x"),
        )  # fmt: skip


def test_scanner_links_open_until_revoked_or_expired() -> None:
    event = make_door_event()
    link, secret = make_scanner_link(event)
    assert link.secret_hash != secret and secret not in repr(vars(link))
    assert links.open_scanner_link(db.session, secret).id == link.id
    with pytest.raises(links.LinkUnusable, match="not valid"):
        links.open_scanner_link(db.session, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    links.revoke_scanner_link(db.session, link)
    db.session.commit()
    with pytest.raises(links.LinkUnusable, match="revoked"):
        links.open_scanner_link(db.session, secret)
    expired, expired_secret = make_scanner_link(event, "Door 2")
    expired.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(links.LinkUnusable, match="expired"):
        links.open_scanner_link(db.session, expired_secret)
    # A phone paired before the expiry still finds its link, and can_scan refuses it.
    found_event, found_link = links.door_grant(db.session, event.slug, {str(event.id): expired.id})
    assert (found_event, found_link) == (event, expired)
    assert not can_scan(expired, event)
    assert links.door_grant(db.session, event.slug, {str(event.id + 1): expired.id}) == (
        event,
        None,
    )


def test_scanner_role_grant_and_remove() -> None:
    event = make_door_event()
    volunteer = make_person("Val Volunteer", "val@example.org")
    links.grant_scanner_role(db.session, event, "VAL@example.org")
    db.session.commit()
    assert links.scanners_of(db.session, event) == [volunteer]
    with pytest.raises(links.Conflict):
        links.grant_scanner_role(db.session, event, "val@example.org")
    with pytest.raises(links.DomainError, match="no account"):
        links.grant_scanner_role(db.session, event, "nobody@example.org")
    links.remove_scanner_role(db.session, event, volunteer.id)
    db.session.commit()
    assert links.scanners_of(db.session, event) == []


def test_door_stats_counts_arrivals_and_no_shows() -> None:
    event = make_door_event(starts_at=utcnow() - timedelta(hours=1))
    ticket_type = make_ticket_type(event)
    bookings = [make_booking(ticket_type) for _ in range(4)]
    make_booking(ticket_type, status=BookingStatus.CANCELLED)
    now = utcnow()
    for minutes, booking in zip((50, 45, 5), bookings, strict=False):
        at = now - timedelta(minutes=minutes)
        scan(event, booking.token, device_time=at, device_sent_at=now)
    scan(event, "garbage!")
    stats = door_stats(db.session, event)
    assert (stats.booked, stats.checked_in, stats.no_shows) == (4, 3, 1)
    assert sum(a.count for a in stats.arrivals) == 3
    assert max(a.step for a in stats.arrivals) == 20
    assert len(stats.recent) == 4
    assert stats.recent[0].result == "invalid"


def test_booking_records_when_it_was_checked_in_and_undo_clears_it(
    ticket_type: TicketType,
) -> None:
    booking = make_booking(ticket_type)
    first = scan(ticket_type.event, booking.token)
    db.session.refresh(booking)
    assert booking.checked_in_at is not None
    assert booking.checked_in_at == first.checked_in_at
    actor = ScanActor(person=make_person(), link=None, door_label="Desk")
    assert first.check_in_id is not None
    scans.undo_check_in(db.session, actor, ticket_type.event, first.check_in_id)
    db.session.commit()
    db.session.refresh(booking)
    assert booking.checked_in_at is None


def test_access_needs_flag_comes_from_the_access_lead_question(ticket_type: TicketType) -> None:
    question = Question(
        event_id=ticket_type.event_id,
        label="Access needs",
        kind=QuestionKind.TEXT,
        visibility=EventRoleName.ACCESS_LEAD.value,
    )
    db.session.add(question)
    db.session.flush()
    needs, none_ = make_booking(ticket_type), make_booking(ticket_type)
    db.session.add_all(
        [
            Answer(booking_id=needs.id, question_id=question.id, value="Step-free route please"),
            Answer(booking_id=none_.id, question_id=question.id, value="None"),
        ]
    )
    db.session.commit()
    assert has_access_needs(db.session, needs)
    assert not has_access_needs(db.session, none_)
    flags = {t["b"]: t["a"] for t in search.ticket_list(db.session, ticket_type.event)}
    assert flags == {needs.id: True, none_.id: False}
    green = scan(ticket_type.event, needs.token)
    assert green.has_access_needs
    assert "Step-free" not in repr(green)


def test_door_stats_recent_scans_offer_undo_until_undone(ticket_type: TicketType) -> None:
    event = ticket_type.event
    booking = make_booking(ticket_type, make_person("Ada Lovelace"))
    first = scan(event, booking.token, DOOR_2)
    scan(event, booking.token, DOOR_1)
    scan(event, "garbage!")
    newest_first = door_stats(db.session, event).recent
    assert [(r.result, r.check_in_id) for r in newest_first] == [
        ("invalid", None),
        ("duplicate", None),
        ("accepted", first.check_in_id),
    ]
    organiser = make_person("Olu Organiser")
    actor = ScanActor(person=organiser, link=None, door_label=organiser.name)
    assert first.check_in_id is not None
    undone = scans.undo_check_in(db.session, actor, event, first.check_in_id)
    db.session.commit()
    stats = door_stats(db.session, event)
    accepted = stats.recent[-1]
    assert (accepted.result, accepted.colour, accepted.check_in_id) == ("undone", "grey", None)
    assert accepted.undone_by == "Olu Organiser"
    assert undone.undone_at is not None
    assert accepted.undone_time == undone.undone_at.astimezone(event.tz).strftime("%H:%M:%S")
    assert [r.result for r in stats.recent[:2]] == ["invalid", "duplicate"]
    assert stats.checked_in == 0
    # Scanned again: the new check-in can be undone; the old line stays undone.
    rescan = scan(event, booking.token, DOOR_1)
    recent = door_stats(db.session, event).recent
    assert (recent[0].result, recent[0].check_in_id) == ("accepted", rescan.check_in_id)
    assert recent[-1].result == "undone"


def test_unreadable_sync_item_is_logged_once_when_its_scan_id_is_usable(
    ticket_type: TicketType,
) -> None:
    event = ticket_type.event
    now = utcnow()
    item = scans.UnreadableScan(
        sent_id="queued-0001",
        error="token_hash must be 64 lower-case hex digits.",
        scan_id="queued-0001",
        method=ScanMethod.SEARCH,
        device_time=now - timedelta(minutes=4),
        device_sent_at=now,
        device_id="phone-3",
    )
    assert scans.log_unreadable_scan(db.session, DOOR_2, event, item)
    db.session.commit()
    assert not scans.log_unreadable_scan(db.session, DOOR_2, event, item)
    db.session.commit()
    [log] = db.session.scalars(select(ScanLog)).all()
    assert (log.scan_id, log.result, log.method) == ("queued-0001", ScanResult.INVALID,
                                                    ScanMethod.SEARCH)  # fmt: skip
    assert (log.device_label, log.device_id, log.booking_id) == ("Door 2", "phone-3", None)
    assert abs((log.scanned_at - (now - timedelta(minutes=4))).total_seconds()) < 5
    # Without a usable scan id there is nothing to log it under.
    for unusable in (None, "short", "x" * 65, "has space 1", "queued-0003\n"):
        bad = replace(item, sent_id=str(unusable), scan_id=unusable)
        assert not scans.log_unreadable_scan(db.session, DOOR_2, event, bad)
    # A scan id already used by a readable scan is left alone.
    booking = make_booking(ticket_type)
    scan(event, booking.token, scan_id="queued-0002")
    taken = replace(item, sent_id="queued-0002", scan_id="queued-0002")
    assert not scans.log_unreadable_scan(db.session, DOOR_2, event, taken)
    db.session.commit()
    assert log_count() == 2
    assert db.session.scalar(select(ScanLog.result).where(ScanLog.scan_id == "queued-0002")) is (
        ScanResult.ACCEPTED
    )
