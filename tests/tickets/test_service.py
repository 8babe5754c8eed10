"""Ticket services called directly: booking, waitlist, offers, ballot, transfers, no-shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lgcamp.database import utcnow
from lgcamp.errors import DomainError
from lgcamp.extensions import db
from lgcamp.mail import OutboundEmail
from lgcamp.tickets import answers as answer_service
from lgcamp.tickets import ballot, links, noshow, offers, service, transfers, types
from lgcamp.tickets import booking as booking_service
from lgcamp.tickets.answers import BookingAnswers
from lgcamp.tickets.models import (
    AllocationMode,
    Answer,
    AnswerTotal,
    Booking,
    BookingStatus,
    QuestionKind,
    TicketSettings,
    TicketVisibility,
    TransferStatus,
)
from tests.factories import (
    NOT_ON_SALE_CASES,
    make_booking,
    make_event,
    make_person,
    make_question,
    make_ticket_type,
)

pytestmark = pytest.mark.usefixtures("app")


def _book(ticket_type, person=None, **kwargs):  # type: ignore[no-untyped-def]
    person = person or make_person()
    booking = booking_service.book_ticket(db.session, person, ticket_type, **kwargs)
    db.session.commit()
    return booking


def _emails_to(address: str) -> list[OutboundEmail]:
    return list(db.session.scalars(select(OutboundEmail).where(OutboundEmail.recipient == address)))


def _statuses(ticket_type) -> dict[str, int]:  # type: ignore[no-untyped-def]
    rows = db.session.execute(
        select(Booking.status, func.count())
        .where(Booking.ticket_type_id == ticket_type.id)
        .group_by(Booking.status)
    )
    return {str(status): n for status, n in rows}


def test_booking_confirms_and_emails_ticket() -> None:
    ticket_type = make_ticket_type(make_event(), capacity=2)
    person = make_person()
    booking = _book(ticket_type, person)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.confirmed_at is not None
    db.session.refresh(ticket_type)
    assert ticket_type.taken == 1
    [email] = _emails_to(person.email)
    assert email.subject.startswith("Your ticket for")
    assert b"ticket-qr.png" in email.message and b".ics" in email.message


def test_full_ticket_type_puts_people_on_the_waitlist_in_order() -> None:
    ticket_type = make_ticket_type(make_event(), capacity=1)
    _book(ticket_type)
    second, third = _book(ticket_type), _book(ticket_type)
    assert (second.status, third.status) == (BookingStatus.WAITLISTED, BookingStatus.WAITLISTED)
    assert second.queue_position < third.queue_position
    assert [b.id for b in service.waitlist(db.session, ticket_type)] == [second.id, third.id]


def test_booking_twice_is_refused_and_changes_nothing() -> None:
    ticket_type = make_ticket_type(make_event(), capacity=5)
    person = make_person()
    _book(ticket_type, person)
    with pytest.raises(booking_service.AlreadyBooked, match="already have a ticket"):
        booking_service.book_ticket(db.session, person, ticket_type)
    db.session.rollback()
    db.session.refresh(ticket_type)
    assert ticket_type.taken == 1
    assert _statuses(ticket_type) == {"confirmed": 1}


@pytest.mark.parametrize(("event_fields", "type_fields", "message"), NOT_ON_SALE_CASES)
def test_booking_outside_the_rules_is_refused(
    event_fields: dict[str, object], type_fields: dict[str, object], message: str
) -> None:
    ticket_type = make_ticket_type(make_event(**event_fields), **type_fields)  # type: ignore[arg-type]
    with pytest.raises(booking_service.NotOnSale, match=message):
        booking_service.book_ticket(db.session, make_person(), ticket_type)
    db.session.rollback()
    assert _statuses(ticket_type) == {}


def test_hidden_ticket_type_books_with_its_secret() -> None:
    ticket_type = make_ticket_type(make_event(), visibility=TicketVisibility.HIDDEN)
    booking = _book(ticket_type, secret=ticket_type.secret)
    assert booking.status == BookingStatus.CONFIRMED


def test_answers_are_validated_and_stored() -> None:
    event = make_event()
    ticket_type = make_ticket_type(event)
    diet = make_question(event, is_required=True)
    photo = make_question(event, label="Photo consent", kind=QuestionKind.YES_NO)
    lunch = make_question(event, label="Lunch", kind=QuestionKind.CHOICE, choices="Veg\nVegan\n")
    bad = [
        (BookingAnswers(values={}), "Answer the question: Dietary needs"),
        (BookingAnswers(values={diet.id: "x" * 501}), "500 characters or fewer"),
        (BookingAnswers(values={diet.id: "none", lunch.id: "Fish"}), "Choose one of"),
        (BookingAnswers(values={diet.id: "none", photo.id: "maybe"}), "Answer yes or no"),
        (BookingAnswers(organisation="o" * 161, values={diet.id: "none"}), "Organisation must"),
    ]
    for answers, message in bad:
        with pytest.raises(answer_service.InvalidAnswer, match=message):
            booking_service.book_ticket(db.session, make_person(), ticket_type, answers)
        db.session.rollback()
    assert _statuses(ticket_type) == {}
    good = BookingAnswers("Leeds CC", "Developer", {diet.id: "Coeliac", lunch.id: "Vegan"})
    booking = _book(ticket_type, answers=good)
    assert (booking.organisation, booking.job_role) == ("Leeds CC", "Developer")
    stored = answer_service.answers_by_booking(db.session, [booking.id])[booking.id]
    assert stored == {diet.id: "Coeliac", lunch.id: "Vegan"}


def test_choice_question_needs_two_options() -> None:
    with pytest.raises(DomainError, match="at least two choices"):
        make_question(make_event(), kind=QuestionKind.CHOICE, choices="Only one")


def test_release_offers_the_place_to_the_next_person_who_claims_it() -> None:
    ticket_type = make_ticket_type(make_event(), capacity=1)
    holder = _book(ticket_type)
    waiting_person = make_person()
    waiting = _book(ticket_type, waiting_person)
    later = _book(ticket_type)
    service.release_booking(db.session, holder.person, holder)
    db.session.commit()
    db.session.refresh(waiting)
    assert holder.status == BookingStatus.RELEASED
    assert waiting.status == BookingStatus.OFFERED
    assert waiting.offer_expires_at is not None
    assert later.status == BookingStatus.WAITLISTED
    assert any("claim it" in e.subject for e in _emails_to(waiting_person.email))
    service.claim_offer(db.session, waiting_person, waiting)
    db.session.commit()
    assert waiting.status == BookingStatus.CONFIRMED
    db.session.refresh(ticket_type)
    assert ticket_type.taken == 1


def test_claiming_someone_elses_or_an_expired_offer_is_refused() -> None:
    ticket_type = make_ticket_type(make_event(), capacity=1)
    holder = _book(ticket_type)
    waiting = _book(ticket_type)
    nxt = _book(ticket_type)
    service.release_booking(db.session, holder.person, holder)
    db.session.commit()
    db.session.refresh(waiting)
    with pytest.raises(service.NotYourBooking):
        service.claim_offer(db.session, nxt.person, waiting)
    db.session.rollback()
    later = waiting.offer_expires_at + timedelta(minutes=1)  # type: ignore[operator]
    with pytest.raises(service.OfferExpired, match="expired"):
        service.claim_offer(db.session, waiting.person, waiting, now=later)
    db.session.rollback()
    db.session.refresh(waiting)
    assert waiting.status == BookingStatus.OFFERED  # nothing changed by the refused claim


def test_expired_offer_passes_to_the_next_person() -> None:
    event = make_event(starts_at=utcnow() + timedelta(days=20))
    ticket_type = make_ticket_type(event, capacity=1)
    holder, first, second = _book(ticket_type), _book(ticket_type), _book(ticket_type)
    service.release_booking(db.session, holder.person, holder)
    db.session.commit()
    db.session.refresh(first)
    assert first.offer_expires_at - first.offered_at == timedelta(hours=48)  # type: ignore[operator]
    later = first.offer_expires_at + timedelta(seconds=1)  # type: ignore[operator]
    assert offers.process_offers(db.session, ticket_type, later) == 2  # one expiry, one offer
    assert offers.process_offers(db.session, ticket_type, later) == 0  # idempotent
    db.session.commit()
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.status == BookingStatus.EXPIRED
    assert second.status == BookingStatus.OFFERED
    assert any("expired" in e.subject for e in _emails_to(first.person.email))


def test_offers_are_shorter_near_the_event_and_never_after_the_start() -> None:
    settings = offers.default_settings(make_event())
    now = utcnow()
    far = make_event(starts_at=now + timedelta(days=30))
    near = make_event(starts_at=now + timedelta(days=5))
    soon = make_event(starts_at=now + timedelta(hours=2))
    assert offers.offer_expiry(settings, far, now) == now + timedelta(hours=48)
    assert offers.offer_expiry(settings, near, now) == now + timedelta(hours=12)
    assert offers.offer_expiry(settings, soon, now) == soon.starts_at


def test_capacity_increase_triggers_offers_and_decrease_below_taken_is_refused() -> None:
    organiser = make_person()
    ticket_type = make_ticket_type(make_event(), capacity=1)
    _book(ticket_type)
    waiting = [_book(ticket_type) for _ in range(3)]
    assert types.change_capacity(db.session, organiser, ticket_type, 3) == 2
    db.session.commit()
    assert [db.session.get(Booking, b.id).status for b in waiting] == [  # type: ignore[union-attr]
        BookingStatus.OFFERED,
        BookingStatus.OFFERED,
        BookingStatus.WAITLISTED,
    ]
    with pytest.raises(types.CapacityTooLow, match="cannot be lower than 3"):
        types.change_capacity(db.session, organiser, ticket_type, 2)
    db.session.rollback()
    db.session.refresh(ticket_type)
    assert ticket_type.capacity == 3


def test_organiser_cancel_manual_add_move_and_reissue() -> None:
    organiser = make_person()
    ticket_type = make_ticket_type(make_event(), capacity=1)
    holder = _book(ticket_type)
    waiting = _book(ticket_type)
    with pytest.raises(DomainError, match="full"):
        service.add_booking_manually(db.session, organiser, ticket_type, make_person().email)
    db.session.rollback()
    service.cancel_booking(db.session, organiser, holder)
    db.session.commit()
    db.session.refresh(waiting)
    assert holder.status == BookingStatus.CANCELLED and waiting.status == BookingStatus.OFFERED
    types.change_capacity(db.session, organiser, ticket_type, 3)
    added = service.add_booking_manually(db.session, organiser, ticket_type, make_person().email)
    late = _book(make_ticket_type(ticket_type.event, capacity=0, name="Other"))
    db.session.commit()
    assert added.status == BookingStatus.CONFIRMED and added.source == "manual"
    assert late.status == BookingStatus.WAITLISTED
    old_token = added.token
    service.reissue_token(db.session, organiser, added)
    db.session.commit()
    assert service.booking_by_token(db.session, old_token) is None
    assert service.booking_by_token(db.session, added.token) == added
    with pytest.raises(DomainError, match="no free place"):
        service.move_from_waitlist(db.session, organiser, late)
    db.session.rollback()
    types.change_capacity(db.session, organiser, late.ticket_type, 1)
    db.session.commit()
    db.session.refresh(late)
    assert late.status == BookingStatus.OFFERED


def test_tampered_or_outdated_release_link_is_refused() -> None:
    booking = make_booking(make_ticket_type(make_event()))
    signed = links.sign_booking(booking, "release")
    assert links.booking_from_link(db.session, signed, "release") == booking
    with pytest.raises(links.LinkInvalid, match="not valid"):
        links.booking_from_link(db.session, signed[:-2] + "xx", "release")
    with pytest.raises(links.LinkInvalid, match="not valid"):
        links.booking_from_link(db.session, signed, "reconfirm")
    booking.reissue_token()
    db.session.commit()
    with pytest.raises(links.LinkInvalid, match="out of date"):
        links.booking_from_link(db.session, signed, "release")


def test_ballot_draw_is_reproducible_from_its_seed() -> None:
    closes = utcnow() + timedelta(days=1)
    event = make_event()
    ticket_type = make_ticket_type(
        event, capacity=3, allocation=AllocationMode.BALLOT, closes_at=closes
    )
    entries = [_book(ticket_type) for _ in range(8)]
    assert {b.status for b in entries} == {BookingStatus.REGISTERED}
    with pytest.raises(ballot.BallotNotDue, match="still open"):
        ballot.draw_ballot(db.session, ticket_type)
    after = closes + timedelta(minutes=1)
    draw = ballot.draw_ballot(db.session, ticket_type, seed="fixed-seed", now=after)
    db.session.commit()
    expected = ballot.drawn_order([b.id for b in entries], "fixed-seed")
    assert draw.drawn_order == ",".join(map(str, expected))
    assert (draw.entrants, draw.winners) == (8, 3)
    for position, booking_id in enumerate(expected, start=1):
        booking = db.session.get(Booking, booking_id)
        assert booking is not None
        assert booking.queue_position == position
        winner = position <= 3
        assert booking.status == (BookingStatus.CONFIRMED if winner else BookingStatus.WAITLISTED)
    with pytest.raises(ballot.BallotNotDue, match="already"):
        ballot.draw_ballot(db.session, ticket_type, now=after)
    db.session.rollback()
    # The waitlist follows the drawn order.
    first_winner = db.session.get(Booking, expected[0])
    service.release_booking(db.session, first_winner.person, first_winner, now=after)  # type: ignore[union-attr, arg-type]
    db.session.commit()
    assert db.session.get(Booking, expected[3]).status == BookingStatus.OFFERED  # type: ignore[union-attr]


def test_transfer_reissues_the_ticket_to_the_colleague() -> None:
    ticket_type = make_ticket_type(make_event())
    holder = _book(ticket_type)
    colleague = make_person(email="colleague@example.org")
    transfer = transfers.start_transfer(db.session, holder.person, holder, "Colleague@Example.org")
    db.session.commit()
    assert transfer.to_email == "colleague@example.org"
    [invite] = _emails_to("colleague@example.org")
    token = invite.message.decode().split("/transfers/")[1].split()[0]
    new = transfers.accept_transfer(db.session, colleague, token)
    db.session.commit()
    db.session.refresh(holder)
    assert holder.status == BookingStatus.RELEASED and holder.end_reason == "transferred"
    assert new.status == BookingStatus.CONFIRMED and new.person_id == colleague.id
    assert new.token != holder.token
    db.session.refresh(ticket_type)
    assert ticket_type.taken == 1
    assert transfer.status == TransferStatus.ACCEPTED
    with pytest.raises(links.LinkInvalid, match="used already"):
        transfers.accept_transfer(db.session, make_person(), token)


def test_transfer_can_be_turned_off_per_ticket_type() -> None:
    ticket_type = make_ticket_type(make_event(), allow_transfer=False)
    holder = _book(ticket_type)
    with pytest.raises(transfers.TransferNotAllowed, match="turned off"):
        transfers.start_transfer(db.session, holder.person, holder, "x@example.org")


def _settings(event, **fields):  # type: ignore[no-untyped-def]
    settings = offers.default_settings(event)
    for name, value in fields.items():
        setattr(settings, name, value)
    db.session.add(settings)
    db.session.commit()
    return settings


def test_reminders_are_sent_once_n_days_before() -> None:
    event = make_event(starts_at=utcnow() + timedelta(days=10))
    _settings(event, reminder_days=3)
    booking = make_booking(make_ticket_type(event))
    assert noshow.send_reminders(db.session) == 0
    at = event.starts_at - timedelta(days=2)
    assert noshow.send_reminders(db.session, at) == 1
    assert noshow.send_reminders(db.session, at) == 0
    db.session.commit()
    [email] = _emails_to(booking.person.email)
    assert "Release your ticket" in email.subject
    assert b"/tickets/release/" in email.message


def test_reconfirmation_asks_warns_then_releases_to_the_waitlist() -> None:
    start = utcnow() + timedelta(days=20)
    event = make_event(starts_at=start)
    _settings(event, reconfirm_days=10, reconfirm_deadline_days=2)
    ticket_type = make_ticket_type(event, capacity=2)
    keen, silent = make_booking(ticket_type), make_booking(ticket_type)
    waiting = _book(ticket_type)
    ask = start - timedelta(days=9)
    assert noshow.run_reconfirmation(db.session, ask)["asked"] == 2
    noshow.reconfirm_booking(db.session, keen, ask)
    warn = start - timedelta(days=2, hours=12)
    assert noshow.run_reconfirmation(db.session, warn) == {"asked": 0, "warned": 1, "released": 0}
    deadline = start - timedelta(days=2)
    assert noshow.run_reconfirmation(db.session, deadline)["released"] == 1
    assert noshow.run_reconfirmation(db.session, deadline)["released"] == 0
    db.session.commit()
    for booking in (keen, silent, waiting):
        db.session.refresh(booking)
    assert keen.status == BookingStatus.CONFIRMED
    assert (silent.status, silent.end_reason) == (BookingStatus.RELEASED, "unconfirmed")
    assert waiting.status == BookingStatus.OFFERED


def test_door_release_frees_places_not_checked_in_and_counts_as_no_show() -> None:
    start = utcnow() - timedelta(hours=1)
    event = make_event(starts_at=start)
    _settings(event, door_release_minutes=30)
    ticket_type = make_ticket_type(event, capacity=2)
    here, absent = make_booking(ticket_type), make_booking(ticket_type)
    here.checked_in_at = start
    db.session.commit()
    assert noshow.run_door_releases(db.session) == 1
    assert noshow.run_door_releases(db.session) == 0
    db.session.commit()
    db.session.refresh(absent)
    db.session.refresh(ticket_type)
    assert absent.end_reason == "door_release" and ticket_type.taken == 1
    after = event.ends_at + timedelta(hours=1)
    records = noshow.attendance_records(db.session, [here.person_id, absent.person_id], after)
    assert records[here.person_id] == noshow.AttendanceRecord(attended=1, no_shows=0)
    assert records[absent.person_id] == noshow.AttendanceRecord(attended=0, no_shows=1)


def test_sensitive_answers_are_deleted_after_retention_keeping_totals() -> None:
    event = make_event(starts_at=utcnow() - timedelta(days=40))
    _settings(event, answer_retention_days=30)
    ticket_type = make_ticket_type(event)
    diet = make_question(event, kind=QuestionKind.CHOICE, choices="Vegan\nNone")
    role_q = make_question(event, label="Team", is_sensitive=False)
    for value in ["Vegan", "Vegan", "None"]:
        booking = make_booking(ticket_type)
        db.session.add(Answer(booking_id=booking.id, question_id=diet.id, value=value))
        db.session.add(Answer(booking_id=booking.id, question_id=role_q.id, value="Digital"))
    db.session.commit()
    assert answer_service.purge_due_answers(db.session) == 1
    assert answer_service.purge_due_answers(db.session) == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).where(Answer.question_id == diet.id)) == 0
    assert db.session.scalar(select(func.count()).where(Answer.question_id == role_q.id)) == 3
    totals = {v: c for v, c in db.session.execute(select(AnswerTotal.value, AnswerTotal.count))}
    assert totals == {"Vegan": 2, "None": 1}
    [report] = answer_service.answer_reports(db.session, [diet])
    assert report.totals == [("Vegan", 2), ("None", 1)] and report.answers == []


def test_settings_defaults_match_the_model() -> None:
    event = make_event()
    settings = offers.settings_for(db.session, event)
    assert settings.id is None and settings.offer_hours == 48
    saved = _settings(event, offer_hours=24)
    assert offers.settings_for(db.session, event) == saved
    assert isinstance(saved, TicketSettings)
