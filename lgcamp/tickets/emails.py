"""Ticket emails: compose each kind and queue it in the caller's transaction.

Every email about a held ticket carries the signed release link.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from lgcamp import mail
from lgcamp.feeds.ical import event_ics
from lgcamp.tickets import links
from lgcamp.tickets.models import Booking, BookingStatus
from lgcamp.tickets.qr import qr_png

TICKET_KIND = "tickets.ticket"
WAITLISTED_KIND = "tickets.waitlisted"
BALLOT_ENTRY_KIND = "tickets.ballot_entry"
OFFER_KIND = "tickets.offer"
OFFER_EXPIRED_KIND = "tickets.offer_expired"


def _send(
    session: Session,
    booking: Booking,
    template: str,
    subject: str,
    dedupe_key: str | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
    **context: object,
) -> None:
    message = _compose(booking, template, subject, attachments, **context)
    mail.queue(session, message, dedupe_key=dedupe_key)


def _compose(
    booking: Booking,
    template: str,
    subject: str,
    attachments: list[tuple[str, str, bytes]] | None = None,
    **context: object,
) -> EmailMessage:
    text = render_template(
        f"tickets/email/{template}.txt",
        booking=booking,
        event=booking.event,
        person=booking.person,
        ticket_type=booking.ticket_type,
        booking_url=links.booking_url(booking),
        **context,
    )
    return mail.compose(booking.person.email, subject, text, attachments=attachments)


def send_ticket(session: Session, booking: Booking, reason: str = "confirmed") -> None:
    """The ticket: QR code (PNG), ticket link, release link and the event as .ics.

    Queued as a small row and built when sent (`render_ticket`), with the booking's token
    at that moment: a ticket reissued in between is sent with its new QR code.
    """
    session.flush()  # the booking's id
    subject = ticket_subject(booking.event.name)
    mail.queue_later(session, TICKET_KIND, booking.id, booking.person.email, subject, reason)


def _booking_for_email(session: Session, booking_id: int) -> Booking | None:
    return session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .options(
            joinedload(Booking.event), joinedload(Booking.person), joinedload(Booking.ticket_type)
        )
    )


def render_ticket(session: Session, booking_id: int, reason: str) -> EmailMessage | None:
    """Build the ticket email for a booking (None when the booking no longer exists)."""
    booking = _booking_for_email(session, booking_id)
    if booking is None:
        return None
    ticket_link = links.ticket_url(booking)
    attachments = [
        ("ticket-qr.png", "image/png", qr_png(ticket_link)),
        (f"{booking.event.slug}.ics", "text/calendar", event_ics(booking.event)),
    ]
    return _compose(
        booking,
        "ticket",
        ticket_subject(booking.event.name),
        attachments=attachments,
        ticket_link=ticket_link,
        release_link=links.release_url(booking),
        reason=reason,
    )


def render_waitlisted(session: Session, booking_id: int, _variant: str) -> EmailMessage | None:
    """You are on the waitlist (and will be emailed an offer)."""
    booking = _booking_for_email(session, booking_id)
    if booking is None:
        return None
    return _compose(booking, "waitlisted", waitlisted_subject(booking.event.name))


def render_ballot_entry(session: Session, booking_id: int, _variant: str) -> EmailMessage | None:
    """You are in the ballot; the draw happens when booking closes."""
    booking = _booking_for_email(session, booking_id)
    if booking is None:
        return None
    return _compose(booking, "ballot_entry", ballot_entry_subject(booking.event.name))


# The emails a booking can cause (ticket, waitlist place, ballot entry, offer, expired offer)
# are queued as small rows and built when sent, so a booking's transaction renders no
# template, draws no QR code and composes no MIME message.
mail.register_renderer(TICKET_KIND, render_ticket)
mail.register_renderer(WAITLISTED_KIND, render_waitlisted)
mail.register_renderer(BALLOT_ENTRY_KIND, render_ballot_entry)


def ticket_subject(event_name: str) -> str:
    """The subject of the ticket email."""
    return f"Your ticket for {event_name}"


def waitlisted_subject(event_name: str) -> str:
    """The subject of the email to someone who joined the waitlist."""
    return f"You are on the waitlist for {event_name}"


def ballot_entry_subject(event_name: str) -> str:
    """The subject of the email to someone who entered the ballot."""
    return f"You are in the ballot for {event_name}"


def booking_email(status: BookingStatus, event_name: str) -> tuple[str, str, str]:
    """The email a new booking gets (its ticket, waitlist place or ballot entry): the mail
    kind (its renderer), the subject and the renderer's variant."""
    if status == BookingStatus.CONFIRMED:
        return TICKET_KIND, ticket_subject(event_name), "confirmed"
    if status == BookingStatus.WAITLISTED:
        return WAITLISTED_KIND, waitlisted_subject(event_name), ""
    if status == BookingStatus.REGISTERED:
        return BALLOT_ENTRY_KIND, ballot_entry_subject(event_name), ""
    raise ValueError(f"a new booking is never {status}")


def send_ballot_lost(session: Session, booking: Booking) -> None:
    """The draw did not give you a place: you are on the waitlist in drawn order."""
    _send(
        session,
        booking,
        "ballot_lost",
        f"Ballot result for {booking.event.name}",
        dedupe_key=f"tickets:ballot-lost:{booking.id}",
    )


def send_offer(session: Session, booking: Booking) -> None:
    """A place is held for you until the offer expires: claim it (built when sent)."""
    mail.queue_later(
        session,
        OFFER_KIND,
        booking.id,
        booking.person.email,
        offer_subject(booking.event.name),
        dedupe_key=f"tickets:offer:{booking.id}",
    )


