"""Configuration: defaults, then instance/config.py, then LGCAMP_* environment variables."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent


class Defaults:
    """Settings every deployment starts from; each can be overridden."""

    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # default: sqlite under the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    # Email: with MAIL_SERVER set, messages go over SMTP; otherwise to instance/outbox/.
    MAIL_SERVER: str | None = None
    MAIL_PORT: int = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS: bool = False
    MAIL_USE_SSL: bool = False
    MAIL_TIMEOUT: int = 10
    MAIL_DEFAULT_SENDER: str = "lgcamp <noreply@localgov.example>"
    # Send a request's email right after its commit (False: leave it all to `lgcamp tick`,
    # e.g. during a release rush on SQLite, where every send is two more write transactions).
    MAIL_SEND_AFTER_COMMIT: bool = True
    # The site's public address: every link in email and feeds is built from it, never from
    # the request's Host; requests for any other host are refused (TRUSTED_HOSTS below).
    BASE_URL: str = "http://127.0.0.1:5000"
    # Further host names the site answers to (a load balancer's health check by IP, say).
    EXTRA_HOSTS: list[str] = []
    # Derived from BASE_URL and EXTRA_HOSTS when left unset (derive_trusted_hosts).
    TRUSTED_HOSTS: list[str] | None = None
    # Signed links
    PASSWORD_RESET_MAX_AGE: int = 60 * 60  # seconds
    EMAIL_CHANGE_MAX_AGE: int = 24 * 60 * 60
    EMAIL_UNDO_MAX_AGE: int = 14 * 24 * 60 * 60  # the "this was not me" link to the old address
    # Rate limits: memory per process by default; redis://127.0.0.1:6379 when scaled out.
    RATELIMIT_STORAGE_URI: str = "memory://"
    RATELIMIT_HEADERS_ENABLED: bool = True
    # Set for every app: Flask-Limiter's one limiter would otherwise keep the last app's choice.
    RATELIMIT_ENABLED: bool = True
    # If the limit store (Redis) is down, requests go through unlimited and the error is logged,
    # rather than every limited page answering 500.
    RATELIMIT_SWALLOW_ERRORS: bool = True
    LOGIN_RATE_LIMIT: str = "10 per minute"
    # Sign-in attempts per account (keyed by the normalised email), whatever the address.
    LOGIN_ACCOUNT_RATE_LIMIT: str = "10 per 10 minutes"
    SIGN_UP_RATE_LIMIT: str = "10 per hour"
    # Busy actions, counted per person (per scanner link at the door, per calendar client and
    # feed for feeds), never per address alone, and far above what a real day needs: a door
    # scanning 10 tickets a second sends 600 a minute.
    BOOKING_RATE_LIMIT: str = "60 per minute"
    DOOR_RATE_LIMIT: str = "1200 per minute"
    SEARCH_RATE_LIMIT: str = "120 per minute"
    FEED_RATE_LIMIT: str = "60 per minute"
    WTF_CSRF_TIME_LIMIT: int | None = None
    SESSION_COOKIE_HTTPONLY: bool = True
    # A permanent session (only a phone paired by a scanner link has one; links last a week at
    # most) keeps the expiry set when the session last changed, rather than re-signing and
    # re-sending its cookie on every response: the door scanner's API calls stay cheap.
    SESSION_REFRESH_EACH_REQUEST: bool = False
    SESSION_COOKIE_SAMESITE: str = "Lax"
    REMEMBER_COOKIE_SAMESITE: str = "Lax"
    REMEMBER_COOKIE_HTTPONLY: bool = True
    # Secure follows SESSION_COOKIE_SECURE unless set (load_config).
    REMEMBER_COOKIE_SECURE: bool | None = None
    # "Keep me signed in" lasts 30 days; the sign-in record ends then too (accounts.sessions).
    REMEMBER_COOKIE_DURATION: timedelta = timedelta(days=30)
    # A sign-in without "keep me signed in" ends on the server after this long, whatever the
    # browser does with its cookie.
    SIGN_IN_MAX_AGE: timedelta = timedelta(hours=12)
    MAX_CONTENT_LENGTH: int = 2 * 1024 * 1024
    DEFAULT_TIMEZONE: str = "Europe/London"
    # Behind this many reverse proxies, trust their X-Forwarded-For/-Proto/-Host/-Port/-Prefix
    # (werkzeug's ProxyFix): links and https checks then follow the client's view. 0: none.
    TRUSTED_PROXIES: int = 0
    # Strict-Transport-Security on answers to https requests (0: never). HSTS_ALWAYS sends it on
    # every answer, for a proxy that serves https but does not say so (X-Forwarded-Proto).
    HSTS_SECONDS: int = 365 * 24 * 60 * 60
    HSTS_ALWAYS: bool = False


def instance_path() -> str:
    """Where config, the SQLite database and the outbox live."""
    explicit = os.environ.get("LGCAMP_INSTANCE_PATH")
    if explicit:
        return os.path.abspath(explicit)
    # In a checkout the instance folder sits beside the package; installed elsewhere, in cwd.
    if (CHECKOUT_DIR / "pyproject.toml").exists():
        return str(CHECKOUT_DIR / "instance")
    return os.path.abspath("instance")


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill app.config from the layers, in order, and derive what is missing."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("LGCAMP")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "lgcamp.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)
    if app.config.get("REMEMBER_COOKIE_SECURE") is None:
        app.config["REMEMBER_COOKIE_SECURE"] = bool(app.config.get("SESSION_COOKIE_SECURE"))
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = derive_trusted_hosts(
            app.config["BASE_URL"], app.config["EXTRA_HOSTS"]
        )


LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


def derive_trusted_hosts(base_url: str, extra: list[str] | str) -> list[str] | None:
    """The host names requests may name: BASE_URL's, the extra ones, and on a development
    address (loopback) the other loopback name. None (any host) only for a BASE_URL without a
    usable name: none, an IPv6 literal, or the demo serving on every address (0.0.0.0).
    """
    host = urlsplit(base_url).hostname
    if not host or ":" in host or host == "0.0.0.0":
        return None
    hosts = [host, *([extra] if isinstance(extra, str) else extra)]
    if hosts[0] in LOOPBACK_HOSTS:
        hosts += LOOPBACK_HOSTS
    return list(dict.fromkeys(h for h in hosts if h))


def _instance_secret_key(folder: str) -> str:
    """Generate a secret key once and keep it in the instance folder, never in code."""
    path = Path(folder) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: when two workers start at once, one writes and the other reads.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
