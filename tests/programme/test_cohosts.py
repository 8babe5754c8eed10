"""Co-hosts by email are invited (issue 16): the same answer and one email whether or not the
address has an account; only the invited address can accept."""

from __future__ import annotations

import re

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from lgcamp.extensions import db
from lgcamp.programme.models import CampSession
from tests.conftest import Auth, Mailbox, body_text
from tests.factories import make_camp_session, make_event, make_person, make_ticket_holder


@pytest.fixture(autouse=True)
def person_loaded_per_request(app: Flask) -> None:
    """Several browsers here: each request loads its own signed-in person (not g's cache)."""

    @app.before_request
    def _forget_cached_user() -> None:
        g.pop("_login_user", None)


def _hosts(session_id: int) -> set[int]:
    db.session.expire_all()
    camp_session = db.session.get(CampSession, session_id)
    assert camp_session is not None
    return {h.person_id for h in camp_session.hosts}


def _invite(client: FlaskClient, url: str, email: str) -> str:
    response = client.post(f"{url}/hosts", data={"host": email}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return page.replace(email, "X")


def test_inviting_by_email_answers_the_same_for_known_and_unknown_addresses(
    app: Flask, client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    event = make_event()
    pitcher = make_ticket_holder(event)
    known = make_person("Kwame Mensah", email="kwame@example.org")
    camp_session = make_camp_session(event, title="Open data", host=pitcher)
    url = f"/events/{event.slug}/sessions/{camp_session.id}"
    auth.login(pitcher)
    assert _invite(client, url, "kwame@example.org") == _invite(client, url, "nobody@example.org")
    assert "Kwame Mensah" not in client.get(url).get_data(as_text=True)
    assert known.id not in _hosts(camp_session.id)  # not without saying yes
    invitation = body_text(mailbox.last_to("kwame@example.org"))
    assert len(mailbox.to("nobody@example.org")) == 1
    match = re.search(r"http://localhost(/\S+/hosts/accept/\S+)", invitation)
    assert match
    link = match.group(1)

    someone_else = app.test_client()
    Auth(someone_else).login(make_person(email="someone@example.org"))
    response = someone_else.post(link)
    assert response.status_code == 400
    assert "sent to another email address" in response.get_data(as_text=True)

    invited = app.test_client()
    Auth(invited).login(known)
    assert "Co-host this session" in invited.get(link).get_data(as_text=True)
    assert invited.post(link).status_code == 302
    assert known.id in _hosts(camp_session.id)
    assert invited.post(link).status_code == 409  # once


def test_pitch_form_invites_co_hosts_given_by_email(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    event = make_event()
    auth.login(make_ticket_holder(event))
    data = {"title": "Data", "format": "other", "co_hosts": "Ann@Example.org"}
    response = client.post(f"/events/{event.slug}/sessions/new", data=data, follow_redirects=True)
    assert "We have emailed an invitation to ann@example.org" in response.get_data(as_text=True)
    assert "co-host the session “Data”" in body_text(mailbox.last_to("ann@example.org"))
