"""A door that may not look people up (a scanner link, the scanner role) keeps walk-ins as typed:
it learns nothing of who has an account and creates no evidence for anyone; the person confirms
by an emailed link (built from BASE_URL), or an organiser links the walk-in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import CheckIn, ScanLog, WalkInRecord
from lgcamp.events.models import Event, EventRoleName
from lgcamp.extensions import db
from lgcamp.participation.models import ParticipationFact
from lgcamp.tickets.models import Booking, BookingStatus, TicketType
from tests.conftest import Auth, Mailbox, body_text
from tests.factories import (
    make_door_event,
    make_person,
    make_role,
    make_scanner_link,
    make_ticket_type,
)


@pytest.fixture
def organiser(app: Flask) -> Person:
    return make_person("Olu Organiser")


@pytest.fixture
def event(organiser: Person) -> Event:
    return make_door_event("LocalGovCamp 2027", organisers=(organiser,))


@pytest.fixture
def ticket_type(event: Event) -> TicketType:
    return make_ticket_type(event, capacity=5)


@pytest.fixture
def admin(app: Flask) -> Person:
    return make_person("Ada Admin", "admin@example.org", is_admin=True)


def pair(client: FlaskClient, event: Event) -> None:
    _link, secret = make_scanner_link(event, "Door 1")
    assert client.get(f"/events/{event.slug}/door/link/{secret}").status_code == 302


def walk_in(client: FlaskClient, event: Event, ticket_type: TicketType, **body: Any) -> Any:
    body = {"name": "Someone Else", "ticket_type_id": ticket_type.id, **body}
    return client.post(f"/api/events/{event.slug}/door/walk-ins", json=body)


def count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def shown(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer less what differs between any two walk-ins (scan id, time)."""
    return {k: v for k, v in answer.items() if k not in {"scan_id", "checked_in_at"}}


def test_a_scanner_link_walk_in_learns_nothing_and_creates_no_evidence(
    client: FlaskClient, event: Event, ticket_type: TicketType, admin: Person
) -> None:
    """The attack: a paired phone registers the admin's address as a walk-in. Before, it got a
    confirmed booking and an accepted check-in for the admin, and the admin's real name."""
    pair(client, event)
    known = walk_in(client, event, ticket_type, email="ADMIN@example.org", scan_id="walk-in-0001")
    unknown = walk_in(client, event, ticket_type, email="nobody@example.org", scan_id="walk-in-2")
    assert known.status_code == unknown.status_code == 200
    assert shown(known.get_json()) == shown(unknown.get_json())  # nothing tells them apart
    assert known.get_json()["name"] == "Someone Else" and "Ada" not in known.get_data(as_text=True)
    assert known.get_json()["booking_id"] is None
    assert count(Booking) == count(CheckIn) == 0
    assert count(ParticipationFact, ParticipationFact.person_id == admin.id) == 0
    assert count(Person, Person.email == "nobody@example.org") == 0  # nor an account made
    records = db.session.scalars(select(WalkInRecord).order_by(WalkInRecord.id)).all()
    assert [(r.name, r.email, r.booking_id) for r in records] == [
        ("Someone Else", "admin@example.org", None),
        ("Someone Else", "nobody@example.org", None),
    ]
    assert count(ScanLog) == 2  # every scan is logged
    db.session.refresh(ticket_type)
    assert ticket_type.taken == 2  # the walk-ins hold their places


def test_a_walk_in_record_counts_at_the_door_and_is_sent_once(
    client: FlaskClient, auth: Auth, event: Event, ticket_type: TicketType, organiser: Person
) -> None:
    pair(client, event)
    first = walk_in(client, event, ticket_type, email="sam@example.org", scan_id="walk-in-0003")
    again = walk_in(client, event, ticket_type, email="sam@example.org", scan_id="walk-in-0003")
    assert first.get_json() == again.get_json()  # a retried request records nothing twice
    assert count(WalkInRecord) == 1
    auth.login(organiser)
    stats = client.get(f"/api/events/{event.slug}/door/stats").get_json()
    assert (stats["booked"], stats["checked_in"]) == (1, 1)
    assert stats["recent"][0]["name"] == "Someone Else"
    page = client.get(f"/events/{event.slug}/door").get_data(as_text=True)
    assert "Walk-ins to confirm" in page and "sam@example.org" in page


