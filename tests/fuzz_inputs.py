"""Generated input for every endpoint of ``app.url_map`` (hypothesis strategies): the
endpoints and the fields their views read, and valid-looking or hostile values for paths,
queries, forms and JSON. tests/fuzzing.py sends them."""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf import FlaskForm
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter, Rule
from wtforms.fields.core import UnboundField

import lgcamp

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


# --- values -----------------------------------------------------------------------------------


def mostly(known: st.SearchStrategy[Any], other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``known`` four times in five: hypothesis's one_of would not draw its branches evenly."""
    return st.sampled_from([True, True, True, True, False]).flatmap(
        lambda use_known: known if use_known else other
    )


def _ints(known: list[Any]) -> st.SearchStrategy[int]:
    """A known id, an edge of a column's range, or any integer: each a third of the time."""
    choices = [
        st.sampled_from(known or [1]),
        st.sampled_from(INT_EDGES),
        st.integers(-(2**70), 2**70),
    ]
    return st.sampled_from([0, 1, 2]).flatmap(lambda n: choices[n])


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
