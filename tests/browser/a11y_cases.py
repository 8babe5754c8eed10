"""Which URL each GET route is checked at, by which roles, for tests/browser/test_accessibility.py.

Every GET endpoint of the app is either in CASES (pages: visited per role at two widths) or in
EXCLUDED (not a page, with the reason). A new route in neither fails the suite.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lgcamp import demo, demo_tickets
from lgcamp.accounts import service as accounts
from lgcamp.accounts.models import Person
from lgcamp.checkin import walk_in_records
from lgcamp.checkin.models import WalkInRecord
from lgcamp.database import utcnow
from lgcamp.events.models import Event
from lgcamp.participation import service as participation
from lgcamp.participation import verification
from lgcamp.participation.models import Membership, MembershipType
from lgcamp.programme import cohosts
from lgcamp.programme.models import CampSession, Room, SessionHost, TimeSlot
from lgcamp.tickets.links import sign_booking
from lgcamp.tickets.models import (
    Booking,
    BookingStatus,
    Question,
    TicketType,
    TicketVisibility,
    Transfer,
    hash_token,
)

ANON, ATTENDEE, LINK, VOLUNTEER, ORGANISER, ADMIN = (
    "anonymous",
    "attendee",
    "scanner-link",
    "volunteer",
    "organiser",
    "admin",
)
ROLES = (ANON, ATTENDEE, LINK, VOLUNTEER, ORGANISER, ADMIN)
PEOPLE = (ANON, ATTENDEE, VOLUNTEER, ORGANISER, ADMIN)  # browsing as themselves
SIGNED_IN = (ATTENDEE, VOLUNTEER, ORGANISER, ADMIN)
ORGANISERS = (ORGANISER, ADMIN)
DOOR = (LINK, VOLUNTEER, ORGANISER, ADMIN)


@dataclass(frozen=True)
class Case:
    """A page to check: its path (formatted with the seeded data) and who opens it."""

    path: str
    roles: tuple[str, ...]
    lands_on: str | None = None  # a path that redirects people to another page


CASES: dict[str, Case] = {
    "events.index": Case("/", PEOPLE),
    "events.past": Case("/events/past", PEOPLE),
    "events.show": Case("/events/{camp}", PEOPLE),
    "events.mine": Case("/events/mine", SIGNED_IN),
    "events.create": Case("/events/new", ORGANISERS),
    "events.edit": Case("/events/{camp}/edit", ORGANISERS),
    "events.manage": Case("/events/{camp}/manage", ORGANISERS),
    "events.cancel": Case("/events/{camp}/cancel", ORGANISERS),
    "accounts.login": Case("/sign-in", (ANON,)),
    "accounts.sign_up": Case("/sign-up", (ANON,)),
    "accounts.forgot_password": Case("/forgot-password", (ANON,)),
    "accounts.reset_password": Case("/reset-password/{reset_token}", (ANON,)),
    "accounts.confirm_email": Case("/account/email/confirm/{email_token}", (ATTENDEE,)),
    "accounts.finish_sign_up": Case("/sign-up/{sign_up_token}", (ANON,)),
    "accounts.undo_email_change": Case("/account/email/undo/{email_undo_token}", (ANON,)),
    "tickets.edit_question": Case("/events/{camp}/tickets/questions/{question_id}", ORGANISERS),
    "tickets.door_release": Case("/events/{camp}/tickets/door-release", ORGANISERS),
    "programme.accept_co_host": Case(
        "/events/{camp}/sessions/{session_id}/hosts/accept/{co_host_token}", (ATTENDEE,)
    ),
    "checkin.confirm_walk_in": Case("/walk-ins/confirm/{walk_in_signed}", (ATTENDEE,)),
    "accounts.account": Case("/account", SIGNED_IN),
    "feeds.personal_link": Case("/account/calendar", SIGNED_IN),
    "participation.delete_account": Case("/account/delete", SIGNED_IN),
    "participation.membership": Case("/network/membership", SIGNED_IN),
    "participation.record": Case("/network/record", SIGNED_IN),
    "participation.print_record": Case("/network/record/print", SIGNED_IN),
    "participation.verify": Case("/verify/{verify_token}", (ANON,)),
    "participation.agm": Case("/admin/agm?on={today}", (ADMIN,)),
    "participation.register": Case("/admin/members", (ADMIN,)),
    "participation.member": Case("/admin/members/{membership_id}", (ADMIN,)),
    "participation.membership_types": Case("/admin/membership-types", (ADMIN,)),
    "participation.edit_membership_type": Case(
        "/admin/membership-types/{membership_type_id}/edit", (ADMIN,)
    ),
    "participation.merge": Case("/admin/merge", (ADMIN,)),
    "participation.status_rule": Case("/admin/network/status-rule", (ADMIN,)),
    "participation.reports_index": Case("/reports", ORGANISERS),
    "participation.event_report": Case("/reports/events/{last_year}", ORGANISERS),
    "participation.years_report": Case("/reports/years", (ADMIN,)),
    "checkin.scanner": Case("/events/{camp}/door/scan", DOOR),
    "checkin.dashboard": Case("/events/{camp}/door", ORGANISERS),
    "checkin.scanner_links": Case("/events/{camp}/door/links", ORGANISERS),
    "programme.public_grid": Case("/events/{camp}/grid", PEOPLE),
    "programme.big_screen": Case("/events/{camp}/grid/screen", PEOPLE),
    "programme.live_grid": Case(
        "/events/{camp}/grid/live", (ANON,), lands_on="/events/{camp}/grid"
    ),
    "programme.agenda": Case("/events/{camp}/agenda", SIGNED_IN),
    "programme.pitches": Case("/events/{camp}/sessions", PEOPLE),
    "programme.pitch": Case("/events/{camp}/sessions/new", (ATTENDEE,)),
    "programme.show_session": Case("/events/{camp}/sessions/{session_id}", PEOPLE),
    "programme.edit_session": Case(
        "/events/{camp}/sessions/{session_id}/edit", (ATTENDEE, ORGANISER, ADMIN)
    ),
    "programme.pitch_queue": Case("/events/{camp}/pitch-queue", ORGANISERS),
    "programme.manage": Case("/events/{camp}/programme", ORGANISERS),
    "programme.editor": Case("/events/{camp}/programme/editor", ORGANISERS),
    "programme.edit_room": Case("/events/{camp}/programme/rooms/{room_id}/edit", ORGANISERS),
    "programme.edit_slot": Case("/events/{camp}/programme/slots/{slot_id}/edit", ORGANISERS),
    "tickets.event_tickets": Case("/events/{camp}/tickets", PEOPLE),
    "tickets.private_tickets": Case("/events/{camp}/tickets/private/{private_secret}", (ANON,)),
    "tickets.mine": Case("/tickets/mine", SIGNED_IN),
    "tickets.show_booking": Case("/bookings/{booking_id}", (ATTENDEE,)),
    "tickets.ticket": Case("/tickets/{ticket_token}", (ANON, ATTENDEE)),
    "tickets.release_link": Case("/tickets/release/{release_signed}", (ANON,)),
    "tickets.reconfirm_link": Case("/tickets/reconfirm/{reconfirm_signed}", (ANON,)),
    "tickets.accept_transfer": Case("/transfers/{transfer_token}", (ANON,)),
    "tickets.manage_tickets": Case("/events/{camp}/tickets/manage", ORGANISERS),
    "tickets.new_type": Case("/events/{camp}/tickets/types/new", ORGANISERS),
    "tickets.edit_type": Case("/events/{camp}/tickets/types/{ticket_type_id}", ORGANISERS),
    "tickets.attendees": Case("/events/{camp}/tickets/attendees", ORGANISERS),
    "tickets.waitlist": Case("/events/{camp}/tickets/waitlist", ORGANISERS),
    "tickets.person_history": Case("/events/{camp}/tickets/people/{person_id}", ORGANISERS),
    "tickets.email_attendees": Case("/events/{camp}/tickets/email", ORGANISERS),
    "tickets.settings": Case("/events/{camp}/tickets/settings", ORGANISERS),
    "tickets.answers": Case("/events/{camp}/tickets/answers", (VOLUNTEER, ORGANISER, ADMIN)),
}

# Not pages a person reads: checked by their own tests, not by axe.
EXCLUDED: dict[str, str] = {
    "static": "static files (CSS, JS, images)",
    "checkin.service_worker": "JavaScript (the scanner's service worker)",
    "checkin.open_link": "redirect: pairs the phone, then sends it to the scanner (checked there)",
    "checkin.api_ping": "JSON API",
    "checkin.api_search": "JSON API",
    "checkin.api_stats": "JSON API",
    "checkin.api_tickets": "JSON API",
    "feeds.network": "iCalendar feed",
    "feeds.event_feed": "iCalendar feed",
    "feeds.programme_feed": "iCalendar feed",
    "feeds.personal": "iCalendar feed",
    "feeds.event_download": ".ics download",
    "feeds.session_download": ".ics download",
    "tickets.ticket_ics": ".ics download",
    "tickets.qr_png_view": "image (the ticket's QR code)",
    "tickets.qr_svg_view": "image (the ticket's QR code)",
    "tickets.export_csv": "CSV download",
    "participation.agm_csv": "CSV download",
    "participation.register_csv": "CSV download",
    "participation.reports_csv": "CSV download",
    "participation.event_report_csv": "CSV download",
    "participation.event_sessions_csv": "CSV download",
    "participation.years_csv": "CSV download",
    "participation.download": "JSON download (the person's data)",
}


def get_endpoints(app: Flask) -> set[str]:
    """Every endpoint that answers GET."""
    return {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}


def seed(session: Session, app: Flask) -> dict[str, str]:
    """The demo seed, plus the links a person would get by email; the values CASES needs."""
    people = demo.seed(session)
    attendee = people["attendee"]
    camp = session.scalars(
        select(Event).where(Event.name.startswith("LocalGovCamp")).order_by(Event.starts_at.desc())
    ).first()
    last_year = session.scalars(
        select(Event).where(Event.name.startswith("LocalGovCamp")).order_by(Event.starts_at)
    ).first()
    assert camp is not None and last_year is not None
    link_path = demo_tickets.demo_scanner_links(session, str(app.secret_key))[0][1]
    booking = session.scalars(
        select(Booking).where(Booking.event_id == camp.id, Booking.person_id == attendee.id)
    ).one()
    other = session.scalars(
        select(Booking)
        .where(Booking.event_id == camp.id, Booking.status == BookingStatus.CONFIRMED)
        .where(Booking.person_id.not_in([attendee.id]))
        .order_by(Booking.id.desc())
    ).first()
    assert other is not None
    transfer_token = secrets.token_urlsafe(24)
    session.add(
        Transfer(
            booking_id=other.id, to_email=attendee.email, token_hash=hash_token(transfer_token)
        )
    )
    share = participation.save_share(session, attendee, participation.ShareChoices(True, True))
    hosted = session.scalars(
        select(CampSession)
        .join(SessionHost)
        .where(CampSession.event_id == camp.id, SessionHost.person_id == attendee.id)
    ).first()
    hidden = session.scalars(
        select(TicketType).where(
            TicketType.event_id == camp.id, TicketType.visibility == TicketVisibility.HIDDEN
        )
    ).one()
    crowd = session.scalars(select(Person).where(Person.email.like("%@example.org"))).first()
    assert hosted is not None and crowd is not None
    with app.test_request_context():
        reset = accounts._serializer("reset").dumps(
            {"id": crowd.id, "pw": accounts._fingerprint(crowd.password_hash)}
        )
        email = accounts._serializer("email").dumps(
            {"id": attendee.id, "old": attendee.email, "new": "aisha.new@example.org"}
        )
        sign_up = accounts.sign_token(
            "sign-up", {"name": "Nia New", "email": "nia@example.org", "org": "", "next": ""}
        )
        email_undo = accounts.sign_token(
            "email-undo", {"id": crowd.id, "old": "crowd.old@example.org", "new": crowd.email}
        )
        co_host = cohosts._serializer().dumps({"s": hosted.id, "e": attendee.email})
        walk_in = session.scalars(select(WalkInRecord).order_by(WalkInRecord.id)).first()
        assert walk_in is not None
        walk_in_signed = walk_in_records._serializer().dumps({"w": walk_in.id, "e": walk_in.email})
    session.flush()
    return {
        "camp": camp.slug,
        "today": utcnow().date().isoformat(),
        "last_year": last_year.slug,
        "link_path": link_path,
        "booking_id": str(booking.id),
        "ticket_token": booking.token,
        "release_signed": sign_booking(other, "release"),
        "reconfirm_signed": sign_booking(other, "reconfirm"),
        "transfer_token": transfer_token,
        "verify_token": verification.sign(str(app.secret_key), attendee.id, share.version),
        "session_id": str(hosted.id),
        "private_secret": hidden.secret,
        "ticket_type_id": str(hidden.id),
        "person_id": str(attendee.id),
        "reset_token": str(reset),
        "email_token": str(email),
        "sign_up_token": sign_up,
        "email_undo_token": email_undo,
        "co_host_token": co_host,
        "walk_in_signed": walk_in_signed,
        "question_id": str(_first_id(session, Question, Question.event_id == camp.id)),
        "membership_id": str(_first_id(session, Membership)),
        "membership_type_id": str(_first_id(session, MembershipType)),
        "room_id": str(_first_id(session, Room, Room.event_id == camp.id)),
        "slot_id": str(_first_id(session, TimeSlot, TimeSlot.event_id == camp.id)),
    }


def _first_id(session: Session, model: type, *where: object) -> int:
    found = session.scalars(select(model.id).where(*where).order_by(model.id)).first()  # type: ignore[attr-defined]
    assert found is not None, model
    return int(found)
