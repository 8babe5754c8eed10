"""Generated input for every endpoint of ``app.url_map`` (hypothesis), shared by the suite's
property test (tests/core/test_fuzz_endpoints.py) and ``benchmarks/fuzz_endpoints.py``.

Every rule is covered by default: path arguments, query strings, form fields (of the forms its
view names, else of every form) and JSON bodies are generated, valid-looking or hostile, and
sent anonymously and signed in (attendee, organiser, admin, a phone paired by a scanner link)
with valid CSRF tokens. The properties: never a 5xx, and a refused request (4xx) changes no row.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter, Rule
from wtforms.fields.core import UnboundField

import lgcamp
from lgcamp import demo
from lgcamp.checkin import walk_in_records
from lgcamp.checkin.models import ScannerLink
from lgcamp.checkin.scans import ScanActor, ScanInput
from lgcamp.demo_tickets import demo_scanner_links
from lgcamp.extensions import db
from lgcamp.tickets.links import sign_booking
from lgcamp.tickets.models import Booking, TicketType

# Rules not generated for, and why: static files are served by werkzeug from a folder (no
# database, no form); the service worker script is a static file served from a path.
SKIP_ENDPOINTS = frozenset({"static"})
ROLES = ("anonymous", "attendee", "organiser", "admin", "door")
DEMO_PASSWORD = "demo-password"
INT_EDGES = [0, -1, 1, 2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64, 10**30]
TEXT_EDGES = [
    "", " ", "\x00", "a\x00b", "\x1b[2J", "\x7f", "\t\r\n", "x" * 300, "y" * 5000, "💥" * 70,
    "<script>alert(1)</script>", "=cmd|' /C calc'!A0", "../../etc/passwd", "%00", "null",
    "2147483648", "-1", "1e309", "NaN", "ﷺ\u202e\u200b", "a" * 65, "//evil.example",
]  # fmt: skip
DATE_EDGES = [
    "2027-01-01", "9999-12-31", "0001-01-01", "2027-02-30", "2027-01-01T10:00", "10:00",
    "25:61", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-23:59", "yesterday",
]  # fmt: skip
# Values that select and radio fields of this app take (kinds, formats, statuses, hours...).
SELECT_VALUES = [
    "localgovcamp", "fringe", "notwestminster", "published", "draft", "cancelled", "session",
    "break", "talk", "discussion", "workshop", "first_come", "ballot", "public", "hidden",
    "text", "choice", "yes_no", "organisers", "catering", "access", "12", "24", "72", "168",
    "all", "confirmed", "waitlisted", "yes", "no", "paid", "due", "waived", "Europe/London",
]  # fmt: skip
# A seeded database's objects by the URL argument that names them.
ID_TABLES = {
    "booking_id": "booking", "session_id": "camp_session", "room_id": "room",
    "slot_id": "time_slot", "change_id": "grid_change", "ticket_type_id": "ticket_type",
    "question_id": "question",
    "role_id": "event_role", "person_id": "person", "membership_id": "membership",
    "type_id": "membership_type", "check_in_id": "check_in", "link_id": "scanner_link",
    "record_id": "walk_in_record",
}  # fmt: skip
SOURCE = "\n".join(p.read_text() for p in Path(lgcamp.__file__).parent.rglob("*.py"))
QUERY_KEYS = sorted(
    set(re.findall(r"args\.get\(\s*\"(\w+)\"", SOURCE))
    | set(re.findall(r"\"(\w+)\" in request\.args", SOURCE))
    | {"next", "q"}
)
JSON_KEYS = sorted(set(re.findall(r"\.get\(\s*\"(\w+)\"", SOURCE)))


@dataclass
class Endpoint:
    """One rule and method, with what its view reads."""

    rule: Rule
    method: str
    fields: dict[str, str]  # form field name -> WTForms field class name
    takes_json: bool

    @property
    def name(self) -> str:
        """e.g. POST checkin.api_sync"""
        return f"{self.method} {self.rule.endpoint}"


@dataclass
class Seeded:
    """What the seeded database holds, for drawing valid-looking values."""

    values: dict[str, list[Any]] = field(default_factory=dict)
    emails: list[str] = field(default_factory=list)


def _form_classes() -> dict[str, type[FlaskForm]]:
    found: dict[str, type[FlaskForm]] = {}
    stack: list[type[FlaskForm]] = [FlaskForm]
    while stack:
        cls = stack.pop()
        found[cls.__name__] = cls
        stack.extend(cls.__subclasses__())
    return found


def _fields(form: type[FlaskForm]) -> dict[str, str]:
    return {
        name: value.field_class.__name__
        for name, value in inspect.getmembers(form)
        if isinstance(value, UnboundField)
    }


def endpoints(app: Flask) -> list[Endpoint]:
    """Every rule and method of the app (less SKIP_ENDPOINTS), with the fields its view uses."""
    forms = _form_classes()
    every_field: dict[str, str] = {}
    for form in forms.values():
        every_field.update(_fields(form))
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        view = inspect.unwrap(app.view_functions[rule.endpoint])
        source = inspect.getsource(view)
        named = [forms[n] for n in re.findall(r"\b(\w+Form)\b", source) if n in forms]
        fields: dict[str, str] = {}
        for form in named:
            fields.update(_fields(form))
        takes_json = "get_json" in source or "is_json" in source or "/api/" in rule.rule
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append(Endpoint(rule, method, fields or every_field, takes_json))
    return found


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


# --- values -----------------------------------------------------------------------------------


def mostly(known: st.SearchStrategy[Any], other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``known`` four times in five: hypothesis's one_of would not draw its branches evenly."""
    return st.sampled_from([True, True, True, True, False]).flatmap(
        lambda use_known: known if use_known else other
    )


