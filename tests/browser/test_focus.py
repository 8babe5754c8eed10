"""Keyboard users keep their place when a page updates itself: the live grid puts the focus
back on the same link after a change arrives (the header's focus is checked in
test_accessibility)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lgcamp.accounts.models import Person
from lgcamp.extensions import db
from lgcamp.programme import grid
from lgcamp.programme.models import CampSession
from tests.browser.test_programme_grid import camp  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def test_live_grid_update_keeps_the_keyboard_focus(page: Any, camp: dict[str, Any]) -> None:  # noqa: F811
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/events/{camp['slug']}/grid")
    link = page.locator("table.lgcamp-grid--live a", has_text="Earlier talk")
    link.focus()
    href = link.get_attribute("href")

    organiser = db.session.scalar(select(Person).where(Person.email == camp["email"]))
    moving = db.session.scalar(select(CampSession).where(CampSession.title == "Later talk"))
    assert organiser is not None and moving is not None
    grid.place_session(db.session, organiser, moving, camp["later"], camp["room_a"], None)
    db.session.commit()

    expect(page.locator("[data-live-status]")).to_contain_text("Grid updated", timeout=10_000)
    assert page.evaluate("document.activeElement.getAttribute('href')") == href
    assert page.evaluate("document.activeElement.closest('#live-grid') !== null")
