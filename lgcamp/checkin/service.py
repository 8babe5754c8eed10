"""Check-in operations: scans (live and synced from offline phones), undo, search, walk-ins.

Timing rule for scans (documented in the README): each scan carries the phone's clock when it
scanned (``device_time``) and when it sent the request (``device_sent_at``). The server takes
the phone's clock offset to be ``received_at - device_sent_at`` and counts the scan as having
happened at ``device_time + offset``, never later than ``received_at`` and never more than
48 hours before it. A wrong phone clock therefore cancels out; only time in transit is
lost. When one ticket is scanned at two doors, the scan with the earliest corrected time is the
accepted check-in, whatever order they reach the server in; scans less than a second apart
count as simultaneous, and then the one recorded first stands (so that two live scans racing
each other never flip the result a volunteer has already been shown).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import (
    Select,
    bindparam,
    case,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email, normalise_email
from lgcamp.checkin.models import (
    CheckIn,
    DoorEvent,
    LinkGrant,
    ScanLog,
    ScanMethod,
    ScannerLink,
    ScanResult,
)
from lgcamp.database import atomic, take_write_lock, utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.events.models import Event, EventRoleName, EventStatus
from lgcamp.prepared import Prepared
from lgcamp.tickets.booking import live_booking
from lgcamp.tickets.models import (
    Answer,
    Booking,
    BookingStatus,
    Question,
    TicketType,
    hash_token,
)
from lgcamp.tickets.offers import take_place

MAX_PAYLOAD = 512
MAX_BACKDATE = timedelta(hours=48)
SIMULTANEOUS = timedelta(seconds=1)
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
    link: ScannerLink | LinkGrant | None
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


# Answers that mean "no access needs" to a question shown to the access lead.
NO_ACCESS_NEEDS = ("", "no", "none", "n/a", "na", "nothing")


def _sql_string(text: str) -> Any:
    """A constant string written into a statement (Prepared statements are compiled once and
    take no IN lists and no bound constants); only ever given literals from this module."""
    return literal_column("'" + text.replace("'", "''") + "'")


_answer, _question = Answer.__table__, Question.__table__
# The rule, for an answer joined to its question: an access-needs question is one the
# organisers opened to the access lead, and the answer says there are some.
_SAYS_ACCESS_NEEDS = (
    _question.c.visibility == _sql_string(EventRoleName.ACCESS_LEAD.value),
    func.lower(func.trim(_answer.c.value)).not_in([_sql_string(a) for a in NO_ACCESS_NEEDS]),
)


def _access_needs_bookings(event_id: int) -> Select[tuple[int]]:
    """Bookings of the event whose answer to an access-needs question says they have some.

    The door sees only this yes/no flag, never the answer.
    """
    return (
        select(_answer.c.booking_id)
        .join(_question, _question.c.id == _answer.c.question_id)
        .where(_question.c.event_id == event_id, *_SAYS_ACCESS_NEEDS)
    )


def has_access_needs(session: Session, booking: Booking) -> bool:
    """Whether the booking's answers flag access needs (the scanner shows a flag, no details)."""
    query = _access_needs_bookings(booking.event_id).where(_answer.c.booking_id == booking.id)
    return bool(session.scalar(select(exists(query))))


# The same rule as a column of the door's look-up (correlated to the booking), so that a scan
# reads the flag in the same statement as the ticket.
_ACCESS_NEEDS_FLAG = (
    exists()
    .where(
        _answer.c.booking_id == Booking.__table__.c.id,
        _question.c.id == _answer.c.question_id,
        _question.c.event_id == Booking.__table__.c.event_id,
        *_SAYS_ACCESS_NEEDS,
    )
    .label("has_access_needs")
)


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


