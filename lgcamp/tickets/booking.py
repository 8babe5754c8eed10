"""Booking a place, on a SQLAlchemy Core connection: the release rush's hot path.

`load_bookable` reads what a booking needs of the ticket type and its event in one query, and
`place_booking` books it with a few statements compiled once (lgcamp/prepared.py) and no ORM
objects: a live-booking check (unless `load_bookable` read it for the person), the conditional
UPDATE that takes a place (on PostgreSQL also locking the ticket type for a waitlist join), the
insert of the booking (reading the end of the queue for a waitlist place) and of its email row
(built when sent, see `emails.booking_email`; on PostgreSQL in the booking's own INSERT). The
rules are the same as everywhere else and are written once: `check_bookable` and
`answers.validate_answers` work on these plain rows as on ORM objects.

Capacity is enforced by one conditional UPDATE of the ticket type's `taken` counter, which
also refuses a place while anyone is waitlisted (no queue jumping); a second live booking of
the same person for the event fails on the database's partial unique index. Any error leaves
the transaction to be rolled back by the caller (on PostgreSQL a failed statement aborts it).

The rare work, an overdue offer to expire or a free place to offer down the waitlist, goes
through the ORM offer functions (offers.py) on a `Session` made on the same connection only
when it is needed; `load_bookable` carries an EXISTS flag so that the common path never asks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Select, bindparam, exists, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from lgcamp import mail
from lgcamp.accounts.models import Person
from lgcamp.database import UTCDateTime, utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.events.models import Event, EventStatus
from lgcamp.prepared import Prepared
from lgcamp.tickets import emails
from lgcamp.tickets.answers import (
    BookingAnswers,
    booking_questions,
    insert_answers,
    validate_answers,
)
from lgcamp.tickets.models import (
    LIVE_STATUS_SQL,
    AllocationMode,
    Booking,
    BookingStatus,
    Question,
    TicketType,
    TicketTypeFlags,
    TicketVisibility,
    hash_token,
    new_token,
)
from lgcamp.tickets.offers import expire_due_offers, fill_places


class NotOnSale(DomainError):
    """The ticket type cannot be booked now (window, event state)."""


class AlreadyBooked(Conflict):
    """The person already has a live booking for this event."""


# --- the rules, on ORM objects and plain rows alike ---------------------------------------


class SaleEvent(Protocol):
    """What the booking rules need of an event (an ORM `Event`, or a `BookableEvent`)."""

    @property
    def status(self) -> EventStatus: ...

    @property
    def starts_at(self) -> datetime: ...

    @property
    def ends_at(self) -> datetime: ...

    @property
    def tz(self) -> ZoneInfo: ...


class SaleWindow(Protocol):
    """What the booking rules need of a ticket type (a `TicketType`, or a `BookableType`)."""

    @property
    def visibility(self) -> TicketVisibility: ...

    @property
    def secret(self) -> str: ...

    @property
    def opens_at(self) -> datetime | None: ...

    @property
    def closes_at(self) -> datetime | None: ...

    @property
    def event(self) -> SaleEvent: ...


def closes_at(ticket_type: SaleWindow) -> datetime:
    """When booking closes: the set time, or the start of the event."""
    return ticket_type.closes_at or ticket_type.event.starts_at


def sale_state(ticket_type: SaleWindow, now: datetime | None = None) -> str:
    """'not_open', 'open' or 'closed' for this ticket type now."""
    now = now or utcnow()
    if ticket_type.opens_at is not None and now < ticket_type.opens_at:
        return "not_open"
    if now >= closes_at(ticket_type):
        return "closed"
    return "open"


def check_bookable(
    ticket_type: SaleWindow, secret: str | None = None, now: datetime | None = None
) -> None:
    """Raise NotOnSale unless this ticket type can be booked now by someone with this link."""
    event = ticket_type.event
    now = now or utcnow()
    if event.status == EventStatus.DRAFT:
        raise NotOnSale("This event is not published yet, so it cannot be booked.")
    if event.status == EventStatus.CANCELLED:
        raise NotOnSale("This event has been cancelled, so it cannot be booked.")
    if event.ends_at <= now:
        raise NotOnSale("This event has ended, so it cannot be booked.")
    if ticket_type.visibility == TicketVisibility.HIDDEN and secret != ticket_type.secret:
        raise NotOnSale("This ticket is only available through its private link.")
    state = sale_state(ticket_type, now)
    if state == "not_open":
        local = ticket_type.opens_at.astimezone(event.tz)  # type: ignore[union-attr]
        raise NotOnSale(f"Booking opens at {local.strftime('%H:%M on %A %-d %B %Y')}.")
    if state == "closed":
        raise NotOnSale("Booking for this ticket has closed.")


def already_message(status: BookingStatus) -> str:
    """What to tell someone whose live booking for the event is in this state."""
    return {
        BookingStatus.CONFIRMED: "You already have a ticket for this event.",
        BookingStatus.OFFERED: "A place is already offered to you: claim it from your booking.",
        BookingStatus.WAITLISTED: "You are already on the waitlist for this event.",
        BookingStatus.REGISTERED: "You are already in the ballot for this event.",
    }.get(status, "You already have a booking for this event.")


DUPLICATE_MESSAGE = "You already have a booking for this event. See your tickets."


# --- what a booking reads -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BookableEvent:
    """The columns of an event that booking needs (read without the ORM)."""

    id: int
    slug: str
    name: str
    status: EventStatus
    starts_at: datetime
    ends_at: datetime
    timezone: str

    @property
    def tz(self) -> ZoneInfo:
        """The event's timezone, for showing its times."""
        return ZoneInfo(self.timezone)

    @property
    def is_published(self) -> bool:
        """Visible to the public (published or cancelled, not draft), as `Event.is_published`."""
        return self.status != EventStatus.DRAFT


