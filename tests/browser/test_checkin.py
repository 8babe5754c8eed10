"""The door scanner in Chromium, with a fake camera showing a ticket's QR code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import qrcode
from PIL import Image
from sqlalchemy import func, select

from lgcamp.checkin.models import CheckIn, ScanLog
from lgcamp.extensions import db
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, wait_for
from tests.factories import (
    make_booking,
    make_event,
    make_person,
    make_scanner_link,
    make_ticket_type,
)

pytestmark = pytest.mark.browser

WIDTH, HEIGHT, FPS = 640, 480, 5
# Console messages a phone going offline produces on purpose; anything else fails the test.
EXPECTED_OFFLINE_NOISE = ("net::ERR_INTERNET_DISCONNECTED", "Failed to fetch")


def write_y4m(path: Path, payload: str, segments: list[tuple[bool, float]]) -> Path:
    """A YUV4MPEG2 (4:2:0) video: segments of (show the QR?, seconds), looped by Chromium."""
    qr = qrcode.QRCode(border=4, box_size=10)
    qr.add_data(payload)
    code = qr.make_image().get_image().convert("L").resize((360, 360), Image.Resampling.NEAREST)
    with_qr = Image.new("L", (WIDTH, HEIGHT), 255)
    with_qr.paste(code, ((WIDTH - 360) // 2, (HEIGHT - 360) // 2))
    blank = Image.new("L", (WIDTH, HEIGHT), 255)
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2 * 2)  # U and V planes: no colour
    frames = {True: with_qr.tobytes() + chroma, False: blank.tobytes() + chroma}
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for show_qr, seconds in segments:
            for _ in range(round(seconds * FPS)):
                video.write(b"FRAME\n" + frames[show_qr])
    return path


@contextmanager
def camera_page(browser: Any, live_server: str, video: Path) -> Iterator[tuple[Any, Any]]:
    """A separate Chromium whose camera plays the video; yields (context, page)."""
    fake_camera = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *fake_camera]
    )
    context = camera_browser.new_context(base_url=live_server, permissions=["camera"])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield context, page
    finally:
        context.close()
        camera_browser.close()
    unexpected = [e for e in errors if not any(n in e for n in EXPECTED_OFFLINE_NOISE)]
    assert not unexpected, f"browser console errors: {unexpected}"


def result(page: Any) -> tuple[str, str]:
    """The colour and text of the full-screen result, once it is shown."""
    overlay = page.locator("#scan-result")
    return overlay.get_attribute("data-colour") or "", overlay.inner_text()


def count(model: Any, *where: Any) -> int:
    """Count rows, ending the read at once so that the server's writes never wait for it."""
    db.session.expire_all()
    try:
        return db.session.scalar(select(func.count(model.id)).where(*where)) or 0
    finally:
        db.session.rollback()


@dataclass(frozen=True)
class Door:
    """Plain values for the browser tests (no open database transaction behind them)."""

    slug: str
    booking_id: int
    token: str
    link_url: str


@pytest.fixture
def door(app: Any) -> Door:
    """An event with one ticket (Ada Lovelace's) and a scanner link for Door 1."""
    event = make_event("LocalGovCamp 2027")
    booking = make_booking(make_ticket_type(event, name="Day ticket"), make_person("Ada Lovelace"))
    _link, secret = make_scanner_link(event, "Door 1")
    values = Door(event.slug, booking.id, booking.token, f"/events/{event.slug}/door/link/{secret}")
    db.session.commit()  # end the read transaction (SQLite: the server must be able to write)
    return values


def test_camera_scan_shows_green_then_amber_on_rescan(
    browser: Any, live_server: str, door: Door, tmp_path: Path
) -> None:
    # The QR is held up for 2 s, taken away for 2.5 s (long enough to count as gone), shown again.
    video = write_y4m(tmp_path / "ticket.y4m", door.token, [(True, 2), (False, 2.5)])
    with camera_page(browser, live_server, video) as (_context, page):
        page.goto(door.link_url)
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='green']", timeout=15000)
        colour, text = result(page)
        assert colour == "green" and "Checked in" in text and "Ada Lovelace" in text
        assert "Day ticket" in text
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='amber']", timeout=15000)
        colour, text = result(page)
        assert "Already checked in" in text and "Door 1" in text
    assert count(CheckIn, CheckIn.booking_id == door.booking_id) == 1
    assert count(ScanLog, ScanLog.result == "duplicate") >= 1


def test_offline_scans_are_queued_survive_reload_and_sync_once(
    browser: Any, live_server: str, door: Door, tmp_path: Path
) -> None:
    # Blank first, so that the page loads its ticket list and goes offline before the QR shows.
    video = write_y4m(tmp_path / "ticket.y4m", door.token, [(False, 6), (True, 2)])
    with camera_page(browser, live_server, video) as (context, page):
        page.goto(door.link_url)
        page.wait_for_selector("#scanner[data-ready='true']", timeout=10000)
        assert "1 tickets on this phone" in page.inner_text("#sync-status")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        context.set_offline(True)
        page.wait_for_selector("#offline-banner:not([hidden])", timeout=5000)
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='green']", timeout=20000)
        assert "Saved on this phone" in page.inner_text("#scan-result")
        assert "1 scan waiting to be sent" in page.inner_text("#sync-status")
        assert count(CheckIn) == 0

        # Reloading offline: the service worker serves the page, the queue is still there.
        page.reload()
        page.wait_for_selector("#scanner[data-ready='true']", timeout=10000)
        assert "scan waiting to be sent" in page.inner_text("#sync-status")
        assert page.locator("#offline-banner").is_visible()

        context.set_offline(False)
        page.wait_for_selector("#sync-status[data-queued='0']", timeout=20000)
        page.wait_for_selector("#offline-banner[hidden]", state="attached", timeout=5000)
    wait_for(lambda: count(CheckIn) == 1)
    assert (
        count(CheckIn, CheckIn.booking_id == door.booking_id, CheckIn.door_label == "Door 1") == 1
    )


def test_scanner_link_cannot_open_organiser_pages(page: Any, live_server: str, door: Door) -> None:
    page.goto(door.link_url)
    assert page.url.endswith(f"/events/{door.slug}/door/scan")
    assert "Door check-in" in page.inner_text("h1")
    for path in (f"/events/{door.slug}/door", f"/events/{door.slug}/door/links",
                 f"/events/{door.slug}/manage", f"/events/{door.slug}/edit"):  # fmt: skip
        page.goto(path)
        assert "/sign-in" in page.url, path
    other = make_event().slug
    db.session.commit()
    page.goto(f"/events/{other}/door/scan")
    assert "/sign-in" in page.url
