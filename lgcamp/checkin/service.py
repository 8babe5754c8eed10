"""Check-in operations: scans (live and synced from offline phones), undo, search, walk-ins.

Timing rule for scans (documented in the README): each scan carries the phone's clock when it
scanned (``device_time``) and when it sent the request (``device_sent_at``). The server takes
the phone's clock offset to be ``received_at - device_sent_at`` and counts the scan as having
happened at ``device_time + offset``, never later than ``received_at`` and never more than
48 hours before it. A wrong phone clock therefore cancels out; only time in transit is
lost. When one ticket is scanned at two doors, the scan with the earliest corrected time is the
accepted check-in, whatever order they reach the server in.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email, normalise_email
from lgcamp.checkin.models import CheckIn, ScanLog, ScanMethod, ScannerLink, ScanResult
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.events.models import Event, EventStatus
from lgcamp.tickets.models import LIVE_STATUSES, Booking, BookingStatus, TicketType, hash_token
from lgcamp.tickets.service import take_place

MAX_PAYLOAD = 512
MAX_BACKDATE = timedelta(hours=48)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
SCAN_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


class NotFound(DomainError):
    """The thing asked for does not exist (in this event)."""

    status_code = 404


class NoPlacesLeft(Conflict):
    """The ticket type is full: no walk-in possible."""


class AlreadyBooked(Conflict):
    """The walk-in already has a booking for this event."""


@dataclass(frozen=True)
class ScanActor:
    """Who scans: a person with the scanner role, or a scanner link (one door)."""

    person: Person | None
    link: ScannerLink | None
    door_label: str


@dataclass(frozen=True)
class ScanInput:
    """One scan as the phone sent it. Exactly one of payload, token_hash, booking_id is used."""

    scan_id: str
    method: ScanMethod = ScanMethod.QR
    payload: str | None = None
    token_hash: str | None = None
    booking_id: int | None = None
    device_time: datetime | None = None
    device_sent_at: datetime | None = None
    device_id: str | None = None


@dataclass(frozen=True)
class ScanOutcome:
    """What the scanner shows: a colour, a title, details, and the facts behind them."""

    scan_id: str
    result: ScanResult
    title: str
    detail: str
    booking_id: int | None = None
    name: str | None = None
    ticket_type: str | None = None
    has_access_needs: bool = False
    check_in_id: int | None = None
    checked_in_at: datetime | None = None
    door: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The API's view of a scan outcome."""
        return {
            "scan_id": self.scan_id,
            "result": self.result.value,
            "colour": self.result.colour,
            "title": self.title,
            "detail": self.detail,
            "booking_id": self.booking_id,
            "name": self.name,
            "ticket_type": self.ticket_type,
            "has_access_needs": self.has_access_needs,
            "check_in_id": self.check_in_id,
            "checked_in_at": self.checked_in_at.isoformat() if self.checked_in_at else None,
            "door": self.door,
        }


RED_TITLES = {
    ScanResult.INVALID: ("Not a ticket", "This code is not an lgcamp ticket."),
    ScanResult.UNKNOWN: ("Ticket not recognised", "No booking has this ticket code."),
    ScanResult.OTHER_EVENT: ("Wrong event", "This ticket is for a different event."),
    ScanResult.CANCELLED: ("Booking cancelled", "The organisers cancelled this booking."),
    ScanResult.RELEASED: ("Ticket given back", "The holder released this ticket."),
    ScanResult.NOT_CONFIRMED: ("No confirmed place", "This booking does not hold a place."),
}


def has_access_needs(session: Session, booking: Booking) -> bool:
    """Whether the booking's answers flag access needs (the scanner shows a flag, no details)."""
    # TODO(merge): join the ticketing feature's question answers (questions marked as access
    # needs, answered non-empty for this booking) once issue 3 lands; False until then.
    return False


