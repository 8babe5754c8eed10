"""Organisers' messages to a group of attendees: audiences, sending once, and the log.

Each send is one `BulkEmail` row whose idempotency key (from the form) is unique: the same
form submitted again (Back and Send, a double click, a retry) finds its row and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.events.models import Event
from lgcamp.tickets import emails
from lgcamp.tickets.models import Booking, BookingStatus, BulkEmail, TicketType

_CONFIRMED = Booking.status == BookingStatus.CONFIRMED
# value -> (how the form and the log name it, which bookings it means)
AUDIENCES: dict[str, tuple[str, ColumnElement[bool]]] = {
    "holders": ("Everyone with a ticket", _CONFIRMED),
    "checked_in": ("Ticket holders who have checked in", and_(
        _CONFIRMED, Booking.checked_in_at.is_not(None)
    )),
    "not_arrived": ("Ticket holders who have not arrived yet", and_(
        _CONFIRMED, Booking.checked_in_at.is_(None)
    )),
    "waitlist": ("Everyone on the waitlist (and with an open offer)", Booking.status.in_(
        [BookingStatus.WAITLISTED, BookingStatus.OFFERED]
    )),
}  # fmt: skip


class AlreadySent(Conflict):
    """This form was sent already (Back and Send again): nobody is mailed twice."""

    def __init__(self, sent: BulkEmail, tz: tzinfo) -> None:
        when = sent.created_at.astimezone(tz).strftime("%H:%M on %-d %B")
        super().__init__(
            f"This message was already sent at {when} to {sent.recipients} people. "
            "Nobody has been emailed again."
        )
        self.sent = sent


class SameMessageSent(Conflict):
    """An identical message went to the same people before: ask before sending it again."""


@dataclass(frozen=True)
class BulkMessage:
    """What an organiser writes, and to whom."""

    audience: str
    ticket_type_id: int | None
    subject: str
    body: str
    idempotency_key: str
    send_again: bool = False  # the organiser confirmed sending an identical message again


def audience_label(audience: str, ticket_type: TicketType | None) -> str:
    """The audience in words, for the log: "Ticket holders who have checked in (Speaker)"."""
    label = AUDIENCES[audience][0] if audience in AUDIENCES else audience
    return f"{label} ({ticket_type.name})" if ticket_type is not None else label


def recipients(
    session: Session, event: Event, audience: str, ticket_type_id: int | None
) -> list[Booking]:
    """The bookings an audience means, one per person, by id."""
    if audience not in AUDIENCES:
        raise DomainError("Choose who to send to", field="audience")
    query = select(Booking).where(Booking.event_id == event.id, AUDIENCES[audience][1])
    if ticket_type_id is not None:
        query = query.where(Booking.ticket_type_id == ticket_type_id)
    query = query.options(joinedload(Booking.person), joinedload(Booking.ticket_type))
    return list(session.scalars(query.order_by(Booking.id)))


def send_bulk_email(
    session: Session, actor: Person, event: Event, message: BulkMessage
) -> BulkEmail:
    """Log the message under its idempotency key and queue one email per person.

    The log row is inserted first: a second submission of the same form hits the unique key
    (AlreadySent) before anything is queued; on PostgreSQL two at once wait for each other.
    """
    if message.ticket_type_id is not None:
        ticket_type = session.get(TicketType, message.ticket_type_id)
        if ticket_type is None or ticket_type.event_id != event.id:
            raise DomainError("Choose a ticket type of this event", field="ticket_type")
    existing = session.scalar(
        select(BulkEmail).where(BulkEmail.idempotency_key == message.idempotency_key)
    )
    if existing is not None:
        raise AlreadySent(existing, event.tz)
    subject, body = message.subject.strip(), message.body.strip()
    if not message.send_again:
        _check_not_repeated(session, event, message, subject, body)
    bookings = recipients(session, event, message.audience, message.ticket_type_id)
    log = BulkEmail(
        event_id=event.id, actor_id=actor.id, idempotency_key=message.idempotency_key,
        audience=message.audience, ticket_type_id=message.ticket_type_id, subject=subject,
        body=body, recipients=len(bookings), created_at=utcnow(),
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(log)
    except IntegrityError:  # the same form, sent at the same moment by another request
        existing = session.scalar(
            select(BulkEmail).where(BulkEmail.idempotency_key == message.idempotency_key)
        )
        assert existing is not None
        raise AlreadySent(existing, event.tz) from None
    for booking in bookings:
        key = f"tickets:bulk:{event.id}:{message.idempotency_key}:{booking.id}"
        emails.send_bulk(session, booking, subject, body, dedupe_key=key)
    session.flush()
    return log


def _check_not_repeated(
    session: Session, event: Event, message: BulkMessage, subject: str, body: str
) -> None:
    earlier = session.scalar(
        select(BulkEmail)
        .where(
            BulkEmail.event_id == event.id,
            BulkEmail.audience == message.audience,
            BulkEmail.ticket_type_id.is_(None)
            if message.ticket_type_id is None
            else BulkEmail.ticket_type_id == message.ticket_type_id,
            BulkEmail.subject == subject,
            BulkEmail.body == body,
        )
        .order_by(BulkEmail.id.desc())
        .limit(1)
    )
    if earlier is not None:
        when = earlier.created_at.astimezone(event.tz).strftime("%H:%M on %-d %B")
        raise SameMessageSent(
            f"You sent this same message to the same people at {when} "
            f"({earlier.recipients} people). To send it again, tick “Send it again”.",
            field="send_again",
        )


def bulk_email_log(session: Session, event: Event) -> list[BulkEmail]:
    """Every message sent to the event's attendees, newest first."""
    return list(
        session.scalars(
            select(BulkEmail)
            .where(BulkEmail.event_id == event.id)
            .options(joinedload(BulkEmail.actor), joinedload(BulkEmail.ticket_type))
            .order_by(BulkEmail.created_at.desc(), BulkEmail.id.desc())
        )
    )


def messages_sent(session: Session, event: Event) -> int:
    """How many messages the organisers have sent (for the manage page)."""
    count = session.scalar(select(func.count(BulkEmail.id)).where(BulkEmail.event_id == event.id))
    return count or 0
