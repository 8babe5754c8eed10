"""The grid in Chromium: an organiser's move reaches another open grid within 5 seconds without a
reload; tap-to-place, drag and drop and the keyboard in the editor; the phone layout; the editor
at 390 and 1280 px with a big day (10 rooms, 6 slots, 40 pitches); the big screen at 1920x1080."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.demo_programme import ROOMS
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.programme import grid
from lgcamp.programme.models import CampSession, Room, RoomFullFlag, SlotKind, TimeSlot
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
        # The update note is in 24-hour time like the rest of the site (not "10:31 AM").
        assert re.fullmatch(r"Grid updated at \d\d:\d\d", viewer.inner_text("[data-live-status]"))
        assert "Moved: “Moving target”" in viewer.inner_text("#live-grid")
        assert not errors, errors
    finally:
        viewer_context.close()


def test_editor_drag_and_drop_and_keyboard(page: Any, camp: dict[str, Any]) -> None:
    _sign_in(page, camp["email"])
    page.goto(f"/events/{camp['slug']}/programme/editor")
    # Drag the loose pitch into the empty later-slot cell of Room A.
    # Step by step so the drop point is found after the drop targets have appeared; the cell is
    # scrolled into view first (the list of unplaced sessions stays in view beside the grid).
    page.locator(_cell(camp, "room_a", "later")).scroll_into_view_if_needed()
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


# --- the editor at phone and laptop widths, and the big screen ----------------------------------

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def _context_page(
    browser: Any, live_server: str, viewport: dict[str, int]
) -> tuple[Any, Any, list[str]]:
    """A page of its own size and its console errors (each test asserts there are none)."""
    context = browser.new_context(base_url=live_server, viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def _in_view(box: dict[str, float] | None, viewport: dict[str, int]) -> bool:
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"] + 0.5
        and box["y"] + box["height"] <= viewport["height"] + 0.5
    )


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.fixture
def big_camp(app: Any) -> dict[str, Any]:
    """A big day: 10 rooms, 6 session slots and 40 pitches, none placed yet."""
    organiser = make_person("Olu Organiser")
    event = make_event(organisers=(organiser,))
    rooms = [make_room(event, f"Room {n + 1}") for n in range(10)]
    slots = [make_slot(event, 60 + 60 * n, 45) for n in range(6)]
    host = make_person("Hana Host")
    for n in range(40):
        make_camp_session(event, host, title=f"Pitch {n + 1:02d}", queue_position=n + 1)
    ids = dict(
        slug=event.slug, email=organiser.email, rooms=[r.id for r in rooms],
        slots=[s.id for s in slots],
    )  # fmt: skip
    db.session.commit()
    return ids


def _big_cell(camp: dict[str, Any], room: int, slot: int) -> str:
    return (
        f'[data-cell][data-room-id="{camp["rooms"][room]}"][data-slot-id="{camp["slots"][slot]}"]'
    )


def test_editor_names_the_room_and_time_of_every_cell_on_a_phone(
    browser: Any, live_server: str, camp: dict[str, Any]
) -> None:
    context, phone, errors = _context_page(browser, live_server, PHONE)
    try:
        _sign_in(phone, camp["email"])
        phone.goto(f"/events/{camp['slug']}/programme/editor")
        cells = phone.locator("[data-cell]")
        assert cells.count() == 6
        for n in range(cells.count()):
            cell = cells.nth(n)
            where = cell.locator("[data-where]")
            expect(where).to_be_visible()
            room = (
                "Room A" if cell.get_attribute("data-room-id") == str(camp["room_a"]) else "Room B"
            )
            assert where.inner_text().startswith(f"{room} · ")
            box = cell.bounding_box()
            assert box is not None and box["height"] >= 44
        # An empty cell says so, and has an accessible name: its room, time and "empty".
        empty = phone.locator(_cell(camp, "room_b"))
        expect(empty).to_contain_text("Empty")
        expect(empty).to_have_accessible_name(
            re.compile(r"^Room B, \d\d:\d\d to \d\d:\d\d: empty$")
        )
        expect(
            phone.get_by_role("cell", name=re.compile("^Room A, .*: Moving target$"))
        ).to_have_count(1)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert not errors, errors
    finally:
        context.close()


def test_editor_shows_every_room_column_at_1280(
    browser: Any, live_server: str, big_camp: dict[str, Any]
) -> None:
    context, laptop, errors = _context_page(browser, live_server, LAPTOP)
    try:
        _sign_in(laptop, big_camp["email"])
        editor = f"/events/{big_camp['slug']}/programme/editor"
        # Five rooms with the demo's long names, and a long slot label: every column is on
        # screen, nothing to scroll.
        rooms = db.session.scalars(select(Room).where(Room.id.in_(big_camp["rooms"]))).all()
        for room, (name, *_rest) in zip(rooms, ROOMS, strict=False):
            room.name = name
        for room in rooms[5:]:
            room.deleted_at = utcnow()
        event = db.session.scalar(select(Event).where(Event.slug == big_camp["slug"]))
        assert event is not None
        make_slot(event, 0, 45, SlotKind.PITCHING, "Welcome and pitching")
        laptop.goto(editor)
        region = laptop.get_by_role("region", name="Grid editor, rooms across and times down")
        region_box = region.bounding_box()
        headers = laptop.locator("[data-editor] thead th")
        assert headers.count() == 6
        assert region.evaluate("el => el.scrollWidth <= el.clientWidth")
        for n in range(headers.count()):
            box = headers.nth(n).bounding_box()
            assert _in_view(box, LAPTOP), (n, box)
            assert box["x"] + box["width"] <= region_box["x"] + region_box["width"] + 0.5
        assert laptop.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]

        # Ten rooms: the grid scrolls inside its labelled region, which takes keyboard focus;
        # the page itself never gets wider than the screen.
        for room in db.session.scalars(select(Room).where(Room.id.in_(big_camp["rooms"]))):
            room.deleted_at = None
        db.session.commit()
        laptop.goto(editor)
        assert laptop.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
        assert region.get_attribute("tabindex") == "0"
        assert region.evaluate("el => el.scrollWidth > el.clientWidth")
        region.focus()
        laptop.keyboard.press("ArrowRight")
        laptop.wait_for_function(
            "() => document.querySelector('[data-keep-scroll=grid]').scrollLeft > 0"
        )
        region.evaluate("el => { el.scrollLeft = el.scrollWidth }")
        last = laptop.locator("[data-editor] thead th").last
        assert "Room 10" in last.inner_text()
        assert _in_view(last.bounding_box(), LAPTOP)
        assert not errors, errors
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1280"])
def test_keyboard_placement_keeps_focus_on_the_placed_card(
    browser: Any, live_server: str, camp: dict[str, Any], viewport: dict[str, int]
) -> None:
    context, page, errors = _context_page(browser, live_server, viewport)
    try:
        _sign_in(page, camp["email"])
        page.goto(f"/events/{camp['slug']}/programme/editor")
        loose = page.locator("[data-title='Loose pitch']")
        session_id = loose.get_attribute("data-session-id")
        page.focus("[data-title='Loose pitch'] [data-select]")
        page.keyboard.press("Enter")
        page.focus(f"{_cell(camp, 'room_b')} [data-target]")
        page.keyboard.press("Enter")
        page.wait_for_selector(f"{_cell(camp, 'room_b')} [data-title='Loose pitch']")
        page.wait_for_function(
            "id => document.activeElement?.closest('[data-session-id]')?.dataset.sessionId === id",
            arg=session_id,
        )
        focused = page.evaluate(
            "() => [document.activeElement.matches('[data-select]'),"
            " document.activeElement.closest('[data-cell]')?.dataset.roomId]"
        )
        assert focused == [True, str(camp["room_b"])]
        assert "is now in Room B" in page.inner_text("[data-editor-status]")
        # Moving it again from there with the keyboard: focus follows it back off the grid.
        page.keyboard.press("Enter")
        page.focus("[data-unschedule-zone] [data-target]")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-unschedule-zone] [data-title='Loose pitch']")
        page.wait_for_function(
            "() => document.activeElement?.closest('[data-unschedule-zone]') !== null"
            " && document.activeElement.closest('[data-session-id]')?.dataset.title"
            " === 'Loose pitch'"
        )
        assert not errors, errors
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1280"])
def test_unplaced_sessions_stay_in_reach_while_placing(
    browser: Any, live_server: str, big_camp: dict[str, Any], viewport: dict[str, int]
) -> None:
    context, page, errors = _context_page(browser, live_server, viewport)
    try:
        _sign_in(page, big_camp["email"])
        page.goto(f"/events/{big_camp['slug']}/programme/editor")
        pool = page.locator("[data-testid='unplaced']")
        wide = viewport["width"] >= 768
        if wide:  # the page brings the editor into view; the grid then scrolls on its own
            page.locator(".lgcamp-editor__layout").evaluate("el => el.scrollIntoView()")
        # Far corners of the grid first: the last room at the last time, then its neighbour.
        for move, (room, slot) in enumerate([(9, 5), (8, 5), (0, 5), (9, 0)]):
            cell = page.locator(_big_cell(big_camp, room, slot))
            cell.evaluate(
                "(el, wide) => el.scrollIntoView(wide ? {block: 'nearest', inline: 'nearest'}"
                " : {block: 'center'})",
                wide,
            )
            first = pool.locator("[data-session-id]").first
            title = first.get_attribute("data-title")
            assert title == f"Pitch {move + 1:02d}"  # the queue's order
            assert _in_view(pool.bounding_box(), viewport), pool.bounding_box()
            assert _in_view(first.locator("[data-select]").bounding_box(), viewport)
            assert _in_view(cell.bounding_box(), viewport), cell.bounding_box()
            scrolled = page.evaluate("[scrollX, scrollY]")
            first.locator("[data-select]").click()
            target = cell.locator("[data-target]")
            expect(target).to_be_visible()
            target_box = target.bounding_box()
            assert _in_view(target_box, viewport), target_box
            assert not _overlap(target_box, pool.bounding_box())  # not under the panel
            target.click()
            page.wait_for_selector(f"{_big_cell(big_camp, room, slot)} [data-title='{title}']")
            # Nothing sent the page elsewhere: the cell is where it was, the list still in view.
            assert page.evaluate("[scrollX, scrollY]") == scrolled
            assert _in_view(cell.bounding_box(), viewport)
            assert _in_view(pool.bounding_box(), viewport)
        assert pool.locator("[data-session-id]").count() == 36
        assert not errors, errors
    finally:
        context.close()


def test_phone_grid_points_to_rooms_with_space_and_times_are_24_hour(
    browser: Any, live_server: str, camp: dict[str, Any]
) -> None:
    full = db.session.scalar(select(CampSession).where(CampSession.title == "Moving target"))
    assert full is not None
    room_b = db.session.get_one(Room, camp["room_b"])
    now_slot = db.session.get_one(TimeSlot, camp["now_slot"])
    make_camp_session(full.event, title="Quiet corner", slot=now_slot, room=room_b)
    db.session.add(RoomFullFlag(camp_session_id=full.id))
    db.session.commit()
    context, phone, errors = _context_page(browser, live_server, PHONE)
    try:
        phone.goto(f"/events/{camp['slug']}/grid")
        now_card = phone.locator(".lgcamp-slot-card--now")
        space = now_card.locator("[data-testid='still-has-space']")
        expect(space).to_be_visible()
        expect(space).to_have_text("Still has space: Quiet corner (Room B)")
        # Every time on the page is written the 24-hour way.
        text = phone.inner_text("main")
        assert re.search(r"\b\d\d:\d\d to \d\d:\d\d\b", text)
        assert not re.search(r"\b(am|pm)\b", text, re.IGNORECASE)
        assert not errors, errors
    finally:
        context.close()


def test_big_screen_fills_a_1920x1080_screen_without_scrollbars(
    browser: Any, live_server: str, big_camp: dict[str, Any]
) -> None:
    screen_size = {"width": 1920, "height": 1080}
    event = db.session.scalar(select(Event).where(Event.slug == big_camp["slug"]))
    assert event is not None
    # The day is under way: the first slot is on now, the second is next; five rooms used.
    shift = utcnow() - timedelta(minutes=70) - event.starts_at
    event.starts_at += shift
    event.ends_at += shift
    for slot in db.session.scalars(select(TimeSlot).where(TimeSlot.event_id == event.id)):
        slot.starts_at += shift
        slot.ends_at += shift
    pitches = db.session.scalars(
        select(CampSession).where(CampSession.event_id == event.id).order_by(CampSession.id)
    ).all()
    cells = [(s, r) for s in big_camp["slots"][:2] for r in big_camp["rooms"][:5]]
    for pitch, (slot_id, room_id) in zip(pitches, cells, strict=False):
        pitch.slot_id, pitch.room_id = slot_id, room_id
    db.session.add(RoomFullFlag(camp_session_id=pitches[0].id))
    db.session.commit()
    context, screen, errors = _context_page(browser, live_server, screen_size)
    try:
        for rooms_used in (5, 10):
            if rooms_used == 10:  # a busy day: ten sessions a slot, placed by the organiser
                organiser = db.session.scalar(
                    select(Person).where(Person.email == big_camp["email"])
                )
                more = db.session.scalars(
                    select(CampSession)
                    .where(CampSession.slot_id.is_(None))
                    .order_by(CampSession.id)
                    .limit(10)
                ).all()
                cells = [(s, r) for s in big_camp["slots"][:2] for r in big_camp["rooms"][5:]]
                for pitch, (slot_id, room_id) in zip(more, cells, strict=True):
                    grid.place_session(db.session, organiser, pitch, slot_id, room_id, None)
                db.session.commit()
            screen.goto(f"/events/{big_camp['slug']}/grid/screen")
            sizes = screen.evaluate(
                "() => { const d = document.documentElement;"
                " return [d.scrollWidth, d.scrollHeight, d.clientWidth, d.clientHeight] }"
            )
            assert sizes == [1920, 1080, 1920, 1080], sizes  # no scrollbars
            main = screen.locator("main").bounding_box()
            assert main == {"x": 0, "y": 0, "width": 1920, "height": 1080}
            lists = screen.locator(".lgcamp-screen__sessions")
            assert lists.count() == 2
            for n in range(2):  # the sessions fill the width
                box = lists.nth(n).bounding_box()
                assert box is not None and box["width"] >= 0.9 * 1920
            last = screen.locator(".lgcamp-screen__slot").last.bounding_box()
            assert last is not None and last["y"] + last["height"] >= 0.85 * 1080  # and the height
            overflowing = screen.evaluate(
                "() => [...document.querySelectorAll('.lgcamp-screen__slot, main')]"
                ".filter(b => b.scrollHeight > b.clientHeight + 1).length"
            )
            assert overflowing == 0
            expect(screen.locator("text=Still has space")).to_be_visible()
            expect(screen.get_by_text(f"Pitch {rooms_used * 2:02d}")).to_be_visible()
        assert not errors, errors
    finally:
        context.close()