def parse_payload(payload: str) -> str | None:
    """The ticket token in a scanned QR payload (a bare token, or a URL ending in one)."""
    text = payload.strip()
    if not text or len(text) > MAX_PAYLOAD:
        return None
    if "/" in text or "?" in text:
        parts = urlsplit(text)
        query = parse_qs(parts.query)
        candidates = query.get("t", []) + query.get("token", [])
        segments = [s for s in parts.path.split("/") if s]
        text = candidates[0] if candidates else (segments[-1] if segments else "")
    return text if TOKEN_RE.match(text) else None


def effective_time(
    received_at: datetime, device_time: datetime | None, device_sent_at: datetime | None
) -> datetime:
    """When the scan is taken to have happened (see the module docstring for the rule)."""
    if device_time is None:
        return received_at
    offset = received_at - device_sent_at if device_sent_at is not None else timedelta(0)
    corrected = device_time + offset
    return min(max(corrected, received_at - MAX_BACKDATE), received_at)


def _insert_or_nothing(
    session: Session, model: type[Any], values: dict[str, Any], unique: list[str], where: Any
) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: None when the unique key existed."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=unique, index_where=where)
        .returning(model.id)
    )
    return session.execute(statement).scalar_one_or_none()


def _current_check_in(session: Session, booking_id: int) -> CheckIn | None:
    return session.scalar(
        select(CheckIn).where(CheckIn.booking_id == booking_id, CheckIn.undone_at.is_(None))
    )


def _classify(booking: Booking | None, event: Event, looked_up: bool) -> ScanResult:
    if booking is None:
        return ScanResult.UNKNOWN if looked_up else ScanResult.INVALID
    if booking.event_id != event.id:
        return ScanResult.OTHER_EVENT
    return {
        BookingStatus.CONFIRMED: ScanResult.ACCEPTED,
        BookingStatus.CANCELLED: ScanResult.CANCELLED,
        BookingStatus.RELEASED: ScanResult.RELEASED,
    }.get(booking.status, ScanResult.NOT_CONFIRMED)


def _find_booking(session: Session, scan: ScanInput) -> tuple[Booking | None, str | None, bool]:
    """The booking a scan points at, the token hash used, and whether a lookup was possible."""
    with_details = (joinedload(Booking.person), joinedload(Booking.ticket_type))
    if scan.booking_id is not None:
        return session.get(Booking, scan.booking_id, options=with_details), None, True
    token_hash = scan.token_hash
    if token_hash is None and scan.payload is not None:
        token = parse_payload(scan.payload)
        token_hash = hash_token(token) if token else None
    if token_hash is None or not HASH_RE.match(token_hash):
        return None, None, False
    query = select(Booking).where(Booking.token_hash == token_hash).options(*with_details)
    return session.scalar(query), token_hash, True