# The hot path of a busy door runs on the tables directly, with statements compiled once and
# run on the driver's cursor (see prepared.py): a look-up and one write per scan on PostgreSQL
# (the first scan's writes are one statement, _FIRST_SCAN); on SQLite a look-up, then the log,
# the check-in and the booking's mark under the write lock.
_booking, _person = Booking.__table__, Person.__table__
_ticket_type, _check_in, _scan_log = TicketType.__table__, CheckIn.__table__, ScanLog.__table__
_LOOKUP = (
    select(
        _booking.c.id,
        _booking.c.event_id,
        _booking.c.status,
        _booking.c.token_hash,
        _person.c.name,
        _ticket_type.c.name.label("ticket_type"),
        _check_in.c.id.label("check_in_id"),
        _check_in.c.scanned_at,
        _check_in.c.door_label,
        _ACCESS_NEEDS_FLAG,
    )
    .join(_person, _person.c.id == _booking.c.person_id)
    .join(_ticket_type, _ticket_type.c.id == _booking.c.ticket_type_id)
    .outerjoin(
        _check_in, (_check_in.c.booking_id == _booking.c.id) & _check_in.c.undone_at.is_(None)
    )
)
_BY_HASH = Prepared(_LOOKUP.where(_booking.c.token_hash == bindparam("token_hash")))
_BY_ID = Prepared(_LOOKUP.where(_booking.c.id == bindparam("booking_id")))
_LOG_COLUMNS = (
    "scan_id", "event_id", "booking_id", "token_hash", "method", "result", "device_label",
    "device_id", "device_time", "received_at", "scanned_at", "scanner_link_id", "person_id",
)  # fmt: skip
_CHECK_IN_COLUMNS = (
    "booking_id", "event_id", "scan_log_id", "scanned_at", "received_at", "door_label",
    "scanner_link_id", "person_id",
)  # fmt: skip


