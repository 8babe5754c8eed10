"""Error pages in the site's layout, JSON errors for JSON clients, security headers."""

from __future__ import annotations

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient


@pytest.fixture
def error_routes(app: Flask) -> Flask:
    """Routes that fail in each way the handlers must cover."""

    @app.route("/_test/<int:code>")
    def fail(code: int) -> str:
        abort(code)

    @app.route("/_test/crash")
    def crash() -> str:
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (400, "Bad request"),
        (403, "You do not have permission"),
        (404, "Page not found"),
        (429, "Too many attempts"),
    ],
)
def test_error_pages_use_the_layout(
    error_routes: Flask, client: FlaskClient, code: int, text: str
) -> None:
    response = client.get(f"/_test/{code}")
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert text in page
    assert 'id="main-content"' in page


def test_405_and_500(error_routes: Flask, client: FlaskClient) -> None:
    response = client.post("/")
    assert response.status_code == 405
    assert "Not allowed" in response.get_data(as_text=True)
    crash = client.get("/_test/crash")
    assert crash.status_code == 500
    assert "Sorry, there is a problem" in crash.get_data(as_text=True)
    assert "boom" not in crash.get_data(as_text=True)


def test_json_clients_get_json_errors(error_routes: Flask, client: FlaskClient) -> None:
    response = client.get("/nowhere", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["status"] == 404
    assert client.get("/api/nothing").get_json()["error"]["title"] == "Page not found"


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts_or_styles(client: FlaskClient) -> None:
    for url in ["/", "/sign-in", "/sign-up", "/events/past", "/forgot-password"]:
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "<style" not in page and " style=" not in page, url
        assert "onclick" not in page, url
