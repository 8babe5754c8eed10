"""In Chromium: sign up, sign out, sign in, create an event and see it published."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lgcamp.accounts.models import Person
from lgcamp.events.models import Event
from lgcamp.extensions import db
from tests.conftest import Mailbox, body_text, wait_for
from tests.factories import make_event

pytestmark = pytest.mark.browser


def test_sign_up_log_in_and_create_an_event(page: Any, mailbox: Mailbox) -> None:
    page.goto("/")
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("Full name").fill("Priya Patel")
    page.get_by_label("Email address").fill("priya@example.org")
    page.get_by_label("Organisation").fill("Leeds City Council")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Check your email").first.wait_for()
    # Links in email name BASE_URL (http://localhost); the page is on the test's live server.
    text = wait_for(
        lambda: mailbox.to("priya@example.org") and body_text(mailbox.to("priya@example.org")[-1])
    )
    match = re.search(r"http://localhost(/\S+)", text)
    assert match
    page.goto(match.group(1))
    page.get_by_label("Password", exact=True).fill("a long password")
    page.get_by_label("Confirm password").fill("a long password")
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("Your account has been created").wait_for()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email address").fill("PRIYA@example.org")
    page.get_by_label("Password").fill("a long password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Your account").wait_for()

    # Only admins and organisers may create events: make Priya an organiser of one.
    person = db.session.scalar(select(Person).where(Person.email == "priya@example.org"))
    make_event("Fringe breakfast", organisers=(person,))
    page.goto("/events/new")
    page.get_by_label("Event name").fill("LocalGovCamp Leeds")
    page.get_by_label("Kind of event").select_option("localgovcamp")
    page.get_by_label("Status").select_option("published")
    page.get_by_label("Start date").fill("2027-06-19")
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("End date").fill("2027-06-19")
    page.get_by_label("End time").fill("17:00")
    page.get_by_label("Venue", exact=True).fill("Leeds Central Library")
    page.get_by_role("button", name="Save event").click()
    page.get_by_text("LocalGovCamp Leeds has been created").wait_for()

    page.goto("/")
    page.get_by_role("link", name="LocalGovCamp Leeds").click()
    assert page.get_by_role("heading", level=1).inner_text() == "LocalGovCamp Leeds"
    assert "Saturday 19 June 2027, 09:30" in page.content()
    assert db.session.scalar(select(Event).where(Event.name == "LocalGovCamp Leeds"))


def test_form_errors_show_an_error_summary_that_takes_focus(page: Any) -> None:
    page.goto("/sign-up")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Enter your name" in summary.inner_text()
    # GOV.UK Frontend's JavaScript ran (no CSP violation) and moved focus to the summary. (A
    # locator assertion, not wait_for_function: polling a string predicate needs eval, which
    # the page's Content-Security-Policy rightly refuses when the first check is not yet true.)
    expect(summary).to_be_focused()
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")


def test_phone_layout_has_skip_link_and_menu(browser: Any, live_server: str) -> None:
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip to main content" in focused
    assert page.get_by_role("button", name="Menu").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    context.close()
