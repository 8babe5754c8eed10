"""Scans at the door (live, synced from offline phones, by search, for walk-ins) and undo.

Which scan is the check-in follows the timing rule of README.md (Door check-in).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Table, bindparam, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import CheckIn, ScanLog, ScanMethod, ScannerLink, ScanResult
from lgcamp.checkin.needs import access_needs_flag
from lgcamp.checkin.outcomes import RED_TITLES, ScanOutcome, outcome_for
from lgcamp.checkin.released import can_admit
from lgcamp.checkin.window import is_open
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.events.models import Event
from lgcamp.tickets.models import Booking, BookingStatus, TicketType, hash_token

MAX_PAYLOAD = 512
MAX_BACKDATE = timedelta(hours=48)
SIMULTANEOUS = timedelta(seconds=1)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
SCAN_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


class NotFound(DomainError):
    """The thing asked for does not exist (in this event)."""

    status_code = 404


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
class UnreadableScan:
    """An item of a sync batch that is not a readable scan: its error, and what could be read.

    ``sent_id`` echoes the item's scan id in the answer (whatever it was); ``scan_id`` is set
    only when that id is usable (``SCAN_ID_RE``), so that the item can be logged under it.
    """

    sent_id: str
    error: str
    scan_id: str | None = None
    method: ScanMethod = ScanMethod.QR
    device_time: datetime | None = None
    device_sent_at: datetime | None = None
    device_id: str | None = None


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
    """When the scan is taken to have happened (the timing rule in README.md, Door check-in)."""
    if device_time is None:
        return received_at
    # The phone's clock offset: a wrong phone clock cancels out; only time in transit is lost.
    offset = received_at - device_sent_at if device_sent_at is not None else timedelta(0)
    corrected = device_time + offset
    return min(max(corrected, received_at - MAX_BACKDATE), received_at)


_booking, _person = cast(Table, Booking.__table__), cast(Table, Person.__table__)
_ticket_type = cast(Table, TicketType.__table__)
_scan_log, _check_in = cast(Table, ScanLog.__table__), cast(Table, CheckIn.__table__)

# A booking as the door sees it, as a row's mapping ("id", "name", "check_in_id"...): one
# statement reads it with its holder, its ticket type, its accepted check-in and the
# access-needs flag. Statements here are built once, on the tables, with bound parameters.
Ticket = Mapping[Any, Any]
_TICKET = (
    select(
        _booking.c.id,
        _booking.c.event_id,
        _booking.c.status,
        _booking.c.token_hash,
        _booking.c.person_id,
        _booking.c.end_reason,
        _booking.c.ended_at,
        _person.c.name,
        _ticket_type.c.name.label("ticket_type"),
        _check_in.c.id.label("check_in_id"),
        _check_in.c.scanned_at.label("checked_in_at"),
        _check_in.c.door_label.label("door"),
        access_needs_flag(_booking).label("has_access_needs"),
    )
    .join(_person, _person.c.id == _booking.c.person_id)
    .join(_ticket_type, _ticket_type.c.id == _booking.c.ticket_type_id)
    .outerjoin(
        _check_in, (_check_in.c.booking_id == _booking.c.id) & _check_in.c.undone_at.is_(None)
    )
)
_TICKET_BY_ID = _TICKET.where(_booking.c.id == bindparam("booking_id"))
_TICKET_BY_HASH = _TICKET.where(_booking.c.token_hash == bindparam("token_hash"))


def _ticket(session: Session, booking_id: int) -> Ticket | None:
    return session.execute(_TICKET_BY_ID, {"booking_id": booking_id}).mappings().first()


def _find_ticket(session: Session, scan: ScanInput) -> tuple[Ticket | None, str | None]:
    """The booking a scan points at, if any, and the token hash it was looked up by."""
    if scan.booking_id is not None:
        return _ticket(session, scan.booking_id), None
    token_hash = scan.token_hash
    if token_hash is None and scan.payload is not None:
        token = parse_payload(scan.payload)
        token_hash = hash_token(token) if token else None
    if token_hash is None or not HASH_RE.match(token_hash):
        return None, None
    found = session.execute(_TICKET_BY_HASH, {"token_hash": token_hash}).mappings().first()
    return found, token_hash


def _classify(ticket: Ticket | None, event: Event, readable: bool) -> ScanResult:
    if ticket is None:
        return ScanResult.UNKNOWN if readable else ScanResult.INVALID
    if ticket["event_id"] != event.id:
        return ScanResult.OTHER_EVENT
    return {
        BookingStatus.CONFIRMED: ScanResult.ACCEPTED,
        BookingStatus.CANCELLED: ScanResult.CANCELLED,
        BookingStatus.RELEASED: ScanResult.RELEASED,
    }.get(ticket["status"], ScanResult.NOT_CONFIRMED)


def _who(actor: ScanActor) -> dict[str, Any]:
    """Who scanned, as the log's and the check-in's columns."""
    return {
        "scanner_link_id": actor.link.id if actor.link else None,
        "person_id": actor.person.id if actor.person else None,
    }


def _insert_or_nothing(table: Table, **conflict: Any) -> dict[str, Any]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, in each database's dialect (the same
    SQL on SQLite and PostgreSQL): a row when inserted, none when its unique key was taken."""
    return {
        name: insert(table).on_conflict_do_nothing(**conflict).returning(table.c.id)
        for name, insert in (("sqlite", sqlite.insert), ("postgresql", postgresql.insert))
    }


