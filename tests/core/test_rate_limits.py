"""Rate limits on booking, the door, search and feeds: each counts a person (or a door, or a
calendar client's feed), answers 429 as a page for people and JSON for JSON endpoints, and sits
far above a real day."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits import parse
from sqlalchemy import func, select

from lgcamp import create_app
from lgcamp.checkin.models import ScanLog
from lgcamp.extensions import db, limiter
from lgcamp.limits import warn_if_per_process
from lgcamp.tickets.models import Booking
from tests.checkin.test_views import pair, post_scan
from tests.conftest import Auth, free_port
from tests.factories import (
    make_booking,
    make_door_event,
    make_event,
    make_person,
    make_ticket_type,
)

API_HEADERS = {"X-Requested-With": "lgcamp"}


def assert_html_429(response: object, words: str) -> None:
    assert response.status_code == 429  # type: ignore[attr-defined]
    assert response.mimetype == "text/html"  # type: ignore[attr-defined]
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Too many attempts" in page and words in page
    assert int(response.headers["Retry-After"]) > 0  # type: ignore[attr-defined]


def assert_json_429(response: object, words: str) -> None:
    assert response.status_code == 429  # type: ignore[attr-defined]
    error = response.get_json()["error"]  # type: ignore[attr-defined]
    assert error["status"] == 429 and words in error["message"]
    assert int(response.headers["Retry-After"]) > 0  # type: ignore[attr-defined]


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_booking_is_limited_per_person_not_per_address(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    app.config["BOOKING_RATE_LIMIT"] = "2 per hour"
    event = make_event()
    ticket_type = make_ticket_type(event)
    form_url = f"/events/{event.slug}/tickets/{ticket_type.id}/book"
    api_url = f"/api/events/{event.slug}/bookings"
    auth.login(make_person())
    assert client.post(form_url, data={}).status_code == 302  # booked
    body = {"ticket_type_id": ticket_type.id}
    assert client.post(api_url, json=body, headers=API_HEADERS).status_code == 409  # has one
    assert_html_429(client.post(form_url, data={}), "too many times")
    assert_json_429(client.post(api_url, json=body, headers=API_HEADERS), "too many times")
    # Someone else at the same address (a venue, an office) books as usual.
    auth.logout()
    auth.login(make_person())
    assert client.post(api_url, json=body, headers=API_HEADERS).status_code == 201
    assert count(Booking) == 2


def test_the_door_is_limited_per_scanner_link(app: Flask) -> None:
    app.config["DOOR_RATE_LIMIT"] = "3 per hour"
    event = make_door_event()
    ticket_type = make_ticket_type(event)
    tokens = [make_booking(ticket_type).token for _ in range(5)]
    door_1, door_2 = app.test_client(), app.test_client()
    pair(door_1, event, "Door 1")
    pair(door_2, event, "Door 2")
    colours = [post_scan(door_1, event, payload=token).get_json()["colour"] for token in tokens[:3]]
    assert colours == ["green"] * 3
    assert_json_429(post_scan(door_1, event, payload=tokens[3]), "too many check-ins")
    no_js = door_1.post(
        f"/events/{event.slug}/door/check-ins", data={"scan_id": "form-1", "booking_id": "1"}
    )
    assert_html_429(no_js, "too many check-ins")
    # The other door of the same venue (same address) goes on scanning.
    assert post_scan(door_2, event, payload=tokens[3]).get_json()["colour"] == "green"
    assert count(ScanLog) == 4


def test_door_search_is_limited_for_the_api_and_the_page(app: Flask, client: FlaskClient) -> None:
    app.config["SEARCH_RATE_LIMIT"] = "2 per hour"
    event = make_event()
    make_booking(make_ticket_type(event), make_person("Sam Searched"))
    pair(client, event)
    api = f"/api/events/{event.slug}/door/search?q=Sam"
    assert [m["name"] for m in client.get(api).get_json()["matches"]] == ["Sam Searched"]
    assert "Sam Searched" in client.get(f"/events/{event.slug}/door/scan?q=Sam").get_data(
        as_text=True
    )
    assert_json_429(client.get(api), "Too many searches")
    assert_html_429(client.get(f"/events/{event.slug}/door/scan?q=Sam"), "Too many searches")
    # Opening the scanner page is not a search.
    assert client.get(f"/events/{event.slug}/door/scan").status_code == 200


def test_feeds_are_limited_per_feed_address(app: Flask, client: FlaskClient) -> None:
    app.config["FEED_RATE_LIMIT"] = "2 per hour"
    event = make_event("Feed camp")
    assert [client.get("/feeds/events.ics").status_code for _ in range(2)] == [200, 200]
    assert_html_429(client.get("/feeds/events.ics"), "fetched too often")
    assert client.get(f"/events/{event.slug}/calendar.ics").status_code == 200


def test_default_limits_are_far_above_a_real_day(app: Flask) -> None:
    def per_second(name: str) -> float:
        item = parse(app.config[name])
        return item.amount / item.get_expiry()

    assert per_second("DOOR_RATE_LIMIT") >= 10 * 2  # a door scanning 10 a second, twice over
    assert per_second("BOOKING_RATE_LIMIT") >= 1  # one person: a booking a second
    assert per_second("SEARCH_RATE_LIMIT") >= 1
    assert parse(app.config["FEED_RATE_LIMIT"]).amount >= 60  # calendar apps poll hourly at most


@pytest.mark.parametrize(
    ("workers", "uri", "warned"),
    [
        (2, "memory://", True),
        (1, "memory://", False),
        (4, "redis://127.0.0.1:6379", False),
    ],
)
def test_warning_when_workers_would_each_count_alone(
    app: Flask, workers: int, uri: str, warned: bool
) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = uri
    logged: list[str] = []

    class Recorder:
        def warning(self, msg: str, *args: object) -> None:
            logged.append(msg % args)

    assert warn_if_per_process(app, workers, Recorder()) is warned
    assert len(logged) == (1 if warned else 0)
    assert all(m.startswith(f"RATE LIMITS ARE PER WORKER: {workers} workers") for m in logged)


def test_a_limit_store_that_is_down_lets_requests_through(app: Flask) -> None:
    """Redis down: the limited sign-in page answers as usual, not 500 (nothing listens here)."""
    nowhere = f"redis://127.0.0.1:{free_port()}"
    down = create_app({**app.config, "RATELIMIT_STORAGE_URI": nowhere})
    down.instance_path = app.instance_path
    try:
        response = down.test_client().post(
            "/sign-in", data={"email": "a@example.org", "password": "x"}
        )
    finally:
        limiter.init_app(app)  # the limiter is shared: give it back this test's store
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
