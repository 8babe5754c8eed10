"""The door's API at its boundary: one bad item never sinks a sync batch, and a walk-in's
text fields are text."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp.checkin.models import CheckIn, ScanLog, WalkInRecord
from lgcamp.database import utcnow
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.tickets.models import Booking, TicketType
from tests.factories import make_booking, make_door_event, make_scanner_link, make_ticket_type


@pytest.fixture
def event(app: Flask) -> Event:
    return make_door_event("LocalGovCamp 2027")


@pytest.fixture
def ticket_type(event: Event) -> TicketType:
    return make_ticket_type(event, capacity=10)


@pytest.fixture
def paired(client: FlaskClient, event: Event) -> FlaskClient:
    _link, secret = make_scanner_link(event, "Door 1")
    assert client.get(f"/events/{event.slug}/door/link/{secret}").status_code == 302
    return client


def count(model: Any) -> int:
    return db.session.scalar(select(func.count(model.id))) or 0


BAD_ITEMS = [
    {"method": []},
    {"method": {}},
    {"method": 7},
    {"booking_id": 2**63},
    {"booking_id": 2**31},
    {"booking_id": 2**64 + 1},
    {"booking_id": 1.5},
    {"device_time": "9999-12-31T23:59:59+00:00"},
    {"device_time": "0001-01-01T00:00:00-23:59"},
    {"payload": {"nested": [1, 2]}},
    {"payload": "a\x00b"},
    {"token_hash": ["0" * 64]},
]


def test_one_bad_item_never_sinks_a_sync_batch(
    paired: FlaskClient, event: Event, ticket_type: TicketType
) -> None:
    """Before: any of these items made the whole batch a 500, rolled back, re-sent forever."""
    good = make_booking(ticket_type)
    now = utcnow().isoformat()
    items = [
        {"scan_id": f"bad-item-{n:04d}", "token_hash": good.token_hash, **bad}
        if "booking_id" not in bad and "token_hash" not in bad and "payload" not in bad
        else {"scan_id": f"bad-item-{n:04d}", **bad}
        for n, bad in enumerate(BAD_ITEMS)
    ]
    items.insert(3, {"scan_id": "good-item-01", "token_hash": good.token_hash})
    response = paired.post(
        f"/api/events/{event.slug}/door/sync",
        json={"sent_at": "9999-12-31T00:00:00+00:00", "device_id": "p1", "scans": items},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    results = {r["scan_id"]: r for r in response.get_json()["results"]}
    assert len(results) == len(items)  # the answer lists each item's outcome
    assert results["good-item-01"]["colour"] in {"green", "amber"}
    assert "method must be qr or search" in results["bad-item-0000"]["error"]
    assert "method must be qr or search" in results["bad-item-0001"]["error"]
    assert "booking_id must be a whole number" in results["bad-item-0003"]["error"]
    assert "booking_id must be a whole number" in results["bad-item-0004"]["error"]
    # A clock outside 2000-2100 is no clock: the scan counts when it arrived.
    assert results["bad-item-0007"]["colour"] in {"green", "amber"}
    assert results["bad-item-0010"]["result"] == "invalid"
    assert count(CheckIn) == 1
    assert db.session.scalar(select(CheckIn.scanned_at)) is not None
    assert count(ScanLog) == len(items)  # each item logged once, bad ones as invalid
    again = paired.post(
        f"/api/events/{event.slug}/door/sync", json={"sent_at": now, "scans": items}
    )
    assert again.status_code == 200 and count(ScanLog) == len(items)


@pytest.mark.parametrize(
    "bad",
    [
        {"name": ["Ada", "Lovelace"]},
        {"name": {"first": "Ada"}},
        {"name": 12},
        {"email": ["a@example.org"]},
        {"email": {"a": 1}},
        {"organisation": ["x"]},
        {"organisation": True},
        {"scan_id": 123456789},
        {"scan_id": ["walk-in-0001"]},
    ],
)
def test_walk_in_text_fields_must_be_text(
    paired: FlaskClient, event: Event, ticket_type: TicketType, bad: dict[str, Any]
) -> None:
    body = {"name": "Sian Lewis", "email": "sian@example.org", "ticket_type_id": ticket_type.id}
    response = paired.post(f"/api/events/{event.slug}/door/walk-ins", json={**body, **bad})
    assert response.status_code == 400
    [field] = bad
    assert response.get_json()["error"]["message"] == f"{field} must be text."
    assert count(WalkInRecord) == count(Booking) == count(ScanLog) == 0


def test_walk_in_ticket_type_beyond_any_id_is_a_field_error(
    paired: FlaskClient, event: Event, ticket_type: TicketType
) -> None:
    body = {"name": "Sian Lewis", "email": "sian@example.org", "ticket_type_id": 2**63}
    response = paired.post(f"/api/events/{event.slug}/door/walk-ins", json=body)
    assert response.status_code == 400
    assert "ticket_type_id" in response.get_json()["error"]["fields"]