@dataclass(frozen=True, slots=True)
class Booker:
    """The person booking, read with the ticket type (`load_bookable(..., person_id=...)`):
    their account's columns, and the status of their live booking for the event, if any."""

    id: int
    email: str
    name: str
    organisation: str
    is_admin: bool
    live_status: BookingStatus | None


@dataclass(frozen=True, slots=True)
class BookableType(TicketTypeFlags):
    """A ticket type as booking reads it, with its event and two cheap flags.

    `has_overdue_offer`: an offer of this type ran out and still holds its place (the booking
    expires it first, lazily). `has_questions`: the event asks questions (read only then).
    `taken` is as read, for display: the booking itself never trusts it. `booker`: the person
    it was read for, when one was asked for and exists.
    """

    id: int
    name: str
    capacity: int
    taken: int
    allocation: AllocationMode
    visibility: TicketVisibility
    secret: str
    opens_at: datetime | None
    closes_at: datetime | None
    event: BookableEvent
    has_overdue_offer: bool
    has_questions: bool
    booker: Booker | None = None

    @property
    def event_id(self) -> int:
        """The event's id."""
        return self.event.id


@dataclass(frozen=True, slots=True)
class BookingResult:
    """What became of a booking: its id and state, and the email rows it queued.

    `mail_ids` are the outbound_email rows queued in the booking's transaction, for the caller
    to send after its commit (`mail.send_after_commit` in a Flask request) or leave to tick.
    """

    id: int
    status: BookingStatus
    ticket_type_id: int
    queue_position: int | None
    mail_ids: tuple[int, ...] = ()


_event, _type, _booking = Event.__table__, TicketType.__table__, Booking.__table__
_question, _person = Question.__table__, Person.__table__
_LIVE = text(LIVE_STATUS_SQL)


