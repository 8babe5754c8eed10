"""Generated input for every endpoint of ``app.url_map`` (hypothesis), shared by the suite's
property test (tests/core/test_fuzz_endpoints.py) and ``benchmarks/fuzz_endpoints.py``.

Every rule is covered by default: path arguments, query strings, form fields (of the forms its
view names, else of every form) and JSON bodies are generated, valid-looking or hostile, and
sent anonymously and signed in (attendee, organiser, admin, a phone paired by a scanner link)
with valid CSRF tokens. The properties: never a 5xx, and a refused request (4xx) changes no row.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lgcamp import demo
from lgcamp.checkin import walk_in_records
from lgcamp.checkin.models import ScannerLink
from lgcamp.checkin.scans import ScanActor, ScanInput
from lgcamp.demo_tickets import demo_scanner_links
from lgcamp.extensions import db
from lgcamp.tickets.links import sign_booking
from lgcamp.tickets.models import Booking, TicketType
from tests.fuzz_inputs import (
    DEMO_PASSWORD,
    ID_TABLES,
    ROLES,
    Endpoint,
    Seeded,
    build_url,
    request_strategy,
)


def seed(app: Flask) -> Seeded:
    """The demo data (events, tickets, door, programme, members) and the values it holds."""
    with app.test_request_context():
        demo.seed(db.session, attendees=70)  # the programme's co-hosts need 64
        links = demo_scanner_links(db.session, app.secret_key)  # type: ignore[arg-type]
        db.session.commit()
        seeded = Seeded()
        for name, table in ID_TABLES.items():
            ids = db.session.execute(sa.text(f"SELECT id FROM {table} ORDER BY id")).scalars()
            seeded.values[name] = list(ids)[:20]
        seeded.values["slug"] = list(db.session.scalars(sa.text("SELECT slug FROM event")))
        bookings = db.session.scalars(sa.select(Booking).order_by(Booking.id).limit(10)).all()
        seeded.values["token"] = [b.token for b in bookings]
        seeded.values["signed"] = [sign_booking(b, p) for b in bookings for p in ("release",)]
        seeded.values["secret"] = [path.rsplit("/", 1)[1] for _event, path in links] + list(
            db.session.scalars(sa.select(TicketType.secret))
        )
        seeded.emails = list(db.session.scalars(sa.text("SELECT email FROM person LIMIT 10")))
        _walk_in(db.session)
        db.session.commit()
        records = db.session.scalars(sa.select(walk_in_records.WalkInRecord)).all()
        seeded.values["signed"] += [
            walk_in_records.confirm_url(r).rsplit("/", 1)[1] for r in records
        ]
        seeded.values["door_link"] = [path for _event, path in links]
    return seeded


def _walk_in(session: Any) -> None:
    """A walk-in kept as a record (the demo has none), for its organiser and confirm links."""
    link = session.scalars(sa.select(ScannerLink)).first()
    ticket_type = session.scalars(
        sa.select(TicketType).where(TicketType.event_id == link.event_id)
    ).first()
    typed = {"name": "Wendy Walker", "email": "attendee@demo.lgcamp", "organisation": ""}
    actor = ScanActor(person=None, link=link, door_label=link.label)
    walk_in_records.record_walk_in(
        session, actor, link.event, ticket_type, typed, ScanInput("fuzz-walk-in-1")
    )


def digest(app: Flask) -> str:
    """Every row of every table, hashed: equal digests mean no row changed. (Plain DB-API rows
    in a stable order: this runs after every request.)"""
    hasher = hashlib.sha256()
    with app.app_context(), db.engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for table in db.metadata.sorted_tables:
            order = ", ".join(str(n + 1) for n in range(min(len(table.columns), 3)))
            cursor.execute(f'SELECT * FROM "{table.name}" ORDER BY {order}')
            hasher.update(repr(cursor.fetchall()).encode())
        cursor.close()
    return hasher.hexdigest()


def send(
    client: FlaskClient, endpoint: Endpoint, drawn: dict[str, Any], token: str
) -> tuple[str, Any]:
    """Make the request; returns its description and the response."""
    url = build_url(endpoint, drawn["path"])
    if url is None:
        return "", None
    headers = {"X-Requested-With": "lgcamp"}
    if drawn["csrf"] == "valid":
        headers["X-CSRFToken"] = token
    kwargs: dict[str, Any] = {"query_string": drawn["query"], "headers": headers}
    if drawn["body_kind"] == "form":
        form = dict(drawn["form"])
        if drawn["csrf"] == "valid":
            form["csrf_token"] = token
        kwargs["data"] = form
    elif drawn["body_kind"] == "json":
        kwargs["data"] = drawn["json"]
        kwargs["content_type"] = "application/json"
    body = drawn["form"] if drawn["body_kind"] == "form" else drawn["json"][:300]
    description = (
        f"{endpoint.method} {url} as {drawn['role']} query={drawn['query']!r} "
        f"{drawn['body_kind']}={body!r}"
    )
    response = client.open(url, method=endpoint.method, **kwargs)
    return description, response


@dataclass
class Fuzzer:
    """Sends generated requests to one app with signed-in clients, checking the properties."""

    app: Flask
    seeded: Seeded
    clients: dict[str, tuple[FlaskClient, str]]
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    refused_changes: list[str] = field(default_factory=list)
    last_digest: str = ""

    def check(self, endpoint: Endpoint, drawn: dict[str, Any]) -> str | None:
        """Send one request; the problem it shows, if any."""
        client, token = self.clients[drawn["role"]]
        before = self.last_digest or digest(self.app)
        try:
            description, response = send(client, endpoint, drawn, token)
        except Exception as error:
            self.requests += 1
            problem = f"{endpoint.name}: {type(error).__name__}: {error} ({drawn!r})"[:2000]
            self.server_errors.append(problem)
            self.last_digest = ""
            return problem
        if response is None:
            return None
        self.requests += 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        self.last_digest = digest(self.app)
        if response.status_code >= 500:
            problem = f"{response.status_code} from {description}"[:2000]
            self.server_errors.append(problem)
            return problem
        if 400 <= response.status_code < 500 and self.last_digest != before:
            problem = f"refused with {response.status_code} but rows changed: {description}"
            self.refused_changes.append(problem[:2000])
            return problem
        return None

    def run(self, endpoint: Endpoint, examples: int, derandomize: bool = False) -> None:
        """Generate this many requests for one endpoint; AssertionError on the first problem."""

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=derandomize,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
                HealthCheck.filter_too_much,
                HealthCheck.large_base_example,
            ],
        )
        @given(st.data())
        def property_holds(data: st.DataObject) -> None:
            drawn = data.draw(request_strategy(endpoint, self.seeded))
            problem = self.check(endpoint, drawn)
            assert problem is None, problem

        property_holds()


def login_clients(app: Flask, seeded: Seeded) -> dict[str, tuple[FlaskClient, str]]:
    """A test client per role, signed in through the real forms, with its CSRF token."""
    accounts = {
        "attendee": "attendee@demo.lgcamp",
        "organiser": "organiser@demo.lgcamp",
        "admin": "admin@demo.lgcamp",
    }
    clients = {}
    for role in ROLES:
        client = app.test_client()
        token = csrf_token(client, "/sign-in")
        if role in accounts:
            response = client.post(
                "/sign-in",
                data={"email": accounts[role], "password": DEMO_PASSWORD, "csrf_token": token},
            )
            assert response.status_code == 302, (role, response.status_code)
            token = csrf_token(client, "/account")
        elif role == "door":
            client.get(seeded.values["door_link"][0])
            token = csrf_token(client, seeded.values["door_link"][0].split("/link/")[0] + "/scan")
        clients[role] = (client, token)
    return clients


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token a page gives this client (a form field or the scanner's meta tag)."""
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page
    )
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def cookies(clients: dict[str, tuple[FlaskClient, str]]) -> dict[str, dict[Any, Any]]:
    """Each client's cookies, to put back after a rule's requests (a sign-out, a new session)."""
    return {role: dict(client._cookies) for role, (client, _t) in clients.items()}