_LOG = _insert_or_nothing(_scan_log, index_elements=["scan_id"])
_CHECK_IN = _insert_or_nothing(
    _check_in, index_elements=["booking_id"], index_where=_check_in.c.undone_at.is_(None)
)
_MARK_CHECKED_IN = (
    update(_booking)
    .where(_booking.c.id == bindparam("booking_id"))
    .values(checked_in_at=bindparam("checked_in_at"), updated_at=bindparam("updated_at"))
)


def _insert(session: Session, statements: dict[str, Any], values: dict[str, Any]) -> int | None:
    """Run the dialect's form of an insert-or-nothing: the new row's id, or None."""
    statement = statements[session.get_bind().dialect.name]
    return session.execute(statement, values).scalar()


def log_scan(
    session: Session,
    actor: ScanActor,
    event: Event,
    scan_id: str,
    received_at: datetime,
    **values: Any,
) -> int | None:
    """Log a scan under its scan id (``values``: the other columns of ``scan_log``, unset ones
    null); None when that id was logged before (a replay)."""
    row: dict[str, Any] = dict.fromkeys(("booking_id", "token_hash", "device_id", "device_time"))
    row |= {"device_label": actor.door_label, "scanned_at": received_at, **_who(actor), **values}
    row |= {"scan_id": scan_id, "event_id": event.id, "received_at": received_at}
    return _insert(session, _LOG, row)


def record_scan(session: Session, actor: ScanActor, event: Event, scan: ScanInput) -> ScanOutcome:
    """Log a scan and check the booking in when it is the earliest valid scan of a ticket.

    Idempotent by scan id: sending the same scan again returns its outcome without changes.
    """
    received_at = utcnow()
    scanned_at = effective_time(received_at, scan.device_time, scan.device_sent_at)
    ticket, token_hash = _find_ticket(session, scan)
    readable = scan.booking_id is not None or token_hash is not None
    result = _classify(ticket, event, readable)
    # The writes below rely on unique keys, not on this look-up being current: the log's scan
    # id, and one accepted check-in per booking.
    if (
        result is ScanResult.ACCEPTED
        and ticket is not None
        and ticket["checked_in_at"] is not None
        and ticket["checked_in_at"] - SIMULTANEOUS < scanned_at
    ):
        result = ScanResult.DUPLICATE
    if result is ScanResult.ACCEPTED and not is_open(event, scanned_at):
        result = ScanResult.OUTSIDE_WINDOW  # logged as refused; nothing is checked in
    who = _who(actor)
    log_id = log_scan(
        session, actor, event, scan.scan_id, received_at,
        booking_id=ticket["id"] if ticket is not None else None,
        token_hash=token_hash or (ticket["token_hash"] if ticket is not None else None),
        method=scan.method, result=result, device_id=scan.device_id,
        device_time=scan.device_time, scanned_at=scanned_at,
    )  # fmt: skip
    if log_id is None:
        return replay_scan(session, event, scan.scan_id)
    if result is not ScanResult.ACCEPTED or ticket is None:
        admit = can_admit(session, event, ticket, received_at)
        return outcome_for(event, scan.scan_id, result, ticket, scanned_at, admit)
    if ticket["check_in_id"] is None:
        check_in_id = _insert(
            session,
            _CHECK_IN,
            {
                "booking_id": ticket["id"],
                "event_id": event.id,
                "scan_log_id": log_id,
                "scanned_at": scanned_at,
                "received_at": received_at,
                "door_label": actor.door_label,
                **who,
            },
        )
        if check_in_id is not None:
            session.execute(
                _MARK_CHECKED_IN,
                {
                    "booking_id": ticket["id"],
                    "checked_in_at": scanned_at,
                    "updated_at": received_at,
                },
            )
            checked_in = {"check_in_id": check_in_id, "checked_in_at": scanned_at}
            ticket = {**ticket, **checked_in, "door": actor.door_label}
            return outcome_for(event, scan.scan_id, result, ticket, scanned_at)
    # Another check-in exists (or won the race to insert one): this scan still counts if it
    # happened earlier; otherwise it is a duplicate.
    if not _supersede(session, actor, ticket["id"], log_id, scanned_at):
        result = ScanResult.DUPLICATE
        session.execute(update(_scan_log).where(_scan_log.c.id == log_id).values(result=result))
    return outcome_for(event, scan.scan_id, result, _ticket(session, ticket["id"]), scanned_at)


