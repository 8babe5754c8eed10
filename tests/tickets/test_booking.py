"""The booking hot path called directly on a Core connection: `load_bookable`, `place_booking`.

Each test books on a connection of its own (`db.engine.connect()`, no ORM session), commits or
rolls back as a WSGI hot path would, and then reads the outcome with the ORM. On SQLite the
ORM session's transactions take the write lock up front, so the helpers end the session's
transaction before the connection writes (`_release_orm`), and begin a fresh one to read.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask, has_app_context
from sqlalchemy import Connection, func, select

from lgcamp import mail
from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.extensions import db
from lgcamp.mail import OutboundEmail
from lgcamp.tickets import answers as answer_service
from lgcamp.tickets import emails
from lgcamp.tickets.answers import BookingAnswers, InvalidAnswer
from lgcamp.tickets.booking import (
    DUPLICATE_MESSAGE,
    AlreadyBooked,
    BookableType,
    Booker,
    BookingResult,
    NotOnSale,
    load_bookable,
    place_booking,
)
from lgcamp.tickets.models import (
    AllocationMode,
    Booking,
    BookingStatus,
    QuestionKind,
    TicketType,
    TicketVisibility,
)
from lgcamp.transaction import commit
from tests.conftest import Mailbox, body_text
from tests.factories import (
    NOT_ON_SALE_CASES,
    make_booking,
    make_event,
    make_person,
    make_question,
    make_ticket_type,
)


@pytest.fixture
def connection(app: Flask) -> Iterator[Connection]:
    """A Core connection of the test's own, as the WSGI hot path has (rolled back at the end)."""
    with db.engine.connect() as conn:
        yield conn
        conn.rollback()


def _release_orm() -> None:
    """End the ORM session's transaction (on SQLite it holds the write lock)."""
    db.session.rollback()


def _who(person: Person) -> tuple[int, str, str]:
    found = (person.id, person.email, person.organisation)
    _release_orm()
    return found


def _bookable(
    connection: Connection, ticket_type: TicketType, now: datetime | None = None
) -> BookableType:
    slug, type_id = ticket_type.event.slug, ticket_type.id
    _release_orm()
    found = load_bookable(connection, slug, type_id, now)
    assert found is not None
    connection.rollback()  # the hot path reads first, then writes in a transaction of its own
    return found


def _place(
    connection: Connection,
    ticket_type: TicketType,
    person: Person | None = None,
    answers: BookingAnswers | None = None,
    secret: str | None = None,
    now: datetime | None = None,
) -> BookingResult:
    person_id, email, organisation = _who(person or make_person())
    bookable = _bookable(connection, ticket_type, now)
    try:
        placed = place_booking(
            connection, person_id, email, organisation, bookable, answers, secret, now
        )
    except Exception:
        connection.rollback()
        raise
    connection.commit()
    return placed


def _statuses(ticket_type: TicketType) -> dict[str, int]:
    _release_orm()  # and read in a fresh transaction
    rows = db.session.execute(
        select(Booking.status, func.count())
        .where(Booking.ticket_type_id == ticket_type.id)
        .group_by(Booking.status)
    )
    return {str(status): n for status, n in rows}


def _taken(ticket_type: TicketType) -> int:
    _release_orm()
    return db.session.scalar(select(TicketType.taken).where(TicketType.id == ticket_type.id)) or 0


def _status_of(booking_id: int) -> BookingStatus:
    _release_orm()
    booking = db.session.get(Booking, booking_id)
    assert booking is not None
    return booking.status


def _email_rows(address: str) -> list[OutboundEmail]:
    _release_orm()
    return list(
        db.session.scalars(
            select(OutboundEmail)
            .where(OutboundEmail.recipient == address)
            .order_by(OutboundEmail.id)
        )
    )


def test_load_bookable_reads_type_event_and_flags_in_one_row(connection: Connection) -> None:
    event = make_event(name="Rush Camp")
    ticket_type = make_ticket_type(event, capacity=3)
    other = make_ticket_type(make_event())
    type_id, event_id, slug, starts_at = ticket_type.id, event.id, event.slug, event.starts_at
    other_id = other.id
    _release_orm()
    bookable = load_bookable(connection, slug, type_id)
    assert isinstance(bookable, BookableType)
    assert (bookable.id, bookable.event_id, bookable.capacity, bookable.taken) == (
        type_id, event_id, 3, 0,
    )  # fmt: skip
    assert (bookable.event.slug, bookable.event.name) == (slug, "Rush Camp")
    assert bookable.event.starts_at == starts_at and bookable.event.is_published
    assert bookable.allocation == AllocationMode.FIRST_COME
    assert not bookable.has_overdue_offer and not bookable.has_questions
    assert load_bookable(connection, "no-such-event", type_id) is None
    assert load_bookable(connection, slug, other_id) is None  # another event's type


