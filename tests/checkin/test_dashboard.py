"""The organisers' door dashboard: counts per door and per ticket type, walk-ins, a searchable
list of people not arrived yet, and the arrivals chart as SVG with time labels and a text
equivalent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lgcamp.accounts.models import Person
from lgcamp.checkin.chart import arrivals_chart
from lgcamp.checkin.dashboard import arrivals_per_slot
from lgcamp.database import utcnow
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.tickets.models import TicketType
from tests.conftest import Auth
from tests.factories import (
    make_booking,
    make_check_in,
    make_event,
    make_person,
    make_scanner_link,
    make_ticket_type,
)


@pytest.fixture
def organiser(app: Any) -> Person:
    return make_person("Olu Organiser")


@pytest.fixture
def event(organiser: Person) -> Event:
    """A camp that started an hour ago: two ticket types, check-ins at two doors, a walk-in,
    and 30 people not arrived yet."""
    start = (utcnow() - timedelta(hours=1)).replace(second=0, microsecond=0)
    event = make_event("LocalGovCamp 2027", starts_at=start, organisers=(organiser,))
    day, volunteers = (
        make_ticket_type(event, name="Day ticket"),
        make_ticket_type(event, name="Volunteers", capacity=10),
    )
    for n in range(3):
        make_check_in(make_booking(day), scanned_at=start + timedelta(minutes=5 * n), door="Door 1")
    make_check_in(
        make_booking(volunteers), scanned_at=start - timedelta(minutes=20), door="Side door"
    )
    for n in range(30):
        make_booking(day, make_person(f"Waiting Person {n:02d}"))
    make_booking(volunteers, make_person("Grace Hopper", organisation="Hackney Council"))
    return event


def test_counts_per_door_per_ticket_type_and_walk_ins(
    client: FlaskClient, auth: Auth, organiser: Person, event: Event
) -> None:
    _link, secret = make_scanner_link(event, "Door 2")
    client.get(f"/events/{event.slug}/door/link/{secret}")
    day = db.session.scalar(
        select(TicketType).where(TicketType.event_id == event.id, TicketType.name == "Day ticket")
    )
    assert day is not None
    walk_in = client.post(
        f"/api/events/{event.slug}/door/walk-ins",
        json={
            "name": "Sam Walker",
            "email": "sam@example.org",
            "organisation": "Kirklees Council",
            "ticket_type_id": day.id,
            "scan_id": "walk-in-0001",
        },
    )
    assert walk_in.status_code == 200, walk_in.get_json()
    auth.login(organiser)
    page = client.get(f"/events/{event.slug}/door").get_data(as_text=True)
    assert 'id="stat-walk-ins">1<' in page
    door_rows = [("Door 1", 3), ("Door 2", 1), ("Side door", 1)]
    for door, count in door_rows:
        assert (
            f'<th scope="row" class="govuk-table__header">{door}</th><td '
            f'class="govuk-table__cell govuk-table__cell--numeric">{count}</td>'
        ) in page
    assert (
        '<th scope="row" class="govuk-table__header">Day ticket</th><td class="govuk-table__'
        'cell govuk-table__cell--numeric">4</td><td class="govuk-table__cell govuk-table__'
        'cell--numeric">34</td>'
    ) in page
    stats = client.get(f"/api/events/{event.slug}/door/stats").get_json()
    assert stats["walk_ins"] == 1
    assert {d["door"]: d["checked_in"] for d in stats["by_door"]} == dict(door_rows)
    assert "<svg" in stats["arrivals_svg"] and "Check-ins per door" in stats["breakdown_html"]


def test_the_not_arrived_list_is_searched_and_paged_on_the_server(
    client: FlaskClient, auth: Auth, organiser: Person, event: Event
) -> None:
    auth.login(organiser)
    page = client.get(f"/events/{event.slug}/door").get_data(as_text=True)
    assert "31 people with a place not checked in (page 1 of 2)" in page
    assert "Grace Hopper" in page and "Waiting Person 23" in page
    assert "Waiting Person 24" not in page  # the 26th by name: on page 2
    assert f'href="/events/{event.slug}/door?page=2#not-arrived"' in page
    second = client.get(f"/events/{event.slug}/door?page=2").get_data(as_text=True)
    assert "Waiting Person 29" in second and "Waiting Person 23" not in second
    found = client.get(f"/events/{event.slug}/door?q=hackney").get_data(as_text=True)
    assert "1 person with a place not checked in matching “hackney”" in found
    assert "Grace Hopper" in found and "Waiting Person" not in found
    for bad in ("0", "-1", "x", "99999999", "²"):
        assert client.get(f"/events/{event.slug}/door?page={bad}").status_code == 200


def test_the_arrivals_chart_is_an_svg_with_a_title_time_labels_and_a_table(
    client: FlaskClient, auth: Auth, organiser: Person, event: Event
) -> None:
    auth.login(organiser)
    page = client.get(f"/events/{event.slug}/door").get_data(as_text=True)
    assert 'role="img" aria-labelledby="arrivals-title arrivals-desc"' in page
    assert '<title id="arrivals-title">Arrivals per 15 minutes (event time)</title>' in page
    first = (event.starts_at - timedelta(minutes=20)).astimezone(event.tz)
    label = first.replace(minute=first.minute - first.minute % 15).strftime("%H:%M")
    assert f'text-anchor="middle">{label}</text>' in page  # a time label under the bars
    assert "4 arrivals from " in page and "busiest:" in page  # the description
    assert '<caption class="govuk-table__caption govuk-table__caption--s">Arrivals per 15' in page
    assert "lgcamp-chart__bar" not in page


def test_the_chart_labels_at_most_six_times_and_scales_bars_to_the_busiest(app: Any) -> None:
    event = make_event(starts_at=utcnow().replace(hour=9, minute=0, second=0, microsecond=0))
    times = [event.starts_at + timedelta(minutes=15 * n) for n in range(20)] + [
        event.starts_at + timedelta(minutes=16)
    ]
    chart = arrivals_chart(arrivals_per_slot(times, event))
    assert chart is not None
    assert len(chart.bars) == 20 and len(chart.times) <= 6
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.count == 2 and tallest.y == 12  # the top of the plot
    assert chart.counts[-1].text == "2"
    assert arrivals_chart([]) is None