def log_unreadable_scan(
    session: Session, actor: ScanActor, event: Event, item: UnreadableScan
) -> bool:
    """Log an unreadable item of a sync batch as an invalid scan ("every scan is logged").

    Only an item with a usable scan id can be logged, and only once; returns whether it was.
    """
    if item.scan_id is None or not SCAN_ID_RE.fullmatch(item.scan_id):
        return False
    received_at = utcnow()
    log_id = log_scan(
        session, actor, event, item.scan_id, received_at,
        method=item.method, result=ScanResult.INVALID, device_id=item.device_id,
        device_time=item.device_time,
        scanned_at=effective_time(received_at, item.device_time, item.device_sent_at),
    )  # fmt: skip
    # None: a replayed batch, or a scan id logged before (in this event or another).
    return log_id is not None


def _supersede(
    session: Session, actor: ScanActor, booking_id: int, log_id: int, scanned_at: datetime
) -> bool:
    """An earlier scan arrived late (offline sync): it becomes the check-in; the later one is
    marked superseded so that its door learns of the conflict on its next sync."""
    moved = session.execute(
        update(_check_in)
        .where(
            _check_in.c.booking_id == booking_id,
            _check_in.c.undone_at.is_(None),
            _check_in.c.scanned_at >= scanned_at + SIMULTANEOUS,
        )
        .values(
            scanned_at=scanned_at,
            scan_log_id=log_id,
            door_label=actor.door_label,
            **_who(actor),
        )
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.execute(
        update(_booking).where(_booking.c.id == booking_id).values(checked_in_at=scanned_at)
    )
    # The scan the check-in pointed at before is now referenced by no check-in: it lost.
    session.execute(
        update(_scan_log)
        .where(
            _scan_log.c.booking_id == booking_id,
            _scan_log.c.result == ScanResult.ACCEPTED,
            _scan_log.c.id != log_id,
            ~exists().where(_check_in.c.scan_log_id == _scan_log.c.id),
        )
        .values(result=ScanResult.SUPERSEDED)
    )
    return True


def replay_scan(session: Session, event: Event, scan_id: str) -> ScanOutcome:
    """The outcome of a scan already logged (a retried request or a replayed sync batch)."""
    log = session.execute(
        select(ScanLog.event_id, ScanLog.booking_id, ScanLog.result, ScanLog.scanned_at).where(
            ScanLog.scan_id == scan_id
        )
    ).first()
    if log is None or log.event_id != event.id:
        raise Conflict("This scan id was used for another event.")
    ticket = _ticket(session, log.booking_id) if log.booking_id else None
    if ticket is None and log.result not in RED_TITLES:  # a walk-in kept as a record
        raise Conflict("This scan id was used for a walk-in.")
    admit = can_admit(session, event, ticket, utcnow())
    return outcome_for(event, scan_id, log.result, ticket, log.scanned_at, admit)


def superseded_scans(
    session: Session, event: Event, device_id: str, limit: int = 50
) -> list[ScanOutcome]:
    """This phone's check-ins that an earlier scan at another door has since replaced."""
    scan_ids = session.scalars(
        select(ScanLog.scan_id)
        .where(
            ScanLog.event_id == event.id,
            ScanLog.device_id == device_id,
            ScanLog.result == ScanResult.SUPERSEDED,
        )
        .order_by(ScanLog.id.desc())
        .limit(limit)
    ).all()
    return [replay_scan(session, event, scan_id) for scan_id in scan_ids]


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
    session.execute(
        update(_booking).where(_booking.c.id == check_in.booking_id).values(checked_in_at=None)
    )
    session.flush()
    return check_in
