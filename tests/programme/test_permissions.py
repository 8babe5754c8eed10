"""Every programme route against every role: who gets the page, who is sent to sign in, who 403s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from lgcamp.accounts.models import Person
from lgcamp.extensions import db
from lgcamp.programme import grid, layout
from lgcamp.programme.models import SessionHost, SlotKind
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

ROLES = [
    "anonymous",
    "attendee",
    "ticket_holder",
    "volunteer",
    "other_organiser",
    "organiser",
    "admin",
]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
PITCHERS = {"ticket_holder", "volunteer", "organiser", "admin"}
TEAM = {"volunteer", "organiser", "admin"}
MANAGERS = {"organiser", "admin"}


@dataclass
class World:
    """One event with rooms, slots, a placed session by someone else, a change and people."""

    slug: str
    session_id: int
    co_host_id: int
    unlinked_host_id: int
    room_id: int
    spare_room_id: int
    slot_id: int
    empty_slot_id: int
    change_id: int
    volunteer_id: int
    version: int
    people: dict[str, Person]


@pytest.fixture
def world(app: Any) -> World:
    """The event every route is tried against."""
    organiser = make_person("Olu Organiser")
    event = make_event(organisers=(organiser,))
    other_event = make_event(organisers=(make_person(),))
    room, spare = make_room(event, "Room A"), make_room(event, "Room B")
    slot = make_slot(event, 60)
    empty = make_slot(event, 300, kind=SlotKind.PLENARY)
    co_host = make_person("Co Host", email="co.host@example.org")
    camp_session = make_camp_session(event, title="Open data", co_hosts=(co_host,))
    grid.place_session(db.session, organiser, camp_session, slot.id, room.id, 1)
    db.session.commit()
    change = layout.recent_changes(db.session, event, 1)[0]
    volunteer = make_volunteer(event)
    people = {
        "attendee": make_person(),
        "ticket_holder": make_ticket_holder(event),
        "volunteer": volunteer,
        "other_organiser": other_event.roles[0].person,
        "organiser": organiser,
        "admin": make_person(is_admin=True),
    }
    make_person("New Helper", email="new.helper@example.org")
    # Queued on the day under the ticket holder's name, before they had linked an account.
    unlinked = SessionHost(name=people["ticket_holder"].name)
    camp_session.hosts.append(unlinked)
    db.session.commit()
    co_host_entry = next(h for h in camp_session.hosts if h.person_id == co_host.id)
    return World(
        event.slug, camp_session.id, co_host_entry.id, unlinked.id, room.id, spare.id, slot.id,
        empty.id, change.id, volunteer.id, camp_session.version, people,
    )  # fmt: skip


@dataclass(frozen=True)
class Route:
    """One route, who may use it and what success looks like."""

    name: str
    method: str
    path: str
    allowed: frozenset[str]
    ok: int = 200
    data: tuple[tuple[str, str], ...] = ()
    denied_signed_in: int = 403


def _r(label: str, method: str, path: str, allowed: set[str], ok: int = 200, **data: str) -> Route:
    return Route(label, method, path, frozenset(allowed), ok, tuple(data.items()))


S = "/events/{slug}/sessions/{session_id}"
P = "/events/{slug}/programme"
ROUTES = [
    _r("grid", "GET", "/events/{slug}/grid", EVERYONE),
    _r("live grid", "GET", "/events/{slug}/grid/live", EVERYONE),
    _r("live screen", "GET", "/events/{slug}/grid/live?view=screen", EVERYONE),
    _r("big screen", "GET", "/events/{slug}/grid/screen", EVERYONE),
    _r("pitches", "GET", "/events/{slug}/sessions", EVERYONE),
    _r("session page", "GET", S, EVERYONE),
    _r("agenda", "GET", "/events/{slug}/agenda", SIGNED_IN),
    _r("pitch form", "GET", "/events/{slug}/sessions/new", PITCHERS),
    _r("pitch", "POST", "/events/{slug}/sessions/new", PITCHERS, 302, title="Mine", format="other"),
    _r("pitch queue", "GET", "/events/{slug}/pitch-queue", TEAM),
    _r(
        "queue a pitch",
        "POST",
        "/events/{slug}/pitch-queue",
        TEAM,
        302,
        host="co.host@example.org",
        title="Queued",
        format="workshop",
    ),
    _r("edit pitch", "GET", S + "/edit", MANAGERS),
    _r("save pitch", "POST", S + "/edit", MANAGERS, 302, title="Renamed", format="other"),
    _r("withdraw", "POST", S + "/withdraw", MANAGERS, 302),
    _r("add host", "POST", S + "/hosts", MANAGERS, 302, host="new.helper@example.org"),
    _r("remove host", "POST", S + "/hosts/{co_host_id}/remove", MANAGERS, 302),
    _r("co-host invitation", "GET", S + "/hosts/accept/not-a-token", SIGNED_IN),
    _r("accept co-hosting", "POST", S + "/hosts/accept/not-a-token", SIGNED_IN, 400),
    _r(
        "link host",
        "POST",
        S + "/hosts/{unlinked_host_id}/link",
        MANAGERS,
        302,
        account="new.helper@example.org",
    ),
    _r("claim host", "POST", S + "/hosts/{unlinked_host_id}/claim", {"ticket_holder"}, 302),
    _r("notes", "POST", S + "/notes", MANAGERS, 302, notes_url="https://notes.example.org/1"),
    _r("took place", "POST", S + "/took-place", MANAGERS, 302, took_place="yes"),
    _r("star", "POST", S + "/star", PITCHERS, 302),
    _r("room full", "POST", S + "/room-full", TEAM, 302),
    _r("manage", "GET", P, MANAGERS),
    _r("default day", "POST", P + "/default-day", MANAGERS, 409),
    _r("add room", "POST", P + "/rooms", MANAGERS, 302, name="Room C", capacity="20"),
    _r("edit room", "GET", P + "/rooms/{room_id}/edit", MANAGERS),
    _r("remove room", "POST", P + "/rooms/{spare_room_id}/remove", MANAGERS, 302),
    _r(
        "add slot",
        "POST",
        P + "/slots",
        MANAGERS,
        302,
        day="2030-01-01",
        start_time="07:00",
        end_time="07:30",
        kind="plenary",
    ),
    _r("edit slot", "GET", P + "/slots/{slot_id}/edit", MANAGERS),
    _r("remove slot", "POST", P + "/slots/{empty_slot_id}/remove", MANAGERS, 302),
    _r("add volunteer", "POST", P + "/volunteers", MANAGERS, 302, email="new.helper@example.org"),
    _r("remove volunteer", "POST", P + "/volunteers/{volunteer_id}/remove", MANAGERS, 302),
    _r("editor", "GET", P + "/editor", MANAGERS),
    _r(
        "place",
        "POST",
        P + "/sessions/{session_id}/place",
        MANAGERS,
        302,
        room_id="{spare_room_id}",
        slot_id="{slot_id}",
        version="{version}",
    ),
    _r("unschedule", "POST", P + "/sessions/{session_id}/unschedule", MANAGERS, 302),
    _r("undo", "POST", P + "/changes/{change_id}/undo", MANAGERS, 302),
]


def _fill(text: str, world: World) -> str:
    return text.format(**{k: v for k, v in vars(world).items() if k != "people"})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_route_permissions(
    route: Route, role: str, world: World, client: FlaskClient, auth: Auth
) -> None:
    if role != "anonymous":
        auth.login(world.people[role])
    path = _fill(route.path, world)
    data = {k: _fill(v, world) for k, v in route.data}
    response = client.open(path, method=route.method, data=data)
    if role in route.allowed:
        assert response.status_code == route.ok, response.get_data(as_text=True)[:800]
    elif role == "anonymous":
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]
    else:
        assert response.status_code == route.denied_signed_in


def test_unknown_session_room_and_change_are_404(
    world: World, client: FlaskClient, auth: Auth
) -> None:
    auth.login(world.people["organiser"])
    for path in [
        f"/events/{world.slug}/sessions/999999",
        f"/events/{world.slug}/programme/rooms/999999/edit",
        f"/events/{world.slug}/programme/slots/999999/edit",
        "/events/no-such-event/grid",
        f"/events/{world.slug}/grid/live?view=nope",
    ]:
        assert client.get(path).status_code == 404, path
    assert client.post(f"/events/{world.slug}/programme/changes/999999/undo").status_code == 404
