"""Organisers email attendees by status and ticket type; every message is logged; a form is
sent once, however often it is submitted."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp.extensions import db
from lgcamp.tickets.models import Booking, BookingStatus, BulkEmail
from tests.conftest import Auth, Mailbox, body_text
from tests.factories import (
    make_booking,
    make_check_in,
    make_event,
    make_person,
    make_ticket_type,
)


def arrive(booking: Booking) -> None:
    """Checked in at the door, as the check-in service records it (on the booking too)."""
    check_in = make_check_in(booking)
    booking.checked_in_at = check_in.scanned_at
    db.session.commit()


@pytest.fixture
def camp(client: FlaskClient, auth: Auth) -> dict[str, Any]:
    """An event with two ticket types: two arrived, two not yet, one waiting, one released."""
    organiser = make_person("Olu Organiser")
    event = make_event(organisers=(organiser,))
    main = make_ticket_type(event, name="Main", capacity=3)
    speaker = make_ticket_type(event, name="Speaker", capacity=2)

    def book(email: str, ticket_type: Any, status: BookingStatus = BookingStatus.CONFIRMED) -> Any:
        return make_booking(ticket_type, make_person(email=email), status)

    arrive(book("in-main@example.org", main))
    arrive(book("in-speaker@example.org", speaker))
    book("out-main@example.org", main)
    book("out-speaker@example.org", speaker)
    book("waiting@example.org", main, BookingStatus.WAITLISTED)
    book("gone@example.org", main, BookingStatus.RELEASED)
    auth.login(organiser)
    return {"event": event, "main": main, "speaker": speaker}


def _send(client: FlaskClient, slug: str, **fields: str) -> Any:
    form = client.get(f"/events/{slug}/tickets/email").get_data(as_text=True)
    key = re.search(r'name="send_key" type="hidden" value="([^"]+)"', form)
    assert key, "the form carries an idempotency key"
    data = {"subject": "Hello", "body": "See you there.", "send_key": key.group(1), **fields}
    return client.post(f"/events/{slug}/tickets/email", data=data, follow_redirects=True)


@pytest.mark.parametrize(
    ("audience", "ticket_type", "expected"),
    [
        ("holders", "", {"in-main", "in-speaker", "out-main", "out-speaker"}),
        ("checked_in", "", {"in-main", "in-speaker"}),
        ("not_arrived", "", {"out-main", "out-speaker"}),
        ("waitlist", "", {"waiting"}),
        ("not_arrived", "speaker", {"out-speaker"}),
        ("holders", "main", {"in-main", "out-main"}),
    ],
)
def test_each_audience_reaches_exactly_its_people(
    client: FlaskClient,
    camp: dict[str, Any],
    mailbox: Mailbox,
    audience: str,
    ticket_type: str,
    expected: set[str],
) -> None:
    type_id = str(camp[ticket_type].id) if ticket_type else ""
    page = _send(
        client, camp["event"].slug, audience=audience, ticket_type=type_id, subject=f"To {audience}"
    ).get_data(as_text=True)
    assert f"is on its way to {len(expected)} people" in page
    assert {str(m["To"]).split("@")[0] for m in mailbox.messages} == expected
    assert "See you there." in body_text(mailbox.messages[0])
    log = db.session.scalar(select(BulkEmail))
    assert log is not None and log.recipients == len(expected) and log.audience == audience


def test_the_log_shows_who_when_audience_subject_and_count(
    client: FlaskClient, camp: dict[str, Any], mailbox: Mailbox
) -> None:
    slug = camp["event"].slug
    _send(client, slug, audience="checked_in", subject="Lunch is served")
    page = _send(
        client,
        slug,
        audience="not_arrived",
        ticket_type=str(camp["speaker"].id),
        subject="Where are you?",
    ).get_data(as_text=True)
    log = page[page.index("Messages sent") :]
    assert log.index("Where are you?") < log.index("Lunch is served")  # newest first
    assert "Olu Organiser" in log
    assert "Ticket holders who have not arrived yet (Speaker)" in log
    assert "Ticket holders who have checked in" in log
    assert re.search(r"\d{2}:\d{2}", log)
    assert len(mailbox.messages) == 3


def test_the_same_form_sent_twice_mails_nobody_twice(
    client: FlaskClient, camp: dict[str, Any], mailbox: Mailbox
) -> None:
    slug = camp["event"].slug
    form = client.get(f"/events/{slug}/tickets/email").get_data(as_text=True)
    key = re.search(r'name="send_key" type="hidden" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    data = {"audience": "holders", "subject": "Parking", "body": "Back gate.", "send_key": key}
    first = client.post(f"/events/{slug}/tickets/email", data=data, follow_redirects=True)
    assert "on its way to 4 people" in first.get_data(as_text=True)
    again = client.post(f"/events/{slug}/tickets/email", data=data, follow_redirects=True)
    assert "This message was already sent" in again.get_data(as_text=True)
    assert "Nobody has been emailed again" in again.get_data(as_text=True)
    assert len(mailbox.messages) == 4
    assert db.session.scalar(select(func.count(BulkEmail.id))) == 1


def test_the_same_message_in_a_new_form_asks_before_sending_again(
    client: FlaskClient, camp: dict[str, Any], mailbox: Mailbox
) -> None:
    """Back to a reloaded form (a new key) and Send: the organiser is asked, nobody mailed."""
    slug = camp["event"].slug
    _send(client, slug, audience="waitlist")
    repeat = _send(client, slug, audience="waitlist")
    assert repeat.status_code == 400
    text = repeat.get_data(as_text=True)
    assert "You sent this same message to the same people" in text and "Send it again" in text
    assert len(mailbox.messages) == 1
    on_purpose = _send(client, slug, audience="waitlist", send_again="y")
    assert "on its way to 1 people" in on_purpose.get_data(as_text=True)
    assert len(mailbox.messages) == 2


def test_bad_input_stays_on_the_form(client: FlaskClient, camp: dict[str, Any]) -> None:
    slug = camp["event"].slug
    other_type = make_ticket_type(make_event(), name="Elsewhere")
    cases = {
        "Choose who to send to": {"audience": ""},
        "Not a valid choice": {"audience": "everyone"},
        "Enter a subject": {"audience": "holders", "subject": ""},
        "reload the page": {"audience": "holders", "send_key": ""},
    }
    for message, fields in cases.items():
        response = client.post(
            f"/events/{slug}/tickets/email",
            data={"subject": "Hi", "body": "x", "send_key": "k" * 16, **fields},
        )
        assert response.status_code == 400, message
        page = response.get_data(as_text=True)
        assert "There is a problem" in page and message in page, message
    wrong_type = client.post(
        f"/events/{slug}/tickets/email",
        data={"audience": "holders", "ticket_type": str(other_type.id), "subject": "Hi",
              "body": "x", "send_key": "k" * 16},
    )  # fmt: skip
    assert wrong_type.status_code == 400
    assert db.session.scalar(select(func.count(BulkEmail.id))) == 0
