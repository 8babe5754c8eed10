"""The door pages and the scanner's JSON API through the test client."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp.checkin.models import CheckIn, ScanLog, ScannerLink
from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventRole
from lgcamp.extensions import db
from lgcamp.tickets.models import BookingStatus, TicketType
from tests.conftest import Auth
from tests.factories import (
    make_booking,
    make_event,
    make_person,
    make_scanner_link,
    make_ticket_type,
)


@pytest.fixture
def organiser(app: Flask) -> Any:
    return make_person("Olu Organiser")


@pytest.fixture
def event(organiser: Any) -> Event:
    return make_event("LocalGovCamp 2027", organisers=(organiser,))


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

SCANNER_URLS = [
    ("GET", "/events/{slug}/door/scan"),
    ("GET", "/api/events/{slug}/door/ping"),
    ("GET", "/api/events/{slug}/door/tickets"),
    ("GET", "/api/events/{slug}/door/search?q=sam"),
    ("POST", "/api/events/{slug}/door/scans"),
    ("POST", "/api/events/{slug}/door/sync"),
]
ORGANISER_URLS = [
    ("GET", "/events/{slug}/door"),
    ("GET", "/events/{slug}/door/links"),
    ("GET", "/api/events/{slug}/door/stats"),
    ("GET", "/events/{slug}/manage"),
]


def _as(role: str, client: FlaskClient, auth: Auth, event: Event, organiser: Any) -> None:
    if role == "attendee":
        auth.login(make_person())
    elif role == "other organiser":
        person = make_person()
        make_event(organisers=(person,))
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
        pair(client, make_event())


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


@pytest.mark.parametrize("role", ROLES)
def test_permissions_for_every_door_route(
    role: str, client: FlaskClient, auth: Auth, event: Event, organiser: Any
) -> None:
    may_scan, may_organise = ROLES[role]
    _as(role, client, auth, event, organiser)
    for urls, allowed in ((SCANNER_URLS, may_scan), (ORGANISER_URLS, may_organise)):
        for method, url in urls:
            path = url.format(slug=event.slug)
            body = {"scan_id": "perm-check-1", "payload": "x", "scans": []}
            response = client.open(path, method=method, json=body if method == "POST" else None)
            if allowed:
                assert response.status_code == 200, (role, path, response.status_code)
            else:
                assert response.status_code in (302, 401, 403), (role, path)
    assert count(ScanLog) == (1 if may_scan else 0)


def test_scanner_link_grants_only_that_events_scanner(
    client: FlaskClient, event: Event, ticket_type: TicketType
) -> None:
    pair(client, event)
    other = make_event()
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
    pair(client, event, "Door 2")
    booking = make_booking(ticket_type, make_person("Fatima Khan"))
    green = post_scan(client, event, payload=booking.token).get_json()
    assert (green["colour"], green["name"], green["ticket_type"]) == (
        "green",
        "Fatima Khan",
        "General admission",
    )
    amber = post_scan(client, event, payload=booking.token).get_json()
    assert amber["colour"] == "amber" and amber["door"] == "Door 2"
    assert "Checked in at Door 2" in amber["detail"]
    red = post_scan(client, event, payload="https://evil.example/%00").get_json()
    assert (red["colour"], red["title"]) == ("red", "Not a ticket")
    assert count(CheckIn) == 1 and count(ScanLog) == 3


@pytest.mark.parametrize(
    "body",
    [None, [], "text", {"scan_id": "short"}, {"scan_id": "x" * 65}, {"scan_id": 12345678}],
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
    assert count(CheckIn) == 2 and count(ScanLog) == 3
    check_in = db.session.scalar(select(CheckIn).where(CheckIn.booking_id == bookings[0].id))
    assert check_in is not None
    assert abs((check_in.scanned_at - (now - timedelta(minutes=5))).total_seconds()) < 5
    too_many = {"scans": [{"scan_id": f"many-{n:05d}"} for n in range(201)]}
    response = client.post(url, json=too_many)
    assert response.status_code == 400
    assert "at most 200" in response.get_json()["error"]["message"]


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
    pair(client, event)
    booking = make_booking(ticket_type, make_person("Marek Wilson", organisation="Kent CC"))
    found = client.get(f"/api/events/{event.slug}/door/search?q=kent").get_json()["matches"]
    assert [m["name"] for m in found] == ["Marek Wilson"]
    assert "email" not in found[0]
    assert client.get(f"/api/events/{event.slug}/door/search?q=k").status_code == 400
    green = post_scan(client, event, method="search", booking_id=booking.id).get_json()
    assert green["colour"] == "green"
    undo = client.post(f"/api/events/{event.slug}/door/check-ins/{green['check_in_id']}/undo")
    assert undo.status_code == 200
    check_in = db.session.get(CheckIn, green["check_in_id"])
    assert check_in is not None and check_in.undone_by_label == "Door 1"
    assert (
        client.post(
            f"/api/events/{event.slug}/door/check-ins/{green['check_in_id']}/undo"
        ).status_code
        == 409
    )
    assert post_scan(client, event, payload=booking.token).get_json()["colour"] == "green"


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
    monkeypatch.setattr("lgcamp.checkin.service.take_place", lambda _s, _t: False)
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
    assert count(CheckIn) == 2


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


def test_dashboard_shows_counts_chart_and_recent_scans(
    client: FlaskClient, auth: Auth, organiser: Any
) -> None:
    event = make_event(organisers=(organiser,), starts_at=utcnow() - timedelta(hours=1))
    ticket_type = make_ticket_type(event)
    bookings = [make_booking(ticket_type, make_person(f"Guest {n}")) for n in range(3)]
    auth.login(organiser)
    post_scan(client, event, payload=bookings[0].token)
    post_scan(client, event, payload="garbage")
    page = client.get(f"/events/{event.slug}/door").get_data(as_text=True)
    assert re.search(r'id="stat-checked-in">1<', page)
    assert re.search(r'id="stat-booked">3<', page)
    assert re.search(r'id="stat-no-shows">2<', page)
    assert "lgcamp-chart__bar--h20" in page
    assert "Guest 0" in page and "invalid" in page
    stats = client.get(f"/api/events/{event.slug}/door/stats").get_json()
    assert (stats["checked_in"], stats["booked"], stats["no_shows"]) == (1, 3, 2)


def test_service_worker_is_served_in_scope(client: FlaskClient, event: Event) -> None:
    response = client.get(f"/events/{event.slug}/door/sw.js")
    assert response.status_code == 200
    assert "javascript" in response.content_type
    assert response.headers["Service-Worker-Allowed"] == f"/events/{event.slug}/door/"
    assert "caches" in response.get_data(as_text=True)
