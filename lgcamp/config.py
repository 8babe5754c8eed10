"""Configuration: defaults, then instance/config.py, then LGCAMP_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

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
    # Public base URL used in emails when there is no request (cron, CLI).
    BASE_URL: str = "http://127.0.0.1:5000"
    # Signed links
    PASSWORD_RESET_MAX_AGE: int = 60 * 60  # seconds
    EMAIL_CHANGE_MAX_AGE: int = 24 * 60 * 60
    # Rate limits: memory per process by default; redis://127.0.0.1:6379 when scaled out.
    RATELIMIT_STORAGE_URI: str = "memory://"
    RATELIMIT_HEADERS_ENABLED: bool = True
    LOGIN_RATE_LIMIT: str = "10 per minute"
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
    MAX_CONTENT_LENGTH: int = 2 * 1024 * 1024
    DEFAULT_TIMEZONE: str = "Europe/London"
    # SQLite: copy the write-ahead log back into the database on a thread of each process,
    # every second, instead of inside the request whose commit fills it (database.py).
    SQLITE_BACKGROUND_CHECKPOINTS: bool = True
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