def render_offer(session: Session, booking_id: int, _variant: str) -> EmailMessage | None:
    """Build the offer email for a booking (None when the booking no longer exists)."""
    booking = _booking_for_email(session, booking_id)
    if booking is None:
        return None
    return _compose(
        booking,
        "offer",
        offer_subject(booking.event.name),
        release_link=links.release_url(booking),
    )


def send_offer_expired(session: Session, booking: Booking, outcome: str) -> None:
    """Your offer ran out, and what became of the place (built when sent): `passed_on` to the
    next person waiting, `freed` (nobody was waiting), or left for walk-ins (`started`)."""
    mail.queue_later(
        session,
        OFFER_EXPIRED_KIND,
        booking.id,
        booking.person.email,
        offer_expired_subject(booking.event.name),
        variant=outcome,
        dedupe_key=f"tickets:offer-expired:{booking.id}",
    )


def render_offer_expired(session: Session, booking_id: int, variant: str) -> EmailMessage | None:
    """Build the offer-expired email for a booking (None when it no longer exists)."""
    booking = _booking_for_email(session, booking_id)
    if booking is None:
        return None
    return _compose(
        booking,
        "offer_expired",
        offer_expired_subject(booking.event.name),
        outcome=variant,
        tickets_url=links.tickets_page_url(booking.event),
    )


def offer_subject(event_name: str) -> str:
    """The subject of an offer of a freed place."""
    return f"A place is free at {event_name}: claim it"


def offer_expired_subject(event_name: str) -> str:
    """The subject of the email saying an offer ran out."""
    return f"Your offer for {event_name} has expired"


mail.register_renderer(OFFER_KIND, render_offer)
mail.register_renderer(OFFER_EXPIRED_KIND, render_offer_expired)


def send_released(session: Session, booking: Booking) -> None:
    """Confirmation that the place was given back."""
    _send(session, booking, "released", f"You have released your place at {booking.event.name}")


def send_cancelled(session: Session, booking: Booking) -> None:
    """An organiser cancelled the booking."""
    _send(session, booking, "cancelled", f"Your booking for {booking.event.name} was cancelled")


def send_reminder(session: Session, booking: Booking) -> None:
    """N days before: see you soon; can't come? release your ticket."""
    _send(
        session,
        booking,
        "reminder",
        f"{booking.event.name} is coming up: can't come? Release your ticket",
        dedupe_key=f"tickets:reminder:{booking.id}",
        ticket_link=links.ticket_url(booking),
        release_link=links.release_url(booking),
    )


def send_reconfirm(
    session: Session, booking: Booking, deadline: datetime, final: bool = False
) -> None:
    """Still coming? One click to confirm by the deadline, or release the place; unconfirmed
    places are released to the waitlist at the deadline."""
    kind = "final" if final else "ask"
    subject = (
        f"Last chance to keep your place at {booking.event.name}"
        if final
        else f"Are you still coming to {booking.event.name}?"
    )
    _send(
        session,
        booking,
        "reconfirm",
        subject,
        dedupe_key=f"tickets:reconfirm-{kind}:{booking.id}",
        final=final,
        deadline=deadline,
        reconfirm_link=links.reconfirm_url(booking),
        release_link=links.release_url(booking),
    )


def send_unconfirmed_released(session: Session, booking: Booking) -> None:
    """The place was released because it was not reconfirmed by the deadline."""
    _send(
        session,
        booking,
        "unconfirmed_released",
        f"Your place at {booking.event.name} has been released",
        dedupe_key=f"tickets:unconfirmed:{booking.id}",
    )


def send_transfer_invite(session: Session, booking: Booking, to_email: str, link: str) -> None:
    """To the colleague: a ticket is waiting for you; accept it with this link."""
    text = render_template(
        "tickets/email/transfer_invite.txt",
        booking=booking,
        event=booking.event,
        person=booking.person,
        link=link,
    )
    subject = f"{booking.person.name} has passed you a ticket for {booking.event.name}"
    mail.queue(session, mail.compose(to_email, subject, text))


def send_transferred(session: Session, booking: Booking, to_email: str) -> None:
    """To the original holder: your colleague accepted; your ticket has ended."""
    _send(
        session,
        booking,
        "transferred",
        f"Your ticket for {booking.event.name} has been transferred",
        to_email=to_email,
    )


def send_bulk(session: Session, booking: Booking, subject: str, body: str, dedupe_key: str) -> None:
    """An organiser's message to ticket holders or the waitlist (deduplicated per person)."""
    release_link = links.release_url(booking) if booking.status == "confirmed" else None
    _send(
        session,
        booking,
        "bulk",
        subject,
        dedupe_key=dedupe_key,
        body=body,
        release_link=release_link,
    )


DOOR_RELEASED_KIND = "tickets.door_released"


def send_door_released(session: Session, booking_id: int, email: str, event_name: str) -> None:
    """Your place went to walk-ins at the door; come anyway, you may be admitted (built when
    sent: a door release emails everyone not checked in at once)."""
    mail.queue_later(
        session,
        DOOR_RELEASED_KIND,
        booking_id,
        email,
        door_released_subject(event_name),
        dedupe_key=f"tickets:door-released:{booking_id}",
    )


def render_door_released(session: Session, booking_id: int, _variant: str) -> EmailMessage | None:
    """Build the door-release email for a booking (None when it no longer exists)."""
    booking = _booking_for_email(session, booking_id)
    if booking is None:
        return None
    return _compose(booking, "door_released", door_released_subject(booking.event.name))


def door_released_subject(event_name: str) -> str:
    """The subject of the email saying a place was released at the door."""
    return f"Your place at {event_name} has been released at the door"


mail.register_renderer(DOOR_RELEASED_KIND, render_door_released)
