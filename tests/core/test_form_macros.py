"""The shared form macros: inputs point aria-describedby only at a hint or error that exists."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize("url", ["/sign-in", "/sign-up", "/forgot-password"])
def test_inputs_without_hint_have_no_aria_describedby(client: FlaskClient, url: str) -> None:
    page = client.get(url).get_data(as_text=True)
    assert 'aria-describedby="None"' not in page
    assert "<input" in page
    for target in re.findall(r'aria-describedby="([^"]*)"', page):
        for element_id in target.split():
            assert f'id="{element_id}"' in page, element_id


def test_an_error_is_described_by_its_message(client: FlaskClient) -> None:
    page = client.post("/sign-up", data={}).get_data(as_text=True)
    described = re.findall(r'aria-describedby="([^"]*)"', page)
    assert "name-error" in described and 'id="name-error"' in page
    assert 'aria-describedby="None"' not in page
