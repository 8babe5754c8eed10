"""The member register on the server: searched by name, email or organisation, 50 a page."""

from __future__ import annotations

import re
from datetime import date

from flask.testing import FlaskClient

from lgcamp.accounts.models import Person
from lgcamp.extensions import db
from lgcamp.participation.models import Membership, MembershipStatus, MembershipType
from tests.conftest import Auth
from tests.factories import make_person


def _members(count: int) -> None:
    """Members numbered 1..count, in one commit; every third one from Leeds."""
    kind = MembershipType(name="Practitioner", description="")
    people = [
        Person(
            name=f"Member {n:03d}",
            email=f"member.{n}@example.org",
            organisation="Leeds City Council" if n % 3 == 0 else "Hackney Council",
            password_hash="!",
        )
        for n in range(1, count + 1)
    ]
    db.session.add_all([kind, *people])
    db.session.flush()
    db.session.add_all(
        Membership(
            person_id=person.id,
            membership_type_id=kind.id,
            status=MembershipStatus.ACTIVE,
            number=n,
            starts_on=date(2026, 1, 1),
        )
        for n, person in enumerate(people, start=1)
    )
    db.session.commit()


def _names(page: str) -> list[str]:
    return re.findall(r">(Member \d{3})<", page)


def test_register_is_searched_and_paged_on_the_server(client: FlaskClient, auth: Auth) -> None:
    _members(120)
    auth.login(make_person(is_admin=True))

    first = client.get("/admin/members").get_data(as_text=True)
    assert "Showing 1 to 50 of 120 entries" in first
    assert _names(first) == [f"Member {n:03d}" for n in range(1, 51)]
    assert 'aria-label="Pages of the register"' in first

    third = client.get("/admin/members?page=3").get_data(as_text=True)
    assert _names(third) == [f"Member {n:03d}" for n in range(101, 121)]

    leeds = client.get("/admin/members?q=leeds&status=active").get_data(as_text=True)
    assert "Showing 1 to 40 of 40 entries" in leeds and "govuk-pagination" not in leeds
    assert _names(leeds) == [f"Member {n:03d}" for n in range(3, 121, 3)]

    one = client.get("/admin/members?q=MEMBER.7@").get_data(as_text=True)
    assert _names(one) == ["Member 007"] and "Showing 1 to 1 of 1 entry" in one

    too_long = client.get("/admin/members?q=" + "x" * 101)
    assert "Search for 100 characters or fewer" in too_long.get_data(as_text=True)