def _insert_or_nothing(table: Any, columns: tuple[str, ...], **conflict: Any) -> Prepared:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: no row when the unique key existed."""

    def build(dialect_name: str) -> Any:
        insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
        values = {name: bindparam(name) for name in columns}
        return insert(table).values(values).on_conflict_do_nothing(**conflict).returning(table.c.id)

    return Prepared(build)


_MARK_CHECKED_IN = Prepared(
    update(_booking)
    .where(_booking.c.id == bindparam("booking_id"))
    .values(checked_in_at=bindparam("checked_in_at"), updated_at=bindparam("updated_at"))
)
_LOG_SCAN = _insert_or_nothing(_scan_log, _LOG_COLUMNS, index_elements=["scan_id"])
_CHECK_IN = _insert_or_nothing(
    _check_in,
    _CHECK_IN_COLUMNS,
    index_elements=["booking_id"],
    index_where=_check_in.c.undone_at.is_(None),
)


def _first_scan_statement(dialect_name: str) -> Any:
    """PostgreSQL: log a first scan, check the ticket in and mark the booking, in ONE statement.

    The log row's id is drawn first so that the check-in can point at it; the check-in is
    inserted unless the ticket has one already (or this scan id was logged before), and the
    log row says "accepted" only if it was, "duplicate" otherwise. Returns (log id, check-in
    id); no log id when the scan id was logged before. One statement is one transaction even
    in autocommit mode, and costs the server and the driver a fraction of four.
    """
    assert dialect_name == "postgresql"
    value = {
        name: bindparam(name, type_=table.c[name].type)
        for table, names in ((_scan_log, _LOG_COLUMNS), (_check_in, _CHECK_IN_COLUMNS))
        for name in names
        if name not in ("result", "scan_log_id")
    }
    new = select(func.nextval(func.pg_get_serial_sequence("scan_log", "id")).label("id"))
    new_id = new.cte("new_scan_log_id")
    check_in_values = [
        new_id.c.id if name == "scan_log_id" else value[name] for name in _CHECK_IN_COLUMNS
    ]
    checked_in = (
        postgresql.insert(_check_in)
        .from_select(
            list(_CHECK_IN_COLUMNS),
            select(*check_in_values).where(
                ~exists().where(_scan_log.c.scan_id == value["scan_id"])
            ),
        )
        .on_conflict_do_nothing(
            index_elements=["booking_id"], index_where=_check_in.c.undone_at.is_(None)
        )
        .returning(_check_in.c.id)
        .cte("new_check_in")
    )
    made = exists(select(checked_in.c.id))
    result_type = _scan_log.c.result.type
    result = case(
        (made, literal(ScanResult.ACCEPTED, result_type)),
        else_=literal(ScanResult.DUPLICATE, result_type),
    )
    log_values = [result if name == "result" else value[name] for name in _LOG_COLUMNS]
    logged = (
        postgresql.insert(_scan_log)
        .from_select(["id", *_LOG_COLUMNS], select(new_id.c.id, *log_values))
        .on_conflict_do_nothing(index_elements=["scan_id"])
        .returning(_scan_log.c.id)
        .cte("new_scan_log")
    )
    marked = (
        update(_booking)
        .where(_booking.c.id == value["booking_id"], made)
        .values(checked_in_at=value["scanned_at"], updated_at=value["received_at"])
        .returning(_booking.c.id)
        .cte("marked_booking")
    )
    return select(
        select(logged.c.id).scalar_subquery().label("log_id"),
        select(checked_in.c.id).scalar_subquery().label("check_in_id"),
    ).add_cte(marked)


_FIRST_SCAN = Prepared(_first_scan_statement)


@dataclass(frozen=True)
class DoorTicket:
    """A booking as the door sees it, with its accepted check-in if any."""

    id: int
    event_id: int
    status: BookingStatus
    token_hash: str
    name: str
    ticket_type: str
    check_in_id: int | None
    checked_in_at: datetime | None
    door: str | None
    has_access_needs: bool


def _ticket(
    connection: Connection, token_hash: str | None, booking_id: int | None
) -> DoorTicket | None:
    row = (
        _BY_ID.first(connection, {"booking_id": booking_id})
        if booking_id is not None
        else _BY_HASH.first(connection, {"token_hash": token_hash})
    )
    if row is None:
        return None
    return DoorTicket(*row[:-1], has_access_needs=bool(row[-1]))


def _classify(ticket: DoorTicket | None, event: Event | DoorEvent, looked_up: bool) -> ScanResult:
    if ticket is None:
        return ScanResult.UNKNOWN if looked_up else ScanResult.INVALID
    if ticket.event_id != event.id:
        return ScanResult.OTHER_EVENT
    return {
        BookingStatus.CONFIRMED: ScanResult.ACCEPTED,
        BookingStatus.CANCELLED: ScanResult.CANCELLED,
        BookingStatus.RELEASED: ScanResult.RELEASED,
    }.get(BookingStatus(ticket.status), ScanResult.NOT_CONFIRMED)


def _find_ticket(
    connection: Connection, scan: ScanInput
) -> tuple[DoorTicket | None, str | None, bool]:
    """The booking a scan points at, the token hash used, and whether a lookup was possible."""
    if scan.booking_id is not None:
        return _ticket(connection, None, scan.booking_id), None, True
    token_hash = scan.token_hash
    if token_hash is None and scan.payload is not None:
        token = parse_payload(scan.payload)
        token_hash = hash_token(token) if token else None
    if token_hash is None or not HASH_RE.match(token_hash):
        return None, None, False
    return _ticket(connection, token_hash, None), token_hash, True


def humanise(delta: timedelta) -> str:
    """A short duration for people: "40 seconds", "2 minutes", "3 hours"."""
    seconds = round(abs(delta.total_seconds()))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = round(seconds / size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def outcome_for(
    event: Event | DoorEvent,
    scan_id: str,
    result: ScanResult,
    ticket: DoorTicket | None,
    scanned_at: datetime,
) -> ScanOutcome:
    """Build what the scanner shows for a result (live, or replayed from the log)."""
    if result in RED_TITLES:
        title, detail = RED_TITLES[result]
        show_person = result in (
            ScanResult.CANCELLED,
            ScanResult.RELEASED,
            ScanResult.NOT_CONFIRMED,
        )
        if show_person and ticket is not None:
            detail = f"{ticket.name}: {detail}"
            return ScanOutcome(scan_id, result, title, detail, booking_id=ticket.id)
        return ScanOutcome(scan_id, result, title, detail)
    assert ticket is not None
    common = {
        "booking_id": ticket.id,
        "name": ticket.name,
        "ticket_type": ticket.ticket_type,
        "has_access_needs": ticket.has_access_needs,
        "check_in_id": ticket.check_in_id,
        "checked_in_at": ticket.checked_in_at,
        "door": ticket.door,
    }
    if result is ScanResult.ACCEPTED:
        return ScanOutcome(scan_id, result, "Checked in", ticket.ticket_type, **common)
    if ticket.checked_in_at is None:  # the earlier check-in has since been undone
        detail = "Checked in earlier; that check-in was undone. Scan again to check in."
    else:
        local = ticket.checked_in_at.astimezone(event.tz).strftime("%H:%M")
        gap = scanned_at - ticket.checked_in_at
        when = f"{humanise(gap)} earlier" if gap.total_seconds() >= 1 else "at the same time"
        detail = f"Checked in at {ticket.door}, {when} (at {local})"
    return ScanOutcome(scan_id, result, "Already checked in", detail, **common)


def _who(actor: ScanActor) -> dict[str, int | None]:
    """Who scanned, as the log's and the check-in's columns: the scanner link or the person."""
    return {
        "scanner_link_id": actor.link.id if actor.link else None,
        "person_id": actor.person.id if actor.person else None,
    }


def record_scan(
    connection: Connection, actor: ScanActor, event: Event | DoorEvent, scan: ScanInput
) -> ScanOutcome:
    """Log a scan and check the booking in when it is the earliest valid scan of a ticket.

    Idempotent by scan id: sending the same scan again returns its outcome without changes.
    The look-up may run in a read transaction of its own (see ``take_write_lock``), or on
    PostgreSQL with no transaction at all (the hot path's autocommit mode): the writes do not
    rely on it being current (the log's unique scan id, the check-in's unique booking, and a
    re-read when another check-in won). Every write is one statement or an ``atomic`` block.

    Runs on a Core connection (a Flask view passes ``db.session.connection()``; the door's
    WSGI hot path its own), so that a scan costs a few statements and no ORM work.
    """
    received_at = utcnow()
    scanned_at = effective_time(received_at, scan.device_time, scan.device_sent_at)
    ticket, token_hash, looked_up = _find_ticket(connection, scan)
    result = _classify(ticket, event, looked_up)
    if (
        result is ScanResult.ACCEPTED
        and ticket is not None
        and ticket.checked_in_at is not None
        and ticket.checked_in_at - SIMULTANEOUS < scanned_at
    ):
        result = ScanResult.DUPLICATE
    who = _who(actor)
    log_row = {
        "scan_id": scan.scan_id,
        "event_id": event.id,
        "booking_id": ticket.id if ticket is not None else None,
        "token_hash": token_hash or (ticket.token_hash if ticket is not None else None),
        "method": scan.method,
        "result": result,
        "device_label": actor.door_label,
        "device_id": scan.device_id,
        "device_time": scan.device_time,
        "received_at": received_at,
        "scanned_at": scanned_at,
        **who,
    }
    if result is not ScanResult.ACCEPTED or ticket is None:
        take_write_lock(connection)  # SQLite: the write lock from here to the commit only
        logged = _LOG_SCAN.first(connection, log_row)  # one statement
        if logged is None:
            return replay_scan(connection, event, scan.scan_id)
        return outcome_for(event, scan.scan_id, result, ticket, scanned_at)
    if ticket.check_in_id is None and connection.dialect.name == "postgresql":
        log_id, check_in_id = _FIRST_SCAN.rows(
            connection, {**log_row, "door_label": actor.door_label}
        )[0]
        if log_id is None:
            return replay_scan(connection, event, scan.scan_id)
        if check_in_id is not None:
            ticket = replace(
                ticket, check_in_id=check_in_id, checked_in_at=scanned_at, door=actor.door_label
            )
            return outcome_for(event, scan.scan_id, result, ticket, scanned_at)
        # Another check-in won: logged as a duplicate, unless this scan happened earlier.
        with atomic(connection):
            if _supersede(connection, actor, ticket.id, log_id, scanned_at):
                _set_result(connection, log_id, ScanResult.ACCEPTED)
            else:
                result = ScanResult.DUPLICATE
        return outcome_for(
            event, scan.scan_id, result, _ticket(connection, None, ticket.id), scanned_at
        )
    with atomic(connection):
        take_write_lock(connection)  # SQLite: the write lock from here to the commit only
        logged = _LOG_SCAN.first(connection, log_row)
        if logged is None:
            return replay_scan(connection, event, scan.scan_id)
        log_id = logged[0]
        check_in_id = None
        if ticket.check_in_id is None:
            inserted = _CHECK_IN.first(
                connection,
                {
                    "booking_id": ticket.id,
                    "event_id": event.id,
                    "scan_log_id": log_id,
                    "scanned_at": scanned_at,
                    "received_at": received_at,
                    "door_label": actor.door_label,
                    **who,
                },
            )
            check_in_id = inserted[0] if inserted is not None else None
            if check_in_id is not None:
                _MARK_CHECKED_IN.rows(
                    connection,
                    {
                        "booking_id": ticket.id,
                        "checked_in_at": scanned_at,
                        "updated_at": received_at,
                    },
                )
        if check_in_id is not None:
            ticket = replace(
                ticket, check_in_id=check_in_id, checked_in_at=scanned_at, door=actor.door_label
            )
        else:
            # Another check-in exists (or won the race to insert one): this scan still counts
            # if it happened earlier; otherwise it is a duplicate.
            if not _supersede(connection, actor, ticket.id, log_id, scanned_at):
                result = ScanResult.DUPLICATE
                _set_result(connection, log_id, result)
            ticket = _ticket(connection, None, ticket.id)
    return outcome_for(event, scan.scan_id, result, ticket, scanned_at)


def log_unreadable_scan(
    connection: Connection, actor: ScanActor, event: Event | DoorEvent, item: UnreadableScan
) -> bool:
    """Log an unreadable item of a sync batch as an invalid scan ("every scan is logged").

    Only an item with a usable scan id can be logged, and only once: a replayed batch, or a
    scan id logged before (in this event or another), writes nothing. Returns whether a row
    was written.
    """
    if item.scan_id is None or not SCAN_ID_RE.fullmatch(item.scan_id):
        return False
    received_at = utcnow()
    take_write_lock(connection)  # SQLite: the write lock from here to the commit only
    logged = _LOG_SCAN.first(
        connection,
        {
            "scan_id": item.scan_id,
            "event_id": event.id,
            "booking_id": None,
            "token_hash": None,
            "method": item.method,
            "result": ScanResult.INVALID,
            "device_label": actor.door_label,
            "device_id": item.device_id,
            "device_time": item.device_time,
            "received_at": received_at,
            "scanned_at": effective_time(received_at, item.device_time, item.device_sent_at),
            **_who(actor),
        },
    )
    return logged is not None


def _set_result(connection: Connection, log_id: int, result: ScanResult) -> None:
    connection.execute(update(_scan_log).where(_scan_log.c.id == log_id).values(result=result))


def _supersede(
    connection: Connection, actor: ScanActor, booking_id: int, log_id: int, scanned_at: datetime
) -> bool:
    """An earlier scan arrived late (offline sync): it becomes the check-in; the later one is
    marked superseded so that its door learns of the conflict on its next sync."""
    moved = connection.execute(
        update(CheckIn)
        .where(
            CheckIn.booking_id == booking_id,
            CheckIn.undone_at.is_(None),
            CheckIn.scanned_at >= scanned_at + SIMULTANEOUS,
        )
        .values(
            scanned_at=scanned_at,
            scan_log_id=log_id,
            door_label=actor.door_label,
            **_who(actor),
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return False
    connection.execute(
        update(Booking).where(Booking.id == booking_id).values(checked_in_at=scanned_at)
    )
    # The scan the check-in pointed at before is now referenced by no check-in: it lost.
    connection.execute(
        update(ScanLog)
        .where(
            ScanLog.booking_id == booking_id,
            ScanLog.result == ScanResult.ACCEPTED,
            ScanLog.id != log_id,
            ~exists().where(CheckIn.scan_log_id == ScanLog.id),
        )
        .values(result=ScanResult.SUPERSEDED)
        .execution_options(synchronize_session=False)
    )
    return True


def replay_scan(connection: Connection, event: Event | DoorEvent, scan_id: str) -> ScanOutcome:
    """The outcome of a scan already logged (a retried request or a replayed sync batch)."""
    log = connection.execute(
        select(ScanLog.event_id, ScanLog.booking_id, ScanLog.result, ScanLog.scanned_at).where(
            ScanLog.scan_id == scan_id
        )
    ).first()
    if log is None or log.event_id != event.id:
        raise Conflict("This scan id was used for another event.")
    ticket = _ticket(connection, None, log.booking_id) if log.booking_id is not None else None
    return outcome_for(event, scan_id, log.result, ticket, log.scanned_at)


def superseded_scans(
    connection: Connection, event: Event | DoorEvent, device_id: str, limit: int = 50
) -> list[ScanOutcome]:
    """This phone's check-ins that an earlier scan at another door has since replaced."""
    scan_ids = connection.scalars(
        select(ScanLog.scan_id)
        .where(
            ScanLog.event_id == event.id,
            ScanLog.device_id == device_id,
            ScanLog.result == ScanResult.SUPERSEDED,
        )
        .order_by(ScanLog.id.desc())
        .limit(limit)
    ).all()
    return [replay_scan(connection, event, scan_id) for scan_id in scan_ids]


def undo_check_in(
    session: Session, actor: ScanActor, event: Event | DoorEvent, check_in_id: int
) -> CheckIn:
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
        update(Booking).where(Booking.id == check_in.booking_id).values(checked_in_at=None)
    )
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
    check_in_id: int | None  # the accepted check-in, for the door's undo

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
            "check_in_id": self.check_in_id,
        }


