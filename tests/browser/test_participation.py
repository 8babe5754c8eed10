"""In Chromium: a person's network record and verification link; an organiser's report chart."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from lgcamp.database import utcnow
from lgcamp.events.models import EventRoleName
from lgcamp.extensions import db
from tests.factories import (
    PASSWORD,
    make_attendance,
    make_booking,
    make_event,
    make_person,
    make_role,
    make_ticket_type,
)

pytestmark = pytest.mark.browser


def _sign_in(page: Any, email: str) -> None:
    # The test's session must hold no transaction (on SQLite, a lock) while the server works.
    db.session.close()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Your account").wait_for()


def test_record_page_link_and_verification(page: Any) -> None:
    person = make_person("Priya Patel", organisation="Leeds City Council")
    start = (utcnow() - timedelta(days=60)).replace(microsecond=0)
    camp = make_event("LocalGovCamp Leeds", starts_at=start)
    make_attendance(camp, person)
    email = person.email
    _sign_in(page, email)

    page.get_by_role("link", name="Your record").click()
    page.get_by_role("heading", name="Your network record").wait_for()
    assert "Part of the network since" in page.locator("#status").inner_text()
    assert page.get_by_role("link", name="LocalGovCamp Leeds").count() == 1
    page.get_by_label("Your organisation").check()
    page.get_by_role("button", name="Save and show my link").click()
    page.get_by_text("Saved what your verification link shows").wait_for()
    qr = page.get_by_alt_text("QR code of your verification link")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    link = page.locator("#verify-link").inner_text()

    page.get_by_role("link", name="Printable record").click()
    page.wait_for_url("**/network/record/print")
    page.wait_for_load_state("load")  # the print style sheet is in
    page.emulate_media(media="print")
    assert not page.locator(".govuk-header").is_visible()
    assert page.get_by_alt_text("QR code of the verification link").is_visible()
    page.emulate_media(media="screen")

    page.get_by_role("button", name="Sign out").click()
    # The link is on the site's public address (BASE_URL); here that is the test server.
    assert link.startswith("http://localhost/verify/")
    here = urlsplit(page.url)
    page.goto(f"{here.scheme}://{here.netloc}{urlsplit(link).path}")
    page.get_by_role("heading", name="Genuine record").wait_for()
    assert "Leeds City Council" in page.content()
    assert "Part of the network since" in page.locator("#statement").inner_text()


def test_report_with_its_chart(page: Any) -> None:
    organiser = make_person("Olu Organiser")
    start = (utcnow() - timedelta(days=10)).replace(microsecond=0)
    camp = make_event("Camp with a chart", starts_at=start)
    make_role(camp, organiser, EventRoleName.ORGANISER)
    ticket_type = make_ticket_type(camp)
    for _ in range(3):
        make_attendance(camp)
    make_booking(ticket_type)
    email = organiser.email
    _sign_in(page, email)

    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Camp with a chart").click()
    chart = page.locator(".lgcamp-chart").first
    chart.wait_for()
    bars = chart.locator(".lgcamp-chart__bar")
    heights = [b.evaluate("el => el.getBoundingClientRect().height") for b in bars.all()]
    assert heights[0] > heights[1] > 0  # booked (4) above attended (3)
    table = page.get_by_role("table").first
    assert "75%" not in table.inner_text() and "25%" in table.inner_text()
    assert page.get_by_role("link", name="Download this table as CSV").first.is_visible()