def test_load_bookable_for_a_person_reads_them_and_their_live_booking(
    connection: Connection,
) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event, capacity=3)
    other_type = make_ticket_type(make_event())
    holder = make_person(name="Hol Der", organisation="Borsetshire", email="holder@example.org")
    newcomer = make_person()
    make_booking(ticket_type, holder, status=BookingStatus.WAITLISTED)
    make_booking(other_type, newcomer)  # another event's booking does not count
    slug, type_id, holder_id, newcomer_id = event.slug, ticket_type.id, holder.id, newcomer.id
    _release_orm()
    plain = load_bookable(connection, slug, type_id)
    assert plain is not None and plain.booker is None
    found = load_bookable(connection, slug, type_id, person_id=holder_id)
    assert found is not None and found.id == type_id
    assert found.booker == Booker(
        holder_id, "holder@example.org", "Hol Der", "Borsetshire", False, BookingStatus.WAITLISTED
    )
    fresh = load_bookable(connection, slug, type_id, person_id=newcomer_id)
    assert fresh is not None and fresh.booker is not None
    assert (fresh.booker.id, fresh.booker.live_status) == (newcomer_id, None)
    nobody = load_bookable(connection, slug, type_id, person_id=newcomer_id + 1000)
    assert nobody is not None and nobody.booker is None  # the ticket type, but no such person
    assert load_bookable(connection, "no-such-event", type_id, person_id=holder_id) is None


def test_a_booking_read_for_the_person_is_not_asked_for_again_yet_never_doubled(
    connection: Connection,
) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=5)
    person = make_person()
    slug, type_id = ticket_type.event.slug, ticket_type.id
    person_id, email, organisation = _who(person)
    before = load_bookable(connection, slug, type_id, person_id=person_id)
    connection.rollback()
    assert before is not None and before.booker is not None
    assert before.booker.live_status is None
    place_booking(connection, person_id, email, organisation, before, None, None)
    connection.commit()
    # The same out-of-date read again (as a concurrent request of this person had it): the
    # live-booking index refuses the second booking.
    with pytest.raises(AlreadyBooked, match=DUPLICATE_MESSAGE):
        place_booking(connection, person_id, email, organisation, before, None, None)
    connection.rollback()
    after = load_bookable(connection, slug, type_id, person_id=person_id)
    connection.rollback()
    assert after is not None and after.booker is not None
    assert after.booker.live_status == BookingStatus.CONFIRMED
    with pytest.raises(AlreadyBooked, match="You already have a ticket"):
        place_booking(connection, person_id, email, organisation, after, None, None)
    connection.rollback()
    assert _statuses(ticket_type) == {"confirmed": 1}
    assert _taken(ticket_type) == 1


def test_free_place_confirms_and_queues_the_ticket_email_unbuilt(connection: Connection) -> None:
    ticket_type = make_ticket_type(make_event(name="Rush Camp"), capacity=2)
    person = make_person()
    placed = _place(connection, ticket_type, person)
    assert (placed.status, placed.ticket_type_id, placed.queue_position) == (
        BookingStatus.CONFIRMED, ticket_type.id, None,
    )  # fmt: skip
    booking = db.session.get(Booking, placed.id)
    assert booking is not None and booking.person_id == person.id
    assert booking.confirmed_at is not None and booking.source == "online"
    assert booking.organisation == person.organisation
    assert _taken(ticket_type) == 1
    [row] = _email_rows(person.email)
    assert list(placed.mail_ids) == [row.id]
    assert (row.kind, row.ref_id, row.raw, row.status) == (
        emails.TICKET_KIND, placed.id, b"", "pending",
    )  # fmt: skip
    assert row.subject == "Your ticket for Rush Camp"


