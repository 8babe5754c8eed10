"""A second app, for settings read once at start (proxies, cookies).

It has its own SQLite file whatever the test's database: what it checks does not depend on the
database, and a second PostgreSQL engine per test only adds connections to clean up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask

from lgcamp import create_app
from lgcamp.extensions import db


@contextmanager
def sibling_app(app: Flask, **settings: Any) -> Iterator[Flask]:
    """An app like the test's (SMTP server, secret, BASE_URL) with these settings."""
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "DATABASE_URL": f"sqlite:///{Path(app.instance_path).parent / 'sibling.sqlite'}",
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
    with other.app_context():
        db.create_all()
        try:
            yield other
        finally:
            db.session.remove()
            db.engine.dispose()
