"""The demo LocalGovCamp has a programme: rooms, the default day, pitches, stars, a full room."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp import demo
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.permissions import is_volunteer
from lgcamp.programme.models import CampSession, RoomFullFlag, Star


def test_demo_programme(app: Any, client: FlaskClient) -> None:
    accounts = demo.seed(db.session, attendees=150)
    db.session.commit()
    camp = db.session.scalar(
        select(Event).where(Event.name.like("LocalGovCamp%")).order_by(Event.starts_at.desc())
    )
    assert camp is not None
    sessions = db.session.scalars(select(CampSession).where(CampSession.event_id == camp.id)).all()
    assert len(sessions) >= 20
    assert sum(s.is_scheduled for s in sessions) >= 10
    assert db.session.scalar(select(func.count(Star.id))) > 50
    assert db.session.scalar(select(func.count(RoomFullFlag.id))) == 1
    assert is_volunteer(accounts["volunteer"], camp)
    page = client.get(f"/events/{camp.slug}/grid").get_data(as_text=True)
    assert "Council Chamber" in page and "Room full" in page
