"""In Chromium, on a phone and a desktop: sign in, change the email address (and undo it from
the old one), and sign out everywhere."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Mailbox, body_text, wait_for
from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.browser


def _path_of(mailbox: Mailbox, to: str, part: str) -> str:
    """The path of the link in the latest email to this address (links name BASE_URL)."""
    text = wait_for(lambda: mailbox.to(to) and body_text(mailbox.to(to)[-1]))
    match = re.search(rf"http://localhost(/\S*{part}\S+)", text)
    assert match, text
    return match.group(1)


def _sign_in(page: Any, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Signed in: the header has the sign-out form (behind the menu on a phone).
    page.locator("form[action='/sign-out']").wait_for(state="attached")


def _fits(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1280])
def test_email_change_and_undo(
    browser: Any, live_server: str, mailbox: Mailbox, width: int
) -> None:
    make_person("Priya Patel", email="priya@example.org")
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    _sign_in(page, "priya@example.org")
    page.goto("/account")
    page.get_by_label("New email address").fill("priya.new@example.org")
    page.locator("#email_password").fill(PASSWORD)
    _fits(page, width)
    page.get_by_role("button", name="Send confirmation link").click()
    page.get_by_text("We have sent a link to priya.new@example.org").wait_for()
    page.goto(_path_of(mailbox, "priya.new@example.org", "/confirm/"))
    page.get_by_role("button", name="Confirm email address").click()
    page.get_by_text("Your email address has been changed").wait_for()
    assert "priya.new@example.org" in page.locator(".govuk-summary-list").inner_text()

    # From the old address, in another browser: put it back; everyone is signed out.
    owner = context.browser.new_context(
        base_url=live_server, viewport={"width": width, "height": 900}
    )
    rescue = owner.new_page()
    rescue.goto(_path_of(mailbox, "priya@example.org", "/undo/"))
    _fits(rescue, width)
    rescue.get_by_role("button", name="Put back priya@example.org").click()
    rescue.get_by_text("Your email address is priya@example.org again").wait_for()
    page.goto("/account")
    page.get_by_role("heading", name="Sign in", exact=True).wait_for()
    owner.close()
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_sign_out_everywhere(browser: Any, live_server: str, width: int) -> None:
    make_person("Sam Jones", email="sam@example.org")
    size = {"width": width, "height": 900}
    laptop = browser.new_context(base_url=live_server, viewport=size)
    phone = browser.new_context(base_url=live_server, viewport=size)
    here, there = laptop.new_page(), phone.new_page()
    _sign_in(there, "sam@example.org")
    _sign_in(here, "sam@example.org")
    here.goto("/account")
    here.get_by_role("button", name="Sign out everywhere").click()
    here.get_by_text("You have signed out on every device").wait_for()
    _fits(here, width)
    there.goto("/account")
    there.get_by_role("heading", name="Sign in", exact=True).wait_for()
    # Sign-out itself ends the sign-in: signing in again works as ever.
    _sign_in(here, "sam@example.org")
    menu = here.get_by_role("button", name="Menu")
    if menu.is_visible():  # on a phone the header's links sit behind the menu
        menu.click()
    here.get_by_role("button", name="Sign out", exact=True).click()
    here.get_by_text("You have signed out").wait_for()
    laptop.close()
    phone.close()
