"""After sign-in, only paths on this site are followed (issue 16): known attacks, then
generated ``next`` values thrown at the checker and at the real sign-in view."""

from __future__ import annotations

import itertools
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lgcamp.accounts.redirects import safe_next
from tests.factories import PASSWORD, make_person

SITE = "http://localhost/sign-in"
ATTACKS = [
    "////evil.example",
    "//evil.example",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "https://evil.example",
    "HTTPS:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/%252F%252Fevil.example",
    "/%09/evil.example",
    "http:/evil.example",
    "//[::1",
]
PIECES = st.sampled_from(
    ["/", "\\", "//", "evil.example", "localhost", ":", "@", ".", "..", "?", "#", "a", "%",
     "%2F", "%2f", "%5C", "%252F", "%09", "%0A", "%00", "http:", "https:", "javascript:",
     "\t", "\n", "\r", " ", "\x00", "\x0b", "\x1f", "\x7f", "\u3000", "\uff0f", "[", "]"]
)  # fmt: skip
NEXT_VALUES = st.one_of(
    st.lists(PIECES, max_size=8).map("".join),
    st.text(max_size=30),
    st.lists(PIECES, max_size=6).map("".join).map(lambda v: quote(v, safe="")),
)


def _as_browser_goes(location: str) -> tuple[str, str]:
    """Where a browser goes for this Location on SITE (the WHATWG parser's clean-up first)."""
    value = location.strip("".join(chr(c) for c in range(0x21)))
    value = value.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    parts = urlsplit(urljoin(SITE, value))
    return parts.scheme, parts.netloc


def _stays_home(location: str) -> bool:
    seen = location
    for _ in range(4):  # and after a page decodes it again
        try:
            if _as_browser_goes(seen) != ("http", "localhost"):
                return False
        except ValueError:
            return False
        seen = unquote(seen)
    return True


@pytest.mark.parametrize("target", ATTACKS)
def test_known_open_redirects_are_refused(target: str) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/account", "/events/camp/tickets?type=2#book"])
def test_paths_on_this_site_are_followed(target: str) -> None:
    assert safe_next(target) == target


def test_sign_in_with_the_reported_next_stays_on_the_site(client: FlaskClient) -> None:
    person = make_person()
    response = client.post(
        "/sign-in?next=%2F%2F%2F%2Fevil.example",
        data={"email": person.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"


@settings(max_examples=2000, deadline=None, database=None)
@given(NEXT_VALUES)
def test_the_checker_never_lets_a_browser_leave_the_site(target: str) -> None:
    result = safe_next(target)
    assert result is None or _stays_home(result)


ADDRESSES = (f"198.51.100.{n % 250}" for n in itertools.count())


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(target=NEXT_VALUES)
def test_the_sign_in_view_never_redirects_off_site(client: FlaskClient, target: str) -> None:
    person = make_person()
    response = client.post(
        "/sign-in",
        query_string={"next": target},
        data={"email": person.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": next(ADDRESSES)},  # not the per-address limit under test
    )
    if response.status_code == 400:  # control characters in the query are refused (inputs.py)
        assert any(ord(c) < 32 or ord(c) == 127 for c in target)
        return
    assert response.status_code == 302
    assert _stays_home(response.headers["Location"])
    client.post("/sign-out")