def _load_statement(for_person: bool) -> Select[Any]:
    """The ticket type, its event and the two flags; with the person's columns and the status
    of their live booking for the event when `for_person` (bind "person_id")."""
    columns: list[Any] = [
        _type.c.id,
        _type.c.name,
        _type.c.capacity,
        _type.c.taken,
        _type.c.allocation,
        _type.c.visibility,
        _type.c.secret,
        _type.c.opens_at,
        _type.c.closes_at,
        _event.c.id,
        _event.c.slug,
        _event.c.name,
        _event.c.status,
        _event.c.starts_at,
        _event.c.ends_at,
        _event.c.timezone,
        exists()
        .where(
            _booking.c.ticket_type_id == _type.c.id,
            _booking.c.status == BookingStatus.OFFERED,
            _booking.c.offer_expires_at < bindparam("now", type_=UTCDateTime),
        )
        .label("has_overdue_offer"),
        exists().where(_question.c.event_id == _event.c.id).label("has_questions"),
    ]
    joined = _type.join(_event, _event.c.id == _type.c.event_id)
    if for_person:
        columns += [
            _person.c.id,
            _person.c.email,
            _person.c.name,
            _person.c.organisation,
            _person.c.is_admin,
            select(_booking.c.status)
            .where(
                _booking.c.event_id == _event.c.id,
                _booking.c.person_id == _person.c.id,
                _LIVE,
            )
            .limit(1)
            .scalar_subquery()
            .label("live_status"),
        ]
        # No person (an account deleted since the cookie was signed): NULLs, booker None.
        joined = joined.outerjoin(_person, _person.c.id == bindparam("person_id"))
    return (
        select(*columns)
        .select_from(joined)
        .where(_event.c.slug == bindparam("slug"), _type.c.id == bindparam("ticket_type_id"))
    )


_LOAD = Prepared(_load_statement(for_person=False))
_LOAD_FOR_PERSON = Prepared(_load_statement(for_person=True))


def load_bookable(
    connection: Connection,
    slug: str,
    ticket_type_id: int,
    now: datetime | None = None,
    person_id: int | None = None,
) -> BookableType | None:
    """The ticket type with this id of the event with this slug, with its event: one query.

    None when there is no such ticket type at that event. Whether the event may be seen (a
    draft) is the caller's question (`permissions.can_view_event(actor, bookable.event)`).
    With `person_id`, the same query reads that person and their live booking's status for
    the event as `booker` (None if there is no such person), so that `place_booking` for that
    person need not ask again.
    """
    params: dict[str, Any] = {
        "slug": slug,
        "ticket_type_id": ticket_type_id,
        "now": now or utcnow(),
    }
    if person_id is None:
        row = _LOAD.first(connection, params)
    else:
        row = _LOAD_FOR_PERSON.first(connection, params | {"person_id": person_id})
    if row is None:
        return None
    event = BookableEvent(*row[9:16])
    booker = Booker(*row[18:24]) if person_id is not None and row[18] is not None else None
    return BookableType(*row[:9], event, bool(row[16]), bool(row[17]), booker)  # type: ignore[arg-type]


def placed_json(placed: BookingResult, url: str) -> dict[str, Any]:
    """The JSON booking API's answer about a booking ("url": its page)."""
    return {
        "id": placed.id,
        "status": placed.status.value,
        "ticket_type_id": placed.ticket_type_id,
        "queue_position": placed.queue_position,
        "url": url,
    }


# --- placing a booking --------------------------------------------------------------------

_LIVE_STATUS = Prepared(
    select(_booking.c.status)
    .where(
        _booking.c.event_id == bindparam("event_id"),
        _booking.c.person_id == bindparam("person_id"),
        _LIVE,
    )
    .limit(1)
)


def _take_place(dialect: str) -> Executable:
    """take_place(unless_waitlist=True) as one statement: a row (id) when it took a place.

    On PostgreSQL the same statement also locks the ticket type's row when it takes nothing,
    so that concurrent waitlist joins take turns until commit and each one's INSERT (a later
    statement, with a snapshot taken after the lock) reads the end of the queue its
    predecessor left (SQLite's write lock does that already). The lock cannot share a
    statement with that read: a statement that waited for a lock still reads other tables as
    they were when it began.
    """
    take = (
        update(_type)
        .where(
            _type.c.id == bindparam("ticket_type_id"),
            _type.c.taken < _type.c.capacity,
            ~exists().where(
                _booking.c.ticket_type_id == bindparam("ticket_type_id"),
                _booking.c.status == BookingStatus.WAITLISTED,
            ),
        )
        .values(taken=_type.c.taken + 1)
        .returning(_type.c.id)
    )
    if dialect != "postgresql":
        return take
    locked = (
        select(_type.c.id)
        .where(_type.c.id == bindparam("ticket_type_id"))
        .with_for_update()
        .cte("locked")
        .prefix_with("MATERIALIZED")
    )
    took = take.cte("took")
    return select(
        select(took.c.id).scalar_subquery().label("took"),
        select(locked.c.id).scalar_subquery().label("locked"),
    )