def test_full_type_waitlists_in_order(connection: Connection) -> None:
    ticket_type = make_ticket_type(make_event(name="Rush Camp"), capacity=1)
    first = _place(connection, ticket_type)
    second, third = _place(connection, ticket_type), _place(connection, ticket_type)
    assert first.status == BookingStatus.CONFIRMED
    assert (second.status, third.status) == (BookingStatus.WAITLISTED, BookingStatus.WAITLISTED)
    assert second.queue_position is not None and third.queue_position is not None
    assert second.queue_position < third.queue_position
    assert _taken(ticket_type) == 1
    assert _statuses(ticket_type) == {"confirmed": 1, "waitlisted": 2}
    row = db.session.get(OutboundEmail, third.mail_ids[0])
    assert row is not None and row.kind == emails.WAITLISTED_KIND
    assert row.subject == "You are on the waitlist for Rush Camp"


def test_no_queue_jumping_a_free_place_goes_to_the_person_waiting(
    connection: Connection,
) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=2)
    make_booking(ticket_type)
    waiting = make_booking(ticket_type, status=BookingStatus.WAITLISTED)
    waiting.queue_position = 1
    db.session.commit()
    waiting_id, waiting_email = waiting.id, waiting.person.email
    # One place is free, but someone is waiting for it: the newcomer queues behind them,
    # and the place is offered to the person waiting, in the same transaction.
    placed = _place(connection, ticket_type)
    assert placed.status == BookingStatus.WAITLISTED and placed.queue_position == 2
    assert _status_of(waiting_id) == BookingStatus.OFFERED
    assert _taken(ticket_type) == 2
    [offer] = _email_rows(waiting_email)
    assert offer.kind == emails.OFFER_KIND and offer.id in placed.mail_ids


def test_places_left_after_the_queue_reach_the_newcomer(connection: Connection) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=3)
    make_booking(ticket_type)
    waiting = make_booking(ticket_type, status=BookingStatus.WAITLISTED)
    waiting.queue_position = 1
    db.session.commit()
    placed = _place(connection, ticket_type)
    # Two free places, one person waiting: both are offered down the queue, the newcomer too.
    assert placed.status == BookingStatus.OFFERED
    assert _status_of(waiting.id) == BookingStatus.OFFERED
    assert _taken(ticket_type) == 3


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (BookingStatus.CONFIRMED, "You already have a ticket for this event."),
        (BookingStatus.OFFERED, "A place is already offered to you"),
        (BookingStatus.WAITLISTED, "You are already on the waitlist for this event."),
        (BookingStatus.REGISTERED, "You are already in the ballot for this event."),
    ],
)
def test_second_live_booking_is_refused_with_the_state_of_the_first(
    connection: Connection, status: BookingStatus, message: str
) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=5)
    person = make_person()
    make_booking(ticket_type, person, status=status)
    taken = _taken(ticket_type)
    with pytest.raises(AlreadyBooked, match=message):
        _place(connection, ticket_type, person)
    assert _taken(ticket_type) == taken
    assert sum(_statuses(ticket_type).values()) == 1
    assert _email_rows(person.email) == []


def test_an_ended_booking_does_not_stop_a_new_one(connection: Connection) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=5)
    person = make_person()
    make_booking(ticket_type, person, status=BookingStatus.RELEASED)
    assert _place(connection, ticket_type, person).status == BookingStatus.CONFIRMED


def test_answers_are_stored_with_the_booking(connection: Connection) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event)
    diet = make_question(event, is_required=True)
    lunch = make_question(event, label="Lunch", kind=QuestionKind.CHOICE, choices="Veg\nVegan\n")
    make_question(event, label="Photo consent", kind=QuestionKind.YES_NO)  # left unanswered
    answers = BookingAnswers(" Leeds CC ", "Developer", {diet.id: " Coeliac ", lunch.id: "Vegan"})
    placed = _place(connection, ticket_type, answers=answers)
    stored = answer_service.answers_by_booking(db.session, [placed.id])[placed.id]
    assert stored == {diet.id: "Coeliac", lunch.id: "Vegan"}
    booking = db.session.get(Booking, placed.id)
    assert booking is not None and (booking.organisation, booking.job_role) == (
        "Leeds CC", "Developer",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "Answer the question: Dietary needs"),
        ({"diet": "x" * 501}, "500 characters or fewer"),
        ({"diet": "none", "lunch": "Fish"}, "Choose one of the options for: Lunch"),
    ],
)
def test_invalid_answers_are_refused_and_change_nothing(
    connection: Connection, values: dict[str, str], message: str
) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event)
    questions = {
        "diet": make_question(event, is_required=True),
        "lunch": make_question(
            event, label="Lunch", kind=QuestionKind.CHOICE, choices="Veg\nVegan"
        ),
    }
    answers = BookingAnswers(values={questions[k].id: v for k, v in values.items()})
    with pytest.raises(InvalidAnswer, match=message):
        _place(connection, ticket_type, answers=answers)
    assert _statuses(ticket_type) == {} and _taken(ticket_type) == 0