def test_the_scanner_role_keeps_walk_ins_as_typed_too(
    client: FlaskClient, auth: Auth, event: Event, ticket_type: TicketType, admin: Person
) -> None:
    volunteer = make_person("Val Volunteer")
    make_role(event, volunteer, EventRoleName.SCANNER)
    auth.login(volunteer)
    response = walk_in(client, event, ticket_type, email=admin.email, scan_id="walk-in-0004")
    assert response.get_json()["name"] == "Someone Else"
    assert count(Booking) == 0 and count(WalkInRecord) == 1


def test_the_person_confirms_from_the_email_built_from_base_url(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    event: Event,
    ticket_type: TicketType,
    admin: Person,
    mailbox: Mailbox,
) -> None:
    app.config["BASE_URL"] = "https://events.example.org"
    _link, secret = make_scanner_link(event, "Door 1")
    # The request's host (localhost here) never makes the link: BASE_URL does.
    client.get(f"/events/{event.slug}/door/link/{secret}")
    response = client.post(
        f"/api/events/{event.slug}/door/walk-ins",
        json={"name": "Ada A.", "email": admin.email, "ticket_type_id": ticket_type.id,
              "scan_id": "walk-in-0005"},
    )  # fmt: skip
    assert response.status_code == 200
    text = body_text(mailbox.last_to(admin.email))
    link = re.search(r"https?://\S+/walk-ins/confirm/\S+", text)
    assert link and link.group().startswith("https://events.example.org/walk-ins/confirm/")
    path = link.group().removeprefix("https://events.example.org")

    # Someone else signed in cannot use it.
    client.post("/sign-out")
    other = make_person("Mallory")
    auth.login(other)
    assert client.post(path).status_code == 403
    assert count(Booking) == 0

    client.post("/sign-out")
    auth.login(admin)
    assert "Confirm you were at LocalGovCamp 2027" in client.get(path).get_data(as_text=True)
    response = client.post(path)
    assert response.status_code == 302
    booking = db.session.scalar(select(Booking).where(Booking.person_id == admin.id))
    assert booking is not None
    assert (booking.status, booking.source) == (BookingStatus.CONFIRMED, "walk_in")
    check_in = db.session.scalar(select(CheckIn).where(CheckIn.booking_id == booking.id))
    assert check_in is not None and check_in.door_label == "Door 1"
    assert count(ParticipationFact, ParticipationFact.person_id == admin.id) == 1
    record = db.session.scalar(select(WalkInRecord))
    assert record is not None and record.booking_id == booking.id
    db.session.refresh(ticket_type)
    assert ticket_type.taken == 1  # the record's place became the booking's
    assert client.post(path).status_code == 409  # once only
    stats_booked = count(Booking, Booking.status == BookingStatus.CONFIRMED)
    assert stats_booked == 1


def test_a_tampered_confirmation_link_is_refused(client: FlaskClient, auth: Auth) -> None:
    auth.login(make_person())
    assert client.get("/walk-ins/confirm/not-a-signed-value").status_code == 404


def test_an_organiser_links_a_walk_in_to_the_account(
    client: FlaskClient,
    auth: Auth,
    event: Event,
    ticket_type: TicketType,
    organiser: Person,
    admin: Person,
) -> None:
    pair(client, event)
    walk_in(client, event, ticket_type, email=admin.email, scan_id="walk-in-0006")
    walk_in(client, event, ticket_type, email="nobody@example.org", scan_id="walk-in-0007")
    known, unknown = db.session.scalars(select(WalkInRecord).order_by(WalkInRecord.id)).all()
    auth.login(organiser)
    url = f"/events/{event.slug}/door/walk-ins/{{}}/link"
    page = client.post(url.format(known.id), follow_redirects=True).get_data(as_text=True)
    assert "now on the record of Ada Admin" in page
    assert count(CheckIn, CheckIn.event_id == event.id) == 1
    page = client.post(url.format(unknown.id), follow_redirects=True).get_data(as_text=True)
    assert "No account uses nobody@example.org" in page
    assert count(Booking) == 1


def test_only_organisers_link_walk_ins(
    client: FlaskClient, auth: Auth, event: Event, ticket_type: TicketType, admin: Person
) -> None:
    pair(client, event)
    walk_in(client, event, ticket_type, email=admin.email, scan_id="walk-in-0008")
    record = db.session.scalar(select(WalkInRecord))
    assert record is not None
    response = client.post(f"/events/{event.slug}/door/walk-ins/{record.id}/link")
    assert response.status_code == 403 or "/sign-in" in response.headers["Location"]
    volunteer = make_person("Val Volunteer")
    make_role(event, volunteer, EventRoleName.SCANNER)
    auth.login(volunteer)
    response = client.post(f"/events/{event.slug}/door/walk-ins/{record.id}/link")
    assert response.status_code == 403
    assert count(Booking) == 0
