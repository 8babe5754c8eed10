"""Transfers: a holder passes their ticket to a colleague by email.

The emailed link carries a random token (only its hash is stored). The place passes straight
to the colleague's new booking, never back to the pool, so the waitlist is not involved.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import normalise_email
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.tickets import emails
from lgcamp.tickets.answers import BookingAnswers, questions_for, save_answers, validate_answers
from lgcamp.tickets.booking import AlreadyBooked, insert_booking, live_booking
from lgcamp.tickets.links import LinkInvalid, external_url
from lgcamp.tickets.models import (
    Booking,
    BookingStatus,
    Transfer,
    TransferStatus,
    hash_token,
)
from lgcamp.tickets.service import NotYourBooking


class TransferNotAllowed(Conflict):
    """This ticket cannot be transferred (turned off, not a ticket, event over)."""


def pending_transfer(session: Session, booking: Booking) -> Transfer | None:
    """The transfer waiting for a colleague, if any."""
    return session.scalar(
        select(Transfer).where(
            Transfer.booking_id == booking.id, Transfer.status == TransferStatus.PENDING
        )
    )


def start_transfer(
    session: Session, actor: Person, booking: Booking, to_email: str, now: datetime | None = None
) -> Transfer:
    """Offer the ticket to a colleague by email (replacing any earlier pending offer)."""
    now = now or utcnow()
    if booking.person_id != actor.id:
        raise NotYourBooking("This ticket is someone else's.")
    if booking.status != BookingStatus.CONFIRMED:
        raise TransferNotAllowed("Only a confirmed ticket can be transferred.")
    if not booking.ticket_type.allow_transfer:
        raise TransferNotAllowed("The organisers have turned off transfers for this ticket.")
    if booking.event.starts_at <= now:
        raise TransferNotAllowed("The event has started: tickets can no longer be transferred.")
    if booking.checked_in_at is not None:
        raise TransferNotAllowed("This ticket has been checked in, so it cannot be transferred.")
    to_email = normalise_email(to_email)
    if to_email == actor.email:
        raise DomainError("Enter your colleague's email address, not your own.", field="email")
    cancel_transfer(session, actor, booking, now)
    token = secrets.token_urlsafe(24)
    transfer = Transfer(booking_id=booking.id, to_email=to_email, token_hash=hash_token(token))
    session.add(transfer)
    session.flush()
    link = external_url("tickets.accept_transfer", token=token)
    emails.send_transfer_invite(session, booking, to_email, link)
    return transfer


def cancel_transfer(
    session: Session, actor: Person, booking: Booking, now: datetime | None = None
) -> bool:
    """Withdraw a pending transfer; True if there was one."""
    result = session.execute(
        update(Transfer)
        .where(Transfer.booking_id == booking.id, Transfer.status == TransferStatus.PENDING)
        .values(status=TransferStatus.CANCELLED, ended_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return cast("CursorResult[Any]", result).rowcount > 0


def transfer_for_token(session: Session, token: str) -> Transfer:
    """The pending transfer a link names; LinkInvalid otherwise."""
    transfer = session.scalar(select(Transfer).where(Transfer.token_hash == hash_token(token)))
    if transfer is None:
        raise LinkInvalid("This transfer link is not valid. Check you copied all of it.")
    if (
        transfer.status != TransferStatus.PENDING
        or transfer.booking.status != BookingStatus.CONFIRMED
    ):
        raise LinkInvalid("This transfer has been withdrawn or used already.")
    return transfer


def accept_transfer(
    session: Session,
    actor: Person,
    token: str,
    answers: BookingAnswers | None = None,
    now: datetime | None = None,
) -> Booking:
    """The colleague takes the ticket: a new booking and token; the holder's ticket ends."""
    now = now or utcnow()
    transfer = transfer_for_token(session, token)
    old = transfer.booking
    if old.person_id == actor.id:
        raise DomainError("This is your own ticket: send the link to your colleague.")
    if old.event.starts_at <= now:
        raise TransferNotAllowed("The event has started: tickets can no longer be transferred.")
    if live_booking(session, actor, old.event) is not None:
        raise AlreadyBooked("You already have a booking for this event.")
    answers = answers or BookingAnswers(organisation=actor.organisation)
    questions = questions_for(session, old.event)
    validate_answers(questions, answers)
    claimed = session.execute(
        update(Transfer)
        .where(Transfer.id == transfer.id, Transfer.status == TransferStatus.PENDING)
        .values(status=TransferStatus.ACCEPTED, ended_at=now)
        .execution_options(synchronize_session=False)
    )
    ended = session.execute(
        update(Booking)
        .where(
            Booking.id == old.id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.checked_in_at.is_(None),  # attendance is never passed on
        )
        .values(status=BookingStatus.RELEASED, ended_at=now, end_reason="transferred")
        .execution_options(synchronize_session=False)
    )
    if (
        cast("CursorResult[Any]", claimed).rowcount != 1
        or cast("CursorResult[Any]", ended).rowcount != 1
    ):
        raise LinkInvalid("This transfer has been withdrawn or used already.")
    booking = insert_booking(
        session,
        event_id=old.event_id,
        ticket_type_id=old.ticket_type_id,
        person_id=actor.id,
        status=BookingStatus.CONFIRMED,
        confirmed_at=now,
        source="transfer",
    )
    save_answers(session, booking, questions, answers)
    transfer.new_booking_id = booking.id
    session.flush()
    session.refresh(old)
    emails.send_ticket(session, booking, reason="transfer")
    emails.send_transferred(session, old, actor.email)
    return booking