def humanise(delta: timedelta) -> str:
    """A short duration for people: "40 seconds", "2 minutes", "3 hours"."""
    seconds = round(abs(delta.total_seconds()))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = round(seconds / size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def outcome_for(
    session: Session,
    event: Event,
    scan_id: str,
    result: ScanResult,
    booking: Booking | None,
    scanned_at: datetime,
    check_in: CheckIn | None = None,
) -> ScanOutcome:
    """Build what the scanner shows for a result (live, or replayed from the log)."""
    if result in RED_TITLES:
        title, detail = RED_TITLES[result]
        show_person = result in (
            ScanResult.CANCELLED,
            ScanResult.RELEASED,
            ScanResult.NOT_CONFIRMED,
        )
        if show_person and booking is not None:
            detail = f"{booking.person.name}: {detail}"
        return ScanOutcome(
            scan_id,
            result,
            title,
            detail,
            booking_id=booking.id if show_person and booking else None,
        )
    assert booking is not None
    if check_in is None:
        check_in = _current_check_in(session, booking.id)
    common = {
        "booking_id": booking.id,
        "name": booking.person.name,
        "ticket_type": booking.ticket_type.name,
        "has_access_needs": has_access_needs(session, booking),
        "check_in_id": check_in.id if check_in else None,
        "checked_in_at": check_in.scanned_at if check_in else None,
        "door": check_in.door_label if check_in else None,
    }
    if result is ScanResult.ACCEPTED:
        return ScanOutcome(scan_id, result, "Checked in", booking.ticket_type.name, **common)
    if check_in is None:  # the earlier check-in has since been undone
        detail = "Checked in earlier; that check-in was undone. Scan again to check in."
    else:
        local = check_in.scanned_at.astimezone(event.tz).strftime("%H:%M")
        gap = scanned_at - check_in.scanned_at
        when = f"{humanise(gap)} earlier" if gap.total_seconds() >= 1 else "at the same time"
        detail = f"Checked in at {check_in.door_label}, {when} (at {local})"
    return ScanOutcome(scan_id, result, "Already checked in", detail, **common)


def record_scan(session: Session, actor: ScanActor, event: Event, scan: ScanInput) -> ScanOutcome:
    """Log a scan and check the booking in when it is the earliest valid scan of a ticket.

    Idempotent by scan id: sending the same scan again returns its outcome without changes.
    """
    received_at = utcnow()
    scanned_at = effective_time(received_at, scan.device_time, scan.device_sent_at)
    booking, token_hash, looked_up = _find_booking(session, scan)
    result = _classify(booking, event, looked_up)
    current = None
    if result is ScanResult.ACCEPTED and booking is not None:
        current = _current_check_in(session, booking.id)
        if current is not None and current.scanned_at <= scanned_at:
            result = ScanResult.DUPLICATE
    log_id = _insert_or_nothing(
        session,
        ScanLog,
        {
            "scan_id": scan.scan_id,
            "event_id": event.id,
            "booking_id": booking.id if booking is not None else None,
            "token_hash": token_hash or (booking.token_hash if booking is not None else None),
            "method": scan.method,
            "result": result,
            "device_label": actor.door_label,
            "device_id": scan.device_id,
            "device_time": scan.device_time,
            "received_at": received_at,
            "scanned_at": scanned_at,
            "scanner_link_id": actor.link.id if actor.link else None,
            "person_id": actor.person.id if actor.person else None,
        },
        ["scan_id"],
        None,
    )
    if log_id is None:
        return replay_scan(session, event, scan.scan_id)
    if result is ScanResult.ACCEPTED and booking is not None:
        accepted = (
            _accept(session, actor, event, booking, log_id, received_at, scanned_at)
            if current is None
            else _supersede(session, actor, current, log_id, scanned_at)
        )
        if not accepted:
            result = ScanResult.DUPLICATE
            session.execute(update(ScanLog).where(ScanLog.id == log_id).values(result=result))
        current = _current_check_in(session, booking.id)
    return outcome_for(session, event, scan.scan_id, result, booking, scanned_at, current)


def _accept(
    session: Session,
    actor: ScanActor,
    event: Event,
    booking: Booking,
    log_id: int,
    received_at: datetime,
    scanned_at: datetime,
) -> bool:
    """Insert the check-in; False when another one won the race (the unique index decides)."""
    check_in_id = _insert_or_nothing(
        session,
        CheckIn,
        {
            "booking_id": booking.id,
            "event_id": event.id,
            "scan_log_id": log_id,
            "scanned_at": scanned_at,
            "received_at": received_at,
            "door_label": actor.door_label,
            "scanner_link_id": actor.link.id if actor.link else None,
            "person_id": actor.person.id if actor.person else None,
        },
        ["booking_id"],
        CheckIn.undone_at.is_(None),
    )
    # TODO(merge): also set Booking.checked_in_at = scanned_at here (column from migration 0003).
    return check_in_id is not None


def _supersede(
    session: Session, actor: ScanActor, current: CheckIn, log_id: int, scanned_at: datetime
) -> bool:
    """An earlier scan arrived late (offline sync): it becomes the check-in; the later one is
    marked superseded so that its door learns of the conflict on its next sync."""
    previous_log_id = current.scan_log_id
    moved = session.execute(
        update(CheckIn)
        .where(
            CheckIn.id == current.id, CheckIn.undone_at.is_(None), CheckIn.scanned_at > scanned_at
        )
        .values(
            scanned_at=scanned_at,
            scan_log_id=log_id,
            door_label=actor.door_label,
            scanner_link_id=actor.link.id if actor.link else None,
            person_id=actor.person.id if actor.person else None,
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return False
    if previous_log_id is not None:
        session.execute(
            update(ScanLog)
            .where(ScanLog.id == previous_log_id)
            .values(result=ScanResult.SUPERSEDED)
            .execution_options(synchronize_session=False)
        )
    session.expire(current)
    return True


def replay_scan(session: Session, event: Event, scan_id: str) -> ScanOutcome:
    """The outcome of a scan already logged (a retried request or a replayed sync batch)."""
    log = session.scalar(
        select(ScanLog)
        .where(ScanLog.scan_id == scan_id)
        .options(joinedload(ScanLog.booking).joinedload(Booking.person))
    )
    if log is None or log.event_id != event.id:
        raise Conflict("This scan id was used for another event.")
    return outcome_for(session, event, scan_id, log.result, log.booking, log.scanned_at)


def superseded_scans(
    session: Session, event: Event, device_id: str, limit: int = 50
) -> list[ScanOutcome]:
    """This phone's check-ins that an earlier scan at another door has since replaced."""
    logs = session.scalars(
        select(ScanLog)
        .where(
            ScanLog.event_id == event.id,
            ScanLog.device_id == device_id,
            ScanLog.result == ScanResult.SUPERSEDED,
        )
        .order_by(ScanLog.id.desc())
        .limit(limit)
    ).all()
    return [replay_scan(session, event, log.scan_id) for log in logs]


def undo_check_in(session: Session, actor: ScanActor, event: Event, check_in_id: int) -> CheckIn:
    """Undo a check-in made by mistake, recording who and when; the ticket can be scanned again."""
    check_in = session.get(CheckIn, check_in_id)
    if check_in is None or check_in.event_id != event.id:
        raise NotFound("There is no such check-in for this event.")
    if check_in.undone_at is not None:
        raise Conflict("This check-in has been undone already.")
    check_in.undone_at = utcnow()
    check_in.undone_by_id = actor.person.id if actor.person else None
    check_in.undone_by_label = actor.door_label
    # TODO(merge): also clear Booking.checked_in_at here (column from migration 0003).
    session.flush()
    return check_in


@dataclass(frozen=True)
class BookingMatch:
    """A search result at the door (no email or access needs details)."""

    booking_id: int
    name: str
    organisation: str
    ticket_type: str
    status: BookingStatus
    token_hash: str
    checked_in_at: datetime | None
    door: str | None

    def as_json(self) -> dict[str, Any]:
        """The API's view of a match."""
        return {
            "booking_id": self.booking_id,
            "name": self.name,
            "organisation": self.organisation,
            "ticket_type": self.ticket_type,
            "status": self.status.value,
            "h": self.token_hash,
            "checked_in_at": self.checked_in_at.isoformat() if self.checked_in_at else None,
            "door": self.door,
        }


def _door_rows(event: Event) -> Select[Any]:
    return (
        select(
            Booking.id,
            Person.name,
            Person.organisation,
            TicketType.name,
            Booking.status,
            Booking.token_hash,
            CheckIn.scanned_at,
            CheckIn.door_label,
        )
        .join(Person, Person.id == Booking.person_id)
        .join(TicketType, TicketType.id == Booking.ticket_type_id)
        .outerjoin(CheckIn, (CheckIn.booking_id == Booking.id) & CheckIn.undone_at.is_(None))
        .where(Booking.event_id == event.id)
    )


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_bookings(
    session: Session, event: Event, query: str, limit: int = 20
) -> list[BookingMatch]:
    """Bookings of the event whose holder's name, email or organisation contains the text."""
    pattern = _like(query.strip())
    rows = session.execute(
        _door_rows(event)
        .where(
            or_(
                func.lower(Person.name).like(pattern, escape="\\"),
                Person.email.like(pattern, escape="\\"),
                func.lower(Person.organisation).like(pattern, escape="\\"),
            )
        )
        .order_by(Person.name, Booking.id)
        .limit(limit)
    ).all()
    return [BookingMatch(*row) for row in rows]


def ticket_list(session: Session, event: Event) -> list[dict[str, Any]]:
    """The offline list: token hashes (never tokens), names, ticket type, status, check-in."""
    rows = session.execute(_door_rows(event).order_by(Booking.id)).all()
    # TODO(merge): fill "a" from the access-needs answers in one query (see has_access_needs).
    return [
        {
            "h": token_hash,
            "b": booking_id,
            "n": name,
            "t": ticket_type,
            "s": status.value,
            "c": checked_in_at.isoformat() if checked_in_at else None,
            "d": door,
            "a": False,
        }
        for booking_id, name, _org, ticket_type, status, token_hash, checked_in_at, door in rows
    ]


@dataclass(frozen=True)
class WalkIn:
    """A person registered at the door."""

    name: str
    email: str
    organisation: str
    ticket_type_id: int


def _unusable_password() -> str:
    # werkzeug's check_password_hash() is False for any value without "method$salt$hash".
    return "!walk-in:" + secrets.token_urlsafe(32)


def register_walk_in(
    session: Session, actor: ScanActor, event: Event, walk_in: WalkIn, scan: ScanInput
) -> ScanOutcome:
    """Register someone at the door: a confirmed booking (if a place is left) and a check-in."""
    if event.status is EventStatus.CANCELLED:
        raise DomainError("This event is cancelled.")
    ticket_type = session.get(TicketType, walk_in.ticket_type_id)
    if ticket_type is None or ticket_type.event_id != event.id:
        raise DomainError("Select a ticket type of this event.", field="ticket_type_id")
    person = find_person_by_email(session, walk_in.email)
    if person is None:
        person = Person(
            name=walk_in.name.strip(),
            email=normalise_email(walk_in.email),
            organisation=walk_in.organisation.strip(),
            password_hash=_unusable_password(),
        )
        session.add(person)
        session.flush()
    elif session.scalar(
        select(Booking.id).where(
            Booking.event_id == event.id,
            Booking.person_id == person.id,
            Booking.status.in_(LIVE_STATUSES),
        )
    ):
        raise AlreadyBooked(
            f"{person.name} already has a booking: find them with search instead.", field="email"
        )
    if not take_place(session, ticket_type.id):
        raise NoPlacesLeft(
            f"No places left for {ticket_type.name}: the event is full.", field="ticket_type_id"
        )
    now = utcnow()
    booking = Booking(
        event_id=event.id,
        ticket_type_id=ticket_type.id,
        person_id=person.id,
        status=BookingStatus.CONFIRMED,
        source="walk_in",
        confirmed_at=now,
    )
    session.add(booking)
    session.flush()
    return record_scan(
        session,
        actor,
        event,
        ScanInput(
            scan_id=scan.scan_id,
            method=ScanMethod.WALK_IN,
            booking_id=booking.id,
            device_id=scan.device_id,
        ),
    )


def walk_in_ticket_types(session: Session, event: Event) -> list[TicketType]:
    """The event's ticket types with places left, for the walk-in form."""
    return list(
        session.scalars(
            select(TicketType)
            .where(TicketType.event_id == event.id, TicketType.taken < TicketType.capacity)
            .order_by(TicketType.sort_order, TicketType.id)
        )
    )