_TAKE_PLACE = Prepared(_take_place)
_BOOKING_COLUMNS = (
    "event_id", "ticket_type_id", "person_id", "status", "token", "token_hash",
    "queue_position", "confirmed_at", "organisation", "job_role", "created_at", "updated_at",
)  # fmt: skip
_NULL_BOOKING_COLUMNS = (
    "offer_expires_at", "ended_at", "offered_at", "checked_in_at", "reminder_sent_at",
    "reconfirm_sent_at", "final_warning_sent_at", "reconfirmed_at",
)  # fmt: skip
_BOOKING_VALUES = (
    {name: bindparam(name) for name in _BOOKING_COLUMNS}
    | {"source": "online", "end_reason": ""}
    | dict.fromkeys(_NULL_BOOKING_COLUMNS)
)


def _with_email(insert_booking: Any) -> Callable[[str], Any]:
    """On PostgreSQL, the booking's INSERT and its email row's in one statement (a release
    rush then costs the database and the driver one statement fewer per booking); the email's
    values are ``mail.queued_values(..., prefix="mail_")`` and its id comes last in the row.
    Elsewhere the booking's INSERT alone (and the email is queued after it)."""

    def build(dialect: str) -> Any:
        if dialect != "postgresql":
            return insert_booking
        booked = insert_booking.cte("booked")
        queued = mail.queue_later_insert(booked.c.id, prefix="mail_").cte("queued")
        return select(*booked.c, queued.c.id.label("email_id"))

    return build


_INSERT_BOOKING = Prepared(
    _with_email(insert(_booking).values(_BOOKING_VALUES).returning(_booking.c.id))
)
# A new waitlist place: the end of the queue + 1, read in the insert itself (after the lock,
# see _take_place); and whether a place is free (so that someone already waiting is offered
# it: the waitlist was why the place was refused).
_INSERT_WAITLISTED = Prepared(
    _with_email(
        insert(_booking)
        .values(
            _BOOKING_VALUES
            | {
                "queue_position": select(func.coalesce(func.max(_booking.c.queue_position), 0) + 1)
                .where(_booking.c.ticket_type_id == bindparam("ticket_type_id"))
                .scalar_subquery()
            }
        )
        .returning(
            _booking.c.id,
            _booking.c.queue_position,
            select(_type.c.taken < _type.c.capacity)
            .where(_type.c.id == bindparam("ticket_type_id"))
            .scalar_subquery()
            .label("place_free"),
        )
    )
)
_STATUS = Prepared(select(_booking.c.status).where(_booking.c.id == bindparam("booking_id")))


class _OfferWork:
    """The ORM session for the rare offer work: the caller's, or one made on first use."""

    def __init__(self, connection: Connection, session: Session | None) -> None:
        self.connection = connection
        self.given = session
        self.made: Session | None = None

    def session(self) -> Session:
        """A session on the booking's connection and transaction."""
        if self.given is not None:
            return self.given
        if self.made is None:
            # Joins the connection's transaction: it neither commits nor ends it.
            self.made = Session(bind=self.connection)
        return self.made

    def finish(self) -> list[int]:
        """Write what the work changed; the email rows it queued in a session made here."""
        if self.made is None:
            return []
        self.made.flush()
        queued = self.made.info.pop("mail_queued", [])
        ids = [email.id for email in queued]
        self.made.close()
        return ids


