"""Rate limits on busy actions, and whom each one counts.

A limit counts a person (or a door, or a calendar client), never an address alone: a whole
venue shares one address. It is only the limit a client gets when every worker counts in one
store (Redis): with the per-process ``memory://`` store each gunicorn worker keeps its own
count, so "10 per minute" becomes 10 per worker; ``warn_if_per_process`` says so at start.
"""

from __future__ import annotations

from typing import Protocol

from flask import Flask, current_app, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user

from lgcamp.checkin.links import GRANTS
from lgcamp.extensions import limiter

PER_PROCESS_STORES = ("memory://",)
PER_PROCESS_WARNING = (
    "RATE LIMITS ARE PER WORKER: %d workers count in the per-process store %s, so each limit "
    "lets a client through up to %d times. Set RATELIMIT_STORAGE_URI (environment variable "
    "LGCAMP_RATELIMIT_STORAGE_URI) to a shared store such as redis://127.0.0.1:6379."
)


def person_key() -> str:
    """A signed-in person counts on their own; anyone else by their address."""
    if current_user.is_authenticated:
        return f"person:{current_user.id}"
    return f"address:{get_remote_address()}"


def door_key() -> str:
    """A phone paired by scanner links counts as its door (the links); others as `person_key`."""
    grants = session.get(GRANTS)
    if isinstance(grants, dict) and grants:
        return "links:" + ",".join(sorted(str(link) for link in grants.values()))
    return person_key()


def feed_key() -> str:
    """A calendar client counts per feed address it fetches (calendar apps carry no cookies)."""
    return f"{person_key()}:{request.path}"


def _configured(name: str) -> str:
    return str(current_app.config[name])


def _exempt_unless_searching() -> bool:
    return not request.args.get("q")


# Each is a decorator for the views of that action; the numbers are settings (config.py).
booking = limiter.shared_limit(
    lambda: _configured("BOOKING_RATE_LIMIT"),
    scope="booking",
    key_func=person_key,
    methods=["POST"],
    error_message="You have tried to book too many times in a short while. "
    "Wait a minute and try again.",
)
door = limiter.shared_limit(
    lambda: _configured("DOOR_RATE_LIMIT"),
    scope="door",
    key_func=door_key,
    methods=["POST"],
    error_message="This door has sent too many check-ins in a short while. "
    "Wait a minute and try again.",
)
search = limiter.shared_limit(
    lambda: _configured("SEARCH_RATE_LIMIT"),
    scope="search",
    key_func=door_key,
    exempt_when=_exempt_unless_searching,
    error_message="Too many searches in a short while. Wait a minute and try again.",
)
feeds = limiter.shared_limit(
    lambda: _configured("FEED_RATE_LIMIT"),
    scope="feeds",
    key_func=feed_key,
    error_message="This calendar was fetched too often. Try again in a minute.",
)


class WarningLogger(Protocol):
    """Flask's logger or gunicorn's: anything with ``warning``."""

    def warning(self, msg: str, *args: object) -> None:
        """Log a warning."""


def is_per_process(storage_uri: str) -> bool:
    """Whether this rate-limit store counts in each process on its own."""
    return storage_uri.startswith(PER_PROCESS_STORES)


def warn_if_per_process(app: Flask, workers: int, logger: WarningLogger | None = None) -> bool:
    """Log a warning when several workers would each keep their own counts; True if warned."""
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if workers <= 1 or not is_per_process(uri) or not app.config.get("RATELIMIT_ENABLED", True):
        return False
    (logger or app.logger).warning(PER_PROCESS_WARNING, workers, uri, workers)
    return True
