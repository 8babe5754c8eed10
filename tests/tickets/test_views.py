"""Ticket pages through the test client: booking, release links, offers, organiser tools."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp.database import utcnow
from lgcamp.events.models import EventRole, EventRoleName, EventStatus
from lgcamp.extensions import db
from lgcamp.mail import OutboundEmail
from lgcamp.tickets import links
from lgcamp.tickets.models import (
    Answer,
    Booking,
    BookingStatus,
    Question,
    QuestionKind,
    TicketVisibility,
)
from tests.conftest import Auth, Mailbox, body_text
from tests.factories import make_booking, make_event, make_person, make_ticket_type


def _book(client: FlaskClient, event, ticket_type, **data):  # type: ignore[no-untyped-def]
    return client.post(f"/events/{event.slug}/tickets/{ticket_type.id}/book", data=data)


def test_book_shows_confirmation_with_qr_and_emails_ticket(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event, capacity=10)
    person = make_person()
    auth.login(person)
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "10 places left" in page
    response = _book(client, event, ticket_type, organisation="Leeds CC", job_role="Developer")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You have a ticket" in page and "qr.png" in page
    booking = db.session.scalar(select(Booking))
    assert booking is not None and booking.organisation == "Leeds CC"
    message = mailbox.last_to(person.email)
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["ticket-qr.png", f"{event.slug}.ics"]
    assert f"/tickets/{booking.token}" in body_text(message)
    png = client.get(f"/tickets/{booking.token}/qr.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    svg = client.get(f"/tickets/{booking.token}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    ics = client.get(f"/tickets/{booking.token}/event.ics")
    assert b"BEGIN:VTIMEZONE" in ics.data and b"SEQUENCE:0" in ics.data
    assert "9 places left" in client.get(f"/events/{event.slug}").get_data(as_text=True)


def test_booking_errors_are_shown_and_change_nothing(client: FlaskClient, auth: Auth) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event)
    question = Question(
        event_id=event.id, label="Access needs", kind=QuestionKind.TEXT, is_required=True
    )
    db.session.add(question)
    db.session.commit()
    auth.login(make_person())
    response = _book(client, event, ticket_type)
    assert response.status_code == 400
    assert "Answer the question: Access needs" in response.get_data(as_text=True)
    response = _book(client, event, ticket_type, **{f"q_{question.id}": "x" * 501})
    assert "500 characters or fewer" in response.get_data(as_text=True)
    response = _book(client, event, ticket_type, organisation="o" * 161)
    assert "Organisation must be 160 characters or fewer" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Booking.id))) == 0
    assert _book(client, event, ticket_type, **{f"q_{question.id}": "Ramp"}).status_code == 302
    again = _book(client, event, ticket_type, **{f"q_{question.id}": "Ramp"})
    assert "You already have a ticket" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Booking.id))) == 1


def test_before_the_window_the_page_shows_on_sale_at(client: FlaskClient, auth: Auth) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event, opens_at=utcnow() + timedelta(days=2, hours=3))
    page = client.get(f"/events/{event.slug}/tickets").get_data(as_text=True)
    assert ("On sale at" in page and "in 2 days, 3 hours" in page) or "in 2 days, 2 hours" in page
    auth.login(make_person())
    response = _book(client, event, ticket_type)
    assert "Booking opens at" in response.get_data(as_text=True)


def test_hidden_type_is_reached_only_by_its_link(client: FlaskClient, auth: Auth) -> None:
    event = make_event()
    hidden = make_ticket_type(event, name="Volunteers", visibility=TicketVisibility.HIDDEN)
    assert "Volunteers" not in client.get(f"/events/{event.slug}/tickets").get_data(as_text=True)
    assert client.get(f"/events/{event.slug}/tickets/private/wrong").status_code == 404
    page = client.get(f"/events/{event.slug}/tickets/private/{hidden.secret}")
    assert "Volunteers" in page.get_data(as_text=True)
    auth.login(make_person())
    assert "private link" in _book(client, event, hidden).get_data(as_text=True)
    assert _book(client, event, hidden, secret=hidden.secret).status_code == 302


def test_release_link_from_email_then_next_person_claims(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event, capacity=1)
    holder, waiting = make_person(), make_person()
    auth.login(holder)
    _book(client, event, ticket_type)
    auth.logout()
    auth.login(waiting)
    _book(client, event, ticket_type)
    auth.logout()
    release = re.search(
        r"http://localhost(/tickets/release/\S+)", body_text(mailbox.last_to(holder.email))
    )
    assert release
    tampered = release.group(1)[:-3] + "abc"
    assert client.post(tampered).status_code == 400
    assert "Release your place" in client.get(release.group(1)).get_data(as_text=True)
    assert "Place released" in client.post(release.group(1)).get_data(as_text=True)
    offer = mailbox.last_to(waiting.email)
    assert "claim it" in str(offer["Subject"])
    claim_page = re.search(r"http://localhost(/bookings/\d+)", body_text(offer))
    assert claim_page
    auth.login(waiting)
    assert "Claim your place" in client.get(claim_page.group(1)).get_data(as_text=True)
    response = client.post(claim_page.group(1) + "/claim")
    assert response.status_code == 302
    assert "You have a ticket" in client.get(claim_page.group(1)).get_data(as_text=True)


def test_someone_elses_offer_cannot_be_claimed(client: FlaskClient, auth: Auth) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=1)
    offer = make_booking(ticket_type, status=BookingStatus.OFFERED)
    offer.offer_expires_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    auth.login(make_person())
    assert client.post(f"/bookings/{offer.id}/claim").status_code == 403
    db.session.refresh(offer)
    assert offer.status == BookingStatus.OFFERED


def test_my_tickets_release_in_one_click(client: FlaskClient, auth: Auth) -> None:
    booking = make_booking(make_ticket_type(make_event()))
    auth.login(booking.person)
    page = client.get("/tickets/mine").get_data(as_text=True)
    assert "lgcamp-qr" in page and "Release my place" in page
    assert client.post(f"/bookings/{booking.id}/release").status_code == 302
    db.session.refresh(booking)
    assert booking.status == BookingStatus.RELEASED


def test_reconfirm_link(client: FlaskClient) -> None:
    booking = make_booking(make_ticket_type(make_event()))
    with client.application.test_request_context():
        signed = links.sign_booking(booking, "reconfirm")
    assert "still coming" in client.get(f"/tickets/reconfirm/{signed}").get_data(as_text=True)
    client.post(f"/tickets/reconfirm/{signed}")
    db.session.refresh(booking)
    assert booking.reconfirmed_at is not None
    assert client.get(f"/tickets/reconfirm/{signed}x").status_code == 400


def test_transfer_through_the_pages(client: FlaskClient, auth: Auth, mailbox: Mailbox) -> None:
    booking = make_booking(make_ticket_type(make_event()))
    auth.login(booking.person)
    response = client.post(f"/bookings/{booking.id}/transfer", data={"email": "new@example.org"})
    assert response.status_code == 302
    auth.logout()
    link = re.search(
        r"http://localhost(/transfers/\S+)", body_text(mailbox.last_to("new@example.org"))
    )
    assert link
    assert "create an account" in client.get(link.group(1)).get_data(as_text=True)
    colleague = make_person(email="new@example.org")
    auth.login(colleague)
    assert client.post(link.group(1), data={"organisation": "Hackney"}).status_code == 302
    db.session.refresh(booking)
    assert booking.end_reason == "transferred"
    assert "has been transferred" in str(mailbox.last_to(booking.person.email)["Subject"])
    assert "Your ticket for" in str(mailbox.last_to("new@example.org")["Subject"])


def test_json_api_books_with_header_and_session(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    event = make_event(name="Rush Camp")
    ticket_type = make_ticket_type(event, capacity=1)
    url = f"/api/events/{event.slug}/bookings"
    assert client.post(url, json={"ticket_type_id": ticket_type.id}).status_code == 400
    headers = {"X-Requested-With": "lgcamp"}
    assert (
        client.post(url, json={"ticket_type_id": ticket_type.id}, headers=headers).status_code
        == 401
    )
    person = make_person()
    auth.login(person)
    response = client.post(url, json={"ticket_type_id": ticket_type.id}, headers=headers)
    assert response.status_code == 201
    answer = response.json["booking"]  # type: ignore[index]
    booking = db.session.get(Booking, answer["id"])
    assert booking is not None and booking.person_id == person.id
    assert answer == {
        "id": booking.id,
        "status": "confirmed",
        "ticket_type_id": ticket_type.id,
        "queue_position": None,
        "url": f"http://localhost/bookings/{booking.id}",
    }
    db.session.refresh(ticket_type)
    assert ticket_type.taken == 1
    message = mailbox.last_to(person.email)
    assert message["Subject"] == "Your ticket for Rush Camp"
    assert f"/tickets/{booking.token}" in body_text(message)
    again = client.post(url, json={"ticket_type_id": ticket_type.id}, headers=headers)
    assert again.status_code == 409
    assert again.json["error"]["message"] == "You already have a ticket for this event."  # type: ignore[index]
    bad = client.post(url, json={"ticket_type_id": "x"}, headers=headers)
    assert bad.status_code == 400 and bad.is_json
    assert db.session.scalar(select(func.count(Booking.id))) == 1
    assert len(mailbox.to(person.email)) == 1


API_HEADERS = {"X-Requested-With": "lgcamp"}


def test_json_api_waitlists_when_full_and_emails_after_commit(
    client: FlaskClient, auth: Auth, mailbox: Mailbox
) -> None:
    event = make_event(name="Rush Camp")
    ticket_type = make_ticket_type(event, capacity=1)
    make_booking(ticket_type)
    person = make_person()
    auth.login(person)
    url = f"/api/events/{event.slug}/bookings"
    response = client.post(url, json={"ticket_type_id": ticket_type.id}, headers=API_HEADERS)
    assert response.status_code == 201
    booking = response.json["booking"]  # type: ignore[index]
    assert (booking["status"], booking["ticket_type_id"]) == ("waitlisted", ticket_type.id)
    assert booking["queue_position"] == 1
    assert booking["url"].endswith(f"/bookings/{booking['id']}")
    message = mailbox.last_to(person.email)  # sent right after the request's commit
    assert message["Subject"] == "You are on the waitlist for Rush Camp"
    assert f"/bookings/{booking['id']}" in body_text(message)
    row = db.session.scalar(select(OutboundEmail).where(OutboundEmail.recipient == person.email))
    assert row is not None and row.status == "sent"


def test_json_api_answers_errors_as_json(client: FlaskClient, auth: Auth) -> None:
    event = make_event()
    hidden = make_ticket_type(event, visibility=TicketVisibility.HIDDEN)
    draft = make_event(status=EventStatus.DRAFT)
    draft_type = make_ticket_type(draft)
    question = Question(
        event_id=event.id, label="Dietary needs", kind=QuestionKind.TEXT, is_required=True
    )
    db.session.add(question)
    db.session.commit()
    auth.login(make_person())
    url = f"/api/events/{event.slug}/bookings"
    for body, status, text in [
        ({"ticket_type_id": hidden.id}, 400, "only available through its private link"),
        ({"ticket_type_id": hidden.id, "secret": hidden.secret}, 400, "Answer the question"),
        ({"ticket_type_id": hidden.id + 100}, 404, ""),
        ({"ticket_type_id": 10**30}, 404, ""),  # no column holds it: no such type
        ({"ticket_type_id": True}, 400, '"ticket_type_id" (a number)'),
        ({"ticket_type_id": hidden.id, "answers": {"\u00b2": "x"}}, 400, "private link"),
    ]:
        response = client.post(url, json=body, headers=API_HEADERS)
        assert response.status_code == status and response.is_json
        assert text in response.json["error"]["message"]  # type: ignore[index]
    assert db.session.scalar(select(func.count(Booking.id))) == 0  # every refusal left nothing
    draft_url = f"/api/events/{draft.slug}/bookings"
    response = client.post(draft_url, json={"ticket_type_id": draft_type.id}, headers=API_HEADERS)
    assert response.status_code == 404  # a draft is not shown to people who cannot manage it
    answers = {"answers": {str(question.id): "Vegan"}, "secret": hidden.secret}
    response = client.post(url, json={"ticket_type_id": hidden.id, **answers}, headers=API_HEADERS)
    assert response.status_code == 201
    assert db.session.scalar(select(Answer.value)) == "Vegan"


# --- organiser views ------------------------------------------------------------------------


@pytest.fixture
def organised(client: FlaskClient, auth: Auth):  # type: ignore[no-untyped-def]
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    auth.login(organiser)
    return event


def test_create_ticket_type_with_local_times(client: FlaskClient, organised) -> None:  # type: ignore[no-untyped-def]
    event = organised
    data = {
        "name": "Main", "capacity": "250", "opens_date": "2030-01-10", "opens_time": "10:00",
        "visibility": "public", "allocation": "first_come", "allow_transfer": "y",
    }  # fmt: skip
    late = client.post(f"/events/{event.slug}/tickets/types/new", data=data)
    assert "Booking must open before it closes" in late.get_data(as_text=True)
    local_open = event.local_starts_at - timedelta(days=3)
    data["opens_date"] = local_open.date().isoformat()
    assert client.post(f"/events/{event.slug}/tickets/types/new", data=data).status_code == 302
    page = client.get(f"/events/{event.slug}/tickets/manage").get_data(as_text=True)
    assert "Main" in page and "250 free of 250" in page
    assert local_open.strftime("10:00 on %A %-d %B %Y") in page
    bad = client.post(f"/events/{event.slug}/tickets/types/new", data={**data, "capacity": "lots"})
    assert "Enter the number of places" in bad.get_data(as_text=True)


def test_attendee_list_filters_export_and_actions(
    client: FlaskClient,
    organised,
    mailbox: Mailbox,  # type: ignore[no-untyped-def]
) -> None:
    event = organised
    ticket_type = make_ticket_type(event, capacity=1)
    question = Question(event_id=event.id, label="Dietary needs", kind=QuestionKind.TEXT)
    db.session.add(question)
    db.session.commit()
    holder = make_booking(ticket_type, make_person(name="Zoe Holder"))
    db.session.add(Answer(booking_id=holder.id, question_id=question.id, value="=cmd()"))
    waiting = make_booking(ticket_type, make_person(name="Wes Waiting"), BookingStatus.WAITLISTED)
    page = client.get(f"/events/{event.slug}/tickets/attendees?q=zoe").get_data(as_text=True)
    assert "Zoe Holder" in page and "Wes Waiting" not in page
    page = client.get(f"/events/{event.slug}/tickets/attendees?status=waitlisted").get_data(
        as_text=True
    )
    assert "Wes Waiting" in page and "Zoe Holder" not in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/events/{event.slug}/tickets/attendees.csv").get_data(as_text=True)
            )
        )
    )
    assert rows[0][0].startswith("# Attendees of") and "Dietary needs" in rows[0][0]
    assert rows[1][-1] == "Dietary needs"
    assert [r[-1] for r in rows[2:] if r[0] == "Zoe Holder"] == ["'=cmd()"]
    old_token = holder.token
    client.post(f"/events/{event.slug}/tickets/bookings/{holder.id}/reissue")
    assert client.get(f"/tickets/{old_token}").status_code == 404
    client.post(f"/events/{event.slug}/tickets/bookings/{holder.id}/cancel")
    db.session.refresh(waiting)
    assert waiting.status == BookingStatus.OFFERED
    assert "Offered" in client.get(f"/events/{event.slug}/tickets/waitlist").get_data(as_text=True)


def test_capacity_increase_offers_and_bulk_email_is_not_duplicated(
    client: FlaskClient,
    organised,
    mailbox: Mailbox,  # type: ignore[no-untyped-def]
) -> None:
    event = organised
    ticket_type = make_ticket_type(event, capacity=1)
    make_booking(ticket_type)
    waiting = make_booking(ticket_type, status=BookingStatus.WAITLISTED)
    url = f"/events/{event.slug}/tickets/types/{ticket_type.id}/capacity"
    assert "cannot be lower" in client.post(
        url, data={"capacity": "0"}, follow_redirects=True
    ).get_data(as_text=True)
    client.post(url, data={"capacity": "2"})
    db.session.refresh(waiting)
    assert waiting.status == BookingStatus.OFFERED
    data = {
        "audience": "holders",
        "subject": "Parking",
        "body": "Use the back gate.",
        "send_key": "k" * 12,
    }
    client.post(f"/events/{event.slug}/tickets/email", data=data)
    client.post(f"/events/{event.slug}/tickets/email", data=data)  # a retry
    sent = db.session.scalar(select(func.count()).where(OutboundEmail.subject == "Parking"))
    assert sent == 1


def test_helper_sees_only_their_questions_and_door_volunteer_none(
    client: FlaskClient, auth: Auth
) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event)
    diet = Question(
        event_id=event.id, label="Dietary needs", kind=QuestionKind.TEXT, visibility="catering"
    )
    access = Question(
        event_id=event.id, label="Access needs", kind=QuestionKind.TEXT, visibility="access_lead"
    )
    db.session.add_all([diet, access])
    db.session.commit()
    booking = make_booking(ticket_type)
    db.session.add(Answer(booking_id=booking.id, question_id=diet.id, value="Vegan"))
    db.session.add(Answer(booking_id=booking.id, question_id=access.id, value="Wheelchair"))
    caterer, door = make_person(), make_person()
    db.session.add(EventRole(event_id=event.id, person_id=caterer.id, role=EventRoleName.CATERING))
    db.session.add(EventRole(event_id=event.id, person_id=door.id, role="door_volunteer"))
    db.session.commit()
    auth.login(caterer)
    page = client.get(f"/events/{event.slug}/tickets/answers").get_data(as_text=True)
    assert "Vegan" in page and "Wheelchair" not in page and "Access needs" not in page
    assert client.get(f"/events/{event.slug}/tickets/attendees").status_code == 403
    auth.logout()
    auth.login(door)
    assert client.get(f"/events/{event.slug}/tickets/answers").status_code == 403


# --- permissions: routes x roles ------------------------------------------------------------

ORGANISER_ROUTES = [
    ("get", "/events/{slug}/tickets/manage"),
    ("get", "/events/{slug}/tickets/attendees"),
    ("get", "/events/{slug}/tickets/attendees.csv"),
    ("get", "/events/{slug}/tickets/waitlist"),
    ("get", "/events/{slug}/tickets/settings"),
    ("get", "/events/{slug}/tickets/email"),
    ("get", "/events/{slug}/tickets/types/new"),
    ("get", "/events/{slug}/tickets/answers"),
    ("get", "/events/{slug}/tickets/door-release"),
    ("post", "/events/{slug}/tickets/door-release"),
]


@pytest.mark.parametrize(("method", "route"), ORGANISER_ROUTES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("attendee", 403),
        ("other_organiser", 403),
        ("organiser", 200),
        ("admin", 200),
    ],
)
def test_organiser_routes_by_role(
    client: FlaskClient, auth: Auth, method: str, route: str, role: str, expected: int
) -> None:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    people = {
        "attendee": make_booking(make_ticket_type(event)).person,
        "other_organiser": make_event(organisers=(make_person(),))
        and db.session.scalar(select(EventRole.person_id).where(EventRole.event_id != event.id)),
        "organiser": organiser,
        "admin": make_person(is_admin=True),
    }
    if role != "anonymous":
        person = people[role]
        if isinstance(person, int):
            from lgcamp.accounts.models import Person

            person = db.session.get(Person, person)
        auth.login(person)  # type: ignore[arg-type]
    response = getattr(client, method)(route.format(slug=event.slug))
    if expected == 200 and method == "post":
        expected = 302
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("stranger", 403), ("holder", 200), ("organiser", 200)],
)
def test_booking_page_by_role(client: FlaskClient, auth: Auth, role: str, expected: int) -> None:
    organiser = make_person()
    booking = make_booking(make_ticket_type(make_event(organisers=(organiser,))))
    people = {"stranger": make_person(), "holder": booking.person, "organiser": organiser}
    if role in people:
        auth.login(people[role])
    assert client.get(f"/bookings/{booking.id}").status_code == expected
    assert client.post(f"/bookings/{booking.id}/release").status_code in {302, 403}
