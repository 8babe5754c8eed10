"""Shared fixtures: app and database (SQLite, or PostgreSQL when asked), client, mail, browser.

Set LGCAMP_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres to run the
whole suite on PostgreSQL: a fresh database is created for the run and dropped after it.
In CI (CI=true) browser and PostgreSQL tests must run: missing pieces fail instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.serving import make_server

from lgcamp import create_app
from lgcamp.accounts.models import Person
from lgcamp.extensions import db
from tests.factories import PASSWORD

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_URL = os.environ.get("LGCAMP_TEST_DATABASE_URL", "")
CHROMIUM = os.environ.get("LGCAMP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# --- mail: a real SMTP server on loopback ---------------------------------------------------


@dataclass
class Mailbox:
    """Messages received by the test SMTP server."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        """aiosmtpd hook: keep each message as it arrived."""
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """Messages addressed to this person."""
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def last_to(self, address: str) -> EmailMessage:
        """The most recent message to this address (fails the test if none)."""
        received = self.to(address)
        assert received, f"no email to {address}; got {[str(m['To']) for m in self.messages]}"
        return received[-1]


def body_text(message: EmailMessage) -> str:
    """The plain-text part of a message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """One SMTP server for the run, on a free loopback port."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[Mailbox, int]) -> Mailbox:
    """The test's inbox: empty at the start of each test."""
    box, _port = smtp_server
    box.messages.clear()
    return box


# --- databases ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for the run, when LGCAMP_TEST_DATABASE_URL is set."""
    if not PG_URL:
        yield None
        return
    admin_url = sa.make_url(PG_URL)
    name = f"lgcamp_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    test_url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        yield test_url
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


@pytest.fixture
def database_url(pg_database: str | None, tmp_path: Any) -> str:
    """The URL a test's app uses: the run's PostgreSQL database, or a new SQLite file."""
    return pg_database or f"sqlite:///{tmp_path / 'test.sqlite'}"


def _reset_postgres(app: Flask) -> None:
    with app.app_context():
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
def app(database_url: str, smtp_server: tuple[Mailbox, int], tmp_path: Any) -> Iterator[Flask]:
    """A fresh app and empty database for each test, with mail going to the SMTP server."""
    _box, port = smtp_server
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "WTF_CSRF_ENABLED": False,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "BASE_URL": "http://localhost",
            "SERVER_NAME": None,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        db.create_all()  # checks first: on PostgreSQL the tables persist between tests
    with app.app_context():
        yield app
        db.session.remove()
    # Mail sent after a commit on a thread (transaction.send_in_background) ends before the
    # database is emptied, so that its connection goes back to the pool, not to the collector.
    for thread in threading.enumerate():
        if thread.name == "lgcamp-mail-after-commit":
            thread.join(timeout=60)
    if database_url.startswith("postgresql"):
        _reset_postgres(app)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


class Auth:
    """Sign people in and out through the real login form."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, person: Person, password: str = PASSWORD) -> None:
        """Sign in as this person (fails the test if it does not work)."""
        response = self.client.post("/sign-in", data={"email": person.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]

    def logout(self) -> None:
        """Sign out."""
        self.client.post("/sign-out")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    """The sign-in helper for the test client."""
    return Auth(client)


# --- a live server and Chromium, for browser tests -------------------------------------------


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over HTTP on a free loopback port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _need(what: str) -> None:
    """Skip on a laptop without this; fail in CI, where nothing may be skipped."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not available")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        _need("Chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("Playwright")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser page; console errors (such as CSP violations) fail the test."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


def wait_for(condition: Any, timeout: float = 5.0, interval: float = 0.05) -> Any:
    """Poll until condition() is truthy; fail after the timeout (no sleep-and-hope)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