def _live_status(
    connection: Connection, bookable: BookableType, person_id: int
) -> BookingStatus | None:
    """The status of the person's live booking for the event: as read with the ticket type
    for this person, else asked now. A read that is out of date by now (a concurrent request
    of the same person) is caught by the live-booking index at the insert (AlreadyBooked)."""
    if bookable.booker is not None and bookable.booker.id == person_id:
        return bookable.booker.live_status
    found = _LIVE_STATUS.first(connection, {"event_id": bookable.event.id, "person_id": person_id})
    return found[0] if found is not None else None


def place_booking(
    connection: Connection,
    person_id: int,
    person_email: str,
    default_organisation: str,
    bookable: BookableType,
    answers: BookingAnswers | None,
    secret: str | None,
    now: datetime | None = None,
    *,
    session: Session | None = None,
) -> BookingResult:
    """Book a place: a ticket if one is free, else the waitlist (or a ballot entry).

    Runs in the connection's transaction, which the caller commits (then sends `mail_ids`) or,
    on any error, rolls back: NotOnSale, AlreadyBooked, InvalidAnswer as the ORM service
    raised them. `default_organisation` is the person's own, used when no answers are given.
    `session`, when the caller has an ORM session on this connection, does the rare offer work
    (so its objects stay current); otherwise one is made for it when needed.
    """
    now = now or utcnow()
    check_bookable(bookable, secret, now)
    event = bookable.event
    existing = _live_status(connection, bookable, person_id)
    if existing is not None:
        raise AlreadyBooked(already_message(existing))
    answers = answers or BookingAnswers(organisation=default_organisation)
    questions = booking_questions(connection, event.id) if bookable.has_questions else []
    validate_answers(questions, answers)
    offers = _OfferWork(connection, session)
    if bookable.has_overdue_offer:
        expire_due_offers(offers.session(), bookable, now)
    if bookable.allocation == AllocationMode.BALLOT:
        status = BookingStatus.REGISTERED
    else:
        took = _TAKE_PLACE.first(connection, {"ticket_type_id": bookable.id})
        taken = took is not None and took[0] is not None
        status = BookingStatus.CONFIRMED if taken else BookingStatus.WAITLISTED
    token = new_token()
    created_at = utcnow()
    values = {
        "event_id": event.id,
        "ticket_type_id": bookable.id,
        "person_id": person_id,
        "status": status,
        "token": token,
        "token_hash": hash_token(token),
        "confirmed_at": now if status == BookingStatus.CONFIRMED else None,
        "organisation": answers.organisation.strip(),
        "job_role": answers.job_role.strip(),
        "created_at": created_at,
        "updated_at": created_at,
    }
    waitlisted = status == BookingStatus.WAITLISTED
    kind, subject, variant = emails.booking_email(status, event.name)
    values |= mail.queued_values(kind, person_email, subject, variant, prefix="mail_")
    try:
        if waitlisted:
            inserted = _INSERT_WAITLISTED.first(connection, values)
        else:
            inserted = _INSERT_BOOKING.first(connection, values | {"queue_position": None})
    except IntegrityError as error:
        # A concurrent request of the same person got in first (the live-booking index).
        raise AlreadyBooked(DUPLICATE_MESSAGE) from error
    assert inserted is not None
    queue_position = int(inserted[1]) if waitlisted else None
    place_free = bool(inserted[2]) if waitlisted else False
    booking_id = int(inserted[0])
    if questions:
        insert_answers(connection, booking_id, questions, answers)
    if connection.dialect.name == "postgresql":
        mail_ids = [int(inserted[-1])]  # queued by the INSERT itself (_with_email)
    else:
        mail_ids = [
            mail.queue_later_on(connection, kind, booking_id, person_email, subject, variant)
        ]
    if place_free and fill_places(offers.session(), bookable, now):
        # The places went down the queue, which may have reached this booking.
        found = _STATUS.first(connection, {"booking_id": booking_id})
        status = found[0] if found is not None else status
    mail_ids += offers.finish()
    return BookingResult(booking_id, status, bookable.id, queue_position, tuple(mail_ids))
