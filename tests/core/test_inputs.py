"""Input never reaches a 500: integers beyond the columns, control characters, deep or large
JSON, JSON sent to a form (lgcamp/inputs.py)."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp.accounts.models import Person
from lgcamp.extensions import db
from lgcamp.inputs import json_depth
from lgcamp.programme.models import Room
from lgcamp.tickets.models import TicketType
from tests.conftest import Auth
from tests.factories import make_event, make_person, make_scanner_link, make_ticket_type


@pytest.mark.parametrize(
    "url",
    [
        "/bookings/2147483648",
        "/bookings/9223372036854775808",
        "/events/{slug}/sessions/2147483648",
        "/events/{slug}/sessions/99999999999999999999999",
        "/events/{slug}/tickets/types/4294967296",
        "/admin/members/2147483648",
        "/bookings/" + "9" * 5000,  # more digits than int() reads
    ],
)
def test_ids_beyond_an_integer_column_are_no_page(
    app: Flask, client: FlaskClient, url: str
) -> None:
    """Before: 500 on PostgreSQL (integer out of range) and SQLite (int too large)."""
    event = make_event()
    assert client.get(url.format(slug=event.slug)).status_code == 404


def test_the_largest_id_is_still_a_url(app: Flask) -> None:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint == "tickets.show_booking"]
    assert rules[0].build({"booking_id": 2**31 - 1})[1] == "/bookings/2147483647"  # type: ignore[index]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/events/a%00b", 404),
        ("/events/a%1bb/tickets", 404),
        ("/?q=%00", 400),
        ("/events/past?x=a%07b", 400),
    ],
)
def test_control_characters_in_the_address_are_refused(
    client: FlaskClient, url: str, status: int
) -> None:
    """Before: GET /events/a%00b was a 500 on PostgreSQL (NUL is not allowed in text)."""
    response = client.get(url)
    assert response.status_code == status
    assert "Sorry, there is a problem" not in response.get_data(as_text=True)


def test_control_characters_in_a_form_are_refused_with_a_message(
    client: FlaskClient,
) -> None:
    response = client.post(
        "/sign-up",
        data={"name": "Ada\x00", "email": "ada@example.org", "password": "x" * 12,
              "organisation": ""},
    )  # fmt: skip
    assert response.status_code == 400
    assert "control characters" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Person.id))) == 0


def test_newlines_and_tabs_are_text(client: FlaskClient, auth: Auth) -> None:
    """A textarea sends CR LF: that is not refused."""
    person = make_person()
    event = make_event(organisers=(person,))
    auth.login(person)
    response = client.post(
        f"/events/{event.slug}/programme/rooms",
        data={"name": "Room A", "capacity": "30", "access_notes": "Lift,\r\n\tthen left"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Room.access_notes)) == "Lift,\r\n\tthen left"


def test_integer_form_fields_beyond_a_column_are_field_errors(
    client: FlaskClient, auth: Auth
) -> None:
    person = make_person()
    event = make_event(organisers=(person,))
    ticket_type = make_ticket_type(event, capacity=10)
    auth.login(person)
    response = client.post(
        f"/events/{event.slug}/tickets/types/{ticket_type.id}/capacity",
        data={"capacity": str(2**63)},
    )
    assert response.status_code in {400, 302}
    db.session.refresh(ticket_type)
    assert ticket_type.capacity == 10
    page = client.get(f"/events/{event.slug}/tickets/manage").get_data(as_text=True)
    assert response.status_code == 400 or "Enter a number between" in page


def test_json_nested_deeper_than_the_cap_is_a_400_not_a_recursion_error(
    client: FlaskClient,
) -> None:
    """Before: request.get_json() on 5,000 levels raised RecursionError: 500 on every JSON
    endpoint."""
    event = make_event()
    _link, secret = make_scanner_link(event)
    client.get(f"/events/{event.slug}/door/link/{secret}")
    body = "[" * 5000 + "]" * 5000
    response = client.post(
        f"/api/events/{event.slug}/door/sync", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested at most" in response.get_json()["error"]["message"]


def test_json_larger_than_the_cap_is_a_413(client: FlaskClient) -> None:
    event = make_event()
    _link, secret = make_scanner_link(event)
    client.get(f"/events/{event.slug}/door/link/{secret}")
    body = json.dumps({"scans": [], "pad": "x" * 300_000})
    response = client.post(
        f"/api/events/{event.slug}/door/sync", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "KB of JSON" in response.get_json()["error"]["message"]


def test_json_sent_to_a_form_is_read_as_flat_form_data(client: FlaskClient, auth: Auth) -> None:
    """Before: a JSON list (or an object as a value) sent to any form was a 500 in WTForms."""
    person = make_person()
    event = make_event(organisers=(person,))
    auth.login(person)
    url = f"/events/{event.slug}/tickets/types/new"
    for body in ([1, 2], {"name": {"a": 1}}, "text"):
        response = client.post(url, json=body)
        assert response.status_code == 400, body
    assert db.session.scalar(select(func.count(TicketType.id))) == 0


def test_json_depth_skips_brackets_in_strings() -> None:
    assert json_depth(b'{"a": "[[[[[[", "b": [[1]]}') == 3
    assert json_depth(b'["\\"[[["]') == 1


def test_json_text_that_a_database_refuses_never_reaches_it(
    client: FlaskClient, auth: Auth
) -> None:
    """A NUL in a JSON booking's secret or answers: never PostgreSQL's error (a 500)."""
    person = make_person()
    event = make_event()
    ticket_type = make_ticket_type(event)
    auth.login(person)
    url = f"/api/events/{event.slug}/bookings"
    headers = {"X-Requested-With": "lgcamp"}
    for body in (
        {"ticket_type_id": ticket_type.id, "secret": "a\x00b"},
        {"ticket_type_id": ticket_type.id, "organisation": "Council\x00"},
        {"ticket_type_id": 2**63},
    ):
        response = client.post(url, json=body, headers=headers)
        assert response.status_code < 500, body
