"""The door pages and the scanner's JSON API through the test client."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp.checkin.models import (
    CheckIn,
    ScanLog,
    ScanMethod,
    ScannerLink,
    ScanResult,
    WalkInRecord,
)
from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventRole
from lgcamp.extensions import db
from lgcamp.tickets.models import Answer, BookingStatus, TicketType
from tests.conftest import Auth
from tests.factories import (
    make_booking,
    make_check_in,
    make_door_event,
    make_event,
    make_person,
    make_question,
    make_scanner_link,
    make_ticket_type,
)


@pytest.fixture
def organiser(app: Flask) -> Any:
    return make_person("Olu Organiser")


@pytest.fixture
def event(organiser: Any) -> Event:
    return make_door_event("LocalGovCamp 2027", organisers=(organiser,))


@pytest.fixture
def ticket_type(event: Event) -> TicketType:
    return make_ticket_type(event, capacity=3)


def pair(client: FlaskClient, event: Event, label: str = "Door 1") -> ScannerLink:
    """Open a scanner link in this client, as a volunteer's phone would."""
    link, secret = make_scanner_link(event, label)
    response = client.get(f"/events/{event.slug}/door/link/{secret}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.slug}/door/scan")
    return link


def post_scan(client: FlaskClient, event: Event, **body: Any) -> Any:
    body.setdefault("scan_id", f"scan-{utcnow().timestamp()}")
    return client.post(f"/api/events/{event.slug}/door/scans", json=body)


def count(model: Any) -> int:
    return db.session.scalar(select(func.count(model.id))) or 0


# --- who may do what --------------------------------------------------------------------------

# Every door route: (method, url, body, status when allowed). Bodies are JSON for the API and
# form data for the plain forms; {placeholders} are filled in by the test below.
SCANNER_ROUTES = [
    ("GET", "/events/{slug}/door/scan", None, 200),
    ("GET", "/api/events/{slug}/door/ping", None, 200),
    ("GET", "/api/events/{slug}/door/tickets", None, 200),
    ("GET", "/api/events/{slug}/door/search?q=sam", None, 200),
    ("POST", "/api/events/{slug}/door/scans", {"scan_id": "perm-check-1", "payload": "x"}, 200),
    ("POST", "/api/events/{slug}/door/sync", {"scans": []}, 200),
    ("POST", "/events/{slug}/door/check-ins", {"booking_id": "{booking}", "scan_id": "perm-ci-1"},
     302),
    ("POST", "/events/{slug}/door/walk-ins",
     {"name": "Wanda Walk", "email": "wanda@example.org", "ticket_type_id": "{ticket_type}"}, 302),
    ("POST", "/api/events/{slug}/door/walk-ins",
     {"name": "Will Walk", "email": "will@example.org", "ticket_type_id": "{ticket_type}",
      "scan_id": "perm-walk-in-1"}, 200),
    ("POST", "/api/events/{slug}/door/check-ins/{scanner_check_in}/undo", {}, 200),
]  # fmt: skip
ORGANISER_ROUTES = [
    ("GET", "/events/{slug}/door", None, 200),
    ("GET", "/events/{slug}/door/links", None, 200),
    ("GET", "/api/events/{slug}/door/stats", None, 200),
    ("GET", "/events/{slug}/manage", None, 200),
    ("POST", "/events/{slug}/door/check-ins/{dashboard_check_in}/undo", {}, 302),
    ("POST", "/events/{slug}/door/links", {"label": "Side door", "expires_in": "24"}, 302),
    ("POST", "/events/{slug}/door/links/{spare_link}/revoke", {}, 302),
    ("POST", "/events/{slug}/door/scanners", {"email": "val@example.org"}, 302),
    ("POST", "/events/{slug}/door/scanners/{volunteer}/remove", {}, 302),
]
# The service worker is the same script as /static/js/scanner/sw.js: anyone may fetch it.
PUBLIC_ROUTES = [("GET", "/events/{slug}/door/sw.js", None, 200)]