def _ints(known: list[Any]) -> st.SearchStrategy[int]:
    return st.one_of(
        st.sampled_from(known or [1]), st.sampled_from(INT_EDGES), st.integers(-(2**70), 2**70)
    )


TEXT = st.one_of(
    st.sampled_from(TEXT_EDGES),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
    st.text("abcdefgh -_.:@", min_size=1, max_size=20),
)


WORDS = st.text("abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=30)


def form_value(kind: str, name: str, seeded: Seeded) -> st.SearchStrategy[str]:
    """A value for a form field of this WTForms class: valid-looking mostly, else hostile."""
    if kind in {"IntegerField", "BoundedIntegerField", "DecimalField", "FloatField"} or (
        name.endswith("_id") or name in {"version", "swap_version", "capacity"}
    ):
        valid = st.sampled_from(seeded.values.get(name) or [0, 1, 2, 5, 24, 100])
        return mostly(valid.map(str), st.one_of(_ints([]).map(str), TEXT))
    if kind == "BooleanField":
        return st.sampled_from(["y", "", "false", "on", "\x00"])
    if kind in {"DateField", "DateTimeLocalField", "TimeField", "DateTimeField"}:
        valid = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 1, 1)).map(
            lambda d: {"DateField": d.strftime("%Y-%m-%d"), "TimeField": d.strftime("%H:%M")}.get(
                kind, d.strftime("%Y-%m-%dT%H:%M")
            )
        )
        return mostly(valid, st.one_of(st.sampled_from(DATE_EDGES), TEXT))
    if kind == "EmailField" or "email" in name:
        return mostly(st.sampled_from(seeded.emails or ["a@b.example"]), TEXT)
    if "password" in name:
        return mostly(st.just(DEMO_PASSWORD), TEXT)
    if kind in {"SelectField", "RadioField"}:
        return mostly(st.sampled_from(SELECT_VALUES), TEXT)
    return mostly(WORDS, TEXT)


JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), _ints([]), st.floats(allow_nan=False), TEXT,
    st.sampled_from(["\ud800", "2099-01-01T10:00:00+00:00", "9999-12-31T23:59:59+00:00", "qr"]),
)  # fmt: skip


