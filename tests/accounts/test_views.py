"""Sign-up, sign-in, password reset and email change through the pages."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from lgcamp.accounts.models import Person
from lgcamp.extensions import db
from tests.conftest import Auth, Mailbox, body_text
from tests.factories import PASSWORD, make_person

SIGN_UP = {"name": "Sam Jones", "email": "Sam.Jones@Example.org", "organisation": "Leeds CC"}
NEW_PASSWORD = {"password": "a long password", "confirm": "a long password"}


def _link(text: str) -> str:
    match = re.search(r"http://localhost(/\S+)", text)
    assert match, text
    return match.group(1)


def test_sign_up_by_emailed_link_creates_account_and_signs_in(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    response = client.post("/sign-up?next=/events/past", data=SIGN_UP)
    assert "Check your email" in response.get_data(as_text=True)
    assert db.session.scalar(select(Person)) is None  # nothing until the address is proved
    link = _link(body_text(mailbox.last_to("sam.jones@example.org")))
    assert "Sam Jones" in client.get(link).get_data(as_text=True)
    response = client.post(link, data=NEW_PASSWORD)
    assert response.headers["Location"] == "/events/past"
    person = db.session.scalar(select(Person))
    assert person is not None
    assert (person.email, person.organisation) == ("sam.jones@example.org", "Leeds CC")
    assert person.password_hash.startswith("scrypt:")
    assert "Your account" in client.get("/account").get_data(as_text=True)
    # The link works once.
    assert "used already" in client.post(link, data=NEW_PASSWORD).get_data(as_text=True)


def test_sign_up_with_an_existing_address_answers_the_same_and_tells_the_owner(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    make_person(email="sam.jones@example.org")
    existing = client.post("/sign-up", data={**SIGN_UP, "email": "SAM.JONES@example.ORG"})
    new = client.post("/sign-up", data={**SIGN_UP, "email": "someone.new@example.org"})
    assert existing.status_code == new.status_code == 200
    assert existing.get_data(as_text=True).replace("SAM.JONES@example.ORG", "X") == (
        new.get_data(as_text=True).replace("someone.new@example.org", "X")
    )
    notice = body_text(mailbox.last_to("sam.jones@example.org"))
    assert "You already have an account" in notice
    assert "http://localhost/forgot-password" in notice
    assert db.session.scalar(select(db.func.count(Person.id))) == 1


def test_sign_up_bad_input_is_reported_per_field(client: FlaskClient, mailbox: Mailbox) -> None:
    data = {"name": "x" * 121, "email": "not-an-email", "organisation": "o" * 161}
    page = client.post("/sign-up", data=data).get_data(as_text=True)
    for message in [
        "Name must be 120 characters or fewer",
        "Enter an email address in the",
        "Organisation must be 160",
    ]:
        assert message in page
    assert 'href="#email"' in page
    assert mailbox.messages == []


def test_finishing_sign_up_checks_the_password(client: FlaskClient, mailbox: Mailbox) -> None:
    client.post("/sign-up", data=SIGN_UP)
    link = _link(body_text(mailbox.last_to("sam.jones@example.org")))
    page = client.post(link, data={"password": "short", "confirm": "other"}).get_data(as_text=True)
    assert "Password must be between 12" in page
    assert "Passwords must match" in page
    assert db.session.scalar(select(db.func.count(Person.id))) == 0
    assert client.get(link[:-4] + "abcd").status_code == 400


def test_login_with_wrong_password_is_refused(client: FlaskClient) -> None:
    person = make_person()
    response = client.post("/sign-in", data={"email": person.email, "password": "wrong one!"})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_login_is_case_insensitive_and_logout_works(client: FlaskClient) -> None:
    person = make_person(email="mixed@example.org")
    response = client.post("/sign-in", data={"email": "MIXED@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    client.post("/sign-out")
    assert client.get("/account").status_code == 302
    assert person.email == "mixed@example.org"


def test_login_is_rate_limited(client: FlaskClient) -> None:
    person = make_person()
    statuses = [
        client.post("/sign-in", data={"email": person.email, "password": "nope nope"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert "Too many attempts" in client.post("/sign-in", data={}).get_data(as_text=True)


def test_login_next_only_redirects_within_the_site(client: FlaskClient) -> None:
    person = make_person()
    data = {"email": person.email, "password": PASSWORD}
    assert client.post("/sign-in?next=/account", data=data).headers["Location"] == "/account"
    client.post("/sign-out")
    response = client.post("/sign-in?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/"


def test_password_reset_by_emailed_link(client: FlaskClient, mailbox: Mailbox) -> None:
    person = make_person(email="reset@example.org")
    response = client.post("/forgot-password", data={"email": "RESET@example.org"})
    assert "Check your email" in response.get_data(as_text=True)
    link = _link(body_text(mailbox.last_to("reset@example.org")))
    response = client.post(
        link, data={"password": "brand new password", "confirm": "brand new password"}
    )
    assert response.status_code == 302
    client.post("/sign-out")
    assert (
        client.post("/sign-in", data={"email": person.email, "password": PASSWORD}).status_code
        == 200
    )
    assert (
        client.post(
            "/sign-in", data={"email": person.email, "password": "brand new password"}
        ).status_code
        == 302
    )
    # The link works once.
    assert client.get(link).status_code == 400


def test_password_reset_for_unknown_email_says_the_same_and_tells_the_address(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    response = client.post("/forgot-password", data={"email": "nobody@example.org"})
    assert "Check your email" in response.get_data(as_text=True)
    text = body_text(mailbox.last_to("nobody@example.org"))
    assert "there is no account with it" in text
    assert "/reset-password/" not in text


def test_tampered_and_expired_reset_links_are_refused(
    client: FlaskClient, mailbox: Mailbox, app: object
) -> None:
    make_person(email="reset@example.org")
    client.post("/forgot-password", data={"email": "reset@example.org"})
    link = _link(body_text(mailbox.last_to("reset@example.org")))
    tampered = client.get(link[:-3] + "abc")
    assert tampered.status_code == 400
    assert "not valid" in tampered.get_data(as_text=True)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1  # type: ignore[attr-defined]
    expired = client.get(link)
    assert expired.status_code == 400
    assert "expired" in expired.get_data(as_text=True)


def test_change_email_needs_confirmation_from_new_address(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    person = make_person(email="old@example.org")
    auth.login(person)
    response = client.post(
        "/account/email", data={"email": "New@Example.org", "email_password": PASSWORD}
    )
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.email == "old@example.org"
    link = _link(body_text(mailbox.last_to("new@example.org")))
    assert client.get(link).status_code == 200  # a page with a button; GET changes nothing
    db.session.refresh(person)
    assert person.email == "old@example.org"
    assert client.post(link).status_code == 302
    db.session.refresh(person)
    assert person.email == "new@example.org"
    assert client.post(link).status_code == 400  # used


def test_change_email_to_taken_address_is_refused(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    make_person(email="taken@example.org")
    auth.login(make_person())
    response = client.post(
        "/account/email", data={"email": "TAKEN@example.org", "email_password": PASSWORD}
    )
    assert response.status_code == 400
    assert "Another account uses this email" in response.get_data(as_text=True)
    assert mailbox.messages == []


def test_change_password_and_profile(client: FlaskClient, auth: Auth) -> None:
    person = make_person()
    auth.login(person)
    bad = client.post(
        "/account/password",
        data={"current_password": "wrong password", "password": "another long one"},
    )
    assert "current password is not correct" in bad.get_data(as_text=True)
    assert (
        client.post(
            "/account/password", data={"current_password": PASSWORD, "password": "another long one"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/account/profile", data={"name": "New Name", "organisation": "Fife"}
        ).status_code
        == 302
    )
    db.session.refresh(person)
    assert (person.name, person.organisation) == ("New Name", "Fife")
