"""Chromium: book a ticket, see its QR code, release it; the on-sale countdown runs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from lgcamp.database import utcnow
from lgcamp.extensions import db
from lgcamp.tickets.models import Booking, BookingStatus
from tests.conftest import wait_for
from tests.factories import PASSWORD, make_event, make_person, make_ticket_type

pytestmark = pytest.mark.browser


def _sign_in(page: Any, email: str) -> None:
    page.goto("/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url("**/")


def test_book_and_release_in_chromium(page: Any) -> None:
    event = make_event(name="LocalGovCamp Browser")
    make_ticket_type(event, capacity=3)
    person = make_person()
    slug, email = event.slug, person.email
    db.session.close()

    _sign_in(page, email)
    page.goto(f"/events/{slug}")
    assert "3 places left" in page.inner_text("#main-content")
    page.click("text=Book a ticket")
    page.get_by_label("Your role").fill("Developer")
    page.click("button:has-text('Book a ticket')")
    page.wait_for_selector("h1:has-text('You have a ticket')")
    qr = page.locator("img.lgcamp-qr")
    wait_for(lambda: qr.evaluate("img => img.complete && img.naturalWidth > 0"))

    page.click("text=All your tickets")
    page.click("button:has-text('Release my place')")
    page.wait_for_selector("text=You have released your place")
    booking = wait_for(
        lambda: db.session.scalar(select(Booking).where(Booking.status == BookingStatus.RELEASED))
    )
    assert booking.job_role == "Developer"
    db.session.close()
    page.goto(f"/events/{slug}")
    assert "3 places left" in page.inner_text("#main-content")


def test_on_sale_countdown_ticks(page: Any) -> None:
    event = make_event()
    make_ticket_type(event, opens_at=utcnow() + timedelta(minutes=30))
    slug = event.slug
    db.session.close()
    page.goto(f"/events/{slug}/tickets")
    countdown = page.locator(".lgcamp-countdown")
    first = countdown.inner_text()
    assert first.startswith("in 29 minutes") or first.startswith("in 30 minutes")
    wait_for(lambda: countdown.inner_text() != first)  # the module ticks every second
    assert "second" in countdown.inner_text()
