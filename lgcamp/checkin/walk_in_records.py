"""Walk-ins kept as records: what a scanner link (or the scanner role) typed, never looked up.

Looking the email up would tell the phone who has an account and let it create evidence of
participation for them. The record holds a place and counts at the door; the person confirms
it from an emailed link (or an organiser links it), and only then does it become a booking and
a check-in of their account.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lgcamp import mail
from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email, normalise_email
from lgcamp.checkin.models import CheckIn, ScanLog, ScanMethod, ScanResult, WalkInRecord
from lgcamp.checkin.outcomes import ScanOutcome
from lgcamp.checkin.scans import NotFound, ScanActor, ScanInput, log_scan, replay_scan
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError, NotAllowed
from lgcamp.events.models import Event
from lgcamp.tickets.booking import insert_booking, live_booking
from lgcamp.tickets.models import Booking, BookingStatus, TicketType
from lgcamp.tickets.offers import free_place, take_place
from lgcamp.urls import external_url

CONFIRM_MAX_AGE = 90 * 24 * 60 * 60  # seconds: a person may read the email weeks later
INVALID_LINK = "This link is not valid or has expired. Ask the event's organisers to add it."


class NoPlaceForWalkIn(Conflict):
    """The ticket type is full: no walk-in possible."""


def _outcome(record: WalkInRecord, ticket_type_name: str) -> ScanOutcome:
    """Green, with only what the volunteer typed (no booking, no account)."""
    return ScanOutcome(
        record.scan_id,
        ScanResult.ACCEPTED,
        "Checked in",
        ticket_type_name,
        name=record.name,
        ticket_type=ticket_type_name,
        checked_in_at=record.registered_at,
        door=record.door_label,
    )


def _replay(session: Session, event: Event, scan_id: str) -> ScanOutcome:
    """A walk-in sent again under its scan id: the record's answer, changing nothing."""
    found = session.execute(
        select(WalkInRecord, TicketType.name)
        .join(TicketType, TicketType.id == WalkInRecord.ticket_type_id)
        .where(WalkInRecord.scan_id == scan_id, WalkInRecord.event_id == event.id)
    ).first()
    if found is None:
        return replay_scan(session, event, scan_id)
    return _outcome(found[0], found[1])


def record_walk_in(
    session: Session,
    actor: ScanActor,
    event: Event,
    ticket_type: TicketType,
    typed: dict[str, str],
    scan: ScanInput,
) -> ScanOutcome:
    """Keep a walk-in as typed (``name``, ``email``, ``organisation``), take a place, and email
    the address a link to confirm it. Idempotent by scan id."""
    received_at = utcnow()
    log_id = log_scan(
        session, actor, event, scan.scan_id, received_at,
        method=ScanMethod.WALK_IN, result=ScanResult.ACCEPTED, device_id=scan.device_id,
    )  # fmt: skip
    if log_id is None:
        return _replay(session, event, scan.scan_id)
    if not take_place(session, ticket_type.id):
        raise NoPlaceForWalkIn(
            f"No places left for {ticket_type.name}: the event is full.", field="ticket_type_id"
        )
    record = WalkInRecord(
        event_id=event.id,
        ticket_type_id=ticket_type.id,
        scan_log_id=log_id,
        scan_id=scan.scan_id,
        name=typed["name"].strip(),
        email=normalise_email(typed["email"]),
        organisation=typed["organisation"].strip(),
        door_label=actor.door_label,
        scanner_link_id=actor.link.id if actor.link else None,
        registered_by_id=actor.person.id if actor.person else None,
        registered_at=received_at,
    )
    session.add(record)
    session.flush()
    _queue_confirmation(session, event, record)
    return _outcome(record, ticket_type.name)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lgcamp.checkin.walk-in")


def confirm_url(record: WalkInRecord) -> str:
    """The signed link in the walk-in's email: names the record and the address it went to."""
    signed = _serializer().dumps({"w": record.id, "e": record.email})
    return external_url("checkin.confirm_walk_in", signed=signed)


def _queue_confirmation(session: Session, event: Event, record: WalkInRecord) -> None:
    """Sent to whatever address was typed: the door never learns whether it has an account."""
    when = record.registered_at.astimezone(event.tz).strftime("%d %B %Y")
    text = (
        f"Hello {record.name},\n\n"
        f"You were registered at the door of {event.name} on {when} ({record.door_label}).\n\n"
        "If this was you, confirm it to add your attendance to your lgcamp record. Sign in "
        "(or create an account) with this email address, then open:\n"
        f"{confirm_url(record)}\n\n"
        "If it was not you, ignore this email: nothing is added to any account without "
        "your confirmation.\n"
    )
    mail.queue(session, mail.compose(record.email, f"Confirm you were at {event.name}", text))


