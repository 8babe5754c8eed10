"""Links in ticket emails: absolute URLs, and signed links that work without signing in.

A signed link names the booking and the first characters of its token hash, so it stops
working when the organiser reissues the ticket (or it is transferred, which ends the booking).
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from lgcamp.errors import DomainError
from lgcamp.events.models import Event
from lgcamp.tickets.models import Booking
from lgcamp.urls import external_url


class LinkInvalid(DomainError):
    """A ticket link was tampered with, or is for a ticket that was reissued."""


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"lgcamp.tickets.{purpose}")


def sign_booking(booking: Booking, purpose: str) -> str:
    """A signed reference to the booking for one purpose (release, reconfirm)."""
    return str(_serializer(purpose).dumps({"b": booking.id, "t": booking.token_hash[:16]}))


def booking_from_link(session: Session, signed: str, purpose: str) -> Booking:
    """The booking a signed link names; LinkInvalid if tampered with or out of date."""
    message = "This link is not valid. Check you copied all of it, or use your account page."
    try:
        data = _serializer(purpose).loads(signed)
    except BadSignature as error:
        raise LinkInvalid(message) from error
    booking_id = data.get("b") if isinstance(data, dict) else None
    booking = session.get(Booking, booking_id) if isinstance(booking_id, int) else None
    if booking is None or booking.token_hash[:16] != data.get("t"):
        raise LinkInvalid("This link is out of date: the ticket has been reissued or moved.")
    return booking


def ticket_url(booking: Booking) -> str:
    """The ticket page reached by its token (the link in emails, and what the QR holds)."""
    return external_url("tickets.ticket", token=booking.token)


def release_url(booking: Booking) -> str:
    """The signed one-click release link put in every ticket email."""
    return external_url("tickets.release_link", signed=sign_booking(booking, "release"))


def reconfirm_url(booking: Booking) -> str:
    """The signed "still coming?" link."""
    return external_url("tickets.reconfirm_link", signed=sign_booking(booking, "reconfirm"))


def booking_url(booking: Booking) -> str:
    """The booking's page in the holder's account (claim an offer, transfer, release)."""
    return external_url("tickets.show_booking", booking_id=booking.id)


def tickets_page_url(event: Event) -> str:
    """The event's public tickets page."""
    return external_url("tickets.event_tickets", slug=event.slug)
