"""The live grid's poll answer is a fragment for the poller only: a person who opens its URL
(a navigation, Sec-Fetch-Dest: document) is sent to the whole page, with its title and lang."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.programme.test_views import camp  # noqa: F401 (the fixture)

NAVIGATION = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}
POLL = {"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors", "Accept": "text/html"}


@pytest.mark.parametrize(("query", "page"), [("", "/grid"), ("?view=screen", "/grid/screen")])
def test_opening_the_fragment_url_leads_to_the_whole_page(
    client: FlaskClient,
    camp: dict[str, Any],  # noqa: F811
    query: str,
    page: str,
) -> None:
    response = client.get(f"{camp['base']}/grid/live{query}", headers=NAVIGATION)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{camp['base']}{page}"
    whole = client.get(response.headers["Location"], headers=NAVIGATION).get_data(as_text=True)
    assert '<html lang="en"' in whole and "<title>" in whole and "Placed one" in whole


def test_the_poller_gets_the_fragment_varying_on_the_fetch_destination(
    client: FlaskClient,
    camp: dict[str, Any],  # noqa: F811
) -> None:
    response = client.get(f"{camp['base']}/grid/live", headers=POLL)
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "Placed one" in fragment and "<html" not in fragment
    assert "Sec-Fetch-Dest" in response.headers["Vary"]
    again = client.get(
        f"{camp['base']}/grid/live", headers={**POLL, "If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
