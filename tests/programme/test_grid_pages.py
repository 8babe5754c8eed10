"""What the public grid and the big screen say: changes without the undo noise, in 24-hour
times, and where there is still space when a room is full (phones and the big screen alike)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lgcamp.database import utcnow
from lgcamp.extensions import db
from lgcamp.programme import grid, service
from lgcamp.programme.models import GridChange
from tests.conftest import Auth
from tests.factories import make_camp_session, make_event, make_person, make_room, make_slot


@pytest.fixture
def camp(app: Any) -> dict[str, Any]:
    """An event running now: three rooms, the current slot with three sessions, a later slot."""
    organiser = make_person("Olu Organiser")
    event = make_event(organisers=(organiser,), starts_at=utcnow() - timedelta(hours=1))
    rooms = [make_room(event, f"Room {n}") for n in "ABC"]
    now_slot, later = make_slot(event, 45, 60), make_slot(event, 120, 45)
    sessions = [
        make_camp_session(event, title=f"Talk {n}", slot=now_slot, room=room)
        for n, room in zip("ABC", rooms, strict=True)
    ]
    return dict(
        organiser=organiser, event=event, rooms=rooms, now_slot=now_slot, later=later,
        sessions=sessions, base=f"/events/{event.slug}",
    )  # fmt: skip


def _page(response: Any) -> str:
    return response.get_data(as_text=True)


def _narrow(page: str) -> str:
    """The phone layout of the grid (a list of slots by time)."""
    return page.split('data-testid="grid-by-time"', 1)[1]


def _recent(page: str) -> str:
    return page.split("Recent changes", 1)[1]


def test_public_recent_changes_hide_a_change_and_its_undo(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    organiser, talk_b = camp["organiser"], camp["sessions"][1]
    loose = make_camp_session(camp["event"], title="Loose talk")
    grid.place_session(db.session, organiser, loose, camp["later"].id, camp["rooms"][0].id, None)
    grid.place_session(db.session, organiser, talk_b, camp["later"].id, camp["rooms"][1].id, None)
    db.session.commit()
    moved = db.session.scalars(
        select(GridChange).where(GridChange.camp_session_id == talk_b.id)
    ).one()
    grid.undo_change(db.session, organiser, moved)
    db.session.commit()

    recent = _recent(_page(client.get(f"{camp['base']}/grid")))
    assert "New: “Loose talk”" in recent
    assert "Talk B" not in recent and "undone" not in recent
    # The organisers' change log keeps the whole story, with its undo.
    auth.login(organiser)
    log = _page(client.get(f"{camp['base']}/programme/editor")).split("Change log", 1)[1]
    assert "Moved: “Talk B”" in log and "Change undone: “Talk B” is back in Room B" in log


def test_recent_changes_use_24_hour_times(camp: dict[str, Any], client: FlaskClient) -> None:
    loose = make_camp_session(camp["event"], title="Afternoon talk")
    grid.place_session(
        db.session, camp["organiser"], loose, camp["later"].id, camp["rooms"][0].id, None
    )
    change = db.session.scalars(select(GridChange)).one()
    change.created_at = datetime(2026, 7, 1, 13, 5, tzinfo=UTC)  # 14:05 in London (BST)
    db.session.commit()
    recent = _recent(_page(client.get(f"{camp['base']}/grid")))
    assert ">14:05</time>" in recent and "pm" not in recent.lower()


def test_phone_grid_and_big_screen_say_which_rooms_still_have_space(
    camp: dict[str, Any], client: FlaskClient
) -> None:
    talk_a, talk_b, talk_c = camp["sessions"]
    service.flag_room_full(db.session, camp["organiser"], talk_a)
    db.session.commit()
    phone = _narrow(_page(client.get(f"{camp['base']}/grid")))
    assert "Still has space: Talk B (Room B), Talk C (Room C)" in phone
    wide = _page(client.get(f"{camp['base']}/grid")).split('data-testid="grid-by-time"', 1)[0]
    assert "Still has space: Talk B (Room B), Talk C (Room C)" in wide
    screen = _page(client.get(f"{camp['base']}/grid/screen"))
    assert "Still has space: Talk B (Room B), Talk C (Room C)" in screen

    for talk in (talk_b, talk_c):
        service.flag_room_full(db.session, camp["organiser"], talk)
    db.session.commit()
    phone = _narrow(_page(client.get(f"{camp['base']}/grid")))
    assert "Every room is full at this time." in phone and "Still has space" not in phone