def test_hidden_type_needs_its_secret(connection: Connection) -> None:
    ticket_type = make_ticket_type(make_event(), visibility=TicketVisibility.HIDDEN)
    with pytest.raises(NotOnSale, match="only available through its private link"):
        _place(connection, ticket_type)
    with pytest.raises(NotOnSale, match="only available through its private link"):
        _place(connection, ticket_type, secret="not-the-secret")
    placed = _place(connection, ticket_type, secret=ticket_type.secret)
    assert placed.status == BookingStatus.CONFIRMED
    assert _statuses(ticket_type) == {"confirmed": 1}


@pytest.mark.parametrize(("event_fields", "type_fields", "message"), NOT_ON_SALE_CASES)
def test_booking_outside_the_rules_is_refused(
    connection: Connection,
    event_fields: dict[str, object],
    type_fields: dict[str, object],
    message: str,
) -> None:
    ticket_type = make_ticket_type(make_event(**event_fields), **type_fields)  # type: ignore[arg-type]
    with pytest.raises(NotOnSale, match=message):
        _place(connection, ticket_type)
    assert _statuses(ticket_type) == {}


def test_opening_time_is_shown_in_the_events_timezone(connection: Connection) -> None:
    opens = datetime(2031, 7, 1, 8, 30, tzinfo=utcnow().tzinfo)  # 09:30 in London (BST)
    event = make_event(starts_at=datetime(2031, 7, 10, 9, tzinfo=utcnow().tzinfo))
    ticket_type = make_ticket_type(event, opens_at=opens)
    with pytest.raises(NotOnSale, match="Booking opens at 09:30 on Tuesday 1 July 2031"):
        _place(connection, ticket_type, now=opens - timedelta(days=1))


def test_ballot_entry_is_registered_without_taking_a_place(connection: Connection) -> None:
    event = make_event(name="Ballot Camp")
    ticket_type = make_ticket_type(
        event,
        capacity=1,
        allocation=AllocationMode.BALLOT,
        closes_at=event.starts_at - timedelta(days=1),
    )
    person = make_person()
    placed = _place(connection, ticket_type, person)
    assert (placed.status, placed.queue_position) == (BookingStatus.REGISTERED, None)
    assert _place(connection, ticket_type).status == BookingStatus.REGISTERED  # no capacity yet
    assert _taken(ticket_type) == 0
    [row] = _email_rows(person.email)
    assert (row.kind, row.subject) == (
        emails.BALLOT_ENTRY_KIND,
        "You are in the ballot for Ballot Camp",
    )


def test_overdue_offer_is_expired_and_passed_on_during_a_booking(connection: Connection) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=1)
    offered = make_booking(ticket_type, status=BookingStatus.OFFERED)
    offered.offered_at = utcnow() - timedelta(hours=50)
    offered.offer_expires_at = utcnow() - timedelta(hours=2)
    waiting = make_booking(ticket_type, status=BookingStatus.WAITLISTED)
    waiting.queue_position = 1
    db.session.commit()
    offered_id, offered_email = offered.id, offered.person.email
    waiting_id, waiting_email = waiting.id, waiting.person.email
    assert _taken(ticket_type) == 1
    newcomer_id, newcomer_email, organisation = _who(make_person())
    bookable = _bookable(connection, ticket_type)
    assert bookable.has_overdue_offer
    placed = place_booking(
        connection, newcomer_id, newcomer_email, organisation, bookable, None, None
    )
    connection.commit()
    # The overdue offer ended and its place went to the person waiting, not the newcomer.
    assert _status_of(offered_id) == BookingStatus.EXPIRED
    assert _status_of(waiting_id) == BookingStatus.OFFERED
    assert placed.status == BookingStatus.WAITLISTED and placed.queue_position == 2
    assert _taken(ticket_type) == 1
    [expired_email] = _email_rows(offered_email)
    [offer_email] = _email_rows(waiting_email)
    [waitlisted_email] = _email_rows(newcomer_email)
    assert expired_email.kind == emails.OFFER_EXPIRED_KIND
    assert offer_email.kind == emails.OFFER_KIND
    assert waitlisted_email.kind == emails.WAITLISTED_KIND
    # Every row the booking queued is handed back, for sending after the commit.
    assert sorted(placed.mail_ids) == sorted(
        [expired_email.id, offer_email.id, waitlisted_email.id]
    )
    assert not _bookable(connection, ticket_type).has_overdue_offer


