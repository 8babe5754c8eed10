"""The door on a phone (390 x 844) in Chromium: search as you type with the results in view,
a visible focus on the amber result, the check-in window, and a place released at the door."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from lgcamp.checkin.models import CheckIn, ScanLog
from lgcamp.database import utcnow
from lgcamp.extensions import db
from lgcamp.tickets import noshow
from tests.browser.test_checkin import camera_page, count, focused, phone, result, write_y4m
from tests.conftest import wait_for
from tests.factories import (
    PASSWORD,
    make_booking,
    make_check_in,
    make_event,
    make_person,
    make_scanner_link,
    make_ticket_type,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Ticket:
    """Plain values for the browser tests (no open database transaction behind them)."""

    slug: str
    link_path: str
    token: str  # Ada Lovelace's ticket
    released_at: str | None  # HH:MM, when released at the door


def door_event(
    starts_in: timedelta, people: int = 12, *, checked_in: bool = False, release: bool = False
) -> Ticket:
    """An event with Ada Lovelace's ticket, others' too, and a scanner link for Door 1."""
    event = make_event("LocalGovCamp 2027", starts_at=utcnow() + starts_in)
    day = make_ticket_type(event, name="Day ticket", capacity=people + 5)
    ada = make_booking(day, make_person("Ada Lovelace"))
    for n in range(people):
        make_booking(day, make_person(f"Person {n:02d}"))
    if checked_in:
        make_check_in(ada, door="Door 2")
    released_at = None
    if release:
        noshow.door_release(db.session, event)
        db.session.commit()
        assert ada.ended_at is not None
        released_at = ada.ended_at.astimezone(event.tz).strftime("%H:%M")
    _link, secret = make_scanner_link(event, "Door 1")
    ticket = Ticket(event.slug, f"/events/{event.slug}/door/link/{secret}", ada.token, released_at)
    db.session.commit()  # end the read transaction (SQLite: the server must be able to write)
    return ticket


def luminance(rgb: str) -> float:
    """The relative luminance of a CSS rgb()/rgba() colour (WCAG 2)."""
    values = [int(float(v)) for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in values)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_search_filters_as_the_volunteer_types_with_results_in_view(
    browser: Any, live_server: str, tmp_path: Path
) -> None:
    path = door_event(timedelta(hours=-1)).link_path
    video = write_y4m(tmp_path / "blank.y4m", "nothing", [(False, 2)])
    with camera_page(browser, live_server, video) as (_context, page):
        page.set_viewport_size(PHONE)
        page.goto(path)
        page.wait_for_selector("#scanner[data-ready='true']", timeout=10000)
        page.locator("#q").press_sequentially("Lov", delay=60)  # no Enter, no button
        first = page.locator("#search-results tbody tr").first
        first.wait_for(timeout=5000)
        assert "Ada Lovelace" in first.inner_text()
        assert page.locator("#search-results tbody tr").count() == 1
        box = first.bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
        assert page.locator("#q").is_visible()  # the search box stays in sight above them
        # More typing narrows the list (the earlier answers never overwrite the later ones).
        rows = page.locator("#search-results tbody tr")
        page.locator("#q").fill("")
        page.locator("#q").press_sequentially("Person 0", delay=40)
        expect(rows).to_have_count(10, timeout=5000)
        page.locator("#q").press_sequentially("7", delay=40)
        expect(rows).to_have_count(1, timeout=5000)
        assert "Person 07" in page.inner_text("#search-results")


def test_the_focused_next_scan_button_on_the_amber_result_is_visible(
    browser: Any, live_server: str, tmp_path: Path
) -> None:
    ticket = door_event(timedelta(hours=-1), people=0, checked_in=True)
    video = write_y4m(tmp_path / "ticket.y4m", ticket.token, [(True, 2), (False, 60)])
    with camera_page(browser, live_server, video) as (_context, page):
        page.set_viewport_size(PHONE)
        page.goto(ticket.link_path)
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='amber']", timeout=15000)
        assert "Already checked in" in result(page)[1]
        assert focused(page) == "result-next"
        style = page.evaluate("""() => {
          const button = getComputedStyle(document.getElementById('result-next'))
          const overlay = getComputedStyle(document.getElementById('scan-result'))
          return { outline: button.outlineColor, width: button.outlineWidth,
                   style: button.outlineStyle, background: button.backgroundColor,
                   overlay: overlay.backgroundColor }
        }""")
        assert style["style"] == "solid" and float(style["width"][:-2]) >= 3
        # The focus indicator and the focused button both stand out from the yellow (>= 3:1).
        assert contrast(style["outline"], style["overlay"]) >= 3, style
        assert contrast(style["background"], style["overlay"]) >= 3, style
        box = page.locator("#result-next").bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"]


def test_outside_the_check_in_window_the_scanner_says_why(
    browser: Any, live_server: str, tmp_path: Path
) -> None:
    ticket = door_event(timedelta(days=22), people=0)
    video = write_y4m(tmp_path / "ticket.y4m", ticket.token, [(True, 2), (False, 60)])
    with camera_page(browser, live_server, video) as (_context, page):
        page.set_viewport_size(PHONE)
        page.goto(ticket.link_path)
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='red']", timeout=15000)
        text = result(page)[1]
        assert "Check-in not open yet" in text and "Check-in opens at" in text
    wait_for(lambda: count(ScanLog, ScanLog.result == "outside_window") >= 1)
    assert count(CheckIn) == 0


def test_a_place_released_at_the_door_is_explained_and_admitted_as_a_walk_in(
    browser: Any, live_server: str, tmp_path: Path
) -> None:
    ticket = door_event(timedelta(minutes=-50), people=1, release=True)
    video = write_y4m(tmp_path / "ticket.y4m", ticket.token, [(True, 2), (False, 60)])
    with camera_page(browser, live_server, video) as (_context, page):
        page.set_viewport_size(PHONE)
        page.goto(ticket.link_path)
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='amber']", timeout=15000)
        text = result(page)[1]
        assert f"Place released at the door at {ticket.released_at}" in text
        assert "The holder released this ticket" not in text
        admit = page.get_by_role("button", name="Admit as walk-in")
        assert admit.is_visible()
        admit.click()
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='green']", timeout=5000)
        assert "Checked in" in result(page)[1] and "Ada Lovelace" in result(page)[1]
    wait_for(lambda: count(CheckIn) == 1)


def test_the_dashboard_chart_is_readable_on_a_phone(browser: Any, live_server: str) -> None:
    organiser = make_person("Olu Organiser")
    event = make_event(organisers=(organiser,), starts_at=utcnow() - timedelta(hours=2))
    day = make_ticket_type(event)
    for n in range(12):
        make_check_in(make_booking(day), scanned_at=event.starts_at + timedelta(minutes=9 * n))
    slug, email = event.slug, organiser.email
    db.session.commit()
    with phone(browser, live_server, viewport=PHONE) as (_context, page):
        page.goto("/sign-in")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in" not in url)
        page.goto(f"/events/{slug}/door")
        chart = page.get_by_role("img", name="Arrivals per 15 minutes (event time)")
        box = chart.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        times = page.locator("svg.lgcamp-arrivals text[text-anchor='middle']")
        labels = times.all_text_contents()
        assert len(labels) >= 2 and all(re.fullmatch(r"\d\d:\d\d", t) for t in labels), labels
        label_box = times.first.bounding_box()
        assert label_box is not None and label_box["height"] >= 11  # text at a readable size
        description = page.locator("#arrivals-desc").text_content() or ""
        assert description.startswith("12 arrivals from"), description
        assert page.locator("#arrivals-table tr").count() >= 7  # the same numbers as a table


def test_offline_the_phone_refuses_outside_the_window_and_the_sync_logs_it(
    browser: Any, live_server: str, tmp_path: Path
) -> None:
    ticket = door_event(timedelta(days=2), people=0)
    # Blank first, so that the page loads its ticket list (with the window) and goes offline.
    video = write_y4m(tmp_path / "ticket.y4m", ticket.token, [(False, 6), (True, 2), (False, 60)])
    with camera_page(browser, live_server, video) as (context, page):
        page.set_viewport_size(PHONE)
        page.goto(ticket.link_path)
        page.wait_for_selector("#scanner[data-ready='true']", timeout=10000)
        context.set_offline(True)
        page.wait_for_selector("#offline-banner:not([hidden])", timeout=5000)
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='red']", timeout=20000)
        text = result(page)[1]
        assert "Check-in not open yet" in text and "Saved on this phone" in text
        assert count(ScanLog) == 0
        context.set_offline(False)
        page.wait_for_selector("#sync-status[data-queued='0']", timeout=20000)
    wait_for(lambda: count(ScanLog, ScanLog.result == "outside_window") == 1)
    assert count(CheckIn) == 0
