"""Creating, editing and showing events through the pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventRole, EventStatus
from lgcamp.extensions import db
from tests.conftest import Auth
from tests.factories import make_event, make_person

FORM = {
    "name": "LocalGovCamp 2027",
    "kind": "localgovcamp",
    "status": "published",
    "summary": "The unconference",
    "description": "Hello **world**",
    "venue_name": "Council House",
    "venue_address": "Victoria Square\nBirmingham",
    "access_info": "Step-free",
    "start_date": "2027-06-19",
    "start_time": "09:30",
    "end_date": "2027-06-19",
    "end_time": "17:00",
    "timezone": "Europe/London",
}


def test_admin_creates_event_and_becomes_organiser(client: FlaskClient, auth: Auth) -> None:
    admin = make_person(is_admin=True)
    auth.login(admin)
    response = client.post("/events/new", data=FORM)
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event is not None
    assert event.slug == "localgovcamp-2027"
    # 09:30 British Summer Time is 08:30 UTC.
    assert event.starts_at == datetime(2027, 6, 19, 8, 30, tzinfo=UTC)
    assert event.status == EventStatus.PUBLISHED
    role = db.session.scalar(select(EventRole))
    assert role is not None and role.person_id == admin.id
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Saturday 19 June 2027, 09:30" in page
    assert "<strong>world</strong>" in page


def test_organiser_of_one_event_can_create_another(client: FlaskClient, auth: Auth) -> None:
    organiser = make_person()
    make_event(organisers=(organiser,))
    auth.login(organiser)
    assert client.post("/events/new", data={**FORM, "name": "Fringe"}).status_code == 302
    assert db.session.scalar(select(db.func.count(Event.id))) == 2


def test_bad_event_input_gets_clear_messages(client: FlaskClient, auth: Auth) -> None:
    auth.login(make_person(is_admin=True))
    cases = {
        "The end must be after the start": {"end_time": "09:00"},
        "Enter a timezone from the tz database": {"timezone": "Mars/Olympus_Mons"},
        "Event name must be 120 characters or fewer": {"name": "x" * 121},
        "Enter the event name": {"name": ""},
        "Enter a real start date": {"start_date": "2027-02-30"},
        "Not a valid choice": {"kind": "party"},
    }
    for message, change in cases.items():
        response = client.post("/events/new", data={**FORM, **change})
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "There is a problem" in page and message in page, message
    assert db.session.scalar(select(db.func.count(Event.id))) == 0


def test_markdown_is_rendered_safely(client: FlaskClient) -> None:
    event = make_event(description="<script>alert(1)</script> [x](javascript:alert(1))")
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript:' not in page


def test_editing_time_bumps_sequence_but_summary_does_not(client: FlaskClient, auth: Auth) -> None:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    auth.login(organiser)
    page = client.get(f"/events/{event.slug}/edit").get_data(as_text=True)
    assert event.name in page
    local = event.local_starts_at
    data = {
        **FORM,
        "name": event.name,
        "start_date": local.date().isoformat(),
        "start_time": local.strftime("%H:%M"),
        "end_date": event.local_ends_at.date().isoformat(),
        "end_time": event.local_ends_at.strftime("%H:%M"),
        "status": "published",
        "venue_name": "",
        "venue_address": "",
    }
    assert (
        client.post(f"/events/{event.slug}/edit", data={**data, "summary": "New"}).status_code
        == 302
    )
    db.session.refresh(event)
    assert event.sequence == 0
    assert (
        client.post(f"/events/{event.slug}/edit", data={**data, "start_time": "08:00"}).status_code
        == 302
    )
    db.session.refresh(event)
    assert event.sequence == 1


def test_upcoming_and_past_lists(client: FlaskClient) -> None:
    make_event("Future camp")
    make_event("Old camp", starts_at=utcnow() - timedelta(days=400))
    make_event("Cancelled camp", status=EventStatus.CANCELLED)
    upcoming = client.get("/").get_data(as_text=True)
    past = client.get("/events/past").get_data(as_text=True)
    assert "Future camp" in upcoming and "Old camp" not in upcoming
    assert "Cancelled camp" in upcoming and "Cancelled" in upcoming
    assert "Old camp" in past and "Future camp" not in past


def test_organisers_add_and_remove_but_never_the_last(client: FlaskClient, auth: Auth) -> None:
    organiser = make_person()
    colleague = make_person(email="colleague@example.org")
    event = make_event(organisers=(organiser,))
    auth.login(organiser)
    unknown = client.post(f"/events/{event.slug}/organisers", data={"email": "no@example.org"})
    assert "no account with that email" in unknown.get_data(as_text=True)
    assert (
        client.post(
            f"/events/{event.slug}/organisers", data={"email": "COLLEAGUE@example.org"}
        ).status_code
        == 302
    )
    again = client.post(f"/events/{event.slug}/organisers", data={"email": colleague.email})
    assert "already an organiser" in again.get_data(as_text=True)
    assert client.post(f"/events/{event.slug}/organisers/{colleague.id}/remove").status_code == 302
    last = client.post(f"/events/{event.slug}/organisers/{organiser.id}/remove")
    assert last.status_code == 409
    assert "at least one organiser" in last.get_data(as_text=True)
