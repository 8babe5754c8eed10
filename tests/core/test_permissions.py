"""Every foundation route, for every kind of visitor: who may see or do what."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lgcamp.events.models import Event, EventStatus
from tests.conftest import Auth
from tests.factories import make_event, make_person

ROLES = ["anonymous", "attendee", "other_organiser", "organiser", "admin"]


@pytest.fixture
def world() -> dict[str, object]:
    """An event with its organiser, an organiser of another event, an attendee, an admin."""
    organiser = make_person("Olu Organiser")
    other = make_person("Otto Other")
    co_organiser = make_person("Cara Co")
    event = make_event("Camp", organisers=(organiser, co_organiser))
    draft = make_event("Draft camp", status=EventStatus.DRAFT, organisers=(organiser,))
    make_event("Other camp", organisers=(other,))
    return {
        "event": event,
        "draft": draft,
        "co_organiser": co_organiser,
        "attendee": make_person("Ann Attendee"),
        "other_organiser": other,
        "organiser": organiser,
        "admin": make_person("Ada Admin", is_admin=True),
    }


def _as(role: str, world: dict[str, object], auth: Auth) -> None:
    if role != "anonymous":
        auth.login(world[role])  # type: ignore[arg-type]


def _slug(world: dict[str, object], key: str = "event") -> str:
    event = world[key]
    assert isinstance(event, Event)
    return event.slug


# (method, url builder, expected status per role in ROLES order)
CASES: list[tuple[str, str, Callable[[dict[str, object]], str], list[int]]] = [
    ("GET", "events.index", lambda w: "/", [200, 200, 200, 200, 200]),
    ("GET", "events.past", lambda w: "/events/past", [200, 200, 200, 200, 200]),
    ("GET", "events.show", lambda w: f"/events/{_slug(w)}", [200, 200, 200, 200, 200]),
    ("GET", "events.show", lambda w: f"/events/{_slug(w, 'draft')}", [404, 404, 404, 200, 200]),
    ("GET", "events.mine", lambda w: "/events/mine", [302, 200, 200, 200, 200]),
    ("GET", "events.create", lambda w: "/events/new", [302, 403, 200, 200, 200]),
    ("GET", "events.edit", lambda w: f"/events/{_slug(w)}/edit", [302, 403, 403, 200, 200]),
    ("GET", "events.manage", lambda w: f"/events/{_slug(w)}/manage", [302, 403, 403, 200, 200]),
    (
        "GET",
        "events.manage",
        lambda w: f"/events/{_slug(w, 'draft')}/manage",
        [404, 404, 404, 200, 200],  # a draft's address says nothing to anyone else
    ),
    (
        "POST",
        "events.add_organiser",
        lambda w: f"/events/{_slug(w)}/organisers",
        [302, 403, 403, 400, 400],
    ),
    (
        "POST",
        "events.remove_organiser",
        lambda w: f"/events/{_slug(w)}/organisers/{w['co_organiser'].id}/remove",  # type: ignore[attr-defined]
        [302, 403, 403, 302, 302],
    ),
    ("GET", "events.cancel", lambda w: f"/events/{_slug(w)}/cancel", [302, 403, 403, 200, 200]),
    ("POST", "events.cancel", lambda w: f"/events/{_slug(w)}/cancel", [302, 403, 403, 400, 400]),
    ("GET", "accounts.sign_up", lambda w: "/sign-up", [200, 200, 200, 200, 200]),
    ("GET", "accounts.login", lambda w: "/sign-in", [200, 200, 200, 200, 200]),
    ("POST", "accounts.logout", lambda w: "/sign-out", [302, 302, 302, 302, 302]),
    ("GET", "accounts.forgot_password", lambda w: "/forgot-password", [200] * 5),
    ("GET", "accounts.reset_password", lambda w: "/reset-password/bad-token", [400] * 5),
    ("GET", "accounts.account", lambda w: "/account", [302, 200, 200, 200, 200]),
    ("POST", "accounts.update_profile", lambda w: "/account/profile", [302, 400, 400, 400, 400]),
    ("POST", "accounts.change_email", lambda w: "/account/email", [302, 400, 400, 400, 400]),
    ("POST", "accounts.change_password", lambda w: "/account/password", [302, 400, 400, 400, 400]),
    # The confirmation link works only for the signed-in person it was made for.
    (
        "GET",
        "accounts.confirm_email",
        lambda w: "/account/email/confirm/x",
        [302, 200, 200, 200, 200],
    ),
    (
        "POST",
        "accounts.confirm_email",
        lambda w: "/account/email/confirm/x",
        [302, 400, 400, 400, 400],
    ),
    ("GET", "accounts.undo_email_change", lambda w: "/account/email/undo/x", [400] * 5),
    ("POST", "accounts.undo_email_change", lambda w: "/account/email/undo/x", [400] * 5),
    ("GET", "accounts.finish_sign_up", lambda w: "/sign-up/x", [400] * 5),
    ("POST", "accounts.finish_sign_up", lambda w: "/sign-up/x", [400] * 5),
    ("POST", "accounts.logout_everywhere", lambda w: "/account/sign-out-everywhere", [302] * 5),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "endpoint", "url", "expected"),
    CASES,
    ids=[f"{c[0]} {c[1]} {i}" for i, c in enumerate(CASES)],
)
def test_route_permissions(
    client: FlaskClient,
    auth: Auth,
    world: dict[str, object],
    role: str,
    method: str,
    endpoint: str,
    url: Callable[[dict[str, object]], str],
    expected: list[int],
) -> None:
    _as(role, world, auth)
    response = client.open(url(world), method=method)
    assert response.status_code == expected[ROLES.index(role)], response.get_data(as_text=True)[
        :300
    ]
    if response.status_code == 302 and role == "anonymous" and method == "GET":
        assert response.headers["Location"].startswith("/sign-in")


def test_every_foundation_route_is_in_the_matrix(app: Flask) -> None:
    covered = {endpoint for _m, endpoint, _u, _e in CASES}
    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in {"accounts", "events"}
    }
    assert routes - covered == set()


def test_drafts_are_hidden_from_public_lists(client: FlaskClient, world: dict[str, object]) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Camp" in page
    assert "Draft camp" not in page
