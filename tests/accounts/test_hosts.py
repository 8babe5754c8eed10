"""Emailed links never follow the request's Host (issue 16): a forged Host or X-Forwarded-Host
is refused in one place (TRUSTED_HOSTS), and links are built from BASE_URL even without it."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from lgcamp import create_app
from lgcamp.config import derive_trusted_hosts
from lgcamp.extensions import db
from tests.accounts.sibling import sibling_app
from tests.conftest import Mailbox, body_text
from tests.factories import PASSWORD, make_event, make_person, make_ticket_type

VICTIM = "victim@example.org"


def _links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def test_reset_for_a_forged_host_is_refused_and_sends_nothing(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    make_person(email=VICTIM)
    for extra in ({"base_url": "http://evil.example"}, {"headers": {"Host": "evil.example"}}):
        response = client.post("/forgot-password", data={"email": VICTIM}, **extra)  # type: ignore[arg-type]
        assert response.status_code == 400
        assert "does not answer to that host" in response.get_data(as_text=True)
    assert mailbox.messages == []


def test_reset_link_is_built_from_base_url_even_when_every_host_is_allowed(
    app: Flask, client: FlaskClient, mailbox: Mailbox
) -> None:
    app.config["TRUSTED_HOSTS"] = None  # the second defence alone
    make_person(email=VICTIM)
    response = client.post(
        "/forgot-password", data={"email": VICTIM}, base_url="http://evil.example"
    )
    assert response.status_code == 200
    links = _links(body_text(mailbox.last_to(VICTIM)))
    assert links and all(link.startswith("http://localhost/reset-password/") for link in links)


def test_x_forwarded_host_behind_a_trusted_proxy_is_refused_or_ignored(
    app: Flask, mailbox: Mailbox
) -> None:
    with sibling_app(app, TRUSTED_PROXIES=1) as proxied:
        make_person(email=VICTIM)
        client = proxied.test_client()
        forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
        response = client.post("/forgot-password", data={"email": VICTIM}, headers=forged)
        assert response.status_code == 400
        assert mailbox.messages == []
        proxied.config["TRUSTED_HOSTS"] = None
        response = client.post("/forgot-password", data={"email": VICTIM}, headers=forged)
        assert response.status_code == 200
    links = _links(body_text(mailbox.last_to(VICTIM)))
    assert links and all(link.startswith("http://localhost/reset-password/") for link in links)


def test_ticket_email_links_use_base_url_not_the_host_asked_for(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    person = make_person(email="holder@example.org")
    event = make_event()
    ticket_type = make_ticket_type(event)
    # 127.0.0.1 is served (a loopback name beside BASE_URL's localhost), yet links say localhost.
    signed_in = client.post(
        "/sign-in",
        data={"email": person.email, "password": PASSWORD},
        base_url="http://127.0.0.1",
    )
    assert signed_in.status_code == 302
    response = client.post(
        f"/events/{event.slug}/tickets/{ticket_type.id}/book",
        data={"organisation": "Leeds CC", "job_role": "Developer"},
        base_url="http://127.0.0.1",
    )
    assert response.status_code == 302
    assert "sign-in" not in response.headers["Location"]
    links = _links(body_text(mailbox.last_to("holder@example.org")))
    assert links and all(link.startswith("http://localhost/") for link in links)


def test_trusted_hosts_come_from_base_url_and_extra_hosts(tmp_path: object) -> None:
    assert derive_trusted_hosts("https://events.example.org", ["10.0.0.5"]) == [
        "events.example.org",
        "10.0.0.5",
    ]
    assert derive_trusted_hosts("http://localhost:5000", []) == ["localhost", "127.0.0.1"]
    assert derive_trusted_hosts("http://0.0.0.0:5000", []) is None  # the demo on every address
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path}/hosts.sqlite",
            "BASE_URL": "https://events.example.org",
            "EXTRA_HOSTS": ["10.0.0.5"],
            "SQLITE_BACKGROUND_CHECKPOINTS": False,
        }
    )
    client = app.test_client()
    assert client.get("/sign-in", base_url="https://events.example.org").status_code == 200
    assert client.get("/sign-in", base_url="http://10.0.0.5:8000").status_code == 200
    assert client.get("/sign-in", base_url="https://evil.example").status_code == 400
    assert client.get("/sign-in", base_url="http://localhost").status_code == 400
    with app.app_context():
        db.engine.dispose()
