"""The JSON hot path (lgcamp/hotpath.py): it answers as the Flask view would, or lets Flask answer.

The door's scan API is the route it serves here; the same checks hold for every route it gets.
CSRF protection is switched on in these tests (the app fixture switches it off elsewhere).
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from lgcamp.checkin.models import CheckIn, ScanLog, ScannerLink
from lgcamp.database import utcnow
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.fastpath import ConditionalGetFastPath
from lgcamp.hotpath import JsonHotPath, SignatureCache
from lgcamp.tickets.models import TicketType
from tests.factories import (
    make_booking,
    make_event,
    make_person,
    make_scanner_link,
    make_ticket_type,
)

T = TypeVar("T")


@pytest.fixture
def csrf_app(app: Flask) -> Iterator[Flask]:
    app.config["WTF_CSRF_ENABLED"] = True
    yield app


@pytest.fixture
def ticket_type() -> TicketType:
    return make_ticket_type(make_event(), name="General admission")


def hot_path(app: Flask) -> JsonHotPath:
    outer = app.wsgi_app
    assert isinstance(outer, ConditionalGetFastPath)
    assert isinstance(outer.app, JsonHotPath)
    return outer.app


def paired_phone(client: FlaskClient, event: Event, label: str = "Door 1") -> dict[str, str]:
    """Pair the client by a scanner link; the headers its scanner page sends (cookie, token)."""
    _link, secret = make_scanner_link(event, label)
    assert client.get(f"/events/{event.slug}/door/link/{secret}").status_code == 302
    page = client.get(f"/events/{event.slug}/door/scan").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token is not None
    cookie = client.get_cookie("session")
    assert cookie is not None
    db.session.commit()  # end the transaction those requests left in the test's own session
    return {"Cookie": f"session={cookie.value}", "X-CSRFToken": token.group(1)}


def json_post(path: str, headers: dict[str, str], body: Any) -> dict[str, Any]:
    """The environ of a JSON POST (a body given as bytes is sent as it is)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return EnvironBuilder(
        path=path, method="POST", headers=headers, data=data, content_type="application/json"
    ).get_environ()


def scan_environ(slug: str, headers: dict[str, str], body: Any) -> dict[str, Any]:
    return json_post(f"/api/events/{slug}/door/scans", headers, body)


def as_a_server_would(work: Callable[[], T]) -> T:
    """Run work in a thread of its own, as a server's worker runs a request: without the test's
    app context (Flask pushes its own; Flask-Login caches the user in it) and after ending the
    transaction the test's session holds (it may hold SQLite's write lock)."""
    db.session.commit()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def call(wsgi: Any, environ: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    """Run a WSGI app on a copy of the environ, as a server would (see as_a_server_would)."""
    return as_a_server_would(lambda: serve(wsgi, environ))


def serve(wsgi: Any, environ: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    """Run a WSGI app on a copy of the environ (with a fresh body stream), in this thread."""
    environ = dict(environ)
    environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].getvalue())
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    body = b"".join(wsgi(environ, start_response))
    return seen["status"], seen["headers"], json.loads(body) if body else None


def answered_by_hot_path(app: Flask, environ: dict[str, Any]) -> bool:
    """Whether the hot path answers this request itself (the request is then rolled back by
    running it on a copy; the scan it records is real, so use a scan id nobody reuses)."""
    hot = hot_path(app)
    copy = dict(environ)
    copy["wsgi.input"] = io.BytesIO(environ["wsgi.input"].getvalue())
    route = next(r for r in hot.routes if r.pattern.fullmatch(copy["PATH_INFO"]))
    match = route.pattern.fullmatch(copy["PATH_INFO"])
    assert match is not None
    return as_a_server_would(lambda: hot._try(route, match, copy)) is not None


def count(model: Any) -> int:
    db.session.rollback()  # see what the hot path's own connection committed
    return db.session.scalar(select(func.count(model.id))) or 0


