"""The demo shows the door: a scanner link for an event happening now, the volunteer's
scanner role, past check-ins."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp import demo, demo_tickets
from lgcamp.checkin.models import CheckIn
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.permissions import can_scan
from tests.conftest import Auth


def test_demo_seeds_door_data(app: Flask, client: FlaskClient, auth: Auth) -> None:
    accounts = demo.seed(db.session, attendees=300)
    db.session.commit()
    [(event, path)] = demo_tickets.demo_scanner_links(db.session, app.secret_key)  # type: ignore[arg-type]
    db.session.commit()
    assert can_scan(accounts["volunteer"], event)
    assert client.get(path).status_code == 302
    assert client.get(f"/api/events/{event.slug}/door/tickets").get_json()["count"] > 40
    past = db.session.scalar(
        select(Event).where(Event.starts_at < event.starts_at).order_by(Event.starts_at)
    )
    assert past is not None
    checked_in = db.session.scalar(
        select(func.count(CheckIn.id)).where(CheckIn.event_id == past.id)
    )
    assert checked_in and checked_in > 100
    auth.login(accounts["organiser"], demo.DEMO_PASSWORD)
    page = client.get(f"/events/{past.slug}/door").get_data(as_text=True)
    assert f'id="stat-checked-in">{checked_in}<' in page
    assert '<title id="arrivals-title">Arrivals per 15 minutes (event time)</title>' in page
