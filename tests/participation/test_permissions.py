"""Every participation route for every kind of visitor: who may see or do what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lgcamp.database import utcnow
from lgcamp.extensions import db
from lgcamp.participation import membership as co_op
from tests.conftest import Auth
from tests.factories import make_attendance, make_event, make_person

ROLES = ["anonymous", "attendee", "other_organiser", "organiser", "admin"]
W = dict[str, object]


@pytest.fixture
def world() -> W:
    """A past event with its organiser, another organiser's event, an attendee, an admin, and
    an application to join the co-op."""
    organiser = make_person("Olu Organiser")
    other = make_person("Otto Other")
    start = (utcnow() - timedelta(days=30)).replace(microsecond=0)
    event = make_event("Camp under test", starts_at=start, organisers=(organiser,))
    make_event("Other camp", starts_at=start, organisers=(other,))
    attendee = make_person("Ann Attendee")
    make_attendance(event, attendee)
    kind = co_op.save_membership_type(db.session, co_op.TypeDetails("Practitioner"))
    applicant = make_person("Ap Plicant")
    membership = co_op.apply_for_membership(db.session, applicant, kind.id, "", utcnow())
    db.session.commit()
    return {
        "slug": event.slug,
        "type_id": kind.id,
        "membership_id": membership.id,
        "attendee": attendee,
        "other_organiser": other,
        "organiser": organiser,
        "admin": make_person("Ada Admin", is_admin=True),
    }


SIGNED_IN = [302, 200, 200, 200, 200]
ADMIN_GET = [302, 403, 403, 403, 200]
REPORTERS = [302, 403, 200, 200, 200]
MANAGERS = [302, 403, 403, 200, 200]

CASES: list[tuple[str, str, Callable[[W], str], list[int]]] = [
    ("GET", "participation.record", lambda w: "/network/record", SIGNED_IN),
    ("GET", "participation.print_record", lambda w: "/network/record/print", SIGNED_IN),
    ("POST", "participation.save_share", lambda w: "/network/record/share", [302] * 5),
    ("POST", "participation.new_link", lambda w: "/network/record/share/new", [302] * 5),
    (
        "POST",
        "participation.revoke_link",
        lambda w: "/network/record/share/revoke",
        [302] + [404] * 4,
    ),
    ("GET", "participation.verify", lambda w: "/verify/not-a-token", [404] * 5),
    ("GET", "participation.download", lambda w: "/network/record/download", SIGNED_IN),
    ("GET", "participation.delete_account", lambda w: "/account/delete", SIGNED_IN),
    ("POST", "participation.delete_account", lambda w: "/account/delete", [302] + [400] * 4),
    ("GET", "participation.membership", lambda w: "/network/membership", SIGNED_IN),
    ("POST", "participation.apply", lambda w: "/network/membership", [302] + [400] * 4),
    ("POST", "participation.leave", lambda w: "/network/membership/leave", [302] + [409] * 4),
    ("GET", "participation.status_rule", lambda w: "/admin/network/status-rule", ADMIN_GET),
    (
        "POST",
        "participation.status_rule",
        lambda w: "/admin/network/status-rule",
        [302, 403, 403, 403, 400],
    ),
    ("GET", "participation.register", lambda w: "/admin/members", ADMIN_GET),
    ("GET", "participation.register_csv", lambda w: "/admin/members.csv", ADMIN_GET),
    ("GET", "participation.member", lambda w: f"/admin/members/{w['membership_id']}", ADMIN_GET),
    (
        "POST",
        "participation.approve",
        lambda w: f"/admin/members/{w['membership_id']}/approve",
        [302, 403, 403, 403, 302],
    ),
    (
        "POST",
        "participation.reject",
        lambda w: f"/admin/members/{w['membership_id']}/reject",
        [302, 403, 403, 403, 302],
    ),
    (
        "POST",
        "participation.record_fee",
        lambda w: f"/admin/members/{w['membership_id']}/fee",
        [302, 403, 403, 403, 400],
    ),
    (
        "POST",
        "participation.end",
        lambda w: f"/admin/members/{w['membership_id']}/end",
        [302, 403, 403, 403, 400],
    ),
    ("GET", "participation.agm", lambda w: "/admin/agm", ADMIN_GET),
    ("GET", "participation.agm_csv", lambda w: "/admin/agm.csv", [302, 403, 403, 403, 400]),
    ("GET", "participation.membership_types", lambda w: "/admin/membership-types", ADMIN_GET),
    (
        "POST",
        "participation.membership_types",
        lambda w: "/admin/membership-types",
        [302, 403, 403, 403, 400],
    ),
    (
        "GET",
        "participation.edit_membership_type",
        lambda w: f"/admin/membership-types/{w['type_id']}/edit",
        ADMIN_GET,
    ),
    (
        "POST",
        "participation.edit_membership_type",
        lambda w: f"/admin/membership-types/{w['type_id']}/edit",
        [302, 403, 403, 403, 302],
    ),
    ("GET", "participation.merge", lambda w: "/admin/merge", ADMIN_GET),
    ("POST", "participation.merge", lambda w: "/admin/merge", [302, 403, 403, 403, 400]),
    ("GET", "participation.reports_index", lambda w: "/reports", REPORTERS),
    ("GET", "participation.reports_csv", lambda w: "/reports/events.csv", REPORTERS),
    ("GET", "participation.event_report", lambda w: f"/reports/events/{w['slug']}", MANAGERS),
    (
        "GET",
        "participation.event_report_csv",
        lambda w: f"/reports/events/{w['slug']}/figures.csv",
        MANAGERS,
    ),
    (
        "GET",
        "participation.event_sessions_csv",
        lambda w: f"/reports/events/{w['slug']}/sessions.csv",
        MANAGERS,
    ),
    ("GET", "participation.years_report", lambda w: "/reports/years", ADMIN_GET),
    ("GET", "participation.years_csv", lambda w: "/reports/years.csv", ADMIN_GET),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "endpoint", "url", "expected"),
    CASES,
    ids=[f"{c[0]} {c[1]}" for c in CASES],
)
def test_route_permissions(
    client: FlaskClient,
    auth: Auth,
    world: W,
    role: str,
    method: str,
    endpoint: str,
    url: Callable[[W], str],
    expected: list[int],
) -> None:
    if role != "anonymous":
        auth.login(world[role])  # type: ignore[arg-type]
    response = client.open(url(world), method=method)
    assert response.status_code == expected[ROLES.index(role)], response.get_data(as_text=True)[
        :300
    ]
    if response.status_code == 302 and role == "anonymous":
        assert response.headers["Location"].startswith("/sign-in")


def test_every_participation_route_is_in_the_matrix(app: Flask) -> None:
    covered = {(m, endpoint) for m, endpoint, _u, _e in CASES}
    routes = {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("participation.")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routes - covered == set()


def test_an_organiser_sees_only_their_own_events(client: FlaskClient, auth: Auth, world: W) -> None:
    auth.login(world["other_organiser"])  # type: ignore[arg-type]
    page = client.get("/reports").get_data(as_text=True)
    assert "Other camp" in page and "Camp under test" not in page
    csv = client.get("/reports/events.csv").get_data(as_text=True)
    assert "Camp under test" not in csv
    auth.logout()
    auth.login(world["admin"])  # type: ignore[arg-type]
    assert "Camp under test" in client.get("/reports").get_data(as_text=True)
