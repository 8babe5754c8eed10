"""The scanner's JSON API as the scanner page uses it: undo from search results, and the door
name that people signed in give their phone (``device_label``)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import CheckIn, ScanLog
from lgcamp.events.models import Event, EventRoleName
from lgcamp.extensions import db
from lgcamp.tickets.models import Booking, TicketType
from tests.conftest import Auth
from tests.factories import (
    make_booking,
    make_door_event,
    make_person,
    make_role,
    make_scanner_link,
    make_ticket_type,
)


@pytest.fixture
def event(app: Any) -> Event:
    return make_door_event("LocalGovCamp 2027")


@pytest.fixture
def booking(event: Event) -> Booking:
    return make_booking(make_ticket_type(event), make_person("Ada Lovelace"))


@pytest.fixture
def volunteer(event: Event, client: FlaskClient, auth: Auth) -> Person:
    """A person with the scanner role, signed in."""
    person = make_person("Olu Volunteer")
    make_role(event, person, EventRoleName.SCANNER)
    auth.login(person)
    return person


def api(event: Event, call: str) -> str:
    return f"/api/events/{event.slug}/door/{call}"


def log_labels() -> list[str]:
    return list(db.session.scalars(select(ScanLog.device_label).order_by(ScanLog.id)))


def test_search_answers_the_check_in_id_that_undo_takes(
    client: FlaskClient, event: Event, booking: Booking
) -> None:
    _link, secret = make_scanner_link(event, "Door 1")
    client.get(f"/events/{event.slug}/door/link/{secret}")
    [match] = client.get(api(event, "search?q=ada")).get_json()["matches"]
    assert match["check_in_id"] is None
    green = client.post(
        api(event, "scans"), json={"scan_id": "scan-0001", "payload": booking.token}
    )
    [match] = client.get(api(event, "search?q=ada")).get_json()["matches"]
    assert match["check_in_id"] == green.get_json()["check_in_id"] is not None
    assert client.post(api(event, f"check-ins/{match['check_in_id']}/undo")).status_code == 200
    [match] = client.get(api(event, "search?q=ada")).get_json()["matches"]
    assert (match["check_in_id"], match["checked_in_at"]) == (None, None)
    assert db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.undone_at.is_(None))) == 0


def test_the_page_shows_undo_on_checked_in_search_results(
    client: FlaskClient, event: Event, booking: Booking, volunteer: Person
) -> None:
    client.post(api(event, "scans"), json={"scan_id": "scan-0001", "payload": booking.token})
    check_in = db.session.scalar(select(CheckIn))
    assert check_in is not None
    page = client.get(f"/events/{event.slug}/door/scan?q=ada").get_data(as_text=True)
    assert f'action="/events/{event.slug}/door/check-ins/{check_in.id}/undo"' in page
    assert 'Undo check-in<span class="govuk-visually-hidden"> of Ada Lovelace</span>' in page
    assert 'id="door-name"' in page  # people name their door; a scanner link has its label


def test_the_door_name_labels_scans_syncs_walk_ins_and_undo(
    client: FlaskClient, event: Event, booking: Booking, volunteer: Person
) -> None:
    green = client.post(
        api(event, "scans"),
        json={"scan_id": "scan-0001", "payload": booking.token, "device_label": "  Side gate "},
    ).get_json()
    assert green["colour"] == "green" and green["door"] == "Side gate"
    undo = client.post(
        api(event, f"check-ins/{green['check_in_id']}/undo"), json={"device_label": "Front desk"}
    )
    assert undo.status_code == 200
    check_in = db.session.get(CheckIn, green["check_in_id"])
    assert check_in is not None
    assert (check_in.door_label, check_in.undone_by_label) == ("Side gate", "Front desk")
    synced = client.post(
        api(event, "sync"),
        json={"device_label": "Back door", "scans": [
            {"scan_id": "scan-0002", "token_hash": booking.token_hash}]},
    )  # fmt: skip
    assert synced.get_json()["results"][0]["door"] == "Back door"
    ticket_type = db.session.scalar(select(TicketType))
    assert ticket_type is not None
    walk_in = client.post(
        api(event, "walk-ins"),
        json={"name": "Sian Lewis", "email": "sian@example.org", "ticket_type_id": ticket_type.id,
              "scan_id": "walk-in-0001", "device_label": "Side gate"},
    )  # fmt: skip
    assert walk_in.get_json()["door"] == "Side gate"
    # Blank or absent: the person's name.
    for body in ({"scan_id": "scan-0003", "device_label": " "}, {"scan_id": "scan-0004"}):
        assert client.post(api(event, "scans"), json={**body, "payload": "x"}).status_code == 200
    assert log_labels() == ["Side gate", "Back door", "Side gate", "Olu Volunteer", "Olu Volunteer"]


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("D" * 61, "60 characters or fewer"),
        (" " + "D" * 61, "60 characters or fewer"),
        ("Door\x001", "without control characters"),
        ("Door\n1", "without control characters"),
        (12, "without control characters"),
        (["Door 1"], "without control characters"),
    ],
)
@pytest.mark.parametrize("call", ["scans", "sync", "walk-ins", "check-ins/1/undo"])
def test_a_bad_door_name_is_refused_clearly(
    client: FlaskClient, event: Event, booking: Booking, volunteer: Person, call: str, label: Any,
    message: str,
) -> None:  # fmt: skip
    body = {"scan_id": "scan-0001", "payload": booking.token, "scans": [], "device_label": label}
    response = client.post(api(event, call), json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert message in error["message"] and "device_label" in error["message"]
    assert log_labels() == []


def test_sixty_characters_fit_and_a_long_name_is_cut_to_fit(
    client: FlaskClient, event: Event, booking: Booking, auth: Auth
) -> None:
    label = "D" * 60
    long_name = make_person("N" * 120)
    make_role(event, long_name, EventRoleName.SCANNER)
    auth.login(long_name)
    body = {"scan_id": "scan-0001", "payload": booking.token, "device_label": label}
    assert client.post(api(event, "scans"), json=body).get_json()["door"] == label
    unnamed = {"scan_id": "scan-0002", "payload": "x"}
    assert client.post(api(event, "scans"), json=unnamed).status_code == 200
    assert log_labels() == [label, "N" * 60]