def record_from_link(session: Session, signed: str) -> WalkInRecord:
    """The walk-in a signed link names; DomainError when tampered with or expired."""
    try:
        data = _serializer().loads(signed, max_age=CONFIRM_MAX_AGE)
    except BadSignature as error:
        raise DomainError(INVALID_LINK) from error
    record_id = data.get("w") if isinstance(data, dict) else None
    record = session.get(WalkInRecord, record_id) if isinstance(record_id, int) else None
    if record is None or record.email != data.get("e"):
        raise DomainError(INVALID_LINK)
    return record


def confirm_walk_in(session: Session, person: Person, record: WalkInRecord) -> Booking:
    """The person the email went to confirms: the walk-in becomes their booking and check-in."""
    if normalise_email(person.email) != record.email:
        raise NotAllowed("This link was sent to another address: sign in with that account.")
    return link_walk_in(session, record, person, linked_by=person)


def link_by_organiser(session: Session, organiser: Person, event: Event, record_id: int) -> Person:
    """An organiser links a walk-in to the account with its email (organisers may know who has
    one); NotFound when there is no such walk-in or no such account."""
    record = session.get(WalkInRecord, record_id)
    if record is None or record.event_id != event.id:
        raise NotFound("There is no such walk-in for this event.")
    person = find_person_by_email(session, record.email)
    if person is None:
        raise NotFound(
            f"No account uses {record.email}: they can confirm from the email they were sent."
        )
    link_walk_in(session, record, person, linked_by=organiser)
    return person


def link_walk_in(
    session: Session, record: WalkInRecord, person: Person, linked_by: Person
) -> Booking:
    """Turn the record into the person's confirmed booking, checked in when the record was made
    (so the check-in is their evidence of participation). Once only, even when raced."""
    now = utcnow()
    claimed = session.execute(
        update(WalkInRecord)
        .where(WalkInRecord.id == record.id, WalkInRecord.linked_at.is_(None))
        .values(linked_at=now, linked_by_id=linked_by.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("This walk-in has been confirmed already.")
    event = record.event
    booking = live_booking(session, person, event)
    if booking is None:
        booking = insert_booking(
            session,
            event_id=event.id,
            ticket_type_id=record.ticket_type_id,
            person_id=person.id,
            status=BookingStatus.CONFIRMED,
            source="walk_in",
            confirmed_at=record.registered_at,
            organisation=record.organisation or person.organisation,
        )
    elif booking.status is BookingStatus.CONFIRMED:
        free_place(session, record.ticket_type_id)  # they held a ticket already: one place
    else:
        raise Conflict(
            "You are on this event's waitlist or have an offer: ask an organiser to add this."
        )
    _check_in_as_recorded(session, record, booking)
    session.execute(
        update(WalkInRecord).where(WalkInRecord.id == record.id).values(booking_id=booking.id)
    )
    session.expire(record)
    return booking


def _check_in_as_recorded(session: Session, record: WalkInRecord, booking: Booking) -> None:
    """The check-in the door made, at its time and door; none if the booking has one."""
    if record.scan_log_id is not None:
        session.execute(
            update(ScanLog).where(ScanLog.id == record.scan_log_id).values(booking_id=booking.id)
        )
    checked_in = session.scalar(
        select(CheckIn.id).where(CheckIn.booking_id == booking.id, CheckIn.undone_at.is_(None))
    )
    if checked_in is not None:
        return
    session.add(
        CheckIn(
            booking_id=booking.id,
            event_id=record.event_id,
            scan_log_id=record.scan_log_id,
            scanned_at=record.registered_at,
            received_at=record.registered_at,
            door_label=record.door_label,
            scanner_link_id=record.scanner_link_id,
            person_id=record.registered_by_id,
        )
    )
    booking.checked_in_at = record.registered_at
    session.flush()


def unlinked_walk_ins(session: Session, event: Event) -> list[WalkInRecord]:
    """Walk-ins not yet confirmed, newest first (the organisers' dashboard)."""
    return list(
        session.scalars(
            select(WalkInRecord)
            .where(WalkInRecord.event_id == event.id, WalkInRecord.linked_at.is_(None))
            .order_by(WalkInRecord.registered_at.desc(), WalkInRecord.id.desc())
        )
    )


def unlinked_times(session: Session, event: Event) -> list[datetime]:
    """When each unconfirmed walk-in arrived: they count at the door like check-ins."""
    return list(
        session.scalars(
            select(WalkInRecord.registered_at).where(
                WalkInRecord.event_id == event.id, WalkInRecord.linked_at.is_(None)
            )
        )
    )
