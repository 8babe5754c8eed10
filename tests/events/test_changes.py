"""An organiser changes or cancels an event: who is emailed, with what calendar file, and
what happens to the programme's time slots and the live grid's "Now"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import icalendar
from flask.testing import FlaskClient
from sqlalchemy import select

from lgcamp.events.models import Event, EventChange, EventStatus
from lgcamp.extensions import db
from lgcamp.programme.layout import load_grid
from lgcamp.programme.models import TimeSlot
from lgcamp.tickets.models import Booking, BookingStatus
from tests.conftest import Auth, Mailbox, body_text
from tests.factories import (
    make_booking,
    make_camp_session,
    make_event,
    make_person,
    make_room,
    make_slot,
    make_ticket_type,
)

START = datetime(2027, 3, 6, 9, 30, tzinfo=UTC)  # 09:30 in London (GMT)


def _form(event: Event, **changes: str) -> dict[str, str]:
    starts, ends = event.local_starts_at, event.local_ends_at
    return {
        "name": event.name,
        "kind": event.kind.value,
        "status": event.status.value,
        "summary": event.summary,
        "description": event.description,
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "access_info": event.access_info,
        "start_date": starts.date().isoformat(),
        "start_time": starts.strftime("%H:%M"),
        "end_date": ends.date().isoformat(),
        "end_time": ends.strftime("%H:%M"),
        "timezone": event.timezone,
        "slots": "move",
        **changes,
    }


def _calendar(message: EmailMessage) -> icalendar.Calendar:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "one .ics attached"
    return icalendar.Calendar.from_ical(parts[0].get_content())


def _people(event: Event) -> dict[str, Booking]:
    ticket_type = make_ticket_type(event, capacity=2)
    people = {
        "holder": make_booking(ticket_type, make_person(email="holder@example.org")),
        "offered": make_booking(
            ticket_type, make_person(email="offered@example.org"), BookingStatus.OFFERED
        ),
        "waiting": make_booking(
            ticket_type, make_person(email="waiting@example.org"), BookingStatus.WAITLISTED
        ),
        "released": make_booking(
            ticket_type, make_person(email="released@example.org"), BookingStatus.RELEASED
        ),
    }
    return people


def test_new_date_and_venue_email_everyone_with_a_place_once_with_the_new_ics(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    organiser = make_person()
    event = make_event(
        "LocalGovCamp", starts_at=START, organisers=(organiser,), venue_name="Council House"
    )
    _people(event)
    auth.login(organiser)
    edit = client.get(f"/events/{event.slug}/edit").get_data(as_text=True)
    assert "3 people with a place or on the waitlist are emailed" in edit
    response = client.post(
        f"/events/{event.slug}/edit",
        data=_form(event, start_date="2027-03-13", end_date="2027-03-13", venue_name="Town Hall"),
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "3 people with a place or on the waitlist are being emailed" in page
    assert "Changes people were told about" in page and "Town Hall (was Council House)" in page

    assert sorted(str(m["To"]) for m in mailbox.messages) == [
        "holder@example.org",
        "offered@example.org",
        "waiting@example.org",
    ]
    message = mailbox.last_to("holder@example.org")
    assert message["Subject"] == "LocalGovCamp has changed: new date, time or venue"
    text = body_text(message)
    assert "When: Saturday 13 March 2027, 09:30 to 17:30 (was Saturday 6 March 2027" in text
    assert "Where: Town Hall (was Council House)" in text
    assert "Your place is kept" in text and "Release your place" in text
    assert "You keep your place on the waitlist" in body_text(
        mailbox.last_to("waiting@example.org")
    )
    calendar = _calendar(message)
    assert str(calendar["METHOD"]) == "PUBLISH"
    (vevent,) = calendar.walk("VEVENT")
    db.session.refresh(event)
    assert int(vevent["SEQUENCE"]) == event.sequence == 1
    assert vevent.decoded("DTSTART").astimezone(UTC) == START + timedelta(days=7)
    assert str(vevent["STATUS"]) == "CONFIRMED" and "Town Hall" in str(vevent["LOCATION"])


def test_a_change_of_wording_emails_nobody(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    organiser = make_person()
    event = make_event(starts_at=START, organisers=(organiser,))
    _people(event)
    auth.login(organiser)
    response = client.post(f"/events/{event.slug}/edit", data=_form(event, summary="Now with cake"))
    assert response.status_code == 302
    assert mailbox.messages == []
    assert db.session.scalar(select(EventChange)) is None


def test_cancelling_asks_first_then_emails_a_calendar_cancellation_and_keeps_bookings(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    organiser = make_person()
    event = make_event("LocalGovCamp", starts_at=START, organisers=(organiser,))
    people = _people(event)
    auth.login(organiser)
    confirm = client.get(f"/events/{event.slug}/cancel").get_data(as_text=True)
    assert "3 people with a place, an offer or a place on the waitlist will be emailed" in confirm
    unconfirmed = client.post(f"/events/{event.slug}/cancel", data={"reason": "Flooded"})
    assert unconfirmed.status_code == 400
    assert "Confirm that everyone who booked will be emailed" in unconfirmed.get_data(as_text=True)
    assert mailbox.messages == []

    done = client.post(
        f"/events/{event.slug}/cancel",
        data={"reason": "The venue has flooded.", "confirm": "y"},
        follow_redirects=True,
    )
    assert "has been cancelled. 3 people" in done.get_data(as_text=True)
    db.session.refresh(event)
    assert event.status == EventStatus.CANCELLED and event.sequence == 1
    assert len(mailbox.messages) == 3
    message = mailbox.last_to("holder@example.org")
    assert message["Subject"] == "Cancelled: LocalGovCamp"
    assert "The venue has flooded." in body_text(message)
    calendar = _calendar(message)
    assert str(calendar["METHOD"]) == "CANCEL"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED" and int(vevent["SEQUENCE"]) == 1
    assert str(vevent["UID"]) == f"event-{event.id}@lgcamp.localgov"
    assert "holder@example.org" in str(vevent["ATTENDEE"])
    # History kept: the bookings are as they were.
    statuses = {key: db.session.get(Booking, b.id).status for key, b in people.items()}  # type: ignore[union-attr]
    assert statuses["holder"] == BookingStatus.CONFIRMED
    assert statuses["waiting"] == BookingStatus.WAITLISTED
    again = client.post(f"/events/{event.slug}/cancel", data={"reason": "Again", "confirm": "y"})
    assert again.status_code == 400 and "already been cancelled" in again.get_data(as_text=True)
    assert len(mailbox.messages) == 3


def test_cancelling_through_the_status_field_emails_too(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    organiser = make_person()
    event = make_event(starts_at=START, organisers=(organiser,))
    _people(event)
    auth.login(organiser)
    client.post(f"/events/{event.slug}/edit", data=_form(event, status="cancelled"))
    assert len(mailbox.messages) == 3
    assert str(_calendar(mailbox.messages[0])["METHOD"]) == "CANCEL"


def test_time_slots_move_with_the_event_or_stay_if_the_organiser_says_so(
    client: FlaskClient, auth: Auth
) -> None:
    organiser = make_person()
    event = make_event(starts_at=START, organisers=(organiser,))
    slot = make_slot(event, offset_minutes=60)
    placed = make_camp_session(event, slot=slot, room=make_room(event))
    auth.login(organiser)
    moved = _form(event, start_date="2027-03-13", end_date="2027-03-13")
    assert client.post(f"/events/{event.slug}/edit", data=moved).status_code == 302
    db.session.refresh(slot)
    db.session.refresh(placed)
    assert slot.starts_at == START + timedelta(days=7, hours=1)
    assert placed.sequence == 1  # its calendar entry moved with it
    db.session.refresh(event)
    kept = _form(event, start_date="2027-03-20", end_date="2027-03-20", slots="keep")
    assert client.post(f"/events/{event.slug}/edit", data=kept).status_code == 302
    db.session.refresh(slot)
    assert slot.starts_at == START + timedelta(days=7, hours=1)
    programme = client.get(f"/events/{event.slug}/programme").get_data(as_text=True)
    assert "1 time slot is outside the event's time" in programme


def test_the_grid_never_says_now_outside_the_event(app: object) -> None:
    event = make_event(starts_at=START)
    inside = make_slot(event, offset_minutes=60)
    # A slot left a week early when the event moved (the organiser kept the slots).
    outside = TimeSlot(
        event_id=event.id,
        starts_at=START - timedelta(days=7),
        ends_at=START - timedelta(days=7) + timedelta(minutes=45),
        kind=inside.kind,
    )
    db.session.add(outside)
    db.session.commit()
    during_outside = load_grid(db.session, event, now=outside.starts_at + timedelta(minutes=5))
    assert during_outside.current_slot_id is None
    assert during_outside.next_slot_id == inside.id
    during_inside = load_grid(db.session, event, now=inside.starts_at + timedelta(minutes=5))
    assert during_inside.current_slot_id == inside.id
    after = load_grid(db.session, event, now=event.ends_at + timedelta(hours=1))
    assert after.current_slot_id is None and after.next_slot_id is None
