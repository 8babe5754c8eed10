"""The grid in Chromium: an organiser's move reaches another open grid within 5 seconds without a
reload; tap-to-place, drag and drop and the keyboard in the editor; the phone layout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from lgcamp.database import utcnow
from lgcamp.extensions import db
from tests.factories import (
    PASSWORD,
    make_camp_session,
    make_event,
    make_person,
    make_room,
    make_slot,
)

pytestmark = pytest.mark.browser


def _sign_in(page: Any, email: str) -> None:
    page.goto("/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


@pytest.fixture
def camp(app: Any) -> dict[str, Any]:
    """An event running now: rooms A and B, a current slot, a placed and a loose session."""
    organiser = make_person("Olu Organiser")
    event = make_event(organisers=(organiser,), starts_at=utcnow() - timedelta(hours=1))
    room_a, room_b = make_room(event, "Room A"), make_room(event, "Room B")
    earlier = make_slot(event, 0, 30)
    now_slot = make_slot(event, 45, 60)  # from 15 minutes ago to 45 minutes from now
    later = make_slot(event, 120, 45)
    make_camp_session(event, title="Moving target", slot=now_slot, room=room_a)
    make_camp_session(event, title="Loose pitch")
    make_camp_session(event, title="Earlier talk", slot=earlier, room=room_b)
    make_camp_session(event, title="Later talk", slot=later, room=room_b)
    ids = dict(
        slug=event.slug, email=organiser.email, room_a=room_a.id, room_b=room_b.id,
        now_slot=now_slot.id, later=later.id,
    )  # fmt: skip
    db.session.commit()  # release the test's connection: the live server writes to this DB
    return ids


def _cell(camp: dict[str, Any], room: str, slot: str = "now_slot") -> str:
    return f'[data-cell][data-room-id="{camp[room]}"][data-slot-id="{camp[slot]}"]'


def test_editor_move_reaches_open_public_grid_within_5_seconds(
    page: Any, browser: Any, live_server: str, camp: dict[str, Any]
) -> None:
    viewer_context = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}
    )
    viewer = viewer_context.new_page()
    errors: list[str] = []
    viewer.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        viewer.goto(f"/events/{camp['slug']}/grid")
        viewer.evaluate("window.__notReloaded = true")
        room_b_column = (
            'table.lgcamp-grid--live tbody tr.lgcamp-grid__row--now td[data-room="Room B"]'
        )
        assert "Moving target" not in viewer.inner_text(room_b_column)

        _sign_in(page, camp["email"])
        page.goto(f"/events/{camp['slug']}/programme/editor")
        # Tap to select, then tap to place: no dragging needed.
        page.click('[data-session-id] [data-select]:has-text("Moving target")')
        page.click(f"{_cell(camp, 'room_b')} [data-target]")
        page.wait_for_selector(f"{_cell(camp, 'room_b')} [data-title='Moving target']")
        assert "is now in Room B" in page.inner_text("[data-editor-status]")

        # Measured from the editor's confirmed move: the viewer never reloads.
        expect(viewer.locator(room_b_column)).to_contain_text("Moving target", timeout=5000)
        assert viewer.evaluate("window.__notReloaded") is True
        assert "Moved: “Moving target”" in viewer.inner_text("#live-grid")
        assert not errors, errors
    finally:
        viewer_context.close()


def test_editor_drag_and_drop_and_keyboard(page: Any, camp: dict[str, Any]) -> None:
    _sign_in(page, camp["email"])
    page.goto(f"/events/{camp['slug']}/programme/editor")
    # Drag the loose pitch into the empty later-slot cell of Room A.
    # Step by step so the drop point is found after the drop targets have appeared.
    page.hover("[data-title='Loose pitch'] [data-select]")
    page.mouse.down()
    page.hover(_cell(camp, "room_a", "later"))
    page.hover(f"{_cell(camp, 'room_a', 'later')} [data-target]")
    page.mouse.up()
    page.wait_for_selector(f"{_cell(camp, 'room_a', 'later')} [data-title='Loose pitch']")
    # Keyboard: select with Enter, move focus to the "off the grid" target, Enter again.
    page.focus("[data-title='Moving target'] [data-select]")
    page.keyboard.press("Enter")
    assert (
        page.get_attribute("[data-title='Moving target'] [data-select]", "aria-pressed") == "true"
    )
    page.focus("[data-unschedule-zone] [data-target]")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-unschedule-zone] [data-title='Moving target']")
    assert "is off the grid" in page.inner_text("[data-editor-status]")


def test_editor_shows_conflict_when_another_organiser_moved_first(
    browser: Any, camp: dict[str, Any], live_server: str
) -> None:
    # Its own context: Chromium logs the expected 409 as a console error, which the shared
    # `page` fixture would count as a failure.
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    _sign_in(page, camp["email"])
    page.goto(f"/events/{camp['slug']}/programme/editor")
    page.click('[data-session-id] [data-select]:has-text("Moving target")')
    # Meanwhile another organiser moves it (straight through the JSON endpoint).
    version = page.get_attribute("[data-title='Moving target']", "data-version")
    session_id = page.get_attribute("[data-title='Moving target']", "data-session-id")
    result = page.evaluate(
        """async ([url, body]) => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content
            const headers = {'Content-Type': 'application/json', 'X-CSRFToken': csrf}
            const r = await fetch(url, {method: 'POST', headers, body: JSON.stringify(body)})
            return r.status
        }""",
        [
            f"/events/{camp['slug']}/programme/sessions/{session_id}/place",
            {"room_id": camp["room_a"], "slot_id": camp["later"], "version": int(version)},
        ],
    )
    assert result == 200
    page.click(f"{_cell(camp, 'room_b')} [data-target]")
    expect(page.locator("[data-editor-status]")).to_contain_text("changed by someone")
    assert (
        page.locator(f"{_cell(camp, 'room_a', 'later')} [data-title='Moving target']").count() == 1
    )


def test_phone_layout_is_a_list_by_time_with_the_current_slot_first(
    browser: Any, live_server: str, camp: dict[str, Any]
) -> None:
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    phone = context.new_page()
    try:
        phone.goto(f"/events/{camp['slug']}/grid")
        assert phone.is_visible("[data-testid='grid-by-time']")
        assert not phone.is_visible("table.lgcamp-grid--live")
        cards = phone.locator("[data-testid='grid-by-time'] .lgcamp-slot-card")
        first = cards.nth(0)
        assert "lgcamp-slot-card--now" in (first.get_attribute("class") or "")
        assert "Moving target" in first.inner_text() and "Now" in first.inner_text()
        assert "Later talk" in cards.nth(1).inner_text()
        assert "Finished" in cards.nth(cards.count() - 1).inner_text()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "the phone layout must not scroll sideways"
    finally:
        context.close()


def test_grid_and_big_screen_work_without_javascript(
    browser: Any, live_server: str, camp: dict[str, Any]
) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    plain = context.new_page()
    try:
        plain.goto(f"/events/{camp['slug']}/grid")
        assert "Moving target" in plain.inner_text("table.lgcamp-grid--live")
        plain.goto(f"/events/{camp['slug']}/grid/screen")
        assert "Now:" in plain.inner_text("main") and "Moving target" in plain.inner_text("main")
    finally:
        context.close()
