"""Releasing at the door every place not checked in: a confirmation that says how many, an
email to each person released, and at the door their QR says what happened, with a way to
admit them as a walk-in while places are left."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import CheckIn
from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventRoleName
from lgcamp.extensions import db
from lgcamp.tickets.models import Booking, BookingStatus, TicketType
from tests.conftest import Auth, Mailbox, body_text
from tests.factories import (
    make_booking,
    make_check_in,
    make_event,
    make_person,
    make_role,
    make_scanner_link,
    make_ticket_type,
)


@pytest.fixture
def organiser(app: Any) -> Person:
    return make_person("Olu Organiser")


@pytest.fixture
def event(organiser: Person) -> Event:
    """A camp that started 40 minutes ago."""
    return make_event(
        "LocalGovCamp 2027", starts_at=utcnow() - timedelta(minutes=40), organisers=(organiser,)
    )


@pytest.fixture
def ticket_type(event: Event) -> TicketType:
    return make_ticket_type(event, capacity=3, name="Day ticket")


def api(event: Event, call: str) -> str:
    return f"/api/events/{event.slug}/door/{call}"


def release(client: FlaskClient, auth: Auth, organiser: Person, event: Event) -> str:
    """The organiser confirms the door release; returns the page they land on."""
    auth.login(organiser)
    answer = client.post(f"/events/{event.slug}/tickets/door-release", follow_redirects=True)
    auth.logout()
    return answer.get_data(as_text=True)


def test_the_release_asks_first_saying_how_many_places_and_emails_each_person(
    client: FlaskClient,
    auth: Auth,
    organiser: Person,
    event: Event,
    ticket_type: TicketType,
    mailbox: Mailbox,
) -> None:
    here = make_booking(ticket_type, make_person("Grace Hopper"))
    make_check_in(here)
    here.checked_in_at = utcnow()  # as the door's record_scan sets it
    db.session.commit()
    absent = [make_booking(ticket_type, make_person(n)) for n in ("Ada Lovelace", "Alan Turing")]
    auth.login(organiser)
    manage = client.get(f"/events/{event.slug}/tickets/manage").get_data(as_text=True)
    assert f'href="/events/{event.slug}/tickets/door-release"' in manage
    confirm = client.get(f"/events/{event.slug}/tickets/door-release").get_data(as_text=True)
    assert "Release 2 places not checked in?" in confirm
    assert "Each person released is emailed" in confirm
    assert db.session.scalar(select(Booking.status).where(Booking.id == absent[0].id)) == (
        BookingStatus.CONFIRMED  # asking changed nothing
    )
    auth.logout()
    page = release(client, auth, organiser, event)
    assert "2 places not checked in released for walk-ins; each holder has been emailed." in page
    for booking in absent:
        db.session.refresh(booking)
        assert (booking.status, booking.end_reason) == (BookingStatus.RELEASED, "door_release")
        message = mailbox.last_to(booking.person.email)
        assert message["Subject"] == "Your place at LocalGovCamp 2027 has been released at the door"
        text = body_text(message)
        assert "come to the door anyway" in text and "admit you as a walk-in" in text
    assert mailbox.to(here.person.email) == []
    auth.login(organiser)
    nothing = client.get(f"/events/{event.slug}/tickets/door-release").get_data(as_text=True)
    assert "No places to release" in nothing


def test_the_released_qr_says_when_and_the_holder_can_be_admitted_as_a_walk_in(
    client: FlaskClient, auth: Auth, organiser: Person, event: Event, ticket_type: TicketType
) -> None:
    late = make_booking(ticket_type, make_person("Ada Lovelace"))
    release(client, auth, organiser, event)
    db.session.refresh(late)
    _link, secret = make_scanner_link(event, "Door 1")
    client.get(f"/events/{event.slug}/door/link/{secret}")
    scan = client.post(
        api(event, "scans"), json={"scan_id": "scan-late-0001", "payload": late.token}
    ).get_json()
    assert late.ended_at is not None
    at = late.ended_at.astimezone(event.tz).strftime("%H:%M")
    assert scan["title"] == f"Place released at the door at {at}"
    assert (scan["colour"], scan["can_admit"], scan["name"]) == ("amber", True, "Ada Lovelace")
    assert "you can admit them as a walk-in" in scan["detail"]
    assert "The holder released this ticket" not in scan["detail"]

    admitted = client.post(
        api(event, "admissions"),
        json={"scan_id": "admit-late-0001", "booking_id": scan["booking_id"]},
    )
    outcome = admitted.get_json()
    assert admitted.status_code == 200, outcome
    assert (outcome["colour"], outcome["title"], outcome["name"]) == (
        "green",
        "Checked in",
        "Ada Lovelace",
    )
    booking = db.session.get(Booking, outcome["booking_id"])
    assert booking is not None and booking.id != late.id
    assert (booking.status, booking.source, booking.person_id) == (
        BookingStatus.CONFIRMED,
        "walk_in",
        late.person_id,
    )
    assert db.session.scalar(select(CheckIn.booking_id)) == booking.id
    # The old QR again: admitted already, so no second admission is offered.
    again = client.post(
        api(event, "scans"), json={"scan_id": "scan-late-0002", "payload": late.token}
    ).get_json()
    assert again["can_admit"] is False
    refused = client.post(
        api(event, "admissions"), json={"scan_id": "admit-late-0002", "booking_id": late.id}
    )
    assert refused.status_code == 409
    assert "already has a booking" in refused.get_json()["error"]["message"]


def test_no_admission_when_the_event_is_full(
    client: FlaskClient, auth: Auth, organiser: Person, event: Event, ticket_type: TicketType
) -> None:
    late = make_booking(ticket_type, make_person("Ada Lovelace"))
    release(client, auth, organiser, event)
    ticket_type.taken = ticket_type.capacity  # walk-ins took every place
    db.session.commit()
    _link, secret = make_scanner_link(event, "Door 1")
    client.get(f"/events/{event.slug}/door/link/{secret}")
    scan = client.post(
        api(event, "scans"), json={"scan_id": "scan-full-0001", "payload": late.token}
    ).get_json()
    assert scan["can_admit"] is False and "No place is left" in scan["detail"]
    full = client.post(
        api(event, "admissions"), json={"scan_id": "admit-full-0001", "booking_id": late.id}
    )
    assert full.status_code == 409 and "the event is full" in full.get_json()["error"]["message"]
    assert db.session.scalar(select(CheckIn.id)) is None


def test_without_javascript_a_search_result_admits_them(
    client: FlaskClient, auth: Auth, organiser: Person, event: Event, ticket_type: TicketType
) -> None:
    late = make_booking(ticket_type, make_person("Ada Lovelace"))
    release(client, auth, organiser, event)
    volunteer = make_person("Val Volunteer")
    make_role(event, volunteer, EventRoleName.SCANNER)
    auth.login(volunteer)
    page = client.get(f"/events/{event.slug}/door/scan?q=ada").get_data(as_text=True)
    assert "Place released at the door at" in page
    assert f'action="/events/{event.slug}/door/admissions"' in page
    done = client.post(
        f"/events/{event.slug}/door/admissions",
        data={"booking_id": late.id, "scan_id": "nojs-admit-0001"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Ada Lovelace is admitted as a walk-in and checked in." in done
    assert db.session.scalar(select(CheckIn.event_id)) == event.id


@pytest.mark.parametrize(
    ("route", "as_json"),
    [("/api/events/{slug}/door/admissions", True), ("/events/{slug}/door/admissions", False)],
)
def test_admissions_need_a_scanner(
    client: FlaskClient,
    auth: Auth,
    event: Event,
    ticket_type: TicketType,
    route: str,
    as_json: bool,
) -> None:
    booking = make_booking(ticket_type)
    body = {"booking_id": booking.id, "scan_id": "admit-anon-0001"}
    url = route.format(slug=event.slug)

    def send() -> int:
        answer = client.post(url, json=body) if as_json else client.post(url, data=body)
        return answer.status_code

    assert send() in (302, 401)
    auth.login(make_person())
    assert send() == 403
    assert db.session.scalar(select(CheckIn.id)) is None
