"""Long organiser lists on the server: the attendee list and the waitlist come 50 rows a page,
with the search and filters kept from page to page."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from lgcamp.accounts.models import Person
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.tickets.models import Booking, BookingStatus, TicketType
from tests.conftest import Auth
from tests.factories import make_event, make_person, make_ticket_type


def _crowd(ticket_type: TicketType, count: int, status: BookingStatus, prefix: str) -> None:
    """Many people with bookings, added in one commit (names sort in the order made)."""
    people = [
        Person(
            name=f"{prefix} {n:03d}",
            email=f"{prefix}.{n}@example.org".lower(),
            organisation="",
            password_hash="!",
        )
        for n in range(count)
    ]
    db.session.add_all(people)
    db.session.flush()
    db.session.add_all(
        Booking(
            event_id=ticket_type.event_id,
            ticket_type_id=ticket_type.id,
            person_id=person.id,
            status=status,
        )
        for person in people
    )
    db.session.commit()


def _organised(auth: Auth) -> Event:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    auth.login(organiser)
    return event


def _names(page: str, prefix: str) -> list[str]:
    return re.findall(rf">({prefix} \d{{3}})<", page)  # the name cell, not the buttons


def test_attendee_list_comes_fifty_a_page_and_keeps_the_search(
    client: FlaskClient, auth: Auth
) -> None:
    event = _organised(auth)
    _crowd(make_ticket_type(event, capacity=500), 120, BookingStatus.CONFIRMED, "Holder")
    url = f"/events/{event.slug}/tickets/attendees"

    first = client.get(url).get_data(as_text=True)
    assert "Showing 1 to 50 of 120 bookings" in first
    assert _names(first, "Holder") == [f"Holder {n:03d}" for n in range(50)]
    assert 'aria-label="Pages of bookings"' in first and 'rel="next"' in first

    last = client.get(f"{url}?page=3").get_data(as_text=True)
    assert "Showing 101 to 120 of 120 bookings" in last
    assert _names(last, "Holder") == [f"Holder {n:03d}" for n in range(100, 120)]
    assert 'rel="prev"' in last and 'rel="next"' not in last

    found = client.get(f"{url}?q=holder+06").get_data(as_text=True)
    assert _names(found, "Holder") == [f"Holder {n:03d}" for n in range(60, 70)]
    assert "Showing 1 to 10 of 10 bookings" in found and "govuk-pagination" not in found

    searched = client.get(f"{url}?q=holder&page=2").get_data(as_text=True)
    assert "Showing 51 to 100 of 120 bookings" in searched
    assert f"{url}?q=holder&amp;page=3" in searched  # the next page keeps the search

    # A page past the end shows the last page; a page that is not a number, the first.
    assert "Showing 101 to 120" in client.get(f"{url}?page=99").get_data(as_text=True)
    assert "Showing 1 to 50" in client.get(f"{url}?page=two").get_data(as_text=True)


def test_waitlist_comes_fifty_a_page_in_queue_order(client: FlaskClient, auth: Auth) -> None:
    event = _organised(auth)
    ticket_type = make_ticket_type(event, capacity=0)
    _crowd(ticket_type, 60, BookingStatus.WAITLISTED, "Waiter")
    url = f"/events/{event.slug}/tickets/waitlist"

    first = client.get(url).get_data(as_text=True)
    assert "Showing 1 to 50 of 60 people" in first and len(_names(first, "Waiter")) == 50

    second = client.get(f"{url}?page-{ticket_type.id}=2").get_data(as_text=True)
    assert "Showing 51 to 60 of 60 people" in second
    assert _names(second, "Waiter") == [f"Waiter {n:03d}" for n in range(50, 60)]
    assert 'data-label="Order">51<' in second  # positions continue from the first page
