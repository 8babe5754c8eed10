"""A second app on the test's database, for settings read once at start (proxies, cookies)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask

from lgcamp import create_app
from lgcamp.extensions import db


@contextmanager
def sibling_app(app: Flask, **settings: Any) -> Iterator[Flask]:
    """An app like the test's (same database, SMTP server and secret) with these settings."""
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "DATABASE_URL": app.config["DATABASE_URL"],
            "WTF_CSRF_ENABLED": False,
            "MAIL_SERVER": app.config["MAIL_SERVER"],
            "MAIL_PORT": app.config["MAIL_PORT"],
            "BASE_URL": app.config["BASE_URL"],
            "RATELIMIT_STORAGE_URI": "memory://",
            "SQLITE_BACKGROUND_CHECKPOINTS": False,
            **settings,
        }
    )
    other.instance_path = app.instance_path
    try:
        with other.app_context():
            yield other
            db.session.remove()
    finally:
        with other.app_context():
            db.engine.dispose()
