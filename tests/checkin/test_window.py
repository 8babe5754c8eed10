"""The door's check-in window: check-ins only from a few hours before the start until the end
(set per event); outside it the volunteer is told why, the scan is logged as refused, and no
evidence of participation is recorded; evidence is never dated in the future."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import CheckIn, ScanLog
from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventRoleName
from lgcamp.extensions import db
from lgcamp.participation import facts
from lgcamp.participation.evidence import person_record
from lgcamp.participation.models import ParticipationFact
from lgcamp.tickets.models import Booking, TicketType
from tests.conftest import Auth
from tests.factories import (
    make_booking,
    make_event,
    make_person,
    make_role,
    make_scanner_link,
    make_ticket_type,
)


def api(event: Event, call: str) -> str:
    return f"/api/events/{event.slug}/door/{call}"


def paired(client: FlaskClient, event: Event) -> None:
    """Pair the test client with a scanner link for Door 1."""
    _link, secret = make_scanner_link(event, "Door 1")
    assert client.get(f"/events/{event.slug}/door/link/{secret}").status_code == 302


def checked_in() -> int:
    return db.session.scalar(select(func.count(CheckIn.id))) or 0


def logged() -> list[str]:
    return [r.value for r in db.session.scalars(select(ScanLog.result).order_by(ScanLog.id))]


def ticket(starts_in: timedelta, **fields: Any) -> tuple[Event, Booking]:
    event = make_event("LocalGovCamp 2027", starts_at=utcnow() + starts_in, **fields)
    return event, make_booking(make_ticket_type(event), make_person("Ada Lovelace"))


def test_a_scan_weeks_early_is_refused_with_the_reason_and_logged(
    app: Any, client: FlaskClient
) -> None:
    event, booking = ticket(timedelta(days=22))
    paired(client, event)
    answer = client.post(
        api(event, "scans"), json={"scan_id": "scan-early-1", "payload": booking.token}
    )
    outcome = answer.get_json()
    assert answer.status_code == 200
    assert (outcome["result"], outcome["colour"]) == ("outside_window", "red")
    assert outcome["title"] == "Check-in not open yet"
    opens = (event.starts_at - timedelta(hours=3)).astimezone(event.tz)
    assert f"Check-in opens at {opens:%H:%M} on " in outcome["detail"]
    assert "(3 hours before the start)" in outcome["detail"]
    assert outcome["name"] == "Ada Lovelace" and outcome["check_in_id"] is None
    assert logged() == ["outside_window"] and checked_in() == 0
    db.session.refresh(booking)
    assert booking.checked_in_at is None
    record = person_record(db.session, booking.person, utcnow())
    assert record.events == [] and record.status.statement == "No participation recorded yet."


def test_after_the_end_the_door_says_check_in_has_closed(app: Any, client: FlaskClient) -> None:
    event, booking = ticket(timedelta(hours=-9))  # eight hours long: ended an hour ago
    paired(client, event)
    outcome = client.post(
        api(event, "scans"), json={"scan_id": "scan-late-1", "payload": booking.token}
    ).get_json()
    assert (outcome["result"], outcome["title"]) == ("outside_window", "Check-in has closed")
    closed = event.ends_at.astimezone(event.tz)
    assert f"Check-in closed at {closed:%H:%M} on " in outcome["detail"]
    assert checked_in() == 0


def test_the_window_is_set_per_event(app: Any, client: FlaskClient) -> None:
    # Opens 5 hours before (not 3), closes 2 hours after the end.
    early, early_booking = ticket(timedelta(hours=4), check_in_opens_minutes=300)
    late, late_booking = ticket(timedelta(hours=-9), check_in_closes_minutes=120)
    for event, booking in ((early, early_booking), (late, late_booking)):
        paired(client, event)
        outcome = client.post(
            api(event, "scans"), json={"scan_id": f"scan-{event.id}-x", "payload": booking.token}
        ).get_json()
        assert outcome["result"] == "accepted", outcome
    assert checked_in() == 2


def test_offline_scans_outside_the_window_are_refused_when_synced(
    app: Any, client: FlaskClient
) -> None:
    """Check-in opened an hour ago: a queued scan from before then is refused, one from after
    is accepted (each judged by when it was scanned, not when it arrived)."""
    event, booking = ticket(timedelta(hours=2))
    other = make_booking(
        db.session.scalar(select(TicketType).where(TicketType.event_id == event.id)),
        make_person("Grace Hopper"),
    )
    paired(client, event)
    now = utcnow()
    scans = [
        {
            "scan_id": "offline-0001",
            "token_hash": booking.token_hash,
            "device_time": (now - timedelta(minutes=90)).isoformat(),
        },
        {
            "scan_id": "offline-0002",
            "token_hash": other.token_hash,
            "device_time": (now - timedelta(minutes=30)).isoformat(),
        },
    ]
    answer = client.post(api(event, "sync"), json={"sent_at": now.isoformat(), "scans": scans})
    first, second = answer.get_json()["results"]
    assert (first["result"], first["title"]) == ("outside_window", "Check-in not open yet")
    assert second["result"] == "accepted"
    assert logged() == ["outside_window", "accepted"]
    assert db.session.scalar(select(CheckIn.booking_id)) == other.id


def test_the_offline_list_carries_the_window(app: Any, client: FlaskClient) -> None:
    event, _booking = ticket(timedelta(days=1))
    paired(client, event)
    window = client.get(api(event, "tickets")).get_json()["window"]
    assert datetime.fromisoformat(window["opens_at"]) == event.starts_at - timedelta(hours=3)
    assert datetime.fromisoformat(window["closes_at"]) == event.ends_at


def test_a_walk_in_outside_the_window_is_refused_before_taking_a_place(
    app: Any, client: FlaskClient
) -> None:
    event, _booking = ticket(timedelta(days=3))
    ticket_type = db.session.scalar(select(TicketType).where(TicketType.event_id == event.id))
    assert ticket_type is not None
    paired(client, event)
    answer = client.post(
        api(event, "walk-ins"),
        json={
            "name": "Sam Walker",
            "email": "sam@example.org",
            "organisation": "Kirklees Council",
            "ticket_type_id": ticket_type.id,
            "scan_id": "walk-in-0001",
        },
    )
    assert answer.status_code == 409
    assert "Check-in opens at" in answer.get_json()["error"]["message"]
    db.session.refresh(ticket_type)
    assert ticket_type.taken == 1
    assert db.session.scalar(select(func.count(Booking.id))) == 1


def test_without_javascript_the_check_in_form_shows_why(
    app: Any, client: FlaskClient, auth: Auth
) -> None:
    event, booking = ticket(timedelta(days=5))
    volunteer = make_person("Olu Volunteer")
    make_role(event, volunteer, EventRoleName.SCANNER)
    auth.login(volunteer)
    page = client.post(
        f"/events/{event.slug}/door/check-ins",
        data={"booking_id": booking.id, "scan_id": "nojs-scan-0001"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Check-in not open yet" in page and "Nothing was recorded." in page
    assert "Success" not in page
    assert logged() == ["outside_window"] and checked_in() == 0


@pytest.fixture
def organiser(client: FlaskClient, auth: Auth) -> Person:
    person = make_person("Olu Organiser")
    auth.login(person)
    return person


def event_form(event: Event, **changes: str) -> dict[str, str]:
    starts, ends = event.local_starts_at, event.local_ends_at
    return {
        "name": event.name,
        "kind": event.kind.value,
        "status": event.status.value,
        "start_date": starts.date().isoformat(),
        "start_time": starts.strftime("%H:%M"),
        "end_date": ends.date().isoformat(),
        "end_time": ends.strftime("%H:%M"),
        "timezone": event.timezone,
        "check_in_opens_minutes": "180",
        "check_in_closes_minutes": "0",
        **changes,
    }


def test_organisers_set_the_window_on_the_event_form(
    app: Any, client: FlaskClient, organiser: Person
) -> None:
    event = make_event("LocalGovCamp 2027", organisers=(organiser,))
    form = client.get(f"/events/{event.slug}/edit").get_data(as_text=True)
    assert "Check-in opens, minutes before the start" in form
    assert 'name="check_in_opens_minutes"' in form and 'value="180"' in form
    bad = client.post(
        f"/events/{event.slug}/edit", data=event_form(event, check_in_opens_minutes="-5")
    )
    assert bad.status_code == 200
    assert "Enter a number of minutes from 0 to 2880" in bad.get_data(as_text=True)
    saved = client.post(
        f"/events/{event.slug}/edit",
        data=event_form(event, check_in_opens_minutes="60", check_in_closes_minutes="30"),
    )
    assert saved.status_code == 302
    db.session.refresh(event)
    assert (event.check_in_opens_minutes, event.check_in_closes_minutes) == (60, 30)
    assert event.check_in_opens_at == event.starts_at - timedelta(hours=1)
    assert event.check_in_closes_at == event.ends_at + timedelta(minutes=30)


def test_evidence_is_never_dated_in_the_future(app: Any, client: FlaskClient) -> None:
    """A check-in when the door opens, before the start, counts once the event has started."""
    event, booking = ticket(timedelta(hours=2))
    paired(client, event)
    outcome = client.post(
        api(event, "scans"), json={"scan_id": "scan-door-opens", "payload": booking.token}
    ).get_json()
    assert outcome["result"] == "accepted"
    person = booking.person
    assert person_record(db.session, person, utcnow()).events == []
    later = event.starts_at + timedelta(minutes=1)
    [attended] = person_record(db.session, person, later).events
    assert attended.starts_at == event.starts_at <= later
    # The stored facts (for reports) agree: the check-in counts from the start.
    facts.rebuild_all(db.session)
    fact = db.session.scalar(
        select(ParticipationFact).where(ParticipationFact.source == "check_in")
    )
    assert fact is not None and fact.counts_from == event.starts_at
