"""Programme pages through the client: pitching, bad input, the editor, ETags and the live grid."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp.database import utcnow
from lgcamp.extensions import db
from lgcamp.programme import grid, service
from lgcamp.programme.models import CampSession, GridChange, SlotKind
from tests.conftest import Auth
from tests.factories import (
    make_camp_session,
    make_event,
    make_person,
    make_room,
    make_slot,
    make_ticket_holder,
    make_volunteer,
)


@pytest.fixture
def camp(app: Any) -> dict[str, Any]:
    """An event with an organiser, two rooms, a session slot, a break and two sessions."""
    organiser = make_person("Olu Organiser")
    event = make_event(organisers=(organiser,))
    room_a, room_b = make_room(event, "Room A"), make_room(event, "Room B")
    slot = make_slot(event, 60)
    brk = make_slot(event, 105, 15, SlotKind.BREAK, "Coffee")
    placed = make_camp_session(event, title="Placed one", slot=slot, room=room_a)
    loose = make_camp_session(event, title="Loose one")
    return dict(
        organiser=organiser, event=event, room_a=room_a, room_b=room_b, slot=slot, brk=brk,
        placed=placed, loose=loose, base=f"/events/{event.slug}",
    )  # fmt: skip


def _page(response: Any) -> str:
    return response.get_data(as_text=True)


def test_pitch_without_ticket_explains_and_creates_nothing(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    auth.login(make_person())
    response = client.post(f"{camp['base']}/sessions/new", data={"title": "Mine"})
    assert response.status_code == 403
    assert "You need a ticket to pitch a session" in _page(response)
    assert db.session.scalar(select(func.count(CampSession.id))) == 2


def test_ticket_holder_pitches_and_script_is_escaped(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    holder = make_ticket_holder(camp["event"])
    auth.login(holder)
    data = {
        "title": "Open <b>data</b>",
        "description": "<script>alert(1)</script>",
        "format": "workshop",
    }
    response = client.post(f"{camp['base']}/sessions/new", data=data, follow_redirects=True)
    page = _page(response)
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "Open &lt;b&gt;data&lt;/b&gt;" in page
    assert holder.name in page


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "Enter a title for the session"), ("x" * 121, "Title must be 120 characters or fewer")],
)
def test_empty_or_overlong_title_shows_the_error(
    camp: dict[str, Any], client: FlaskClient, auth: Auth, title: str, message: str
) -> None:
    auth.login(make_ticket_holder(camp["event"]))
    response = client.post(f"{camp['base']}/sessions/new", data={"title": title, "format": "other"})
    assert response.status_code == 200
    assert "There is a problem" in _page(response) and message in _page(response)
    assert db.session.scalar(select(func.count(CampSession.id))) == 2


def test_unknown_co_host_name_is_reported_on_the_field(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    auth.login(make_ticket_holder(camp["event"]))
    data = {"title": "Ok", "format": "other", "co_hosts": "Nobody Here"}
    page = _page(client.post(f"{camp['base']}/sessions/new", data=data))
    assert "No one called Nobody Here has an account" in page


def test_editing_someone_elses_pitch_is_forbidden_and_unchanged(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    auth.login(make_ticket_holder(camp["event"]))
    url = f"{camp['base']}/sessions/{camp['loose'].id}/edit"
    assert client.post(url, data={"title": "Hijacked", "format": "other"}).status_code == 403
    db.session.refresh(camp["loose"])
    assert camp["loose"].title == "Loose one"


def test_host_edits_and_withdraws_own_pitch(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    host = db.session.get(type(camp["organiser"]), camp["placed"].pitched_by_id)
    auth.login(host)
    url = f"{camp['base']}/sessions/{camp['placed'].id}"
    assert (
        client.post(url + "/edit", data={"title": "Better", "format": "other"}).status_code == 302
    )
    assert client.post(url + "/withdraw").status_code == 302
    db.session.refresh(camp["placed"])
    assert camp["placed"].title == "Better" and camp["placed"].is_withdrawn
    assert camp["placed"].slot_id is None
    grid_page = _page(client.get(f"{camp['base']}/grid"))
    assert "Cancelled: “Better”" in grid_page


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.org/a", "not a link"])
def test_non_http_notes_link_is_refused(
    camp: dict[str, Any], client: FlaskClient, auth: Auth, url: str
) -> None:
    auth.login(camp["organiser"])
    response = client.post(
        f"{camp['base']}/sessions/{camp['placed'].id}/notes", data={"notes_url": url}
    )
    assert response.status_code == 400
    assert "https://" in _page(response)
    db.session.refresh(camp["placed"])
    assert camp["placed"].notes_url == ""


def test_form_place_into_break_or_removed_room_shows_clear_message(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    auth.login(camp["organiser"])
    url = f"{camp['base']}/programme/sessions/{camp['loose'].id}/place"
    data = {"room_id": camp["room_b"].id, "slot_id": camp["brk"].id, "version": 1}
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "is a break slot: sessions can only go in session or plenary slots" in _page(response)
    client.post(f"{camp['base']}/programme/rooms/{camp['room_b'].id}/remove")
    response = client.post(url, data={**data, "slot_id": camp["slot"].id})
    assert "Room B has been removed from the programme" in _page(response)
    db.session.refresh(camp["loose"])
    assert camp["loose"].slot_id is None


def test_form_place_into_taken_cell_warns_then_swaps(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    auth.login(camp["organiser"])
    url = f"{camp['base']}/programme/sessions/{camp['loose'].id}/place"
    data = {"room_id": camp["room_a"].id, "slot_id": camp["slot"].id, "version": 1}
    response = client.post(url, data=data)
    assert response.status_code == 409
    assert "already has “Placed one”" in _page(response)
    response = client.post(url, data={**data, "swap": "y"}, follow_redirects=True)
    assert "“Loose one” is now in Room A" in _page(response)
    db.session.refresh(camp["placed"])
    assert camp["placed"].slot_id is None  # the swapped-out session had no cell to go to


def test_json_move_with_stale_version_is_409_and_changes_nothing(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    auth.login(camp["organiser"])
    url = f"{camp['base']}/programme/sessions/{camp['placed'].id}/place"
    first = client.post(
        url, json={"room_id": camp["room_b"].id, "slot_id": camp["slot"].id, "version": 1}
    )
    assert first.status_code == 200
    assert first.get_json()["version"] == 2
    stale = client.post(
        url, json={"room_id": camp["room_a"].id, "slot_id": camp["slot"].id, "version": 1}
    )
    assert stale.status_code == 409
    assert "changed by someone else" in stale.get_json()["error"]["message"]
    db.session.refresh(camp["placed"])
    assert camp["placed"].room_id == camp["room_b"].id
    assert db.session.scalar(select(func.count(GridChange.id))) == 1


def test_json_garbage_is_a_clear_400(camp: dict[str, Any], client: FlaskClient, auth: Auth) -> None:
    auth.login(camp["organiser"])
    url = f"{camp['base']}/programme/sessions/{camp['placed'].id}/place"
    response = client.post(url, json={"room_id": "x", "slot_id": None})
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_undo_through_the_editor(camp: dict[str, Any], client: FlaskClient, auth: Auth) -> None:
    auth.login(camp["organiser"])
    base = f"{camp['base']}/programme"
    client.post(
        f"{base}/sessions/{camp['placed'].id}/place",
        data={"room_id": camp["room_b"].id, "slot_id": camp["slot"].id, "version": 1},
    )
    change = db.session.scalar(select(GridChange))
    assert change is not None
    editor = _page(client.get(f"{base}/editor"))
    assert "Olu Organiser: Moved: “Placed one” from Room A" in editor
    response = client.post(f"{base}/changes/{change.id}/undo", follow_redirects=True)
    assert "The change has been undone." in _page(response)
    db.session.refresh(camp["placed"])
    assert camp["placed"].room_id == camp["room_a"].id
    again = client.post(f"{base}/changes/{change.id}/undo")
    assert again.status_code == 409 and "already been undone" in _page(again)


def test_live_grid_answers_304_until_the_grid_changes(
    camp: dict[str, Any], client: FlaskClient
) -> None:
    url = f"{camp['base']}/grid/live"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.mimetype == "text/html"
    assert "Placed one" in _page(first)
    same = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert same.status_code == 304 and same.get_data() == b""
    grid.place_session(
        db.session, camp["organiser"], camp["loose"], camp["slot"].id, camp["room_b"].id, 1
    )
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert "Loose one" in _page(changed) and "New: “Loose one”" in _page(changed)
    page = client.get(f"{camp['base']}/grid")
    assert page.status_code == 200 and page.headers["ETag"] != changed.headers["ETag"]
    assert (
        client.get(
            f"{camp['base']}/grid", headers={"If-None-Match": page.headers["ETag"]}
        ).status_code
        == 304
    )


def test_grid_shows_times_in_event_timezone_and_both_layouts(
    camp: dict[str, Any], client: FlaskClient
) -> None:
    page = _page(client.get(f"{camp['base']}/grid"))
    local = camp["slot"].starts_at.astimezone(camp["event"].tz).strftime("%H:%M")
    assert local in page
    assert 'class="lgcamp-live-grid__wide"' in page and 'data-testid="grid-by-time"' in page
    assert "Coffee" in page and "Europe/London" in page


def test_big_screen_shows_room_full_and_sessions_with_space(
    camp: dict[str, Any], client: FlaskClient
) -> None:
    event, slot = camp["event"], camp["slot"]
    make_camp_session(event, title="Roomy", slot=slot, room=camp["room_b"])
    service.flag_room_full(db.session, camp["organiser"], camp["placed"])
    db.session.commit()
    page = _page(client.get(f"{camp['base']}/grid/screen"))
    assert "Room full" in page
    assert "Still has space: Roomy (Room B)" in page
    assert "Next:" in page  # the event is a month ahead


def test_default_day_button_and_slot_form_errors(app: Any, client: FlaskClient, auth: Auth) -> None:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    auth.login(organiser)
    response = client.post(f"/events/{event.slug}/programme/default-day", follow_redirects=True)
    assert "A default camp day has been added" in _page(response)
    assert "Welcome and pitching" in _page(response) and "Session 5" in _page(response)
    bad = client.post(
        f"/events/{event.slug}/programme/slots",
        data={"day": "nope", "start_time": "11:00", "end_time": "10:00", "kind": "session"},
    )
    assert bad.status_code == 400 and "Enter the day as a date" in _page(bad)
    bad_room = client.post(
        f"/events/{event.slug}/programme/rooms", data={"name": "", "capacity": "0"}
    )
    assert "Enter the room name" in _page(bad_room) and "Capacity must be between" in _page(
        bad_room
    )


def test_session_page_shows_hosts_stars_room_and_took_place(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    fan = make_ticket_holder(camp["event"])
    auth.login(fan)
    url = f"{camp['base']}/sessions/{camp['placed'].id}"
    client.post(url + "/star")
    page = _page(client.get(url))
    assert "1 person would go to this" in page and "Room A" in page
    assert "Took place" not in page
    service.set_took_place(db.session, camp["placed"], True)
    db.session.commit()
    assert "Took place" in _page(client.get(url))
    agenda = _page(client.get(f"{camp['base']}/agenda"))
    assert "Placed one" in agenda
    assert camp["placed"].took_place(utcnow())


def test_volunteer_queue_attributes_host(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    auth.login(make_volunteer(camp["event"]))
    make_person("Kwame Evans")
    response = client.post(
        f"{camp['base']}/pitch-queue",
        data={"host": "Kwame Evans", "title": "Queued talk", "format": "discussion"},
        follow_redirects=True,
    )
    assert "“Queued talk” by Kwame Evans is number 1 in the queue." in _page(response)
    unknown = client.post(
        f"{camp['base']}/pitch-queue",
        data={"host": "ghost@example.org", "title": "x", "format": "other"},
    )
    assert "No account uses the email address ghost@example.org" in _page(unknown)
