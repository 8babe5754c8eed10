"""The conditional-GET fast path (lgcamp/fastpath.py) agrees with Flask on every route it serves.

Each request is sent twice with the same environ: once to Flask alone (the wrapped WSGI app),
once through the fast path. Where Flask answers 304 the fast path must answer it itself, with
the same status and headers; wherever Flask answers anything else the fast path must pass.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from lgcamp.events.models import EventStatus
from lgcamp.extensions import db
from lgcamp.fastpath import ConditionalGetFastPath
from lgcamp.feeds import service as feeds_service
from lgcamp.programme import grid
from lgcamp.programme.models import Star
from tests.conftest import Auth
from tests.factories import (
    make_booking,
    make_camp_session,
    make_event,
    make_person,
    make_room,
    make_slot,
    make_ticket_type,
)


@pytest.fixture
def camp(app: Flask) -> dict[str, Any]:
    """A published camp with a placed session, a draft, and a person with a ticket, a star and
    a personal feed token."""
    organiser = make_person("Olu Organiser")
    event = make_event(organisers=(organiser,))
    rooms = make_room(event, "Room A"), make_room(event, "Room B")
    slot = make_slot(event, 60)
    placed = make_camp_session(event, title="Placed", slot=slot, room=rooms[0])
    loose = make_camp_session(event, title="Loose")
    draft = make_event("Secret draft", organisers=(organiser,), status=EventStatus.DRAFT)
    fan = make_person("Fan")
    make_booking(make_ticket_type(event), fan)
    db.session.add(Star(person_id=fan.id, camp_session_id=placed.id))
    token = feeds_service.rotate_feed_token(db.session, fan)
    db.session.commit()
    return dict(
        event=event, organiser=organiser, rooms=rooms, slot=slot, placed=placed, loose=loose,
        draft=draft, fan=fan, token=token,
    )  # fmt: skip


def _routes(camp: dict[str, Any]) -> list[str]:
    slug = camp["event"].slug
    return [
        f"/events/{slug}/grid/live",
        f"/events/{slug}/grid/live?view=grid",
        f"/events/{slug}/grid/live?view=screen",
        f"/events/{slug}/grid",
        f"/events/{slug}/grid/screen",
        "/feeds/events.ics",
        f"/events/{slug}/calendar.ics",
        f"/events/{slug}/programme.ics",
        f"/feeds/personal/{camp['token']}.ics",
    ]


def _call(wsgi: Any, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], _exc: Any = None) -> None:
        seen["status"], seen["headers"] = status, headers

    iterable = wsgi(environ, start_response)
    try:
        body = b"".join(iterable)
    finally:
        getattr(iterable, "close", lambda: None)()
    return seen["status"], list(seen["headers"]), body


def _both(app: Flask, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Any:
    """(fast path answered?, Flask's answer, the answer through the fast path)."""
    fast_path = app.wsgi_app
    assert isinstance(fast_path, ConditionalGetFastPath)
    environ = EnvironBuilder(path=path, headers=headers or {}, method=method).get_environ()
    answered = fast_path._try(dict(environ)) is not None
    flask_answer = _call(fast_path.app, dict(environ))
    served = _call(fast_path, dict(environ))
    return answered, flask_answer, served


def _etag(app: Flask, path: str, cookie: str = "") -> str:
    headers = {"Cookie": cookie} if cookie else {}
    status, headers_out, _body = _both(app, path, headers)[2]
    assert status.startswith("200"), (path, status)
    return dict(headers_out)["ETag"]


def _assert_agree(app: Flask, path: str, headers: dict[str, str], expect: int) -> None:
    for method in ("GET", "HEAD"):
        answered, (status, flask_headers, _), (served_status, served_headers, body) = _both(
            app, path, headers, method
        )
        assert int(status.split()[0]) == expect, (path, method, status)
        assert answered == (expect == 304), (path, method)
        if expect == 304:
            assert served_status == status
            assert served_headers == flask_headers, path
            assert body == b""


def test_fast_path_answers_every_route_as_flask_does(app: Flask, camp: dict[str, Any]) -> None:
    for path in _routes(camp):
        etag = _etag(app, path)
        _assert_agree(app, path, {"If-None-Match": etag}, 304)
        _assert_agree(app, path, {"If-None-Match": f'{etag}, "other"'}, 304)
        _assert_agree(app, path, {"If-None-Match": '"stale"'}, 200)
        _assert_agree(app, path, {}, 200)


def test_a_change_makes_the_next_conditional_request_a_200(
    app: Flask, camp: dict[str, Any]
) -> None:
    paths = _routes(camp)
    before = {path: _etag(app, path) for path in paths}
    # Move a session: every grid view and the programme and personal feeds change.
    grid.place_session(
        db.session, camp["organiser"], camp["placed"], camp["slot"].id, camp["rooms"][1].id, None
    )
    db.session.commit()
    unchanged = {"/feeds/events.ics", f"/events/{camp['event'].slug}/calendar.ics"}
    for path in paths:
        _assert_agree(app, path, {"If-None-Match": before[path]}, 304 if path in unchanged else 200)
    # Edit the event: its feeds and the network feed change.
    before = {path: _etag(app, path) for path in paths}
    camp["event"].summary = "Now with a summary"
    db.session.commit()
    for path in unchanged | {f"/events/{camp['event'].slug}/programme.ics"}:
        _assert_agree(app, path, {"If-None-Match": before[path]}, 200)
    grid_path = f"/events/{camp['event'].slug}/grid/live"
    _assert_agree(app, grid_path, {"If-None-Match": before[grid_path]}, 304)


def test_feeds_answer_if_modified_since_alone_as_flask_does(
    app: Flask, camp: dict[str, Any]
) -> None:
    for path in _routes(camp)[5:]:
        _status, headers, _body = _both(app, path)[2]
        last_modified = dict(headers)["Last-Modified"]
        _assert_agree(app, path, {"If-Modified-Since": last_modified}, 304)
        _assert_agree(app, path, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 200)


def test_doubtful_requests_are_left_to_flask(
    app: Flask, camp: dict[str, Any], auth: Auth, client: Any
) -> None:
    slug, draft = camp["event"].slug, camp["draft"].slug
    live = _etag(app, f"/events/{slug}/grid/live")
    cases = [
        (f"/events/{draft}/grid/live", '"grid-0-0-0"'),  # a draft: 404 for the anonymous
        ("/events/no-such-event/grid/live", live),
        (f"/events/{slug}/grid/live?view=nonsense", live),
        (f"/events/{draft}/calendar.ics", '"event-x"'),
        ("/feeds/personal/" + "A" * 32 + ".ics", '"personal-x"'),  # unknown token
        ("/feeds/personal/short.ics", '"personal-x"'),
    ]
    for path, etag in cases:
        answered, (status, _h, _b), _served = _both(app, path, {"If-None-Match": etag})
        assert not answered, path
        assert not status.startswith("304"), path
    # Query strings other than the plain ones are Flask's to read (here it answers 304).
    path = f"/events/{slug}/grid/live?view=grid&view=screen"
    assert not _both(app, path, {"If-None-Match": live})[0]
    # A rotated token stops answering at once.
    path = f"/feeds/personal/{camp['token']}.ics"
    etag = _etag(app, path)
    feeds_service.rotate_feed_token(db.session, camp["fan"])
    db.session.commit()
    answered, (status, _h, _b), _served = _both(app, path, {"If-None-Match": etag})
    assert not answered and status.startswith("404")
    # Signed in, the grid page names the viewer: Flask answers, 304 included.
    auth.login(camp["fan"])
    cookie = "session=" + client.get_cookie("session").value
    page = f"/events/{slug}/grid"
    etag = _etag(app, page, cookie)
    answered, (status, _h, _b), _served = _both(
        app, page, {"If-None-Match": etag, "Cookie": cookie}
    )
    assert not answered and status.startswith("304")
    # Not a GET: Flask.
    answered = _both(
        app, "/feeds/events.ics", {"If-None-Match": _etag(app, "/feeds/events.ics")}, "POST"
    )[0]
    assert not answered
