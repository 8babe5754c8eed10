"""Account tests use several browsers (test clients) at once."""

from __future__ import annotations

import pytest
from flask import Flask, g


@pytest.fixture(autouse=True)
def person_loaded_per_request(app: Flask) -> None:
    """As in production, every request loads the signed-in person from its own cookies: the
    tests share one app context, and so Flask-Login's cached user on g, with their requests."""

    @app.before_request
    def _forget_cached_user() -> None:
        g.pop("_login_user", None)
