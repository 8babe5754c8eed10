"""Scanner links last a week at most (as the README promises): in the service, the form and
the demo; and a walk-in's organisation reaches the attendee list and its CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lgcamp import demo, demo_tickets
from lgcamp.checkin.links import MAX_LINK_LIFETIME, create_scanner_link
from lgcamp.checkin.models import ScannerLink
from lgcamp.database import utcnow
from lgcamp.errors import DomainError
from lgcamp.extensions import db
from tests.conftest import Auth
from tests.factories import make_booking, make_event, make_person, make_ticket_type


def test_the_service_refuses_a_link_longer_than_a_week(app: Any) -> None:
    event, person = make_event(), make_person()
    with pytest.raises(DomainError, match="a week at most"):
        create_scanner_link(
            db.session,
            person,
            event,
            "Door 1",
            utcnow() + MAX_LINK_LIFETIME + timedelta(minutes=1),
            "k",
        )
    link = create_scanner_link(
        db.session,
        person,
        event,
        "Door 1",
        utcnow() + MAX_LINK_LIFETIME - timedelta(minutes=1),
        "k",
    )
    assert link.id is not None


def test_the_form_offers_a_week_at_most_and_refuses_more(client: FlaskClient, auth: Auth) -> None:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    auth.login(organiser)
    page = client.get(f"/events/{event.slug}/door/links").get_data(as_text=True)
    assert '<option value="168">1 week</option>' in page and 'value="720"' not in page
    refused = client.post(
        f"/events/{event.slug}/door/links", data={"label": "Door 1", "expires_in": "720"}
    )
    assert refused.status_code == 400 and "Not a valid choice" in refused.get_data(as_text=True)
    made = client.post(
        f"/events/{event.slug}/door/links", data={"label": "Door 1", "expires_in": "168"}
    )
    assert made.status_code == 302
    link = db.session.scalar(select(ScannerLink))
    assert link is not None and link.expires_at <= utcnow() + MAX_LINK_LIFETIME


def test_the_demo_link_lasts_the_day_of_an_event_happening_now(
    app: Flask, client: FlaskClient
) -> None:
    demo.seed(db.session, attendees=300)
    db.session.commit()
    [(event, path)] = demo_tickets.demo_scanner_links(db.session, app.secret_key)  # type: ignore[arg-type]
    db.session.commit()
    link = db.session.scalar(select(ScannerLink).where(ScannerLink.event_id == event.id))
    assert link is not None and link.expires_at <= utcnow() + MAX_LINK_LIFETIME
    assert event.check_in_opens_at <= utcnow() < event.check_in_closes_at
    assert client.get(path).status_code == 302
    tickets = client.get(f"/api/events/{event.slug}/door/tickets").get_json()["tickets"]
    # 50 bookings; the walk-in is kept as a record until confirmed, so it is not a ticket.
    assert len(tickets) == 50 and sum(1 for t in tickets if t["c"]) > 20
    # The door works: the demo attendee's ticket checks in now.
    attendee = demo.demo_accounts(db.session)["attendee"]
    ticket = next(t for t in tickets if t["n"] == attendee.name)
    outcome = client.post(
        f"/api/events/{event.slug}/door/scans",
        json={"scan_id": "demo-door-0001", "booking_id": ticket["b"]},
    ).get_json()
    assert (outcome["result"], outcome["name"]) == ("accepted", attendee.name)


def test_a_walk_ins_organisation_is_in_the_attendee_list_and_csv(
    client: FlaskClient, auth: Auth
) -> None:
    organiser = make_person()
    event = make_event(starts_at=utcnow() - timedelta(hours=1), organisers=(organiser,))
    ticket_type = make_ticket_type(event)
    make_booking(ticket_type)
    # Someone with an account that names no organisation, and someone new.
    make_person("Sam Walker", "sam@example.org", organisation="")
    auth.login(organiser)
    for name, email, organisation, scan_id in (
        ("Sam Walker", "sam@example.org", "Kirklees Council", "walk-in-0001"),
        ("Kim Newcomer", "kim@example.org", "Calderdale Council", "walk-in-0002"),
    ):
        answer = client.post(
            f"/api/events/{event.slug}/door/walk-ins",
            json={
                "name": name,
                "email": email,
                "organisation": organisation,
                "ticket_type_id": ticket_type.id,
                "scan_id": scan_id,
            },
        )
        assert answer.status_code == 200, answer.get_json()
    listing = client.get(f"/events/{event.slug}/tickets/attendees").get_data(as_text=True)
    csv = client.get(f"/events/{event.slug}/tickets/attendees.csv").get_data(as_text=True)
    for name, organisation in (
        ("Sam Walker", "Kirklees Council"),
        ("Kim Newcomer", "Calderdale Council"),
    ):
        assert organisation in listing
        [row] = [line for line in csv.splitlines() if line.startswith(name)]
        assert f",{organisation}," in row