def _as(role: str, client: FlaskClient, auth: Auth, event: Event, organiser: Any) -> None:
    if role == "attendee":
        attendee = make_person()
        make_booking(make_ticket_type(event, name="Attendee ticket"), attendee)
        auth.login(attendee)
    elif role == "other organiser":
        person = make_person()
        make_door_event(organisers=(person,))
        auth.login(person)
    elif role == "organiser":
        auth.login(organiser)
    elif role == "admin":
        auth.login(make_person(is_admin=True))
    elif role == "scanner role":
        person = make_person()
        db.session.add(EventRole(event_id=event.id, person_id=person.id, role="scanner"))
        db.session.commit()
        auth.login(person)
    elif role == "scanner link":
        pair(client, event)
    elif role == "link for other event":
        pair(client, make_door_event())


ROLES = {
    # role: (may scan, may see organiser pages)
    "anonymous": (False, False),
    "attendee": (False, False),
    "other organiser": (False, False),
    "link for other event": (False, False),
    "scanner link": (True, False),
    "scanner role": (True, False),
    "organiser": (True, True),
    "admin": (True, True),
}


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize("role", ROLES)
def test_permissions_for_every_door_route(
    role: str, client: FlaskClient, auth: Auth, event: Event, organiser: Any
) -> None:
    may_scan, may_organise = ROLES[role]
    ticket_type = make_ticket_type(event, capacity=10)
    scanned, undone_by_scanner, undone_from_dashboard = (
        make_booking(ticket_type) for _ in range(3)
    )
    ids = {
        "slug": event.slug,
        "booking": scanned.id,
        "ticket_type": ticket_type.id,
        "scanner_check_in": make_check_in(undone_by_scanner).id,
        "dashboard_check_in": make_check_in(undone_from_dashboard).id,
        "spare_link": make_scanner_link(event, "Spare door")[0].id,
        "volunteer": make_person("Val Volunteer", "val@example.org").id,
    }
    logs_before = count(ScanLog)
    _as(role, client, auth, event, organiser)
    for routes, allowed in (
        (SCANNER_ROUTES, may_scan),
        (ORGANISER_ROUTES, may_organise),
        (PUBLIC_ROUTES, True),
    ):
        for method, url, body, status in routes:
            path = url.format(**ids)
            data = _fill(body, ids)
            is_api = path.startswith("/api/")
            response = client.open(
                path,
                method=method,
                json=data if is_api and method == "POST" else None,
                data=data if not is_api and method == "POST" else None,
            )
            where = response.headers.get("Location", "")
            if allowed:
                assert response.status_code == status, (role, path, response.status_code)
                assert "/sign-in" not in where, (role, path)
            else:
                assert response.status_code in (302, 401, 403), (role, path)
                assert response.status_code != 302 or "/sign-in" in where, (role, path, where)
    # What was allowed happened; what was refused left no trace.
    assert count(ScanLog) - logs_before == (4 if may_scan else 0)  # scan, check-in, 2 walk-ins
    undone = {
        c.id for c in db.session.scalars(select(CheckIn).where(CheckIn.undone_at.is_not(None)))
    }
    assert (ids["scanner_check_in"] in undone) is may_scan
    assert (ids["dashboard_check_in"] in undone) is may_organise
    spare_link = db.session.get(ScannerLink, ids["spare_link"])
    assert spare_link is not None and (spare_link.revoked_at is not None) is may_organise


