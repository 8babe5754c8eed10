"""Booking journeys as people live them (issue 14): several types on sale, "Your tickets",
checked-in bookings that stay, closing times, offers sent at once, errors kept on their form."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lgcamp import mail
from lgcamp.database import utcnow
from lgcamp.errors import DomainError
from lgcamp.extensions import db
from lgcamp.mail import OutboundEmail
from lgcamp.participation import people, reports
from lgcamp.tickets import booking as booking_service
from lgcamp.tickets import links, noshow, offers, service, types
from lgcamp.tickets.models import (
    AllocationMode,
    Booking,
    BookingStatus,
    QuestionKind,
    TicketVisibility,
)
from tests.conftest import Auth, Mailbox, body_text, wait_for
from tests.factories import (
    make_booking,
    make_camp_session,
    make_check_in,
    make_event,
    make_person,
    make_question,
    make_ticket_type,
)

pytestmark = pytest.mark.usefixtures("app")


def _checked_in(booking: Booking) -> Booking:
    """Check the booking in at the door (the scan record and the booking's mark)."""
    check_in = make_check_in(booking)
    booking.checked_in_at = check_in.scanned_at
    db.session.commit()
    return booking


def _details(**changes: object) -> types.TicketTypeDetails:
    values: dict[str, object] = {
        "name": "Day ticket",
        "description": "",
        "capacity": 10,
        "opens_at": None,
        "closes_at": None,
        "visibility": TicketVisibility.PUBLIC,
        "allocation": AllocationMode.FIRST_COME,
        "allow_transfer": True,
    }
    return types.TicketTypeDetails(**(values | changes))  # type: ignore[arg-type]


# --- several ticket types on sale at once ---------------------------------------------------


def test_each_booking_form_has_its_own_ids_and_keeps_its_own_errors(
    client: FlaskClient, auth: Auth
) -> None:
    event = make_event()
    make_question(event, label="Dietary needs", kind=QuestionKind.CHOICE,
                  choices="None\nVegan", is_required=True)  # fmt: skip
    first = make_ticket_type(event, name="Morning")
    second = make_ticket_type(event, name="Afternoon")
    auth.login(make_person())
    page = client.get(f"/events/{event.slug}/tickets").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for label_for in re.findall(r'<label[^>]*for="([^"]+)"', page):
        assert label_for in ids
    assert f'id="type-{second.id}-organisation"' in page

    # The second form sent without its required answer: the error is on that form only.
    response = client.post(
        f"/events/{event.slug}/tickets/{second.id}/book", data={"organisation": "Leeds CC"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    question_id = re.search(rf'id="type-{second.id}-(q_\d+)"', page)
    assert question_id is not None
    assert f'href="#type-{second.id}-{question_id.group(1)}"' in page
    assert f'id="type-{first.id}-{question_id.group(1)}"' in page
    assert page.count("govuk-form-group--error") == 1
    assert 'value="Leeds CC"' in page  # what was entered stays, in its own form
    assert db.session.scalar(select(Booking)) is None


# --- "Your tickets" -------------------------------------------------------------------------


def test_your_tickets_shows_upcoming_first_and_past_apart_without_qr_or_release(
    client: FlaskClient, auth: Auth
) -> None:
    person = make_person()
    last_year = make_event("Camp 2025", starts_at=utcnow() - timedelta(days=365))
    this_year = make_event("Camp 2026")
    old = _checked_in(make_booking(make_ticket_type(last_year), person))
    unused = make_booking(make_ticket_type(make_event("Fringe 2025",
                          starts_at=utcnow() - timedelta(days=300))), person)  # fmt: skip
    new = make_booking(make_ticket_type(this_year), person)
    auth.login(person)
    page = client.get("/tickets/mine").get_data(as_text=True)
    assert page.index("Camp 2026") < page.index("Past events") < page.index("Camp 2025")
    assert f"/tickets/{new.token}/qr.png" in page
    assert f"/tickets/{old.token}/qr.png" not in page
    assert f"/tickets/{unused.token}/qr.png" not in page
    assert f"/bookings/{new.id}/release" in page
    assert f"/bookings/{old.id}/release" not in page
    assert f"/bookings/{unused.id}/release" not in page
    past = page[page.index("Past events") :]
    assert "you attended" in past and "you had a ticket and were not checked in" in past
    booking_page = client.get(f"/bookings/{unused.id}").get_data(as_text=True)
    assert "This event is over" in booking_page and "Release my place" not in booking_page


def test_releasing_a_past_ticket_ends_on_your_tickets_with_the_reason(
    client: FlaskClient, auth: Auth
) -> None:
    person = make_person()
    past = make_event("Camp 2025", starts_at=utcnow() - timedelta(days=365))
    booking = make_booking(make_ticket_type(past), person)
    auth.login(person)
    response = client.post(f"/bookings/{booking.id}/release")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "There is a problem" in page and '<h1 class="govuk-heading-l">Your tickets' in page
    assert "Camp 2025 has ended, so there is no place to release" in page
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED


def test_the_release_link_of_a_past_ticket_explains_instead_of_failing(
    client: FlaskClient,
) -> None:
    past = make_event("Camp 2025", starts_at=utcnow() - timedelta(days=365))
    booking = make_booking(make_ticket_type(past))
    url = links.release_url(booking).removeprefix("http://localhost")
    page = client.get(url).get_data(as_text=True)
    assert "Camp 2025 has ended, so there is no place to release" in page
    assert "Release my place</button>" not in page
    response = client.post(url)
    assert response.status_code == 409
    assert "There is a problem" in response.get_data(as_text=True)
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED


# --- a checked-in booking stays -------------------------------------------------------------


def test_a_checked_in_booking_cannot_be_released_or_cancelled() -> None:
    event = make_event(starts_at=utcnow() - timedelta(hours=1))
    organiser = make_person()
    ticket_type = make_ticket_type(event, capacity=1)
    booking = _checked_in(make_booking(ticket_type))
    with pytest.raises(service.CheckedIn, match="was checked in at"):
        service.release_booking(db.session, booking.person, booking)
    db.session.rollback()
    with pytest.raises(service.CheckedIn):
        service.cancel_booking(db.session, organiser, booking)
    db.session.rollback()
    db.session.refresh(booking)
    db.session.refresh(ticket_type)
    assert booking.status == BookingStatus.CONFIRMED and ticket_type.taken == 1


def test_the_views_refuse_on_their_page_and_offer_no_such_button(
    client: FlaskClient, auth: Auth
) -> None:
    organiser = make_person()
    event = make_event(starts_at=utcnow() - timedelta(hours=1), organisers=(organiser,))
    booking = _checked_in(make_booking(make_ticket_type(event)))
    holder = booking.person
    auth.login(holder)
    mine = client.get("/tickets/mine").get_data(as_text=True)
    assert "You were checked in at" in mine and f"/bookings/{booking.id}/release" not in mine
    refused = client.post(f"/bookings/{booking.id}/release")
    assert refused.status_code == 409 and "was checked in at" in refused.get_data(as_text=True)
    auth.logout()
    auth.login(organiser)
    cancel = f"/events/{event.slug}/tickets/bookings/{booking.id}/cancel"
    attendees = client.get(f"/events/{event.slug}/tickets/attendees").get_data(as_text=True)
    assert cancel not in attendees
    response = client.post(cancel)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "There is a problem" in page and '<h1 class="govuk-heading-xl">Attendees' in page
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED


def test_deleting_an_account_mid_event_keeps_its_attendance_counted() -> None:
    event = make_event(starts_at=utcnow() - timedelta(hours=1))
    ticket_type = make_ticket_type(event)
    here = [_checked_in(make_booking(ticket_type)) for _ in range(3)]
    absent = make_booking(ticket_type)
    now = utcnow()
    before = reports.event_reports(db.session, [event], now)[0]
    assert (before.booked, before.attended) == (4, 3)

    people.delete_account(db.session, here[0].person, now)
    people.delete_account(db.session, absent.person, now)
    db.session.commit()

    after = reports.event_reports(db.session, [event], now)[0]
    assert (after.booked, after.attended) == (3, 3)  # the absent person's place is released
    db.session.refresh(here[0])
    assert here[0].status == BookingStatus.CONFIRMED and here[0].person.name == "Deleted person"


# --- closing times and what the tickets page promises ---------------------------------------


def test_booking_cannot_close_after_the_event_starts(client: FlaskClient, auth: Auth) -> None:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    with pytest.raises(DomainError, match="close by the time the event starts"):
        types.create_ticket_type(
            db.session, organiser, event, _details(closes_at=event.starts_at + timedelta(hours=1))
        )
    db.session.rollback()
    # A time left after the start (an event moved earlier) still closes booking at the start.
    ticket_type = make_ticket_type(event, closes_at=event.starts_at + timedelta(hours=2))
    assert booking_service.closes_at(ticket_type) == event.starts_at
    assert booking_service.sale_state(ticket_type, event.starts_at) == "closed"
    auth.login(organiser)
    local = event.starts_at.astimezone(event.tz) + timedelta(hours=1)
    response = client.post(
        f"/events/{event.slug}/tickets/types/new",
        data={"name": "Late", "capacity": "5", "visibility": "public",
              "allocation": "first_come", "closes_date": local.strftime("%Y-%m-%d"),
              "closes_time": local.strftime("%H:%M")},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Booking must close by the time the event starts" in response.get_data(as_text=True)


def test_the_tickets_page_says_places_left_only_when_booking_gets_one(
    client: FlaskClient, auth: Auth
) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event, capacity=2)
    make_booking(ticket_type)
    # A place is free, yet someone waits for it (a moment before the offer goes out).
    make_booking(ticket_type, status=BookingStatus.WAITLISTED)
    auth.login(make_person())
    for url in (f"/events/{event.slug}/tickets", f"/events/{event.slug}"):
        page = client.get(url).get_data(as_text=True)
        assert "places left" not in page and "place left" not in page, url
        assert "Fully booked: 1 on the waitlist" in page
    assert "Join the waitlist" in client.get(f"/events/{event.slug}/tickets").get_data(as_text=True)


# --- offers ---------------------------------------------------------------------------------


def test_raising_capacity_sends_every_offer_at_once(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    ticket_type = make_ticket_type(event, capacity=1)
    make_booking(ticket_type)
    waiting = [make_booking(ticket_type, status=BookingStatus.WAITLISTED) for _ in range(30)]
    emails = {b.person.email for b in waiting}
    auth.login(organiser)
    response = client.post(
        f"/events/{event.slug}/tickets/types/{ticket_type.id}/capacity", data={"capacity": "31"}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "30 offer(s) sent to the waitlist" in page

    def offers_received() -> set[str]:
        return {str(m["To"]) for m in mailbox.messages if "claim it" in str(m["Subject"])}

    assert wait_for(lambda: offers_received() == emails, timeout=30)
    assert len(mailbox.messages) == 30

    def all_sent() -> bool:
        db.session.rollback()  # a fresh read
        return set(db.session.scalars(select(OutboundEmail.status))) == {"sent"}

    assert wait_for(all_sent, timeout=30)


def test_the_expiry_email_says_what_happened_to_the_place(mailbox: Mailbox) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event, capacity=3)
    make_booking(ticket_type)
    late = [make_booking(ticket_type, status=BookingStatus.OFFERED) for _ in range(2)]
    hours_ago = utcnow() - timedelta(hours=1)
    for booking in late:
        booking.offer_expires_at = hours_ago
    next_in_line = make_booking(ticket_type, status=BookingStatus.WAITLISTED)
    db.session.commit()

    assert offers.process_offers(db.session, ticket_type) == 3  # two expired, one offered
    db.session.commit()
    assert mail.send_queued(db.session) == 3
    first, second = (body_text(mailbox.last_to(b.person.email)) for b in late)
    assert "passed to the next person on the waitlist" in first
    assert "Nobody else was waiting for it, so the place is free again" in second
    assert "passed to the next person" not in second
    assert f"/events/{event.slug}/tickets" in second
    assert "claim it" in str(mailbox.last_to(next_in_line.person.email)["Subject"])


# --- errors stay on their form --------------------------------------------------------------


def test_a_javascript_notes_link_is_refused_on_the_session_page(
    client: FlaskClient, auth: Auth
) -> None:
    host = make_person()
    event = make_event()
    camp_session = make_camp_session(event, host, title="Open data")
    auth.login(host)
    response = client.post(
        f"/events/{event.slug}/sessions/{camp_session.id}/notes",
        data={"notes_url": "javascript:alert(1)"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: Open data" in page and "There is a problem" in page
    assert 'href="#notes_url">Enter a web address starting with https:// or http://' in page
    assert 'value="javascript:alert(1)"' in page  # kept in the field, never as a link
    assert 'href="javascript:' not in page
    db.session.refresh(camp_session)
    assert camp_session.notes_url == ""


def test_give_a_ticket_when_the_type_is_full_stays_on_the_form(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    ticket_type = make_ticket_type(event, capacity=1, name="Day ticket")
    make_booking(ticket_type)
    guest = make_person()
    auth.login(organiser)
    response = client.post(
        f"/events/{event.slug}/tickets/bookings",
        data={"email": guest.email, "ticket_type_id": str(ticket_type.id)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "There is a problem" in page and "Day ticket is full" in page
    assert 'href="#ticket_type_id">Day ticket is full' in page
    assert f'value="{guest.email}"' in page
    assert mailbox.to(guest.email) == []
    blank = client.post(f"/events/{event.slug}/tickets/bookings", data={"email": ""})
    assert blank.status_code == 400 and "Enter an email address" in blank.get_data(as_text=True)


# --- reconfirmation -------------------------------------------------------------------------


def test_the_reconfirmation_email_says_by_when_and_what_happens_otherwise(
    mailbox: Mailbox,
) -> None:
    start = (utcnow() + timedelta(days=20)).replace(hour=9, minute=30, second=0, microsecond=0)
    event = make_event(starts_at=start)
    settings = offers.default_settings(event)
    settings.reconfirm_days, settings.reconfirm_deadline_days = 10, 2
    db.session.add(settings)
    booking = make_booking(make_ticket_type(event))
    assert noshow.run_reconfirmation(db.session, start - timedelta(days=9))["asked"] == 1
    db.session.commit()
    mail.send_queued(db.session)
    text = body_text(mailbox.last_to(booking.person.email))
    deadline = (start - timedelta(days=2)).astimezone(event.tz)
    assert f"Please answer by {deadline.strftime('%H:%M on %A %-d %B %Y')}" in text
    assert "If you have not confirmed by then, your place will be released" in text
    assert "your ticket will stop working" in text
