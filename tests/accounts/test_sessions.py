"""Sessions can be revoked (issue 16): sign-out, password change and reset, "sign out
everywhere" end sign-ins for good, copied cookies included; cookies are renewed at sign-in."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from lgcamp.accounts.models import Person, SignIn
from lgcamp.database import utcnow
from lgcamp.extensions import db
from tests.accounts.sibling import sibling_app
from tests.conftest import Auth, Mailbox, body_text
from tests.factories import PASSWORD, make_person

SESSION = "session"
REMEMBER = "remember_token"


def _signed_in(app: Flask, cookies: dict[str, str]) -> bool:
    """Whether a browser holding only these cookies (copied elsewhere) is signed in."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value, domain="localhost")
    return other.get("/account").status_code == 200


def _cookie(client: FlaskClient, name: str) -> str:
    cookie = client.get_cookie(name, domain="localhost")
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _sign_in(client: FlaskClient, person: Person, remember: bool = False) -> None:
    data = {"email": person.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/sign-in", data=data).status_code == 302


def test_a_copied_session_cookie_stops_working_at_sign_out(app: Flask, client: FlaskClient) -> None:
    person = make_person()
    _sign_in(client, person)
    copied = {SESSION: _cookie(client, SESSION)}
    assert _signed_in(app, copied)
    client.post("/sign-out")
    assert client.get("/account").status_code == 302
    assert not _signed_in(app, copied)


def test_sign_out_ends_only_that_sign_in(app: Flask, client: FlaskClient) -> None:
    person = make_person()
    laptop = app.test_client()
    _sign_in(laptop, person)
    _sign_in(client, person)
    client.post("/sign-out")
    assert laptop.get("/account").status_code == 200


def test_a_remember_cookie_stops_working_after_a_password_change(
    app: Flask, client: FlaskClient, mailbox: Mailbox
) -> None:
    person = make_person()
    phone = app.test_client()
    _sign_in(phone, person, remember=True)
    remembered = {REMEMBER: _cookie(phone, REMEMBER)}
    phone_session = {SESSION: _cookie(phone, SESSION)}
    assert _signed_in(app, remembered)  # the cookie alone signs in, until...
    _sign_in(client, person)
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "password": "another long one"}
    )
    assert response.status_code == 302
    assert not _signed_in(app, remembered)
    assert not _signed_in(app, phone_session)
    assert phone.get("/account").status_code == 302
    assert client.get("/account").status_code == 200  # the browser that changed it stays in
    assert "has just been changed" in body_text(mailbox.last_to(person.email))


def test_a_password_reset_ends_every_sign_in_and_remember_cookie(
    app: Flask, client: FlaskClient, mailbox: Mailbox
) -> None:
    person = make_person(email="forgetful@example.org")
    stolen = app.test_client()
    _sign_in(stolen, person, remember=True)
    cookies = {SESSION: _cookie(stolen, SESSION), REMEMBER: _cookie(stolen, REMEMBER)}
    client.post("/forgot-password", data={"email": person.email})
    match = re.search(r"http://localhost(/\S+)", body_text(mailbox.last_to(person.email)))
    assert match
    new = {"password": "brand new password", "confirm": "brand new password"}
    assert client.post(match.group(1), data=new).status_code == 302
    assert not _signed_in(app, cookies)
    assert not _signed_in(app, {REMEMBER: cookies[REMEMBER]})
    assert client.get("/account").status_code == 200  # the reset signs this browser in
    person_id = person.id
    assert (
        db.session.scalar(
            select(func.count()).select_from(SignIn).where(SignIn.person_id == person_id)
        )
        == 1
    )


def test_sign_out_everywhere_ends_every_sign_in(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    person = make_person()
    phone = app.test_client()
    _sign_in(phone, person, remember=True)
    remembered = {REMEMBER: _cookie(phone, REMEMBER)}
    auth.login(person)
    page = client.get("/account").get_data(as_text=True)
    assert "Sign out everywhere" in page
    response = client.post("/account/sign-out-everywhere")
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/account").status_code == 302
    assert phone.get("/account").status_code == 302
    assert not _signed_in(app, remembered)


def test_sign_in_starts_a_fresh_session_and_csrf_token(client: FlaskClient) -> None:
    person = make_person()
    client.get("/sign-in")  # the form's CSRF token is made
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
        token = before.get("csrf_token")
    assert token
    _sign_in(client, person)
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after.get("csrf_token") != token
        assert after.get("_user_id", "").startswith(f"{person.id}.")


def test_an_old_style_cookie_naming_only_the_person_id_signs_no_one_in(
    client: FlaskClient,
) -> None:
    person = make_person()
    with client.session_transaction() as forged:
        forged["_user_id"] = str(person.id)
        forged["_fresh"] = True
    assert client.get("/account").status_code == 302


def test_remember_cookies_are_secure_when_session_cookies_are(app: Flask) -> None:
    with sibling_app(app, SESSION_COOKIE_SECURE=True) as secure:
        person = make_person()
        assert secure.config["REMEMBER_COOKIE_SECURE"] is True
        client = secure.test_client()
        response = client.post(
            "/sign-in",
            data={"email": person.email, "password": PASSWORD, "remember": "y"},
            base_url="https://localhost",
        )
        assert response.status_code == 302
        cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in (SESSION, REMEMBER):
        assert "; Secure" in cookies[name]
        assert "; HttpOnly" in cookies[name]
        assert "SameSite=Lax" in cookies[name]
    assert app.config["REMEMBER_COOKIE_SECURE"] is False  # plain http in development


def test_sign_ins_last_12_hours_or_30_days_when_remembered(app: Flask, client: FlaskClient) -> None:
    person = make_person()
    person_id = person.id
    _sign_in(client, person)
    _sign_in(app.test_client(), person, remember=True)
    rows = db.session.scalars(
        select(SignIn).where(SignIn.person_id == person_id).order_by(SignIn.id)
    ).all()
    assert [r.expires_at - r.created_at for r in rows] == [timedelta(hours=12), timedelta(days=30)]
    db.session.execute(update(SignIn).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/account").status_code == 302  # ended on the server, cookie or not


def test_signing_in_again_ends_the_browsers_last_sign_in(client: FlaskClient) -> None:
    person = make_person()
    _sign_in(client, person)
    copied = {SESSION: _cookie(client, SESSION)}
    _sign_in(client, person)
    assert client.get("/account").status_code == 200
    assert not _signed_in(client.application, copied)
    assert db.session.scalar(select(func.count()).select_from(SignIn)) == 1
