"""The live grid, big screen and poll answer conditional GETs: 304 from one query, no render."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, template_rendered
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lgcamp.extensions import db
from lgcamp.programme import grid
from tests.programme.test_views import camp  # noqa: F401 (the fixture)
from tests.statements import Statements, counting

LIVE_PAGES = ["/grid/live", "/grid/live?view=screen", "/grid", "/grid/screen"]


@contextmanager
def rendered(app: Flask) -> Iterator[list[str]]:
    """The names of the templates rendered inside the block."""
    names: list[str] = []

    def record(_sender: Flask, template: Any, context: Any, **_extra: Any) -> None:
        names.append(template.name)

    with template_rendered.connected_to(record, app):
        yield names


def _get(client: FlaskClient, url: str, etag: str | None = None) -> tuple[TestResponse, int]:
    """One request from a fresh session, and the statements it ran."""
    db.session.remove()
    found: Statements
    with counting() as found:
        response = client.get(url, headers={"If-None-Match": etag} if etag else {})
    return response, len(found)


@pytest.mark.parametrize("page", LIVE_PAGES)
def test_current_copy_gets_304_from_one_query_without_rendering(
    camp: dict[str, Any],  # noqa: F811
    app: Flask,
    client: FlaskClient,
    page: str,
) -> None:
    url = camp["base"] + page
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    with rendered(app) as templates:
        again, statements = _get(client, url, first.headers["ETag"])
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "no-cache"
    assert templates == [] and statements == 1


@pytest.mark.parametrize("page", LIVE_PAGES)
def test_a_change_gives_200_with_a_new_etag(
    camp: dict[str, Any],  # noqa: F811
    client: FlaskClient,
    page: str,
) -> None:
    url = camp["base"] + page
    first = client.get(url)
    grid.place_session(
        db.session, camp["organiser"], camp["loose"], camp["slot"].id, camp["room_b"].id, 1
    )
    db.session.commit()
    changed, statements = _get(client, url, first.headers["ETag"])
    assert changed.status_code == 200 and "Loose one" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] not in ("", first.headers["ETag"])
    # The live state, the event, then the grid's rooms, slots, sessions, hosts and room-full
    # flags, and on the grid the change log.
    assert statements <= 8


def test_grid_page_with_a_message_waiting_is_rendered_not_304(
    camp: dict[str, Any],  # noqa: F811
    client: FlaskClient,
) -> None:
    url = camp["base"] + "/grid"
    first = client.get(url)
    with client.session_transaction() as cookie:
        cookie["_flashes"] = [("success", "Your star has been saved.")]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and "Your star has been saved." in again.get_data(as_text=True)
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_draft_grid_is_404_for_the_public(client: FlaskClient, camp: dict[str, Any]) -> None:  # noqa: F811
    camp["event"].status = "draft"
    db.session.commit()
    for page in LIVE_PAGES:
        assert client.get(camp["base"] + page).status_code == 404
