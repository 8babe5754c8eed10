"""Every feeds route against every role: feeds are public, except personal ones and drafts."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from lgcamp.events.models import EventStatus
from lgcamp.extensions import db
from lgcamp.feeds import service
from lgcamp.programme import grid
from tests.conftest import Auth
from tests.factories import make_camp_session, make_event, make_person, make_room, make_slot

ROLES = ["anonymous", "attendee", "other_organiser", "organiser", "admin"]
EVERYONE = {role: 200 for role in ROLES}
NOBODY = {role: 404 for role in ROLES}
MANAGERS_ONLY = {**NOBODY, "organiser": 200, "admin": 200}
SIGNED_IN = {"anonymous": "login", **{role: 200 for role in ROLES[1:]}}
SIGNED_IN_POST = {"anonymous": "login", **{role: "/account/calendar" for role in ROLES[1:]}}

ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/feeds/events.ics", EVERYONE),
    ("GET", "/events/{pub}/calendar.ics", EVERYONE),
    ("GET", "/events/{pub}/programme.ics", EVERYONE),
    ("GET", "/events/{draft}/calendar.ics", NOBODY),
    ("GET", "/events/{draft}/programme.ics", NOBODY),
    ("GET", "/events/nowhere/calendar.ics", NOBODY),
    ("GET", "/events/{pub}/add-to-calendar.ics", EVERYONE),
    ("GET", "/events/{draft}/add-to-calendar.ics", MANAGERS_ONLY),
    ("GET", "/events/{pub}/sessions/{pub_session}/add-to-calendar.ics", EVERYONE),
    ("GET", "/events/{draft}/sessions/{draft_session}/add-to-calendar.ics", MANAGERS_ONLY),
    ("GET", "/events/{pub}/sessions/{draft_session}/add-to-calendar.ics", NOBODY),
    ("GET", "/feeds/personal/{token}.ics", EVERYONE),  # the token is the key
    ("GET", "/feeds/personal/{unknown}.ics", NOBODY),
    ("GET", "/account/calendar", SIGNED_IN),
    ("POST", "/account/calendar/new-address", SIGNED_IN_POST),
]


@pytest.fixture
def world(app: Any) -> dict[str, Any]:
    """A published and a draft event with a placed session each, people, and a feed token."""
    organiser = make_person("Olu Organiser")
    people = {
        "attendee": make_person(),
        "other_organiser": make_person(),
        "organiser": organiser,
        "admin": make_person(is_admin=True),
    }
    make_event(organisers=(people["other_organiser"],))
    values: dict[str, Any] = {"people": people}
    for name, status in (("pub", EventStatus.PUBLISHED), ("draft", EventStatus.DRAFT)):
        event = make_event(status=status, organisers=(organiser,))
        cs = make_camp_session(event, organiser)
        grid.place_session(
            db.session, organiser, cs, make_slot(event).id, make_room(event).id, None
        )
        values[name], values[f"{name}_session"] = event.slug, cs.id
    values["token"] = service.rotate_feed_token(db.session, make_person())
    values["unknown"] = "B" * 32
    db.session.commit()
    return values


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "expected"), ROUTES, ids=[r[1] for r in ROUTES])
def test_route_permissions(
    client: FlaskClient,
    auth: Auth,
    world: dict[str, Any],
    role: str,
    method: str,
    path: str,
    expected: dict[str, Any],
) -> None:
    if role != "anonymous":
        auth.login(world["people"][role])
    url = path.format(**{k: v for k, v in world.items() if k != "people"})
    response = client.open(url, method=method)
    want = expected[role]
    if want == "login":
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]
    elif isinstance(want, str):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(want)
    else:
        assert response.status_code == want
        if want == 200 and url.endswith(".ics"):
            assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
