"""The whole flow through the real SMTP server: book, ticket email, release, offer, claim."""

from __future__ import annotations

import re
import struct

from flask.testing import FlaskClient
from icalendar import Calendar

from lgcamp.extensions import db
from lgcamp.tickets.models import Booking, BookingStatus
from tests.conftest import Auth, Mailbox, body_text
from tests.factories import make_event, make_person, make_ticket_type


def _link(text: str, path: str) -> str:
    match = re.search(rf"http://localhost({path}\S+)", text)
    assert match, text
    return match.group(1)


def test_book_release_offer_claim(client: FlaskClient, auth: Auth, mailbox: Mailbox) -> None:
    event = make_event(name="LocalGovCamp 2027", venue_name="Council House")
    ticket_type = make_ticket_type(event, capacity=1)
    first, second = make_person(), make_person()
    for person in (first, second):
        auth.login(person)
        client.post(f"/events/{event.slug}/tickets/{ticket_type.id}/book", data={})
        auth.logout()

    ticket = mailbox.last_to(first.email)
    attachments = {part.get_filename(): part for part in ticket.iter_attachments()}
    png = attachments["ticket-qr.png"].get_content()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == height and width >= 200
    calendar = Calendar.from_ical(attachments[f"{event.slug}.ics"].get_content())
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["UID"]) == f"event-{event.id}@lgcamp.localgov"
    assert vevent["SEQUENCE"] == event.sequence
    assert vevent["DTSTART"].params["TZID"] == "Europe/London"
    assert calendar.walk("VTIMEZONE")
    assert "waitlist" in str(mailbox.last_to(second.email)["Subject"])

    release = _link(body_text(ticket), "/tickets/release/")
    assert "Place released" in client.post(release).get_data(as_text=True)
    assert "released your place" in str(mailbox.last_to(first.email)["Subject"])

    offer = mailbox.last_to(second.email)
    assert "claim it" in str(offer["Subject"])
    booking_page = _link(body_text(offer), "/bookings/")
    auth.login(second)
    assert client.post(booking_page + "/claim").status_code == 302
    new_ticket = mailbox.last_to(second.email)
    assert str(new_ticket["Subject"]) == "Your ticket for LocalGovCamp 2027"
    assert "ticket-qr.png" in [p.get_filename() for p in new_ticket.iter_attachments()]
    booking = db.session.get(Booking, int(booking_page.rsplit("/", 1)[1]))
    assert booking is not None and booking.status == BookingStatus.CONFIRMED
    assert client.get(_link(body_text(new_ticket), "/tickets/")).status_code == 200
