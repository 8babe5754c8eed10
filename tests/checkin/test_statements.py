"""How many SQL statements one scan request runs, BEGIN and COMMIT included.

Each request runs in a thread of its own, so that it has its own app context, session and
Flask-Login user, and its teardown (closing the session) is counted, as in production.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lgcamp.events.models import EventRole, EventRoleName
from lgcamp.extensions import db
from tests.checkin.test_views import pair
from tests.conftest import Auth
from tests.factories import make_booking, make_door_event, make_person, make_ticket_type
from tests.statements import counting

# The most statements a scan may run, the same on SQLite and PostgreSQL. A phone paired by a
# scanner link: BEGIN, the event with the link, the ticket, the log row, then for a first scan
# the check-in and the booking's mark, COMMIT. A signed-in volunteer adds their account and
# can_scan's one role check (organiser or scanner).
LIMITS = {
    ("link", "first"): 7,
    ("link", "again"): 5,
    ("person", "first"): 9,
    ("person", "again"): 7,
}


def in_own_context(app: Flask, client: FlaskClient, url: str, body: dict[str, Any]) -> Any:
    """POST from another thread: a request with its own app context, as a worker runs it."""
    answers: list[Any] = []
    thread = threading.Thread(target=lambda: answers.append(client.post(url, json=body)))
    thread.start()
    thread.join(timeout=30)
    return answers[0]


def scan_statements(
    app: Flask, client: FlaskClient, slug: str, token: str, scan_id: str
) -> tuple[str, list[str]]:
    """The colour a scan of this token showed, and the statements its request ran."""
    db.session.commit()
    with counting() as found:
        response = in_own_context(
            app, client, f"/api/events/{slug}/door/scans", {"scan_id": scan_id, "payload": token}
        )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["colour"], found.seen


@pytest.mark.parametrize("who", ["link", "person"])
def test_statement_counts(app: Flask, client: FlaskClient, auth: Auth, who: str) -> None:
    event = make_door_event()
    booking = make_booking(make_ticket_type(event))
    slug, token = event.slug, booking.token
    if who == "link":
        pair(client, event)
    else:
        volunteer = make_person("Vera Volunteer")
        db.session.add(
            EventRole(event_id=event.id, person_id=volunteer.id, role=EventRoleName.SCANNER)
        )
        db.session.commit()
        auth.login(volunteer)
    first, first_sql = scan_statements(app, client, slug, token, f"{who}-first-scan")
    again, again_sql = scan_statements(app, client, slug, token, f"{who}-again-scan")
    assert (first, again) == ("green", "amber")
    assert len(first_sql) <= LIMITS[who, "first"], first_sql
    assert len(again_sql) <= LIMITS[who, "again"], again_sql
    assert (first_sql[0], first_sql[-1]) == ("BEGIN", "COMMIT")
