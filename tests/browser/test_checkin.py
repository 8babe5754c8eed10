"""The door scanner in Chromium, with a fake camera showing a ticket's QR code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import qrcode
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from lgcamp.checkin.models import CheckIn, ScanLog, ScannerLink, ScanResult
from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventRoleName
from lgcamp.events.service import get_event
from lgcamp.extensions import db
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, wait_for
from tests.factories import (
    PASSWORD,
    make_booking,
    make_check_in,
    make_event,
    make_person,
    make_role,
    make_scanner_link,
    make_ticket_type,
)

pytestmark = pytest.mark.browser

WIDTH, HEIGHT, FPS = 640, 480, 5
# Console messages a phone going offline produces on purpose; anything else fails the test.
EXPECTED_OFFLINE_NOISE = ("net::ERR_INTERNET_DISCONNECTED", "Failed to fetch")
# ... and the one a phone whose scanner link was revoked gets from its next call.
EXPECTED_REVOKED_NOISE = (*EXPECTED_OFFLINE_NOISE, "status of 403")


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
def phone(
    browser: Any,
    live_server: str,
    noise: tuple[str, ...] = EXPECTED_OFFLINE_NOISE,
    **options: Any,
) -> Iterator[tuple[Any, Any]]:
    """A browser context of its own (a phone); yields (context, page). Console errors fail the
    test, except the expected noise (by default, that of going offline on purpose)."""
    context = browser.new_context(base_url=live_server, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield context, page
    finally:
        context.close()
    unexpected = [e for e in errors if not any(n in e for n in noise)]
    assert not unexpected, f"browser console errors: {unexpected}"


@contextmanager
def camera_page(
    browser: Any,
    live_server: str,
    video: Path,
    noise: tuple[str, ...] = EXPECTED_OFFLINE_NOISE,
    service_workers: str = "allow",
) -> Iterator[tuple[Any, Any]]:
    """A separate Chromium whose camera plays the video; yields (context, page).

    Console errors other than the expected noise fail the test. Playwright cannot intercept
    requests of a page under a service worker: tests that use page.route block it.
    """
    fake_camera = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *fake_camera]
    )
    try:
        with phone(
            camera_browser,
            live_server,
            noise,
            permissions=["camera"],
            service_workers=service_workers,
        ) as (context, page):
            yield context, page
    finally:
        camera_browser.close()


def result(page: Any) -> tuple[str, str]:
    """The colour and text of the full-screen result, once it is shown."""
    overlay = page.locator("#scan-result")
    return overlay.get_attribute("data-colour") or "", overlay.inner_text()


def focused(page: Any) -> str:
    """The id, or else the text, of the element that has the focus."""
    return page.evaluate("document.activeElement.id || document.activeElement.textContent")


# IndexedDB on the phone, read in the page: the ticket list's size and the queued scan ids.
READ_PHONE = """async (slug) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(`lgcamp-door-${slug}`)
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  const read = (name, how) => new Promise((resolve, reject) => {
    const request = db.transaction(name).objectStore(name)[how]()
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  const queued = (await read('queue', 'getAll')).map((item) => item.scan_id)
  const phone = { tickets: await read('tickets', 'count'), queued }
  db.close()
  return phone
}"""

# Counts the results shown (each sets the title) from now on, in window.resultsShown.
COUNT_RESULTS = """() => {
  window.resultsShown = 0
  new MutationObserver((records) => { window.resultsShown += records.length })
    .observe(document.getElementById('result-title'), { childList: true })
}"""


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
    """An event under way (its door open) with one ticket (Ada Lovelace's) and a scanner link
    for Door 1."""
    event = make_event("LocalGovCamp 2027", starts_at=utcnow() - timedelta(hours=1))
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


def test_undo_from_the_result_screen_which_waits_with_the_focus_on_it(
    browser: Any, live_server: str, door: Door, tmp_path: Path
) -> None:
    video = write_y4m(tmp_path / "ticket.y4m", door.token, [(True, 2), (False, 60)])
    with camera_page(browser, live_server, video) as (_context, page):
        page.goto(door.link_url)
        assert page.locator("#door-name").count() == 0  # a link scans as its own door
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='green']", timeout=15000)
        assert focused(page) == "result-next"
        assert page.locator("#result-undo").is_visible()
        # Longer than the 2.5 s a green result used to stay: while it offers Undo, it waits.
        page.wait_for_timeout(3500)
        assert page.locator("#scan-result").is_visible()
        page.click("#result-undo")
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='amber']", timeout=5000)
        assert "Check-in undone" in result(page)[1]
    undone = CheckIn.booking_id == door.booking_id, CheckIn.undone_at.is_not(None)
    wait_for(lambda: count(CheckIn, *undone, CheckIn.undone_by_label == "Door 1") == 1)
    assert count(CheckIn, CheckIn.undone_at.is_(None)) == 0


def test_undo_from_a_search_row_says_when_it_needs_a_connection(
    browser: Any, live_server: str, door: Door, tmp_path: Path
) -> None:
    video = write_y4m(tmp_path / "blank.y4m", door.token, [(False, 2)])
    with camera_page(browser, live_server, video) as (context, page):
        page.goto(door.link_url)
        page.wait_for_selector("#scanner[data-ready='true']", timeout=10000)
        page.fill("#q", "Ada")
        page.press("#q", "Enter")
        page.get_by_role("button", name="Check in Ada Lovelace").click()
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='green']", timeout=5000)
        assert focused(page) == "result-next"
        page.keyboard.press("Enter")  # "Next scan": the result closes, the focus comes back
        page.wait_for_selector("#scan-result", state="hidden")
        assert focused(page) == "Undo check-in of Ada Lovelace"
        assert "Checked in" in page.inner_text("#search-results")
        wait_for(lambda: count(CheckIn, CheckIn.undone_at.is_(None)) == 1)

        # A new search finds her checked in, with the check-in's id to undo it by.
        page.fill("#q", "Lovelace")
        page.press("#q", "Enter")
        page.wait_for_selector("#search-results >> text=In at Door 1")
        undo = page.get_by_role("button", name="Undo check-in of Ada Lovelace")
        context.set_offline(True)
        page.wait_for_selector("#offline-banner:not([hidden])", timeout=5000)
        undo.click()
        page.wait_for_selector("#search-results >> text=Undo needs a connection")
        assert count(CheckIn, CheckIn.undone_at.is_(None)) == 1

        context.set_offline(False)
        page.wait_for_selector("#offline-banner[hidden]", state="attached", timeout=10000)
        undo.click()
        page.wait_for_selector("#search-results >> text=Check-in undone")
        assert page.get_by_role("button", name="Check in Ada Lovelace").is_visible()
    assert count(CheckIn, CheckIn.undone_at.is_(None)) == 0
    assert count(CheckIn, CheckIn.undone_by_label == "Door 1") == 1


def test_a_slow_server_gets_the_local_answer_and_the_scan_is_recorded_once(
    browser: Any, live_server: str, door: Door, tmp_path: Path
) -> None:
    video = write_y4m(tmp_path / "ticket.y4m", door.token, [(False, 6), (True, 2), (False, 60)])
    held: list[Any] = []  # the live scan's request, held back: the server is slow
    synced: list[str] = []  # scan ids sent by the queue
    with camera_page(browser, live_server, video, service_workers="block") as (_context, page):
        page.route("**/door/scans", lambda route: held.append(route))
        page.on(
            "request",
            lambda r: (
                synced.extend(s["scan_id"] for s in r.post_data_json["scans"])
                if r.url.endswith("/door/sync") and r.method == "POST"
                else None
            ),
        )
        page.goto(door.link_url)
        page.wait_for_selector("#scanner[data-ready='true']", timeout=10000)
        page.evaluate(COUNT_RESULTS)
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='green']", timeout=20000)
        assert "Saved on this phone" in page.inner_text("#scan-result")
        assert page.locator("#offline-banner").is_visible()
        assert len(held) == 1 and count(ScanLog) == 0
        scan_id = held[0].request.post_data_json["scan_id"]

        with page.expect_response("**/door/scans") as late:
            held[0].continue_()  # the slow request reaches the server after all
        late.value.finished()
        page.wait_for_selector("#offline-banner[hidden]", state="attached", timeout=10000)
        page.wait_for_selector("#sync-status[data-queued='0']", timeout=10000)
        assert scan_id in synced  # the queued copy was sent too, under the same scan id
        assert page.evaluate("window.resultsShown") == 1  # the late answer was not shown
    db.session.expire_all()
    assert db.session.scalars(select(ScanLog.scan_id)).all() == [scan_id]
    assert count(CheckIn, CheckIn.booking_id == door.booking_id) == 1


def test_a_revoked_link_stops_scanning_and_clears_the_names_but_keeps_the_queue(
    browser: Any, live_server: str, door: Door, tmp_path: Path
) -> None:
    video = write_y4m(tmp_path / "blank.y4m", door.token, [(False, 2)])
    with camera_page(browser, live_server, video, EXPECTED_REVOKED_NOISE) as (context, page):
        page.goto(door.link_url)
        page.wait_for_selector("#scanner[data-ready='true']", timeout=10000)
        # Polled from Python: wait_for_function with a string needs eval, which the CSP refuses.
        wait_for(lambda: page.evaluate("document.getElementById('camera').srcObject !== null"))
        assert page.evaluate(READ_PHONE, door.slug) == {"tickets": 1, "queued": []}
        context.set_offline(True)
        page.wait_for_selector("#offline-banner:not([hidden])", timeout=5000)
        page.fill("#q", "Ada")
        page.press("#q", "Enter")
        page.get_by_role("button", name="Check in Ada Lovelace").click()
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='green']", timeout=5000)
        page.click("#result-next")
        assert len(page.evaluate(READ_PHONE, door.slug)["queued"]) == 1

        db.session.execute(
            ScannerLink.__table__.update().values(revoked_at=utcnow())  # type: ignore[attr-defined]
        )
        db.session.commit()
        context.set_offline(False)
        page.wait_for_selector("#denied-banner:not([hidden])", timeout=15000)
        banner = page.inner_text("#denied-banner")
        assert "This scanner link no longer works. Ask an organiser for a new one." in banner
        assert "1 scan could not be sent" in banner
        assert page.locator("#scanner-tools").is_hidden()  # no camera, search or names
        assert page.evaluate("document.getElementById('camera').srcObject") is None
        phone = page.evaluate(READ_PHONE, door.slug)
        assert phone["tickets"] == 0 and len(phone["queued"]) == 1
        assert "1 scan waiting to be sent" in page.inner_text("#sync-status")
    assert count(CheckIn) == 0 and count(ScanLog) == 0


def test_a_signed_in_scanner_names_the_door(
    browser: Any, live_server: str, door: Door, tmp_path: Path
) -> None:
    volunteer = make_person("Olu Volunteer")
    event = get_event(db.session, door.slug)
    assert event is not None
    make_role(event, volunteer, EventRoleName.SCANNER)
    email = volunteer.email
    db.session.commit()
    video = write_y4m(tmp_path / "blank.y4m", door.token, [(False, 2)])
    with camera_page(browser, live_server, video) as (_context, page):
        page.goto("/sign-in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"/events/{door.slug}/door/scan")
        page.wait_for_selector("#scanner[data-ready='true']", timeout=10000)
        assert page.inner_text("#door-label") == "Olu Volunteer"
        page.get_by_label("Door name").fill("Side gate")
        assert page.inner_text("#door-label") == "Side gate"
        page.reload()
        page.wait_for_selector("#scanner[data-ready='true']", timeout=10000)
        assert page.get_by_label("Door name").input_value() == "Side gate"  # kept on the phone
        page.fill("#q", "Ada")
        page.press("#q", "Enter")
        page.get_by_role("button", name="Check in Ada Lovelace").click()
        page.wait_for_selector("#scan-result:not([hidden])[data-colour='green']", timeout=5000)
    wait_for(lambda: count(ScanLog, ScanLog.device_label == "Side gate") == 1)
    assert count(CheckIn, CheckIn.door_label == "Side gate") == 1


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


@pytest.fixture
def door_2_url(door: Door) -> str:
    """A scanner link for a second door of the same event."""
    event = db.session.scalar(select(Event).where(Event.slug == door.slug))
    assert event is not None
    _link, secret = make_scanner_link(event, "Door 2")
    db.session.commit()
    return f"/events/{door.slug}/door/link/{secret}"


def check_in_by_search(page: Any, name: str) -> None:
    """Find the person with the scanner's search and check them in (queued while offline)."""
    page.fill("#q", name.split()[0])
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name=f"Check in {name}").click()
    page.wait_for_selector("#scan-result:not([hidden])[data-colour='green']", timeout=5000)
    assert "Saved on this phone" in page.inner_text("#scan-result")
    page.click("#result-next")


def test_two_doors_offline_earliest_scan_counts_and_the_later_door_is_told(
    browser: Any, live_server: str, door: Door, door_2_url: str
) -> None:
    """Door 2 checks Ada in while offline; two minutes later so does Door 1, also offline. Door 1
    comes back first (its check-in counts for now), then Door 2: the earlier scan wins, and
    Door 1 is shown the conflict at its next sync, once."""
    with (
        phone(browser, live_server) as (door_1, page_1),
        phone(browser, live_server) as (door_2, page_2),
    ):
        for page, url in ((page_1, door.link_url), (page_2, door_2_url)):
            # The phones' clocks run as usual; fast_forward below is time passing on them.
            page.clock.install()
            page.goto(url)
            page.wait_for_selector("#scanner[data-ready='true']", timeout=10000)
        for context, page in ((door_1, page_1), (door_2, page_2)):
            context.set_offline(True)
            page.wait_for_selector("#offline-banner:not([hidden])", timeout=5000)

        check_in_by_search(page_2, "Ada Lovelace")
        for page in (page_1, page_2):
            page.clock.fast_forward("02:00")
        check_in_by_search(page_1, "Ada Lovelace")
        assert count(ScanLog) == 0  # both scans are queued on the phones

        door_1.set_offline(False)
        page_1.wait_for_selector("#sync-status[data-queued='0']", timeout=20000)
        wait_for(lambda: count(CheckIn, CheckIn.door_label == "Door 1") == 1)
        door_2.set_offline(False)
        page_2.wait_for_selector("#sync-status[data-queued='0']", timeout=20000)
        wait_for(lambda: count(CheckIn, CheckIn.door_label == "Door 2") == 1)

        # Door 1 asks for conflicts at its next sync (once a minute).
        with page_1.expect_response(lambda r: r.url.endswith("/door/sync")):
            page_1.clock.fast_forward("01:00")
        page_1.wait_for_selector("#conflicts:not([hidden])", timeout=5000)
        notices = page_1.locator("#conflict-list li")
        assert notices.count() == 1
        assert "Ada Lovelace: Checked in at Door 2, 2 minutes earlier" in notices.inner_text()
        with page_1.expect_response(lambda r: r.url.endswith("/door/sync")):
            page_1.clock.fast_forward("01:00")
        assert page_1.locator("#conflict-list li").count() == 1  # told once
        assert page_2.locator("#conflicts").is_hidden()

    db.session.expire_all()
    try:
        logs = {
            log.device_label: log
            for log in db.session.scalars(
                select(ScanLog).where(ScanLog.booking_id == door.booking_id)
            )
        }
        assert set(logs) == {"Door 1", "Door 2"}  # both scans are in the log
        assert logs["Door 2"].result is ScanResult.ACCEPTED
        assert logs["Door 1"].result is ScanResult.SUPERSEDED
        [check_in] = db.session.scalars(
            select(CheckIn).where(CheckIn.booking_id == door.booking_id)
        ).all()
        assert check_in.undone_at is None
        assert (check_in.door_label, check_in.scan_log_id) == ("Door 2", logs["Door 2"].id)
        gap = logs["Door 1"].scanned_at - logs["Door 2"].scanned_at
        assert timedelta(minutes=2) <= gap < timedelta(minutes=2, seconds=30)
    finally:
        db.session.rollback()


def test_dashboard_undo_works_from_the_refreshed_list(
    app: Any, browser: Any, live_server: str
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True  # the refresh draws forms with the page's token
    organiser = make_person("Olu Organiser")
    event = make_event(organisers=(organiser,), starts_at=utcnow() - timedelta(hours=1))
    ticket_type = make_ticket_type(event)
    ada = make_booking(ticket_type, make_person("Ada Lovelace"))
    grace = make_booking(ticket_type, make_person("Grace Hopper"))
    slug, email = event.slug, organiser.email
    db.session.commit()
    with phone(browser, live_server) as (_context, page):
        page.clock.install()  # runs as usual; fast_forward brings the next 10-second refresh
        page.goto("/sign-in")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in" not in url)
        page.goto(f"/events/{slug}/door")
        assert "No scans yet." in page.inner_text("#recent-scans")

        make_check_in(ada, door="Door 2")
        db.session.commit()
        page.clock.fast_forward("00:10")
        undo = page.get_by_role("button", name="Undo the check-in of Ada Lovelace")
        undo.wait_for(timeout=5000)
        expect(page.locator("#stat-checked-in")).to_have_text("1")

        # While the keyboard focus is on an Undo button, the list stays put (numbers refresh).
        undo.focus()
        make_check_in(grace, door="Door 1")
        db.session.commit()
        with page.expect_response(lambda r: "/door/stats" in r.url):
            page.clock.fast_forward("00:10")
        expect(page.locator("#stat-checked-in")).to_have_text("2")
        assert "Grace Hopper" not in page.inner_text("#recent-scans")

        asked: list[str] = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        undo.click()
        wait_for(lambda: asked)
        assert asked == [
            "Undo the check-in of Ada Lovelace? Their ticket can then be scanned again."
        ]
        assert count(CheckIn, CheckIn.undone_at.is_not(None)) == 0

        page.once("dialog", lambda dialog: dialog.accept())
        undo.click()
        banner = page.locator(".govuk-notification-banner--success")
        expect(banner).to_contain_text("The check-in of Ada Lovelace has been undone")
        assert page.url.endswith(f"/events/{slug}/door")
        row = page.locator("#recent-scans tr", has_text="Ada Lovelace")
        expect(row).to_contain_text("undone at")
        expect(row).to_contain_text("by Olu Organiser")
        expect(page.get_by_role("button", name="Undo the check-in of Ada Lovelace")).to_have_count(
            0
        )
        expect(page.get_by_role("button", name="Undo the check-in of Grace Hopper")).to_have_count(
            1
        )
        expect(page.locator("#stat-checked-in")).to_have_text("1")
    assert count(CheckIn, CheckIn.undone_at.is_not(None), CheckIn.booking_id == ada.id) == 1
