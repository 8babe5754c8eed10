"""A conditional-GET fast path in front of Flask, for the endpoints that are polled.

Open grids ask every 3 s whether anything changed, and calendar apps poll feeds: almost every
one of those requests ends in 304 Not Modified. Through Flask such an answer costs the app's
fixed per-request work (request context, session, Flask-Login, the ORM session and its
transaction, after_request hooks) around a validator query that is a fraction of it. This WSGI
layer answers those requests before Flask: for a registered GET route carrying If-None-Match
(or If-Modified-Since, for feeds), it computes the current validator with the SAME function the
view uses to set its ETag, over one Core connection (no ORM, no request context), and answers
304 with the headers Flask's 304 carries. Everything else, and any doubt (an unknown slug, a
draft, a 404, a cookie that could change the answer, an odd query string, an error), goes on to
Flask unchanged. It keeps no state: the database is the source of truth.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine
from werkzeug.http import quote_etag

from lgcamp.database import utcnow, write_intent
from lgcamp.feeds import service as feeds_service
from lgcamp.feeds import views as feeds_views
from lgcamp.permissions import can_subscribe
from lgcamp.programme import grid as grid_service
from lgcamp.programme import views as programme_views

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Sent on every response, by Flask's after_request hook (lgcamp/__init__.py) and by this layer.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
SLUG = r"(?P<slug>[A-Za-z0-9_-]{1,200})"


@dataclass(frozen=True)
class Answer:
    """A 304 the fast path may give: the ETag (quoted) and Cache-Control of the view's 304."""

    etag: str
    cache_control: str


# A check gets the environ, the route's match and a connection, and returns an Answer when the
# client's copy is current, or None to let Flask answer.
Check = Callable[[dict[str, Any], "re.Match[str]", Connection], Answer | None]


def _live_answer(
    environ: dict[str, Any], connection: Connection, slug: str, view: str
) -> Answer | None:
    state = grid_service.live_state(connection, slug, utcnow())
    if state is None or not state.is_published:
        return None  # 404, or a draft its organisers may see: Flask decides
    etag = state.etag(view)
    if not grid_service.etag_matches(environ, etag):
        return None
    return Answer(quote_etag(etag.strip('"')), programme_views.LIVE_CACHE)


def _grid_live(environ: dict[str, Any], match: re.Match[str], conn: Connection) -> Answer | None:
    # request.args.get("view", "grid"): only the plain forms, anything else goes to Flask.
    view = {"": "grid", "view=grid": "grid", "view=screen": "screen"}.get(
        environ.get("QUERY_STRING", "")
    )
    if view is None or view not in programme_views.LIVE_VIEWS:
        return None
    return _live_answer(environ, conn, match["slug"], view)


def _grid_page(environ: dict[str, Any], match: re.Match[str], conn: Connection) -> Answer | None:
    # The page's ETag names the viewer, and a flash message skips the 304: only requests that
    # carry no cookie at all are surely anonymous without a flash.
    if environ.get("HTTP_COOKIE"):
        return None
    return _live_answer(environ, conn, match["slug"], "page-0")


def _screen(environ: dict[str, Any], match: re.Match[str], conn: Connection) -> Answer | None:
    return _live_answer(environ, conn, match["slug"], "screen-page")


def _feed_answer(
    environ: dict[str, Any], validator: feeds_service.Validator, cache: str
) -> Answer | None:
    if not feeds_service.unmodified(environ, validator):
        return None
    return Answer(quote_etag(validator.etag), cache)


def _network(environ: dict[str, Any], _match: re.Match[str], conn: Connection) -> Answer | None:
    validator = feeds_service.network_validator(conn, utcnow())
    return _feed_answer(environ, validator, feeds_views.PUBLIC_CACHE)


def _event_feed(environ: dict[str, Any], match: re.Match[str], conn: Connection) -> Answer | None:
    with_sessions = match["which"] == "programme"
    head = feeds_service.event_head(conn, match["slug"], utcnow(), with_sessions=with_sessions)
    if head is None or not can_subscribe(head.status):
        return None
    return _feed_answer(environ, head.validator, feeds_views.PUBLIC_CACHE)


def _personal(environ: dict[str, Any], match: re.Match[str], conn: Connection) -> Answer | None:
    head = feeds_service.personal_head(conn, match["token"], utcnow())
    if head is None:
        return None  # Flask gives the 404
    return _feed_answer(environ, head[1], feeds_views.PERSONAL_CACHE)


# (path pattern, check, whether If-Modified-Since alone is enough to try)
ROUTES: tuple[tuple[re.Pattern[str], Check, bool], ...] = (
    (re.compile(rf"/events/{SLUG}/grid/live"), _grid_live, False),
    (re.compile(rf"/events/{SLUG}/grid"), _grid_page, False),
    (re.compile(rf"/events/{SLUG}/grid/screen"), _screen, False),
    (re.compile(r"/feeds/events\.ics"), _network, True),
    (re.compile(rf"/events/{SLUG}/(?P<which>calendar|programme)\.ics"), _event_feed, True),
    (re.compile(r"/feeds/personal/(?P<token>[A-Za-z0-9_-]{32})\.ics"), _personal, True),
)


class ConditionalGetFastPath:
    """WSGI middleware: 304s for the registered routes without entering Flask."""

    def __init__(self, app: WSGIApp, engine: Engine) -> None:
        self.app = app
        self.engine = engine

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        answer = self._try(environ)
        if answer is None:
            return self.app(environ, start_response)
        headers = [
            ("ETag", answer.etag),
            ("Cache-Control", answer.cache_control),
            *SECURITY_HEADERS,
            ("Vary", "Cookie"),
        ]
        start_response("304 NOT MODIFIED", headers)
        return []

    def _try(self, environ: dict[str, Any]) -> Answer | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        has_etag = "HTTP_IF_NONE_MATCH" in environ
        has_date = "HTTP_IF_MODIFIED_SINCE" in environ
        if not (has_etag or has_date):
            return None
        path = environ.get("PATH_INFO", "")
        for pattern, check, by_date in ROUTES:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if not (has_etag or by_date):
                return None
            return self._check(check, environ, match)
        return None

    def _check(self, check: Check, environ: dict[str, Any], match: re.Match[str]) -> Answer | None:
        # A read: on SQLite a deferred BEGIN, as Flask's GET requests have.
        token = write_intent.set(False)
        try:
            with self.engine.connect() as connection:
                return check(environ, match, connection)
        except Exception:  # any doubt: Flask answers (and reports any error)
            return None
        finally:
            write_intent.reset(token)


def install(app: Any, engine: Engine) -> None:
    """Put the fast path in front of the app's WSGI callable."""
    app.wsgi_app = ConditionalGetFastPath(app.wsgi_app, engine)
