"""No account enumeration (issue 16): reset and sign-up answer the same, and do the same work,
whether or not an address has an account; sign-up and sign-in are throttled."""

from __future__ import annotations

from flask import Flask, g
from flask.testing import FlaskClient

from lgcamp.extensions import db
from tests.conftest import Mailbox
from tests.factories import PASSWORD, make_person
from tests.statements import Statements, counting

KNOWN = "has.account@example.org"
UNKNOWN = "no.account@example.org"


def _post(client: FlaskClient, url: str, data: dict[str, str]) -> tuple[str, Statements]:
    db.session.remove()
    g.pop("_login_user", None)
    with counting() as statements:
        response = client.post(url, data=data)
    assert response.status_code == 200
    return response.get_data(as_text=True), statements


def _shape(statements: Statements) -> list[str]:
    """Each statement's verb and table: what the database was asked to do, not the values."""
    return [" ".join(s.split()[:4]) for s in statements.seen]


def test_reset_answers_and_works_the_same_for_known_and_unknown_addresses(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    make_person(email=KNOWN)
    known_page, known = _post(client, "/forgot-password", {"email": KNOWN})
    unknown_page, unknown = _post(client, "/forgot-password", {"email": UNKNOWN})
    assert known_page.replace(KNOWN, "X") == unknown_page.replace(UNKNOWN, "X")
    assert _shape(known) == _shape(unknown)  # one message queued and sent either way
    assert len(mailbox.to(KNOWN)) == len(mailbox.to(UNKNOWN)) == 1


def test_sign_up_answers_and_works_the_same_for_known_and_unknown_addresses(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    make_person(email=KNOWN)
    form = {"name": "Sam Jones", "organisation": "Leeds CC"}
    known_page, known = _post(client, "/sign-up", {**form, "email": KNOWN})
    unknown_page, unknown = _post(client, "/sign-up", {**form, "email": UNKNOWN})
    assert known_page.replace(KNOWN, "X") == unknown_page.replace(UNKNOWN, "X")
    assert _shape(known) == _shape(unknown)
    assert len(mailbox.to(KNOWN)) == len(mailbox.to(UNKNOWN)) == 1


def test_sign_up_is_rate_limited(app: Flask, client: FlaskClient) -> None:
    app.config["SIGN_UP_RATE_LIMIT"] = "3 per hour"
    form = {"name": "Sam Jones", "organisation": ""}
    statuses = [
        client.post("/sign-up", data={**form, "email": f"p{n}@example.org"}).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_sign_in_is_throttled_per_account_from_any_address(app: Flask, client: FlaskClient) -> None:
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "3 per 10 minutes"
    target = make_person(email="target@example.org")
    other = make_person(email="other@example.org")

    def attempt(email: str, password: str, address: str) -> int:
        environ = {"REMOTE_ADDR": address}
        data = {"email": email, "password": password}
        return client.post("/sign-in", data=data, environ_base=environ).status_code

    # A right password does not count against the account; wrong ones do, from any address.
    assert attempt(target.email, PASSWORD, "192.0.2.1") == 302
    client.post("/sign-out")
    wrong = [attempt("TARGET@example.org", "wrong password", f"192.0.2.{n}") for n in range(2, 5)]
    assert wrong == [200, 200, 200]
    assert attempt(target.email, PASSWORD, "192.0.2.99") == 429  # even the owner, for now
    assert attempt(other.email, PASSWORD, "192.0.2.99") == 302  # other accounts are not held