def _door_rows(event: Event | DoorEvent) -> Select[Any]:
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
            CheckIn.id,
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
    session: Session, event: Event | DoorEvent, query: str, limit: int = 20
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


def ticket_list(session: Session, event: Event | DoorEvent) -> list[dict[str, Any]]:
    """The offline list: token hashes (never tokens), names, ticket type, status, check-in."""
    rows = session.execute(_door_rows(event).order_by(Booking.id)).all()
    with_needs = set(session.scalars(_access_needs_bookings(event.id)))
    return [
        {
            "h": token_hash,
            "b": booking_id,
            "n": name,
            "t": ticket_type,
            "s": status.value,
            "c": checked_in_at.isoformat() if checked_in_at else None,
            "d": door,
            "a": booking_id in with_needs,
        }
        for booking_id, name, _org, ticket_type, status, token_hash, checked_in_at, door, _ in rows
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
    elif live_booking(session, person, event) is not None:
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
        session.connection(),
        actor,
        event,
        ScanInput(
            scan_id=scan.scan_id,
            method=ScanMethod.WALK_IN,
            booking_id=booking.id,
            device_id=scan.device_id,
        ),
    )


def walk_in_ticket_types(session: Session, event: Event | DoorEvent) -> list[TicketType]:
    """The event's ticket types with places left, for the walk-in form."""
    return list(
        session.scalars(
            select(TicketType)
            .where(TicketType.event_id == event.id, TicketType.taken < TicketType.capacity)
            .order_by(TicketType.sort_order, TicketType.id)
        )
    )