def test_a_scan_answers_the_same_through_the_hot_path_and_through_flask(
    csrf_app: Flask, client: FlaskClient, ticket_type: TicketType
) -> None:
    event = ticket_type.event
    headers = paired_phone(client, event, "Door 3")
    booking = make_booking(ticket_type, make_person("Aisha Rahman"))
    db.session.commit()
    hot = hot_path(csrf_app)
    environ = scan_environ(
        event.slug, headers, {"scan_id": "same-scan-0001", "payload": booking.token}
    )

    status, out_headers, hot_answer = call(hot, environ)  # recorded by the hot path
    assert status == 200 and hot_answer["colour"] == "green" and hot_answer["door"] == "Door 3"
    # The same scan again through Flask's view: replayed by scan id, the same answer.
    flask_status, flask_headers, flask_answer = call(hot.wsgi_app, environ)
    assert (flask_status, flask_answer) == (200, hot_answer)
    for name in ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "Vary"):
        assert out_headers[name] == flask_headers[name], name
    assert count(CheckIn) == 1 and count(ScanLog) == 1

    # A re-scan (a new scan id) the other way round: Flask first, then the hot path replays it.
    again = scan_environ(
        event.slug, headers, {"scan_id": "same-scan-0002", "payload": booking.token}
    )
    flask_status, _h, flask_answer = call(hot.wsgi_app, again)
    assert flask_answer["colour"] == "amber"
    assert call(hot, again)[2] == flask_answer
    assert count(CheckIn) == 1 and count(ScanLog) == 2


def test_the_hot_path_answers_scans_from_a_paired_phone(
    csrf_app: Flask, client: FlaskClient, ticket_type: TicketType
) -> None:
    headers = paired_phone(client, ticket_type.event)
    booking = make_booking(ticket_type)
    db.session.commit()
    body = {"scan_id": "hot-0001", "payload": booking.token}
    assert answered_by_hot_path(csrf_app, scan_environ(ticket_type.event.slug, headers, body))


def test_doubtful_requests_are_left_to_flask(
    csrf_app: Flask, client: FlaskClient, ticket_type: TicketType
) -> None:
    event = ticket_type.event
    headers = paired_phone(client, event)
    booking = make_booking(ticket_type)
    db.session.commit()
    scan = {"scan_id": "doubt-0001", "payload": booking.token}
    no_token = {"Cookie": headers["Cookie"]}
    bad_token = {**headers, "X-CSRFToken": headers["X-CSRFToken"][:-2] + "xx"}
    forged_cookie = {**headers, "Cookie": headers["Cookie"][:-3] + "abc"}
    cases: list[tuple[dict[str, str], Any, int, str]] = [
        ({"X-CSRFToken": headers["X-CSRFToken"]}, scan, 400, "CSRF"),  # no cookie at all
        (no_token, scan, 400, "CSRF"),
        (bad_token, scan, 400, "CSRF"),
        (forged_cookie, scan, 400, "CSRF"),  # the session (and its token) is not accepted
        (headers, b"{not json", 400, "JSON object"),
        (headers, ["a list"], 400, "JSON object"),
        (headers, {"scan_id": "x", "payload": booking.token}, 400, "scan_id"),
    ]
    for request_headers, body, status, message in cases:
        environ = scan_environ(event.slug, request_headers, body)
        assert not answered_by_hot_path(csrf_app, environ), (request_headers, body)
        got_status, _h, answer = call(csrf_app.wsgi_app, environ)
        assert got_status == status, (request_headers, body, answer)
        assert message in json.dumps(answer), answer
    assert count(ScanLog) == 0  # nothing was recorded by any of them


def test_a_revoked_link_is_refused_by_flask_with_its_message(
    csrf_app: Flask, client: FlaskClient, ticket_type: TicketType
) -> None:
    event = ticket_type.event
    headers = paired_phone(client, event)
    booking = make_booking(ticket_type)
    link = db.session.scalars(select(ScannerLink)).one()
    link.revoked_at = utcnow()
    db.session.commit()
    environ = scan_environ(event.slug, headers, {"scan_id": "revoked-01", "payload": booking.token})
    assert not answered_by_hot_path(csrf_app, environ)
    status, _h, answer = call(csrf_app.wsgi_app, environ)
    assert status == 403 and "expired or been revoked" in answer["error"]["message"]
    assert count(ScanLog) == 0


