"""Real concurrent sessions: 100 bookers for 10 places, and releases racing offers.

Each thread has its own app context, so its own database session and connection, against
the test's file SQLite database (BEGIN IMMEDIATE, busy timeout) or PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.errors import DomainError
from lgcamp.extensions import db
from lgcamp.tickets import booking as booking_service
from lgcamp.tickets import offers as offer_service
from lgcamp.tickets import service
from lgcamp.tickets.models import LIVE_STATUSES, Booking, BookingStatus, TicketType
from tests.factories import make_booking, make_event, make_person, make_ticket_type


def run_threads(app: Flask, jobs: list[Callable[[], object]]) -> list[BaseException]:
    """Run each job in its own thread and app context, all released at once; return errors."""
    # The test's own session must not hold a transaction (on SQLite, the write lock).
    db.session.close()
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def worker(job: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait()
                job()
                db.session.commit()
            except BaseException as error:
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _counts(ticket_type_id: int) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Booking.status, func.count())
        .where(Booking.ticket_type_id == ticket_type_id)
        .group_by(Booking.status)
    )
    return {str(status): n for status, n in rows}


def _taken(ticket_type_id: int) -> int:
    return db.session.scalar(select(TicketType.taken).where(TicketType.id == ticket_type_id)) or 0


def _assert_one_live_booking_each(event_id: int) -> None:
    most = db.session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.event_id == event_id, Booking.status.in_(LIVE_STATUSES))
        .group_by(Booking.person_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    assert most == 1


def _book_job(app: Flask, person_id: int, ticket_type_id: int) -> Callable[[], object]:
    def job() -> object:
        person = db.session.get(Person, person_id)
        ticket_type = db.session.get(TicketType, ticket_type_id)
        assert person is not None and ticket_type is not None
        return booking_service.book_ticket(db.session, person, ticket_type)

    return job


def test_100_concurrent_bookers_for_10_places(app: Flask) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event, capacity=10)
    ticket_type_id, event_id = ticket_type.id, event.id
    people = [make_person().id for _ in range(100)]
    errors = run_threads(app, [_book_job(app, pid, ticket_type_id) for pid in people])
    assert errors == []
    assert _counts(ticket_type_id) == {"confirmed": 10, "waitlisted": 90}
    assert _taken(ticket_type_id) == 10
    _assert_one_live_booking_each(event_id)
    positions = db.session.scalars(
        select(Booking.queue_position).where(Booking.status == BookingStatus.WAITLISTED)
    ).all()
    assert sorted(positions) == list(range(1, 91))  # unique, in the order they joined


def test_many_joining_a_full_waitlist_at_once_get_unique_places_in_order(app: Flask) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event, capacity=1)
    make_booking(ticket_type)
    first = make_booking(ticket_type, status=BookingStatus.WAITLISTED)
    first.queue_position = 1
    db.session.commit()
    ticket_type_id = ticket_type.id
    people = [make_person().id for _ in range(40)]
    errors = run_threads(app, [_book_job(app, pid, ticket_type_id) for pid in people])
    assert errors == []
    rows = db.session.execute(
        select(Booking.id, Booking.queue_position)
        .where(Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.queue_position)
    ).all()
    assert [position for _id, position in rows] == list(range(1, 42))
    assert [booking_id for booking_id, _position in rows] == sorted(b for b, _p in rows)


def test_same_person_booking_ten_times_at_once_gets_one_booking(app: Flask) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event, capacity=10)
    ticket_type_id, _event_id = ticket_type.id, event.id
    person = make_person()
    errors = run_threads(app, [_book_job(app, person.id, ticket_type_id) for _ in range(10)])
    assert len(errors) == 9
    assert all(isinstance(e, booking_service.AlreadyBooked) for e in errors)
    assert _counts(ticket_type_id) == {"confirmed": 1}
    assert _taken(ticket_type_id) == 1


def test_releases_racing_offer_sweeps_and_new_bookers(app: Flask) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event, capacity=10)
    ticket_type_id, event_id = ticket_type.id, event.id
    holders = [make_booking(ticket_type).id for _ in range(10)]
    waiting = []
    for _ in range(20):
        booking = make_booking(ticket_type, status=BookingStatus.WAITLISTED)
        booking.queue_position = booking.id
        waiting.append(booking.id)
    db.session.commit()
    newcomers = [make_person().id for _ in range(10)]

    def release(booking_id: int) -> Callable[[], object]:
        def job() -> object:
            booking = db.session.get(Booking, booking_id)
            assert booking is not None
            return service.release_booking(db.session, booking.person, booking)

        return job

    def sweep() -> object:
        ticket_type_now = db.session.get(TicketType, ticket_type_id)
        assert ticket_type_now is not None
        return offer_service.process_offers(db.session, ticket_type_now)

    jobs: list[Callable[[], object]] = [release(b) for b in holders]
    jobs += [sweep for _ in range(10)]
    jobs += [_book_job(app, pid, ticket_type_id) for pid in newcomers]
    errors = run_threads(app, jobs)
    assert errors == []
    counts = _counts(ticket_type_id)
    assert counts == {"released": 10, "offered": 10, "waitlisted": 20}
    assert _taken(ticket_type_id) == 10
    offered = db.session.scalars(
        select(Booking.id).where(Booking.status == BookingStatus.OFFERED)
    ).all()
    assert sorted(offered) == sorted(waiting[:10])  # the first ten in the queue, nobody else
    _assert_one_live_booking_each(event_id)


def test_claims_racing_expiry_each_offer_ends_one_way(app: Flask) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event, capacity=10)
    ticket_type_id, _event_id = ticket_type.id, event.id
    offers = []
    for _ in range(10):
        booking = make_booking(ticket_type, status=BookingStatus.OFFERED)
        booking.offer_expires_at = utcnow() + timedelta(seconds=30)
        offers.append(booking.id)
    later = [make_booking(ticket_type, status=BookingStatus.WAITLISTED) for _ in range(10)]
    for booking in later:
        booking.queue_position = booking.id
    db.session.commit()
    expiry_time = utcnow() + timedelta(minutes=5)

    def claim(booking_id: int) -> Callable[[], object]:
        def job() -> object:
            booking = db.session.get(Booking, booking_id)
            assert booking is not None
            try:
                return service.claim_offer(db.session, booking.person, booking)
            except DomainError:
                db.session.rollback()
                return None

        return job

    def expire() -> object:
        ticket_type_now = db.session.get(TicketType, ticket_type_id)
        assert ticket_type_now is not None
        return offer_service.process_offers(db.session, ticket_type_now, expiry_time)

    errors = run_threads(app, [claim(b) for b in offers] + [expire for _ in range(5)])
    assert errors == []
    db.session.expire_all()
    ends = [db.session.get(Booking, b).status for b in offers]  # type: ignore[union-attr]
    assert set(ends) <= {BookingStatus.CONFIRMED, BookingStatus.EXPIRED}
    counts = _counts(ticket_type_id)
    expired = counts.get("expired", 0)
    assert counts.get("confirmed", 0) + expired == 10
    assert counts.get("offered", 0) == expired  # each expired place went to one waiting person
    assert _taken(ticket_type_id) == 10
