"""Chromium at phone and desktop widths: booking the second of two ticket types on sale by
clicking labels; "Your tickets" with upcoming events first and past ones apart."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from lgcamp.database import utcnow
from lgcamp.extensions import db
from lgcamp.tickets.models import Answer, Booking, BookingStatus, QuestionKind
from tests.conftest import Mailbox, body_text, wait_for
from tests.factories import (
    PASSWORD,
    make_booking,
    make_check_in,
    make_event,
    make_person,
    make_question,
    make_ticket_type,
)

pytestmark = pytest.mark.browser

WIDTHS = [(390, 844), (1280, 900)]


def _sign_in(page: Any, email: str) -> None:
    page.goto("/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url("**/")


def _fits(page: Any) -> bool:
    """Nothing wider than the screen: no sideways scrolling."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_book_the_second_of_two_types_by_clicking_labels(
    page: Any, mailbox: Mailbox, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    event = make_event(name="LocalGovCamp Two Types")
    make_question(event, label="Dietary needs", kind=QuestionKind.CHOICE,
                  choices="None\nVegan", is_required=True)  # fmt: skip
    make_ticket_type(event, name="Morning", capacity=5)
    afternoon = make_ticket_type(event, name="Afternoon", capacity=5)
    person = make_person()
    slug, email, afternoon_id = event.slug, person.email, afternoon.id
    db.session.close()

    _sign_in(page, email)
    page.goto(f"/events/{slug}/tickets")
    assert _fits(page)
    morning = page.locator("section", has=page.locator("h2", has_text="Morning"))
    second = page.locator("section", has=page.locator("h2", has_text="Afternoon"))
    second.locator("label", has_text="Organisation").click()
    page.keyboard.press("Control+A")  # filled in from the account: replace it
    page.keyboard.type("Leeds City Council")
    second.locator("label", has_text="Your role").click()
    page.keyboard.type("Service designer")
    second.locator("label", has_text="Vegan").click()
    assert second.get_by_label("Organisation").input_value() == "Leeds City Council"
    assert morning.get_by_label("Your role").input_value() == ""
    assert morning.get_by_label("Vegan").is_checked() is False
    second.get_by_role("button", name="Book a ticket").click()

    page.wait_for_selector("h1:has-text('You have a ticket')")
    panel = page.inner_text(".govuk-panel")
    assert "LocalGovCamp Two Types" in panel and "Afternoon" in panel
    assert _fits(page)
    booking = wait_for(lambda: db.session.scalar(select(Booking)))
    assert (booking.ticket_type_id, booking.status) == (afternoon_id, BookingStatus.CONFIRMED)
    assert (booking.organisation, booking.job_role) == ("Leeds City Council", "Service designer")
    assert db.session.scalar(select(Answer.value)) == "Vegan"
    message = wait_for(lambda: mailbox.to(email))[-1]
    assert "Your ticket for LocalGovCamp Two Types" in str(message["Subject"])
    assert f"/tickets/{booking.token}" in body_text(message)


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_your_tickets_upcoming_first_past_apart(page: Any, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    person = make_person()
    past = make_booking(
        make_ticket_type(make_event("Camp 2025", starts_at=utcnow() - timedelta(days=365))),
        person,
    )
    past.checked_in_at = make_check_in(past).scanned_at
    make_booking(make_ticket_type(make_event("Camp 2026")), person)
    email = person.email
    db.session.commit()
    db.session.close()

    _sign_in(page, email)
    page.goto("/tickets/mine")
    main = page.inner_text("#main-content")
    assert main.index("Camp 2026") < main.index("Past events") < main.index("Camp 2025")
    assert "you attended" in main
    assert page.locator("img.lgcamp-qr").count() == 1
    assert page.get_by_role("button", name="Release my place for Camp 2026").count() == 1
    assert page.get_by_role("button", name="Release my place for Camp 2025").count() == 0
    qr = page.locator("img.lgcamp-qr")
    wait_for(lambda: qr.evaluate("img => img.complete && img.naturalWidth > 0"))
    assert _fits(page)
