"""Chromium, on a phone (390 px) and a laptop (1280 px): an organiser moves and cancels an
event, emails attendees (Back and Send again mails nobody twice) and edits a question; an
admin previews a merge before confirming it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import icalendar
import pytest

from lgcamp.extensions import db
from lgcamp.tickets.models import BookingStatus
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
from tests.tickets.test_bulk_email import arrive

pytestmark = pytest.mark.browser
WIDTHS = {"phone": (390, 844), "laptop": (1280, 800)}


@pytest.fixture(params=list(WIDTHS))
def sized(request: Any, browser: Any, live_server: str) -> Iterator[Any]:
    """A page at a phone's or a laptop's width; console errors (CSP) fail the test."""
    width, height = WIDTHS[request.param]
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    # A form shown again with its errors answers 400 on purpose; Chromium logs that status.
    answered_400 = "the server responded with a status of 400"
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and answered_400 not in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


def _sign_in(page: Any, email: str) -> None:
    page.goto("/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url("**/")


def _fits(page: Any, name: str = "") -> None:
    """Nothing on the page is wider than the screen (tables scroll inside their region).

    With LGCAMP_SCREENSHOTS=<folder>, the page is also saved there to be looked at.
    """
    if name and os.environ.get("LGCAMP_SCREENSHOTS"):
        width = page.viewport_size["width"]
        path = os.path.join(os.environ["LGCAMP_SCREENSHOTS"], f"{name}-{width}.png")
        page.screenshot(path=path, full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the viewport"


def _ics(message: Any) -> Any:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return icalendar.Calendar.from_ical(part.get_content())


def test_organiser_moves_then_cancels_the_event(sized: Any, mailbox: Mailbox) -> None:
    page = sized
    organiser = make_person("Olu Organiser")
    event = make_event(
        "LocalGovCamp Browser", organisers=(organiser,),
        starts_at=datetime(2027, 3, 6, 9, 30, tzinfo=UTC), venue_name="Council House",
    )  # fmt: skip
    ticket_type = make_ticket_type(event, capacity=1)
    make_booking(ticket_type, make_person(email="holder@example.org"))
    make_booking(ticket_type, make_person(email="waiting@example.org"), BookingStatus.WAITLISTED)
    slug, email = event.slug, organiser.email
    db.session.close()

    _sign_in(page, email)
    page.goto(f"/events/{slug}/manage")
    page.click("text=Edit details")
    assert "2 people with a place or on the waitlist are emailed" in page.inner_text("main")
    page.fill("#start_date", "2027-03-13")
    page.fill("#end_date", "2027-03-13")
    page.fill("#venue_name", "Town Hall")
    page.click("button:has-text('Save event')")
    page.wait_for_selector("text=2 people with a place or on the waitlist are being emailed")
    assert "Town Hall (was Council House)" in page.inner_text("main")
    _fits(page, "event-changed")
    wait_for(lambda: len(mailbox.messages) == 2)
    assert "Saturday 13 March 2027" in body_text(mailbox.last_to("holder@example.org"))

    page.click("text=Cancel the event")
    assert "2 people with a place, an offer or a place on the waitlist" in page.inner_text("main")
    page.click("button:has-text('Cancel the event and email everyone')")
    page.wait_for_selector(".govuk-error-summary")  # the message and the tick are needed
    page.fill("#reason", "The venue has flooded. Sorry!")
    page.check("#confirm")
    _fits(page, "cancel-confirm")
    page.click("button:has-text('Cancel the event and email everyone')")
    page.wait_for_selector("text=has been cancelled. 2 people")
    wait_for(lambda: len(mailbox.messages) == 4)
    cancel = _ics(mailbox.last_to("waiting@example.org"))
    assert str(cancel["METHOD"]) == "CANCEL"
    (vevent,) = cancel.walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED" and int(vevent["SEQUENCE"]) == 2
    page.goto(f"/events/{slug}")
    public = page.inner_text("main")
    assert "This event has been cancelled" in public
    assert "Booking has closed" in public and "Book a ticket" not in public


def test_bulk_email_back_and_send_again_mails_nobody_twice(sized: Any, mailbox: Mailbox) -> None:
    page = sized
    organiser = make_person("Olu Organiser")
    event = make_event(organisers=(organiser,))
    ticket_type = make_ticket_type(event, name="Main")
    arrive(make_booking(ticket_type, make_person(email="arrived@example.org")))
    make_booking(ticket_type, make_person(email="late1@example.org"))
    make_booking(ticket_type, make_person(email="late2@example.org"))
    slug, email = event.slug, organiser.email
    db.session.close()

    _sign_in(page, email)
    page.goto(f"/events/{slug}/tickets/manage")
    page.click("text=Email attendees")
    page.check("text=Ticket holders who have not arrived yet")
    page.fill("#subject", "We start at 10")
    page.fill("#body", "Doors close at 10:15.")
    page.click("button:has-text('Send')")
    page.wait_for_selector("text=is on its way to 2 people")
    wait_for(lambda: len(mailbox.messages) == 2)
    assert {str(m["To"]) for m in mailbox.messages} == {"late1@example.org", "late2@example.org"}

    page.go_back()
    if not page.input_value("#subject"):  # a reloaded form: the organiser types it again
        page.check("text=Ticket holders who have not arrived yet")
        page.fill("#subject", "We start at 10")
        page.fill("#body", "Doors close at 10:15.")
    page.click("button:has-text('Send')")
    page.wait_for_selector("text=/already sent|same message to the same people/")
    assert len(mailbox.messages) == 2
    log = page.inner_text("main")
    assert "Olu Organiser" in log and "We start at 10" in log
    assert "Ticket holders who have not arrived yet" in log
    _fits(page, "email-log")


def test_organiser_edits_a_question(sized: Any) -> None:
    page = sized
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    make_question(event, label="Dietry needs")
    slug, email = event.slug, organiser.email
    db.session.close()

    _sign_in(page, email)
    page.goto(f"/events/{slug}/tickets/manage")
    page.click("a:has-text('Edit Dietry needs')")
    page.fill("#label", "Dietary needs")
    page.fill("#hint", "For example vegan, halal, no nuts")
    _fits(page, "question-edit")
    page.click("button:has-text('Save question')")
    page.wait_for_selector("text=The question “Dietary needs” has been saved")
    assert "Dietry" not in page.inner_text("#questions ~ table")


def test_admin_previews_a_merge_before_confirming(sized: Any) -> None:
    page = sized
    admin = make_person(is_admin=True)
    kept = make_person("Kim Kept", email="kim@council.example")
    duplicate = make_person("Kim K", email="kim@home.example")
    make_check_in(make_booking(make_ticket_type(make_event("Fringe")), duplicate))
    email, kept_email, dup_email = admin.email, kept.email, duplicate.email
    db.session.close()

    _sign_in(page, email)
    page.goto("/admin/merge")
    page.fill("#keep_email", kept_email)
    page.fill("#merge_email", dup_email)
    page.click("button:has-text('Preview the merge')")
    page.wait_for_selector("h2:has-text('What will happen')")
    preview = page.inner_text("main")
    assert "Nothing has changed yet" in preview and "Fringe" in preview
    assert "Moves to the kept account" in preview
    _fits(page, "merge-preview")
    page.check("#confirm")
    page.click("button:has-text('Merge accounts')")
    page.wait_for_selector(f"text=Merged {dup_email} into {kept_email}")