def test_a_link_for_another_event_scans_nothing_here(
    csrf_app: Flask, client: FlaskClient, ticket_type: TicketType
) -> None:
    other = make_event()
    headers = paired_phone(client, other)
    booking = make_booking(ticket_type)
    db.session.commit()
    environ = scan_environ(
        ticket_type.event.slug, headers, {"scan_id": "other-0001", "payload": booking.token}
    )
    assert not answered_by_hot_path(csrf_app, environ)
    status, _h, _answer = call(csrf_app.wsgi_app, environ)
    assert status in (401, 403)
    assert count(CheckIn) == 0


def test_over_https_the_referrer_must_be_this_site(
    csrf_app: Flask, client: FlaskClient, ticket_type: TicketType
) -> None:
    headers = paired_phone(client, ticket_type.event)
    environ = scan_environ(
        ticket_type.event.slug, headers, {"scan_id": "tls-0001", "payload": "x" * 20}
    )
    environ["wsgi.url_scheme"] = "https"
    assert not answered_by_hot_path(csrf_app, environ)  # no Referer: Flask-WTF refuses it
    environ["HTTP_REFERER"] = "https://evil.example/"
    assert not answered_by_hot_path(csrf_app, environ)
    environ["HTTP_REFERER"] = f"https://{environ['HTTP_HOST']}/events/x/door/scan"
    assert answered_by_hot_path(csrf_app, environ)


def test_one_ticket_scanned_by_twenty_phones_at_once_checks_in_once(
    csrf_app: Flask, client: FlaskClient, ticket_type: TicketType
) -> None:
    event = ticket_type.event
    headers = paired_phone(client, event)
    token = make_booking(ticket_type).token
    slug = event.slug
    db.session.commit()
    hot = hot_path(csrf_app)
    barrier = threading.Barrier(20)

    def scan(i: int) -> tuple[int, str]:
        environ = scan_environ(slug, headers, {"scan_id": f"race-{i:04d}", "payload": token})
        barrier.wait(timeout=30)
        status, _h, answer = serve(hot, environ)
        return status, answer["colour"]

    db.session.commit()  # the test's session may hold SQLite's write lock
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(scan, range(20)))
    assert all(status == 200 for status, _colour in results)
    assert sorted(colour for _s, colour in results) == ["amber"] * 19 + ["green"]
    assert count(CheckIn) == 1 and count(ScanLog) == 20


def test_signature_cache_checks_the_age_every_time_and_forgets_an_old_key() -> None:
    cache = SignatureCache()
    signer = URLSafeTimedSerializer("key-1", salt="s")
    signed = signer.dumps({"a": 1})
    assert cache.loads(signer, "key-1", signed, max_age=60) == {"a": 1}
    assert cache.loads(signer, "key-1", signed, max_age=None) == {"a": 1}
    time.sleep(1.1)
    with pytest.raises(BadData):
        cache.loads(signer, "key-1", signed, max_age=1)  # remembered, but now too old
    other = URLSafeTimedSerializer("key-2", salt="s")
    with pytest.raises(BadData):
        cache.loads(other, "key-2", signed, max_age=None)  # a new key: checked again
    with pytest.raises(BadData):
        cache.loads(signer, "key-1", signed[:-2] + "zz", max_age=None)


def test_a_session_older_than_its_lifetime_is_left_to_flask(
    csrf_app: Flask, client: FlaskClient, ticket_type: TicketType
) -> None:
    headers = paired_phone(client, ticket_type.event)
    booking = make_booking(ticket_type)
    db.session.commit()
    csrf_app.permanent_session_lifetime = timedelta(seconds=0)
    time.sleep(1.1)
    environ = scan_environ(
        ticket_type.event.slug, headers, {"scan_id": "old-cookie", "payload": booking.token}
    )
    assert not answered_by_hot_path(csrf_app, environ)
