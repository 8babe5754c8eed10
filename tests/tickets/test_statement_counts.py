"""SQL statements per booking request, counted in process around one test-client request.

Every statement the driver runs (SQLAlchemy's ``before_cursor_execute``) plus the
transactions' BEGIN and COMMIT (the engine's ``begin`` and ``commit`` events: on SQLite the
BEGIN is sent by lgcamp itself, on PostgreSQL by the driver). Mail goes to the worker
(MAIL_SEND_AFTER_COMMIT off), as in the release rush: the counts are the booking's own.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select

from lgcamp.extensions import db
from lgcamp.mail import OutboundEmail
from lgcamp.tickets.models import Booking, BookingStatus
from tests.conftest import Auth
from tests.factories import make_booking, make_event, make_person, make_ticket_type
from tests.statements import Statements, counting

API_HEADERS = {"X-Requested-With": "lgcamp"}

# Upper bounds: statements sent by the driver, then BEGIN + COMMIT.
MAX_STATEMENTS = {"api_free_place": 6, "api_waitlist": 6, "form_free_place": 7}
MAX_TRANSACTION_EVENTS = 2


def _fresh_request() -> None:
    """As a new request in production: no objects in the session, no user remembered on g
    (the tests share one app context with the requests they make)."""
    db.session.remove()
    g.pop("_login_user", None)


@pytest.fixture
def rush(app: Flask, client: FlaskClient, auth: Auth) -> Any:
    """A signed-in person at an open event with one ticket type; mail left to the worker."""
    app.config["MAIL_SEND_AFTER_COMMIT"] = False
    event = make_event(name="Count Camp")
    ticket_type = make_ticket_type(event, capacity=1)
    person = make_person()
    auth.login(person)
    return event.slug, ticket_type, person.email


def _record(name: str, statements: Statements) -> None:
    sent, boundaries = len(statements), statements.boundaries
    dialect = db.engine.dialect.name
    print(f"\n{name} on {dialect}: {sent} statements + {boundaries} BEGIN/COMMIT")
    for statement in statements.seen:
        print("   ", " ".join(statement.split())[:160])
    assert sent <= MAX_STATEMENTS[name], statements.seen
    assert boundaries <= MAX_TRANSACTION_EVENTS, statements.seen


def test_json_api_booking_a_free_place(client: FlaskClient, rush: Any) -> None:
    slug, ticket_type, email = rush
    type_id = ticket_type.id
    _fresh_request()
    with counting() as statements:
        response = client.post(
            f"/api/events/{slug}/bookings",
            json={"ticket_type_id": type_id},
            headers=API_HEADERS,
        )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["booking"]["status"] == "confirmed"  # type: ignore[index]
    assert db.session.scalar(select(OutboundEmail.recipient)) == email
    _record("api_free_place", statements)


def test_json_api_joining_the_waitlist(client: FlaskClient, rush: Any) -> None:
    slug, ticket_type, email = rush
    make_booking(ticket_type)
    waiting = make_booking(ticket_type, status=BookingStatus.WAITLISTED)
    waiting.queue_position = 1
    db.session.commit()
    type_id = ticket_type.id
    _fresh_request()
    with counting() as statements:
        response = client.post(
            f"/api/events/{slug}/bookings",
            json={"ticket_type_id": type_id},
            headers=API_HEADERS,
        )
    assert response.status_code == 201, response.get_data(as_text=True)
    booking = response.json["booking"]  # type: ignore[index]
    assert (booking["status"], booking["queue_position"]) == ("waitlisted", 2)
    assert (
        db.session.scalar(select(OutboundEmail.recipient).order_by(OutboundEmail.id.desc()))
        == email
    )
    _record("api_waitlist", statements)


def test_html_form_booking_a_free_place(client: FlaskClient, rush: Any) -> None:
    slug, ticket_type, email = rush
    type_id = ticket_type.id
    _fresh_request()
    with counting() as statements:
        response = client.post(
            f"/events/{slug}/tickets/{type_id}/book",
            data={"organisation": "Leeds CC", "job_role": "Developer"},
        )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(select(Booking.status)) == BookingStatus.CONFIRMED
    assert db.session.scalar(select(OutboundEmail.recipient)) == email
    _record("form_free_place", statements)
