"""A JSON hot path in front of Flask, for the two requests that come in bursts.

At the door, each volunteer's phone posts a scan every second or two; at a release, hundreds of
people post a booking in the same minute. Through Flask each of those requests pays the app's
fixed work (request context, routing, session and Flask-Login, CSRF, the ORM session and its
teardown, response hooks) around a few statements that cost a fraction of it. This WSGI layer
answers them first, for the ordinary case only: it reads the signed session cookie (read-only,
with Flask's own serializer), checks what Flask would check (the CSRF header, or the header the
booking API demands), and calls the feature's handler with a Core connection in one
transaction. The handler runs the SAME service functions and permission predicates as the
Flask view. Anything else (no cookie, a bad signature, a refused permission, bad input, a
domain error, any exception) is rolled back and handed to Flask unchanged (with the request
body put back), so every refusal and error message comes from one place: the Flask view.
It keeps no state between requests; the database is the source of truth.
"""

from __future__ import annotations

import hmac
import io
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import Connection, Engine
from werkzeug.http import parse_cookie
from werkzeug.routing import MapAdapter

from lgcamp.database import write_intent
from lgcamp.fastpath import SECURITY_HEADERS

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
MAX_BODY = 64 * 1024  # larger bodies (a long sync batch) go to Flask


_URL_PARTS = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME")


class Defer(Exception):
    """Let Flask answer this request (the hot path never answers a refusal itself)."""


class SignatureCache:
    """Signed strings already verified with the current key, and when they were signed.

    A phone or a browser sends the same session cookie and CSRF token on every call, and
    checking an itsdangerous signature costs tens of microseconds (a key derivation and an
    HMAC). The answer for the same string under the same key never changes, except that it
    grows older: the age is checked again on every use. Per process, bounded, and only a
    shortcut: nothing another worker needs.
    """

    LIMIT = 4096

    def __init__(self) -> None:
        self._key: Any = None
        self._known: dict[str, tuple[Any, float]] = {}

    def loads(
        self, serializer: URLSafeTimedSerializer, key: Any, signed: str, max_age: int | None
    ) -> Any:
        """serializer.loads(signed, max_age=max_age), remembered; raises BadData as it does."""
        if key != self._key:
            self._known.clear()
            self._key = key
        known = self._known.get(signed)
        if known is None:
            value, stamp = serializer.loads(signed, return_timestamp=True)
            if len(self._known) >= self.LIMIT:
                self._known.clear()
            known = self._known[signed] = (value, stamp.timestamp())
        if max_age is not None and time.time() - known[1] > max_age:
            raise BadData("signature expired")
        return known[0]


@dataclass(frozen=True)
class HotRequest:
    """What a hot handler gets: the route's match, the body, and the session cookie's data."""

    environ: dict[str, Any]
    match: re.Match[str]
    body: bytes
    session: Mapping[str, Any]
    app: Flask
    signatures: SignatureCache
    adapters: dict[tuple[Any, ...], MapAdapter]  # URL map bound per scheme and host (url_for)
    # Work for after the commit (sending the email a request queued), run in an app context.
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def url_for(self, endpoint: str, **values: Any) -> str:
        """An absolute URL of an endpoint, as Flask's url_for(..., _external=True) in a request."""
        environ = self.environ
        # What an external URL depends on; binding the URL map costs more than building.
        key = tuple(environ.get(name) for name in _URL_PARTS)
        adapter = self.adapters.get(key)
        if adapter is None:
            if len(self.adapters) >= 64:
                self.adapters.clear()
            adapter = self.adapters[key] = self.app.url_map.bind_to_environ(
                environ, server_name=self.app.config["SERVER_NAME"]
            )
        return adapter.build(endpoint, values, force_external=True)

    def json(self) -> Any:
        """The body as JSON; Flask answers anything that is not."""
        if not self.environ.get("CONTENT_TYPE", "").startswith("application/json"):
            raise Defer
        try:
            return json.loads(self.body)
        except ValueError:
            raise Defer from None

    def require_csrf_header(self) -> None:
        """The check Flask-WTF's CSRFProtect makes for a JSON POST, or Defer."""
        config = self.app.config
        if not config.get("WTF_CSRF_ENABLED", True) or not config.get(
            "WTF_CSRF_CHECK_DEFAULT", True
        ):
            return
        field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        raw = self.session.get(field)
        token = None
        for header in config.get("WTF_CSRF_HEADERS", ["X-CSRFToken", "X-CSRF-Token"]):
            token = token or self.environ.get("HTTP_" + header.upper().replace("-", "_"))
        if not isinstance(raw, str) or not token:
            raise Defer
        key = config.get("WTF_CSRF_SECRET_KEY") or config["SECRET_KEY"]
        signer = URLSafeTimedSerializer(key, salt="wtf-csrf-token")
        try:
            signed = self.signatures.loads(signer, key, token, config.get("WTF_CSRF_TIME_LIMIT"))
        except BadData:
            raise Defer from None
        if not isinstance(signed, str) or not hmac.compare_digest(raw, signed):
            raise Defer
        if self.environ.get("wsgi.url_scheme") == "https" and config.get(
            "WTF_CSRF_SSL_STRICT", True
        ):
            referrer = urlsplit(self.environ.get("HTTP_REFERER", ""))
            if (referrer.scheme, referrer.netloc) != ("https", self.environ.get("HTTP_HOST")):
                raise Defer