def restore_cookies(
    clients: dict[str, tuple[FlaskClient, str]], saved: dict[str, dict[Any, Any]]
) -> None:
    """Give every client back the cookies it had when it signed in."""
    for role, (client, _t) in clients.items():
        client._cookies = dict(saved[role])


class Snapshot:
    """The seeded database, put back before each rule: SQLite by copying the file, PostgreSQL
    by cloning a template database."""

    def __init__(self, app: Flask, make_url: Callable[[str], str] | None = None) -> None:
        self.app = app
        self.url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        self.admin = make_url
        with app.app_context():
            db.engine.dispose()
        if self.url.get_backend_name() == "sqlite":
            self.path = Path(self.url.database or "")
            shutil.copyfile(self.path, self.path.with_suffix(".seeded"))
        else:
            seeded = f"{self.url.database}_seeded"
            self._pg(f'CREATE DATABASE "{seeded}" TEMPLATE "{self.url.database}"')
            # No one connects to the copy (autovacuum would, and a database being accessed
            # cannot be a template: one failed CREATE would fail every endpoint after it).
            self._pg(f'ALTER DATABASE "{seeded}" WITH ALLOW_CONNECTIONS false')

    def _pg(self, statement: str) -> None:
        engine = sa.create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(statement)
        engine.dispose()

    def restore(self) -> None:
        """Put the seeded rows back (no connection of the app may outlive the old database)."""
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        if self.url.get_backend_name() == "sqlite":
            for suffix in ("-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            shutil.copyfile(self.path.with_suffix(".seeded"), self.path)
        else:
            name = self.url.database
            self._pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._pg(f'CREATE DATABASE "{name}" TEMPLATE "{name}_seeded"')

    def drop(self) -> None:
        """Remove the copy (PostgreSQL: the template database)."""
        if self.url.get_backend_name() != "sqlite":
            self._pg(f'DROP DATABASE IF EXISTS "{self.url.database}_seeded" WITH (FORCE)')


def fuzz_app_config(database_url: str, instance: Path) -> dict[str, Any]:
    """The app as in production (CSRF on) less what would only slow the fuzzing down."""
    return {
        "TESTING": True,
        "SECRET_KEY": "fuzz-secret",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": True,
        "MAIL_SERVER": None,
        "MAIL_SEND_AFTER_COMMIT": False,
        "BASE_URL": "http://localhost",
        "RATELIMIT_ENABLED": False,
        "SQLITE_BACKGROUND_CHECKPOINTS": False,
    }
