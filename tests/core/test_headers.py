"""Cache-Control on personal answers, and HSTS over https: set in one place (create_app)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lgcamp import create_app
from lgcamp.extensions import db
from tests.checkin.test_views import pair
from tests.conftest import Auth
from tests.factories import (
    make_booking,
    make_camp_session,
    make_event,
    make_person,
    make_room,
    make_slot,
    make_ticket_type,
)

HSTS = "Strict-Transport-Security"


def test_signed_in_pages_json_and_errors_are_never_stored(client: FlaskClient, auth: Auth) -> None:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    assert "no-store" not in client.get(f"/events/{event.slug}").headers.get("Cache-Control", "")
    auth.login(organiser)
    for url in (f"/events/{event.slug}", "/account", f"/api/events/{event.slug}/door/stats"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    assert client.get("/events/no-such-event").headers["Cache-Control"] == "no-store"
    # Files that are the same for everyone keep their own caching.
    static = client.get("/static/css/lgcamp.css")
    static.close()
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_a_paired_door_phone_gets_no_store_and_still_its_304(client: FlaskClient) -> None:
    event = make_event()
    make_booking(make_ticket_type(event))
    pair(client, event)
    first = client.get(f"/api/events/{event.slug}/door/tickets")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    again = client.get(
        f"/api/events/{event.slug}/door/tickets", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.headers["Cache-Control"] == "no-store"


def test_a_ticket_and_its_qr_are_never_stored_whoever_asks(client: FlaskClient) -> None:
    booking = make_booking(make_ticket_type(make_event()))
    for suffix in ("", "/qr.png", "/qr.svg"):
        response = client.get(f"/tickets/{booking.token}{suffix}")
        assert response.status_code == 200, suffix
        assert response.headers["Cache-Control"] == "no-store", suffix


@pytest.fixture
def grid_url() -> str:
    event = make_event()
    make_camp_session(event, slot=make_slot(event), room=make_room(event))
    return f"/events/{event.slug}/grid/live"


def test_anonymous_grid_poll_and_feeds_keep_their_conditional_get(
    client: FlaskClient, grid_url: str
) -> None:
    for url in (grid_url, "/feeds/events.ics"):
        first = client.get(url)
        assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache", url
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.headers["Cache-Control"] == "no-cache", url


def test_signed_in_grid_poll_is_not_stored_and_still_answers_304(
    client: FlaskClient, auth: Auth, grid_url: str
) -> None:
    auth.login(make_person())
    first = client.get(grid_url)
    assert first.headers["Cache-Control"] == "no-store"
    again = client.get(grid_url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == "no-store"


def test_hsts_over_https_only(app: Flask, client: FlaskClient) -> None:
    assert client.get("/sign-in", base_url="https://localhost").headers[HSTS] == (
        "max-age=31536000; includeSubDomains"
    )
    assert HSTS not in client.get("/sign-in").headers
    # Without trusted proxies, anyone could claim https: the header is not believed.
    assert HSTS not in client.get("/sign-in", headers={"X-Forwarded-Proto": "https"}).headers
    app.config["HSTS_ALWAYS"] = True
    assert HSTS in client.get("/sign-in").headers
    app.config.update(HSTS_ALWAYS=False, HSTS_SECONDS=0)
    assert HSTS not in client.get("/sign-in", base_url="https://localhost").headers


@pytest.fixture
def proxied_app(app: Flask) -> Iterator[Flask]:
    """The same database behind one trusted reverse proxy (TRUSTED_PROXIES=1)."""
    behind = create_app({**app.config, "TRUSTED_PROXIES": 1})
    yield behind
    with behind.app_context():
        db.engine.dispose()


def test_hsts_behind_a_trusted_proxy_that_says_https(proxied_app: Flask) -> None:
    client = proxied_app.test_client()
    assert HSTS in client.get("/sign-in", headers={"X-Forwarded-Proto": "https"}).headers
    assert HSTS not in client.get("/sign-in", headers={"X-Forwarded-Proto": "http"}).headers