def test_scanner_link_cannot_open_attendee_export_or_answers(
    client: FlaskClient, event: Event, ticket_type: TicketType
) -> None:
    question = make_question(event, label="Access needs", visibility="access_lead")
    booking = make_booking(ticket_type, make_person("Hidden Person"))
    db.session.add(Answer(booking_id=booking.id, question_id=question.id, value="Step-free please"))
    db.session.commit()
    pair(client, event)
    for path in (
        f"/events/{event.slug}/tickets/attendees.csv",
        f"/events/{event.slug}/tickets/attendees",
        f"/events/{event.slug}/tickets/answers",
        f"/events/{event.slug}/tickets/people/{booking.person_id}",
        f"/bookings/{booking.id}",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/sign-in" in response.headers["Location"], path
        text = response.get_data(as_text=True)
        assert "Step-free" not in text and "Hidden Person" not in text, path
    # The scanner itself still works for this phone, and shows only the flag.
    listing = client.get(f"/api/events/{event.slug}/door/tickets").get_data(as_text=True)
    assert "Hidden Person" in listing and "Step-free" not in listing


def test_scanner_link_grants_only_that_events_scanner(
    client: FlaskClient, event: Event, ticket_type: TicketType
) -> None:
    pair(client, event)
    other = make_door_event()
    assert client.get(f"/events/{other.slug}/door/scan").status_code == 302  # to sign-in
    assert client.get(f"/api/events/{other.slug}/door/tickets").status_code == 401
    assert client.get(f"/events/{event.slug}/door").status_code == 302
    assert client.get("/account").status_code == 302
    page = client.get(f"/events/{event.slug}/door/scan").get_data(as_text=True)
    assert 'Scanning as <strong id="door-label">Door 1</strong>' in page


def test_revoked_or_expired_link_stops_working(client: FlaskClient, event: Event) -> None:
    link = pair(client, event)
    assert client.get(f"/api/events/{event.slug}/door/ping").status_code == 200
    link.revoked_at = utcnow()
    db.session.commit()
    response = client.get(f"/api/events/{event.slug}/door/ping")
    assert response.status_code == 403
    assert "expired or been revoked" in response.get_json()["error"]["message"]
    _link, secret = make_scanner_link(event, expires_at=utcnow() + timedelta(seconds=1))
    _link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    page = client.get(f"/events/{event.slug}/door/link/{secret}")
    assert page.status_code == 403
    assert "has expired" in page.get_data(as_text=True)
    assert client.get(f"/events/{event.slug}/door/link/not-a-real-secret").status_code == 403


# --- the JSON API -------------------------------------------------------------------------------


def test_scan_green_then_amber_then_red(
    client: FlaskClient, event: Event, ticket_type: TicketType
) -> None:
    """Through Flask: the answers the phone shows, and the rows each scan leaves."""
    link = pair(client, event, "Door 2")
    booking = make_booking(ticket_type, make_person("Fatima Khan"))
    first = post_scan(client, event, scan_id="door-2-0001", payload=booking.token)
    assert first.status_code == 200
    green = first.get_json()
    assert (green["colour"], green["name"], green["ticket_type"], green["door"]) == (
        "green",
        "Fatima Khan",
        "General admission",
        "Door 2",
    )
    again = post_scan(client, event, scan_id="door-2-0002", payload=booking.token)
    assert again.status_code == 200
    amber = again.get_json()
    assert (amber["colour"], amber["check_in_id"]) == ("amber", green["check_in_id"])
    assert "Checked in at Door 2" in amber["detail"]
    garbage = post_scan(client, event, scan_id="door-2-0003", payload="https://evil.example/%00")
    assert garbage.status_code == 200
    assert (garbage.get_json()["colour"], garbage.get_json()["title"]) == ("red", "Not a ticket")
    [check_in] = db.session.scalars(select(CheckIn)).all()
    assert (check_in.id, check_in.booking_id, check_in.door_label, check_in.scanner_link_id) == (
        green["check_in_id"],
        booking.id,
        "Door 2",
        link.id,
    )
    logs = db.session.scalars(select(ScanLog).order_by(ScanLog.id)).all()
    assert [(log.scan_id, log.result, log.booking_id) for log in logs] == [
        ("door-2-0001", ScanResult.ACCEPTED, booking.id),
        ("door-2-0002", ScanResult.DUPLICATE, booking.id),
        ("door-2-0003", ScanResult.INVALID, None),
    ]
    assert check_in.scan_log_id == logs[0].id
    assert booking.checked_in_at == check_in.scanned_at


def test_a_retried_scan_is_answered_again_without_a_second_row(
    client: FlaskClient, event: Event, ticket_type: TicketType
) -> None:
    pair(client, event)
    booking = make_booking(ticket_type)
    first = post_scan(client, event, scan_id="retry-0001", payload=booking.token).get_json()
    retried = post_scan(client, event, scan_id="retry-0001", payload=booking.token)
    assert retried.status_code == 200
    assert retried.get_json() == first
    assert count(ScanLog) == 1 and count(CheckIn) == 1


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "text",
        {"scan_id": "short"},
        {"scan_id": "x" * 65},
        {"scan_id": 12345678},
        {"scan_id": "newline-at-end\n"},
    ],
)
def test_malformed_scan_requests_get_json_errors(
    client: FlaskClient, event: Event, body: Any
) -> None:
    pair(client, event)
    response = client.post(f"/api/events/{event.slug}/door/scans", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["status"] == 400
    assert count(ScanLog) == 0


def test_sync_is_idempotent_and_reports_bad_items(
    client: FlaskClient, event: Event, ticket_type: TicketType
) -> None:
    pair(client, event)
    bookings = [make_booking(ticket_type) for _ in range(2)]
    now = utcnow()
    batch = {
        "sent_at": now.isoformat(),
        "device_id": "phone-1",
        "scans": [
            {"scan_id": "offline-0001", "token_hash": bookings[0].token_hash,
             "device_time": (now - timedelta(minutes=5)).isoformat()},
            {"scan_id": "offline-0002", "token_hash": bookings[1].token_hash,
             "device_time": "yesterday-ish"},
            {"scan_id": "offline-0003", "token_hash": "NOT-HEX"},
            {"scan_id": "offline-0004", "token_hash": "0" * 64},
            "not an object",
        ],
    }  # fmt: skip
    url = f"/api/events/{event.slug}/door/sync"
    first = client.post(url, json=batch).get_json()
    again = client.post(url, json=batch).get_json()
    assert first == again
    results = first["results"]
    assert [r.get("colour") for r in results] == ["green", "green", None, "red", None]
    assert "token_hash must be" in results[2]["error"]
    assert count(CheckIn) == 2 and count(ScanLog) == 4  # offline-0003 is logged as invalid
    check_in = db.session.scalar(select(CheckIn).where(CheckIn.booking_id == bookings[0].id))
    assert check_in is not None
    assert abs((check_in.scanned_at - (now - timedelta(minutes=5))).total_seconds()) < 5
    too_many = {"scans": [{"scan_id": f"many-{n:05d}"} for n in range(201)]}
    response = client.post(url, json=too_many)
    assert response.status_code == 400
    assert "at most 200" in response.get_json()["error"]["message"]


def test_sync_logs_unreadable_items_with_a_usable_scan_id_once(
    client: FlaskClient, auth: Auth, event: Event, organiser: Any
) -> None:
    auth.login(organiser)
    now = utcnow()
    scanned = now - timedelta(minutes=3)
    batch = {
        "sent_at": now.isoformat(),
        "device_id": "phone-9",
        "device_label": "Side door",
        "scans": [
            {"scan_id": "bad-hash-0001", "token_hash": "NOT-HEX",
             "device_time": scanned.isoformat()},
            {"scan_id": "bad-method-01", "method": "telepathy", "payload": "x"},
            {"scan_id": "bad-booking-1", "booking_id": -4, "method": "search"},
            {"scan_id": "short", "token_hash": "NOT-HEX"},  # no usable scan id: not logged
            {"scan_id": "x" * 65, "payload": "x"},
            {"scan_id": 123456789, "payload": "x"},
            {"token_hash": "NOT-HEX"},
            ["not", "an", "object"],
        ],
    }  # fmt: skip
    url = f"/api/events/{event.slug}/door/sync"
    first = client.post(url, json=batch).get_json()
    again = client.post(url, json=batch).get_json()
    assert first == again
    assert all("error" in result for result in first["results"])
    assert [r["scan_id"] for r in first["results"]][:5] == [
        "bad-hash-0001", "bad-method-01", "bad-booking-1", "short", "x" * 64,
    ]  # fmt: skip
    logs = {log.scan_id: log for log in db.session.scalars(select(ScanLog))}
    assert set(logs) == {"bad-hash-0001", "bad-method-01", "bad-booking-1"}
    assert {log.result for log in logs.values()} == {ScanResult.INVALID}
    assert {log.device_label for log in logs.values()} == {"Side door"}
    assert {log.device_id for log in logs.values()} == {"phone-9"}
    assert {log.person_id for log in logs.values()} == {organiser.id}
    assert logs["bad-hash-0001"].device_time == scanned
    assert abs((logs["bad-hash-0001"].scanned_at - scanned).total_seconds()) < 5
    assert logs["bad-method-01"].device_time is None
    assert logs["bad-booking-1"].method is ScanMethod.SEARCH
    assert logs["bad-booking-1"].booking_id is None
    # The dashboard lists them with the other scans.
    stats = client.get(f"/api/events/{event.slug}/door/stats").get_json()
    assert [r["result"] for r in stats["recent"]] == ["invalid"] * 3


def test_ticket_list_has_no_tokens_and_supports_etag(
    client: FlaskClient, event: Event, ticket_type: TicketType
) -> None:
    pair(client, event)
    booking = make_booking(ticket_type, make_person("Niamh Murphy"))
    url = f"/api/events/{event.slug}/door/tickets"
    response = client.get(url)
    body = response.get_json()
    assert body["count"] == 1 and body["tickets"][0]["h"] == booking.token_hash
    assert booking.token not in response.get_data(as_text=True)
    etag = response.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    post_scan(client, event, payload=booking.token)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_search_and_undo_through_the_api(
    client: FlaskClient, event: Event, ticket_type: TicketType
) -> None:
    """Through Flask: find by organisation, check in, undo, and scan in again."""
    pair(client, event)
    booking = make_booking(ticket_type, make_person("Marek Wilson", organisation="Kent CC"))
    found = client.get(f"/api/events/{event.slug}/door/search?q=kent")
    assert found.status_code == 200
    [match] = found.get_json()["matches"]
    assert (match["name"], match["booking_id"], match["check_in_id"]) == (
        "Marek Wilson",
        booking.id,
        None,
    )
    assert "email" not in match
    assert client.get(f"/api/events/{event.slug}/door/search?q=k").status_code == 400
    checked_in = post_scan(client, event, method="search", booking_id=booking.id)
    assert checked_in.status_code == 200
    green = checked_in.get_json()
    assert green["colour"] == "green"
    undo_url = f"/api/events/{event.slug}/door/check-ins/{green['check_in_id']}/undo"
    undo = client.post(undo_url)
    assert undo.status_code == 200
    assert undo.get_json()["check_in_id"] == green["check_in_id"]
    check_in = db.session.get_one(CheckIn, green["check_in_id"])
    assert (check_in.undone_by_label, check_in.undone_at is not None) == ("Door 1", True)
    assert booking.checked_in_at is None
    again = client.post(undo_url)
    assert again.status_code == 409
    assert "undone already" in again.get_json()["error"]["message"]
    rescan = post_scan(client, event, payload=booking.token)
    assert rescan.status_code == 200 and rescan.get_json()["colour"] == "green"
    assert rescan.get_json()["check_in_id"] != green["check_in_id"]
    accepted = db.session.scalars(select(CheckIn).where(CheckIn.undone_at.is_(None))).all()
    assert [c.id for c in accepted] == [rescan.get_json()["check_in_id"]]
    assert booking.checked_in_at == accepted[0].scanned_at


def test_walk_in_api_and_full_event(client: FlaskClient, event: Event) -> None:
    pair(client, event)
    ticket_type = make_ticket_type(event, capacity=1)
    url = f"/api/events/{event.slug}/door/walk-ins"
    bad = client.post(url, json={"name": "", "email": "nope", "ticket_type_id": ticket_type.id})
    assert bad.status_code == 400
    assert set(bad.get_json()["error"]["fields"]) == {"name", "email"}
    body = {"name": "Sian Lewis", "email": "sian@example.org", "ticket_type_id": ticket_type.id}
    ok = client.post(url, json={**body, "scan_id": "walk-in-0001"})
    assert ok.get_json()["colour"] == "green" and ok.get_json()["name"] == "Sian Lewis"
    full = client.post(url, json={**body, "email": "paul@example.org"})
    assert full.status_code == 400  # no ticket type with places left is offered any more
    assert "ticket_type_id" in full.get_json()["error"]["fields"]
    db.session.refresh(ticket_type)
    assert ticket_type.taken == 1


def test_walk_in_refused_clearly_when_full_as_a_race(
    client: FlaskClient, event: Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form offered a place, but someone else took it before the request arrived."""
    pair(client, event)
    ticket_type = make_ticket_type(event, capacity=1)
    monkeypatch.setattr("lgcamp.checkin.walk_in_records.take_place", lambda _s, _t: False)
    response = client.post(
        f"/api/events/{event.slug}/door/walk-ins",
        json={"name": "Paul Hall", "email": "paul@example.org", "ticket_type_id": ticket_type.id},
    )
    assert response.status_code == 409
    assert "No places left" in response.get_json()["error"]["message"]


def test_scanner_api_needs_the_csrf_header(
    event: Event, ticket_type: TicketType, app: Flask
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    pair(client, event)
    page = client.get(f"/events/{event.slug}/door/scan").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token
    booking = make_booking(ticket_type)
    url = f"/api/events/{event.slug}/door/scans"
    refused = client.post(url, json={"scan_id": "csrf-00001", "payload": booking.token})
    assert refused.status_code == 400
    assert count(ScanLog) == 0
    accepted = client.post(
        url,
        json={"scan_id": "csrf-00002", "payload": booking.token},
        headers={"X-CSRFToken": token.group(1)},
    )
    assert accepted.get_json()["colour"] == "green"


# --- pages ---------------------------------------------------------------------------------


def test_pages_without_javascript_search_check_in_walk_in(
    client: FlaskClient, event: Event, ticket_type: TicketType
) -> None:
    pair(client, event)
    booking = make_booking(ticket_type, make_person("Chloe Davies"))
    make_booking(ticket_type, make_person("Chloe Cancelled"), status=BookingStatus.CANCELLED)
    page = client.get(f"/events/{event.slug}/door/scan?q=chloe").get_data(as_text=True)
    assert "Chloe Davies" in page and "cancelled" in page
    response = client.post(
        f"/events/{event.slug}/door/check-ins",
        data={"booking_id": booking.id, "scan_id": "nojs-check-in-1"},
        follow_redirects=True,
    )
    assert "Checked in: Chloe Davies" in response.get_data(as_text=True)
    response = client.post(
        f"/events/{event.slug}/door/walk-ins",
        data={"name": "", "email": "x", "ticket_type_id": ticket_type.id},
    )
    assert response.status_code == 400
    assert "Enter their full name" in response.get_data(as_text=True)
    response = client.post(
        f"/events/{event.slug}/door/walk-ins",
        data={
            "name": "Ravi Roberts",
            "email": "ravi@example.org",
            "ticket_type_id": ticket_type.id,
        },
        follow_redirects=True,
    )
    assert "Ravi Roberts is registered and checked in" in response.get_data(as_text=True)
    # A scanner link keeps the walk-in as typed, for Ravi to confirm (walk_in_records.py).
    assert count(CheckIn) == 1 and count(WalkInRecord) == 1


def test_organiser_creates_shows_and_revokes_links(
    client: FlaskClient, auth: Auth, event: Event, organiser: Any
) -> None:
    auth.login(organiser)
    url = f"/events/{event.slug}/door/links"
    bad = client.post(url, data={"label": "", "expires_in": "24"})
    assert bad.status_code == 400 and "Enter a label" in bad.get_data(as_text=True)
    client.post(url, data={"label": "Side door", "expires_in": "12"})
    link = db.session.scalar(select(ScannerLink))
    assert link is not None and link.label == "Side door"
    page = client.get(url).get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page
    secret = re.search(r"/door/link/([\w-]+)", page)
    assert secret and secret.group(1) not in link.secret_hash
    client.post(f"{url}/{link.id}/revoke")
    assert "Revoked" in client.get(url).get_data(as_text=True)
    volunteer = make_person("Val Volunteer", "val@example.org")
    client.post(f"/events/{event.slug}/door/scanners", data={"email": "val@example.org"})
    assert "Val Volunteer (val@example.org)" in client.get(url).get_data(as_text=True)
    client.post(f"/events/{event.slug}/door/scanners/{volunteer.id}/remove")
    assert "Val Volunteer (" not in client.get(url).get_data(as_text=True)


def test_opening_a_link_writes_nothing_and_last_used_is_the_last_scan(
    app: Flask, event: Event, ticket_type: TicketType, organiser: Any
) -> None:
    phone, desk = app.test_client(), app.test_client()
    link = pair(phone, event, "Door 3")
    assert db.session.get_one(ScannerLink, link.id).last_used_at is None
    Auth(desk).login(organiser)
    url = f"/events/{event.slug}/door/links"
    card = re.compile(rf'id="link-{link.id}".*?Last used</dt>\s*<dd[^>]*>([^<]*)</dd>', re.S)
    assert (m := card.search(desk.get(url).get_data(as_text=True))) and m.group(1) == "Not yet"
    post_scan(phone, event, payload=make_booking(ticket_type).token)
    [log] = db.session.scalars(select(ScanLog)).all()
    shown = log.received_at.astimezone(event.tz).strftime("%-d %B, %H:%M")
    assert (m := card.search(desk.get(url).get_data(as_text=True))) and m.group(1) == shown


def test_dashboard_shows_counts_chart_and_recent_scans(
    client: FlaskClient, auth: Auth, organiser: Any
) -> None:
    event = make_door_event(organisers=(organiser,), starts_at=utcnow() - timedelta(hours=1))
    ticket_type = make_ticket_type(event)
    bookings = [make_booking(ticket_type, make_person(f"Guest {n}")) for n in range(3)]
    auth.login(organiser)
    post_scan(client, event, payload=bookings[0].token)
    post_scan(client, event, payload="garbage")
    page = client.get(f"/events/{event.slug}/door").get_data(as_text=True)
    assert re.search(r'id="stat-checked-in">1<', page)
    assert re.search(r'id="stat-booked">3<', page)
    assert re.search(r'id="stat-no-shows">2<', page)
    assert '<rect class="lgcamp-arrivals__bar"' in page
    assert "Guest 0" in page and "invalid" in page
    stats = client.get(f"/api/events/{event.slug}/door/stats").get_json()
    assert (stats["checked_in"], stats["booked"], stats["no_shows"]) == (1, 3, 2)


def test_service_worker_is_served_in_scope(client: FlaskClient, event: Event) -> None:
    response = client.get(f"/events/{event.slug}/door/sw.js")
    assert response.status_code == 200
    assert "javascript" in response.content_type
    assert response.headers["Service-Worker-Allowed"] == f"/events/{event.slug}/door/"
    assert "caches" in response.get_data(as_text=True)


# --- undo from the dashboard ---------------------------------------------------------------


@pytest.fixture
def checked_in(organiser: Any) -> CheckIn:
    """Ada Lovelace, checked in at Door 2 of an event that has started."""
    event = make_door_event(organisers=(organiser,), starts_at=utcnow() - timedelta(hours=1))
    booking = make_booking(make_ticket_type(event), make_person("Ada Lovelace"))
    return make_check_in(booking, door="Door 2")


def undo_url(check_in: CheckIn) -> str:
    return f"/events/{check_in.booking.event.slug}/door/check-ins/{check_in.id}/undo"


def test_dashboard_undo_names_the_person_and_shows_who_undid_it(
    client: FlaskClient, auth: Auth, organiser: Any, checked_in: CheckIn
) -> None:
    slug = checked_in.booking.event.slug
    auth.login(organiser)
    page = client.get(f"/events/{slug}/door").get_data(as_text=True)
    assert f'action="{undo_url(checked_in)}"' in page
    assert 'name="csrf_token"' in page
    assert 'Undo<span class="govuk-visually-hidden"> the check-in of Ada Lovelace</span>' in page
    assert re.search(r'id="stat-checked-in">1<', page)

    response = client.post(undo_url(checked_in), follow_redirects=True)
    assert response.request.path == f"/events/{slug}/door"
    page = response.get_data(as_text=True)
    assert "govuk-notification-banner--success" in page
    assert "The check-in of Ada Lovelace has been undone" in page
    db.session.refresh(checked_in)
    assert checked_in.undone_at is not None
    assert (checked_in.undone_by_id, checked_in.undone_by_label) == (organiser.id, organiser.name)
    assert re.search(r'id="stat-checked-in">0<', page)
    # The scan stays in the list, shown as undone (who and when), with no Undo button left.
    assert f'action="{undo_url(checked_in)}"' not in page
    undone_time = checked_in.undone_at.astimezone(checked_in.booking.event.tz).strftime("%H:%M:%S")
    assert re.search(r"govuk-tag--grey\">undone</strong>\s*<span[^>]*>at " + undone_time
                     + " by Olu Organiser<", page)  # fmt: skip
    [recent] = client.get(f"/api/events/{slug}/door/stats").get_json()["recent"]
    assert (recent["result"], recent["colour"], recent["check_in_id"]) == ("undone", "grey", None)
    assert (recent["undone_time"], recent["undone_by"]) == (undone_time, "Olu Organiser")

    # Sent again (a second click, or another organiser was quicker): said plainly, no change.
    again = client.post(undo_url(checked_in), follow_redirects=True)
    assert again.request.path == f"/events/{slug}/door"
    assert "undone already" in again.get_data(as_text=True)
    db.session.refresh(checked_in)
    assert checked_in.undone_by_label == organiser.name


def test_dashboard_undo_of_unknown_or_other_events_check_in_is_404(
    client: FlaskClient, auth: Auth, organiser: Any, checked_in: CheckIn
) -> None:
    auth.login(organiser)
    slug = checked_in.booking.event.slug
    assert client.post(f"/events/{slug}/door/check-ins/999999/undo").status_code == 404
    elsewhere = make_check_in(make_booking(make_ticket_type(make_event(organisers=(organiser,)))))
    assert client.post(f"/events/{slug}/door/check-ins/{elsewhere.id}/undo").status_code == 404
    db.session.refresh(elsewhere)
    assert elsewhere.undone_at is None


@pytest.mark.parametrize("role", ["scanner link", "scanner role", "attendee", "anonymous"])
def test_dashboard_undo_refused_to_scanners_and_attendees(
    role: str, client: FlaskClient, auth: Auth, organiser: Any, checked_in: CheckIn
) -> None:
    event = checked_in.booking.event
    _as(role, client, auth, event, organiser)
    response = client.post(undo_url(checked_in))
    if role in ("scanner link", "anonymous"):
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    else:
        assert response.status_code == 403
    db.session.refresh(checked_in)
    assert checked_in.undone_at is None


def test_dashboard_undo_needs_the_pages_csrf_token(
    app: Flask, client: FlaskClient, auth: Auth, organiser: Any, checked_in: CheckIn
) -> None:
    auth.login(organiser)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/events/{checked_in.booking.event.slug}/door").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    meta_token = re.search(r'name="csrf-token" content="([^"]+)"', page)  # for JS-drawn forms
    assert form_token and meta_token
    assert client.post(undo_url(checked_in)).status_code == 400
    db.session.refresh(checked_in)
    assert checked_in.undone_at is None
    response = client.post(undo_url(checked_in), data={"csrf_token": meta_token.group(1)})
    assert response.status_code == 302
    db.session.refresh(checked_in)
    assert checked_in.undone_at is not None


def test_dashboard_refresh_is_not_a_live_region(
    client: FlaskClient, auth: Auth, organiser: Any, checked_in: CheckIn
) -> None:
    auth.login(organiser)
    page = client.get(f"/events/{checked_in.booking.event.slug}/door").get_data(as_text=True)
    assert re.search(r'<span id="stats-updated">Numbers as at \d\d:\d\d:\d\d\.</span>', page)
    assert 'role="status"' not in page and "aria-live" not in page
    # The chart is an image with a title and a description; the same numbers are in a table.
    assert 'role="img" aria-labelledby="arrivals-title arrivals-desc"' in page
    assert "Arrivals per 15 minutes (event time)</caption>" in page