def json_body(endpoint: Endpoint, seeded: Seeded) -> st.SearchStrategy[bytes]:
    """A JSON body: an object of known keys (nested a little), or something hostile."""
    keys = st.sampled_from(sorted(set(JSON_KEYS) | set(endpoint.fields)))
    values = st.recursive(
        st.one_of(JSON_SCALARS, st.sampled_from(seeded.values.get("booking_id", [1]))),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)
        ),
        max_leaves=12,
    )
    objects = st.dictionaries(keys, values, max_size=8)
    hostile = st.sampled_from([
        b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000, b"1" * 5000, b"{",
        b"[]", b'"text"', b"null", b"\xff\xfe", b'{"scans": [' + b"{}," * 300 + b"{}]}",
        b'{"x": "' + b"a" * 300_000 + b'"}',
    ])  # fmt: skip
    encoded = objects.map(lambda o: json.dumps(o, ensure_ascii=True).encode())
    return st.one_of(encoded, encoded, encoded, hostile)


def path_value(arg: str, converter: Any, seeded: Seeded) -> st.SearchStrategy[Any]:
    """A value for a URL argument: a seeded one mostly, else out of range or hostile."""
    known = seeded.values.get(arg, [])
    if isinstance(converter, IntegerConverter):
        return mostly(st.sampled_from(known or [1]), _ints(known))
    return mostly(st.sampled_from(known), TEXT) if known else TEXT


# --- requests ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one generated request did."""

    description: str
    status: int
    changed: bool
    error: str | None = None


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


def request_strategy(endpoint: Endpoint, seeded: Seeded) -> st.SearchStrategy[dict[str, Any]]:
    """Everything one request sends: role, path values, query, and a form or JSON body."""
    converters = endpoint.rule._converters  # werkzeug keeps them per argument
    path = st.fixed_dictionaries(
        {arg: path_value(arg, converter, seeded) for arg, converter in converters.items()}
    )
    query = st.dictionaries(
        st.sampled_from(sorted(set(QUERY_KEYS) | set(endpoint.fields))),
        st.one_of(TEXT, _ints([]).map(str), st.sampled_from(DATE_EDGES)),
        max_size=4,
    )
    form = st.fixed_dictionaries(
        {},
        optional={name: form_value(kind, name, seeded) for name, kind in endpoint.fields.items()},
    )
    is_post = endpoint.method != "GET"
    kinds = ["json"] * 4 + ["form"] if endpoint.takes_json else ["form"] * 4 + ["json"]
    body_kind = st.sampled_from(kinds)
    return st.fixed_dictionaries(
        {
            "role": st.sampled_from(ROLES),
            "path": path,
            "query": query,
            "body_kind": body_kind if is_post else st.just("none"),
            "form": form if is_post else st.just({}),
            "json": json_body(endpoint, seeded) if is_post else st.just(b""),
            "csrf": st.sampled_from(["valid"] * 9 + ["missing"]),
        }
    )


def build_url(endpoint: Endpoint, path: dict[str, Any]) -> str | None:
    """The URL for these path values (None when werkzeug cannot build one)."""
    try:
        return endpoint.rule.build({k: v for k, v in path.items()}, append_unknown=False)[1]  # type: ignore[index]
    except Exception:
        return None


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
            self._pg(f'CREATE DATABASE "{self.url.database}_seeded" TEMPLATE "{self.url.database}"')

    def _pg(self, statement: str) -> None:
        engine = sa.create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(statement)
        engine.dispose()

    def restore(self) -> None:
        """Put the seeded rows back."""
        with self.app.app_context():
            db.engine.dispose()
        if self.url.get_backend_name() == "sqlite":
            for suffix in ("-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            shutil.copyfile(self.path.with_suffix(".seeded"), self.path)
        else:
            name = self.url.database
            self._pg(f'DROP DATABASE "{name}" WITH (FORCE)')
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