def test_overdue_offer_with_nobody_waiting_frees_the_place_for_the_booker(
    connection: Connection,
) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=1)
    offered = make_booking(ticket_type, status=BookingStatus.OFFERED)
    offered.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    placed = _place(connection, ticket_type)
    assert placed.status == BookingStatus.CONFIRMED
    assert _status_of(offered.id) == BookingStatus.EXPIRED
    assert _taken(ticket_type) == 1


def test_lazy_waitlisted_email_is_built_and_delivered_after_commit(
    app: Flask, mailbox: Mailbox
) -> None:
    event = make_event(name="Rush Camp")
    ticket_type = make_ticket_type(event, capacity=1, name="Standard")
    make_booking(ticket_type)
    person = make_person(name="Wendy Waiting")
    # As the JSON view runs it: on the Flask session's connection, sent by transaction.commit.
    connection = db.session.connection()
    bookable = load_bookable(connection, event.slug, ticket_type.id)
    assert bookable is not None
    placed = place_booking(
        connection, person.id, person.email, person.organisation, bookable, None, None
    )
    mail.send_after_commit(db.session(), list(placed.mail_ids))
    row = db.session.get(OutboundEmail, placed.mail_ids[0])
    assert row is not None and row.raw == b""  # nothing built inside the transaction
    assert mailbox.to(person.email) == []  # nothing leaves before the commit
    commit()
    received = mailbox.last_to(person.email)
    assert received["Subject"] == "You are on the waitlist for Rush Camp"
    text = body_text(received)
    assert "Hello Wendy Waiting" in text
    assert "you are on the waitlist for a Standard place" in text
    assert f"/bookings/{placed.id}" in text
    db.session.refresh(row)
    assert row.status == "sent" and row.attempts == 1


def test_lazy_ballot_entry_email_is_delivered_by_tick(
    app: Flask, mailbox: Mailbox, connection: Connection
) -> None:
    event = make_event(name="Ballot Camp")
    ticket_type = make_ticket_type(
        event, allocation=AllocationMode.BALLOT, closes_at=event.starts_at - timedelta(days=1)
    )
    person = make_person()
    _place(connection, ticket_type, person)  # queued on a bare connection: tick sends it
    assert mailbox.to(person.email) == []
    result = app.test_cli_runner().invoke(args=["tick"])
    assert "sent 1 email" in result.output
    received = mailbox.last_to(person.email)
    assert received["Subject"] == "You are in the ballot for Ballot Camp"
    assert "You are in the ballot for Ballot Camp" in body_text(received)


def test_runs_without_a_flask_app_context_even_for_offer_work(app: Flask) -> None:
    # A WSGI layer in front of Flask has no app context: a new thread has none either.
    ticket_type = make_ticket_type(make_event(), capacity=1)
    offered = make_booking(ticket_type, status=BookingStatus.OFFERED)
    offered.offer_expires_at = utcnow() - timedelta(minutes=1)
    waiting = make_booking(ticket_type, status=BookingStatus.WAITLISTED)
    waiting.queue_position = 1
    db.session.commit()
    offered_id, waiting_id = offered.id, waiting.id
    person_id, email, organisation = _who(make_person())
    slug, type_id = ticket_type.event.slug, ticket_type.id
    _release_orm()
    engine = db.engine
    outcome: list[object] = []

    def book() -> None:
        try:
            assert not has_app_context()
            with engine.connect() as conn:
                bookable = load_bookable(conn, slug, type_id)
                assert bookable is not None
                placed = place_booking(conn, person_id, email, organisation, bookable, None, None)
                conn.commit()
            outcome.append(placed)
        except BaseException as error:  # reported to the test below
            outcome.append(error)

    thread = threading.Thread(target=book)
    thread.start()
    thread.join()
    [placed] = outcome
    assert isinstance(placed, BookingResult), placed
    assert placed.status == BookingStatus.WAITLISTED and len(placed.mail_ids) == 3
    assert _status_of(offered_id) == BookingStatus.EXPIRED
    assert _status_of(waiting_id) == BookingStatus.OFFERED