# A handler returns (HTTP status, JSON object) or raises Defer; it runs in the transaction the
# hot path commits after it returns (see Route.autocommit for the exception).
Handler = Callable[[HotRequest, Connection], tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class Route:
    """A POST path the hot path tries, and the handler that answers it."""

    pattern: re.Pattern[str]
    handler: Handler
    # On PostgreSQL, run the handler in autocommit mode: each statement its own transaction,
    # with no BEGIN and COMMIT round trips. Only for a handler whose every write is one
    # statement or an ``atomic`` block, and which defers before its first write (a rollback
    # undoes nothing here).
    autocommit: bool = False


class JsonHotPath:
    """WSGI middleware: answer the registered JSON POSTs without entering Flask."""

    def __init__(self, app: Flask, wsgi_app: WSGIApp, engine: Engine, routes: list[Route]):
        self.app = app
        self.wsgi_app = wsgi_app
        self.engine = engine
        self.routes = routes
        self._serializer: tuple[Any, URLSafeTimedSerializer | None] = (None, None)
        self._cookies = SignatureCache()
        self._tokens = SignatureCache()
        self._adapters: dict[tuple[Any, ...], MapAdapter] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("REQUEST_METHOD") == "POST":
            path = environ.get("PATH_INFO", "")
            for route in self.routes:
                match = route.pattern.fullmatch(path)
                if match is not None:
                    answer = self._try(route, match, environ)
                    if answer is not None:
                        return self._respond(answer, start_response)
                    break
        return self.wsgi_app(environ, start_response)

    def _try(
        self, route: Route, match: re.Match[str], environ: dict[str, Any]
    ) -> tuple[int, dict[str, Any]] | None:
        body = self._read_body(environ)
        if body is None:
            return None
        session = self._session(environ)
        if not session:
            return None
        request = HotRequest(environ, match, body, session, self.app, self._tokens, self._adapters)
        token = write_intent.set(False)  # handlers take the write lock for their writes
        try:
            # One transaction, committed when the handler returns, rolled back if it raises
            # (or, for an autocommit route on PostgreSQL, one per statement).
            with self.engine.connect() as connection:
                if route.autocommit and connection.dialect.name == "postgresql":
                    connection.execution_options(isolation_level="AUTOCOMMIT")
                with connection.begin():
                    answer = route.handler(request, connection)
        except Defer:
            return None
        except Exception:  # any doubt: Flask answers (and reports any error)
            return None
        finally:
            write_intent.reset(token)
        self._after_commit(request)
        return answer

    def _after_commit(self, request: HotRequest) -> None:
        """Committed work's follow-ups; a failure is logged, never the request's answer (an
        unsent email stays claimed and `lgcamp tick` sends it after the claim times out)."""
        if not request.after_commit:
            return
        with self.app.app_context():
            for work in request.after_commit:
                try:
                    work()
                except Exception:
                    self.app.logger.exception("hot path: work after commit failed")

    def _read_body(self, environ: dict[str, Any]) -> bytes | None:
        """The whole body, put back for Flask; None when it should not be read here."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if not 0 < length <= MAX_BODY:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return body

    def _session(self, environ: dict[str, Any]) -> dict[str, Any] | None:
        """The Flask session cookie's data, checked as Flask checks it; None if none or bad."""
        name = self.app.config["SESSION_COOKIE_NAME"]
        value = parse_cookie(environ.get("HTTP_COOKIE", "")).get(name)
        serializer = self._signing_serializer()
        if not value or serializer is None:
            return None
        max_age = int(self.app.permanent_session_lifetime.total_seconds())
        try:
            data = self._cookies.loads(serializer, self.app.secret_key, value, max_age)
        except BadData:
            return None
        return data if isinstance(data, dict) else None

    def _signing_serializer(self) -> URLSafeTimedSerializer | None:
        key = self.app.secret_key
        if self._serializer[0] != key:
            interface = self.app.session_interface
            self._serializer = (key, interface.get_signing_serializer(self.app))  # type: ignore[attr-defined]
        return self._serializer[1]

    def _respond(self, answer: tuple[int, dict[str, Any]], start_response: Callable[..., Any]):
        status, payload = answer
        # As Flask's jsonify: indented when debugging, compact otherwise.
        provider = self.app.json
        compact = getattr(provider, "compact", None)
        pretty = compact or (compact is None and self.app.debug)
        options: dict[str, Any] = {"indent": 2} if pretty else {"separators": (",", ":")}
        body = (provider.dumps(payload, **options) + "\n").encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Vary", "Cookie"),
            *SECURITY_HEADERS,
        ]
        start_response(f"{status} {_REASONS[status]}", headers)
        return [body]


_REASONS = {200: "OK", 201: "CREATED"}


def install(app: Flask, engine: Engine, routes: list[Route]) -> None:
    """Put the hot path in front of the app's WSGI callable."""
    app.wsgi_app = JsonHotPath(app, app.wsgi_app, engine, routes)  # type: ignore[method-assign]
