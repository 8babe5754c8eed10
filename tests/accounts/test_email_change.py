"""Changing the email address (issue 16): the current password first, a confirmation link
only its requester can use, and a way back from the old address that ends every sign-in."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from lgcamp.accounts.models import Person
from lgcamp.extensions import db
from tests.conftest import Auth, Mailbox, body_text
from tests.factories import PASSWORD, make_person


def _link(text: str, part: str) -> str:
    match = re.search(rf"http://localhost(/account/email/{part}/\S+)", text)
    assert match, text
    return match.group(1)


def _ask(client: FlaskClient, new: str, password: str = PASSWORD) -> int:
    response = client.post("/account/email", data={"email": new, "email_password": password})
    return response.status_code


def test_changing_the_email_asks_for_the_current_password(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    auth.login(make_person(email="old@example.org"))
    response = client.post("/account/email", data={"email": "new@example.org"})
    assert response.status_code == 400
    assert "Enter your current password" in response.get_data(as_text=True)
    response = client.post(
        "/account/email", data={"email": "new@example.org", "email_password": "not my password"}
    )
    assert "current password is not correct" in response.get_data(as_text=True)
    assert mailbox.messages == []


def test_the_confirmation_link_works_only_for_the_person_who_asked(
    app: Flask, client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    owner = make_person(email="owner@example.org")
    auth.login(owner)
    assert _ask(client, "owner.new@example.org") == 302
    link = _link(body_text(mailbox.last_to("owner.new@example.org")), "confirm")
    anonymous = app.test_client()
    assert anonymous.get(link).headers["Location"].startswith("/sign-in")
    assert anonymous.post(link).status_code == 302  # to sign in; nothing changed
    other = app.test_client()
    Auth(other).login(make_person(email="someone.else@example.org"))
    response = other.post(link)
    assert response.status_code == 400
    assert "for another account" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, owner.id).email == "owner@example.org"  # type: ignore[union-attr]
    assert client.post(link).status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, owner.id).email == "owner.new@example.org"  # type: ignore[union-attr]


def test_the_old_address_is_told_and_can_undo_the_change(
    app: Flask, client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    person = make_person(email="mine@example.org")
    person_id = person.id
    owner_phone = app.test_client()
    Auth(owner_phone).login(person)
    auth.login(person)  # the intruder, with the password
    assert _ask(client, "intruder@example.org") == 302
    client.post(_link(body_text(mailbox.last_to("intruder@example.org")), "confirm"))
    notice = body_text(mailbox.last_to("mine@example.org"))
    assert "changed to intruder@example.org" in notice
    undo = _link(notice, "undo")
    rescuer = app.test_client()  # the owner, not signed in
    assert "Put back mine@example.org" in rescuer.get(undo).get_data(as_text=True)
    response = rescuer.post(undo)
    assert response.headers["Location"] == "/forgot-password"
    db.session.expire_all()
    assert db.session.get(Person, person_id).email == "mine@example.org"  # type: ignore[union-attr]
    assert client.get("/account").status_code == 302  # the intruder is out
    assert owner_phone.get("/account").status_code == 302  # everyone is
    assert rescuer.post(undo).status_code == 400  # it works once
