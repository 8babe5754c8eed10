"""`book_ticket`, the one booking service, called directly on the ORM session.

Each test books, commits (or rolls back on a refusal) and reads the outcome: rows, places
taken, email rows queued in the booking's transaction and sent after its commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.extensions import db
from lgcamp.mail import OutboundEmail
from lgcamp.tickets import answers as answer_service
from lgcamp.tickets import emails
from lgcamp.tickets.answers import BookingAnswers, InvalidAnswer
from lgcamp.tickets.booking import AlreadyBooked, NotOnSale, book_ticket
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


def _place(
    ticket_type: TicketType,
    person: Person | None = None,
    answers: BookingAnswers | None = None,
    secret: str | None = None,
    now: datetime | None = None,
) -> Booking:
    """Book and commit, leaving the email rows queued (sent by tick or a commit() test)."""
    person = person or make_person()
    try:
        booking = book_ticket(db.session, person, ticket_type, answers, secret, now)
    except Exception:
        db.session.rollback()
        raise
    finally:
        db.session.info.pop("mail_queued", None)
    db.session.commit()
    return booking


def _statuses(ticket_type: TicketType) -> dict[str, int]:
    rows = db.session.execute(
        select(Booking.status, func.count())
        .where(Booking.ticket_type_id == ticket_type.id)
        .group_by(Booking.status)
    )
    return {str(status): n for status, n in rows}


def _taken(ticket_type: TicketType) -> int:
    return db.session.scalar(select(TicketType.taken).where(TicketType.id == ticket_type.id)) or 0


def _status_of(booking_id: int) -> BookingStatus:
    booking = db.session.get(Booking, booking_id)
    assert booking is not None
    return booking.status


def _email_rows(address: str) -> list[OutboundEmail]:
    return list(
        db.session.scalars(
            select(OutboundEmail)
            .where(OutboundEmail.recipient == address)
            .order_by(OutboundEmail.id)
        )
    )


def test_free_place_confirms_and_queues_the_ticket_email_unbuilt(app: Flask) -> None:
    ticket_type = make_ticket_type(make_event(name="Rush Camp"), capacity=2)
    person = make_person()
    placed = _place(ticket_type, person)
    assert (placed.status, placed.ticket_type_id, placed.queue_position) == (
        BookingStatus.CONFIRMED, ticket_type.id, None,
    )  # fmt: skip
    booking = db.session.get(Booking, placed.id)
    assert booking is not None and booking.person_id == person.id
    assert booking.confirmed_at is not None and booking.source == "online"
    assert booking.organisation == person.organisation
    assert _taken(ticket_type) == 1
    [row] = _email_rows(person.email)
    assert (row.kind, row.ref_id, row.raw, row.status) == (
        emails.TICKET_KIND, placed.id, b"", "pending",
    )  # fmt: skip
    assert row.subject == "Your ticket for Rush Camp"


def test_full_type_waitlists_in_order(app: Flask) -> None:
    ticket_type = make_ticket_type(make_event(name="Rush Camp"), capacity=1)
    first = _place(ticket_type)
    second, third = _place(ticket_type), _place(ticket_type)
    assert first.status == BookingStatus.CONFIRMED
    assert (second.status, third.status) == (BookingStatus.WAITLISTED, BookingStatus.WAITLISTED)
    assert second.queue_position is not None and third.queue_position is not None
    assert second.queue_position < third.queue_position
    assert _taken(ticket_type) == 1
    assert _statuses(ticket_type) == {"confirmed": 1, "waitlisted": 2}
    row = _email_rows(third.person.email)[0]
    assert row.kind == emails.WAITLISTED_KIND
    assert row.subject == "You are on the waitlist for Rush Camp"


def test_no_queue_jumping_a_free_place_goes_to_the_person_waiting(
    app: Flask,
) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=2)
    make_booking(ticket_type)
    waiting = make_booking(ticket_type, status=BookingStatus.WAITLISTED)
    waiting.queue_position = 1
    db.session.commit()
    waiting_id, waiting_email = waiting.id, waiting.person.email
    # One place is free, but someone is waiting for it: the newcomer queues behind them,
    # and the place is offered to the person waiting, in the same transaction.
    placed = _place(ticket_type)
    assert placed.status == BookingStatus.WAITLISTED and placed.queue_position == 2
    assert _status_of(waiting_id) == BookingStatus.OFFERED
    assert _taken(ticket_type) == 2
    [offer] = _email_rows(waiting_email)
    assert offer.kind == emails.OFFER_KIND


def test_places_left_after_the_queue_reach_the_newcomer(app: Flask) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=3)
    make_booking(ticket_type)
    waiting = make_booking(ticket_type, status=BookingStatus.WAITLISTED)
    waiting.queue_position = 1
    db.session.commit()
    placed = _place(ticket_type)
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
    app: Flask, status: BookingStatus, message: str
) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=5)
    person = make_person()
    make_booking(ticket_type, person, status=status)
    taken = _taken(ticket_type)
    with pytest.raises(AlreadyBooked, match=message):
        _place(ticket_type, person)
    assert _taken(ticket_type) == taken
    assert sum(_statuses(ticket_type).values()) == 1
    assert _email_rows(person.email) == []


def test_an_ended_booking_does_not_stop_a_new_one(app: Flask) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=5)
    person = make_person()
    make_booking(ticket_type, person, status=BookingStatus.RELEASED)
    assert _place(ticket_type, person).status == BookingStatus.CONFIRMED


def test_answers_are_stored_with_the_booking(app: Flask) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event)
    diet = make_question(event, is_required=True)
    lunch = make_question(event, label="Lunch", kind=QuestionKind.CHOICE, choices="Veg\nVegan\n")
    make_question(event, label="Photo consent", kind=QuestionKind.YES_NO)  # left unanswered
    answers = BookingAnswers(" Leeds CC ", "Developer", {diet.id: " Coeliac ", lunch.id: "Vegan"})
    placed = _place(ticket_type, answers=answers)
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
    app: Flask, values: dict[str, str], message: str
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
        _place(ticket_type, answers=answers)
    assert _statuses(ticket_type) == {} and _taken(ticket_type) == 0


def test_hidden_type_needs_its_secret(app: Flask) -> None:
    ticket_type = make_ticket_type(make_event(), visibility=TicketVisibility.HIDDEN)
    with pytest.raises(NotOnSale, match="only available through its private link"):
        _place(ticket_type)
    with pytest.raises(NotOnSale, match="only available through its private link"):
        _place(ticket_type, secret="not-the-secret")
    placed = _place(ticket_type, secret=ticket_type.secret)
    assert placed.status == BookingStatus.CONFIRMED
    assert _statuses(ticket_type) == {"confirmed": 1}


@pytest.mark.parametrize(("event_fields", "type_fields", "message"), NOT_ON_SALE_CASES)
def test_booking_outside_the_rules_is_refused(
    app: Flask,
    event_fields: dict[str, object],
    type_fields: dict[str, object],
    message: str,
) -> None:
    ticket_type = make_ticket_type(make_event(**event_fields), **type_fields)  # type: ignore[arg-type]
    with pytest.raises(NotOnSale, match=message):
        _place(ticket_type)
    assert _statuses(ticket_type) == {}


def test_opening_time_is_shown_in_the_events_timezone(app: Flask) -> None:
    opens = datetime(2031, 7, 1, 8, 30, tzinfo=utcnow().tzinfo)  # 09:30 in London (BST)
    event = make_event(starts_at=datetime(2031, 7, 10, 9, tzinfo=utcnow().tzinfo))
    ticket_type = make_ticket_type(event, opens_at=opens)
    with pytest.raises(NotOnSale, match="Booking opens at 09:30 on Tuesday 1 July 2031"):
        _place(ticket_type, now=opens - timedelta(days=1))


def test_ballot_entry_is_registered_without_taking_a_place(app: Flask) -> None:
    event = make_event(name="Ballot Camp")
    ticket_type = make_ticket_type(
        event,
        capacity=1,
        allocation=AllocationMode.BALLOT,
        closes_at=event.starts_at - timedelta(days=1),
    )
    person = make_person()
    placed = _place(ticket_type, person)
    assert (placed.status, placed.queue_position) == (BookingStatus.REGISTERED, None)
    assert _place(ticket_type).status == BookingStatus.REGISTERED  # no capacity yet
    assert _taken(ticket_type) == 0
    [row] = _email_rows(person.email)
    assert (row.kind, row.subject) == (
        emails.BALLOT_ENTRY_KIND,
        "You are in the ballot for Ballot Camp",
    )


def test_overdue_offer_is_expired_and_passed_on_during_a_booking(app: Flask) -> None:
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
    newcomer = make_person()
    newcomer_email = newcomer.email
    placed = _place(ticket_type, newcomer)
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


def test_overdue_offer_with_nobody_waiting_frees_the_place_for_the_booker(
    app: Flask,
) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=1)
    offered = make_booking(ticket_type, status=BookingStatus.OFFERED)
    offered.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    placed = _place(ticket_type)
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
    # As the views run it: booked, then sent by transaction.commit after the commit.
    placed = book_ticket(db.session, person, ticket_type)
    db.session.flush()
    [row] = _email_rows(person.email)
    assert row.raw == b""  # nothing built inside the transaction
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


def test_lazy_ballot_entry_email_is_delivered_by_tick(app: Flask, mailbox: Mailbox) -> None:
    event = make_event(name="Ballot Camp")
    ticket_type = make_ticket_type(
        event, allocation=AllocationMode.BALLOT, closes_at=event.starts_at - timedelta(days=1)
    )
    person = make_person()
    _place(ticket_type, person)  # committed without sending: tick sends it
    assert mailbox.to(person.email) == []
    result = app.test_cli_runner().invoke(args=["tick"])
    assert "sent 1 email" in result.output
    received = mailbox.last_to(person.email)
    assert received["Subject"] == "You are in the ballot for Ballot Camp"
    assert "You are in the ballot for Ballot Camp" in body_text(received)
