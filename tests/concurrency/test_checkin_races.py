"""Check-in races with real threads, each with its own session and connection.

Runs on the test's SQLite file, or on PostgreSQL with LGCAMP_TEST_DATABASE_URL set.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp.checkin.models import CheckIn, ScanLog, ScanResult
from lgcamp.checkin.scans import ScanActor, ScanInput, record_scan
from lgcamp.checkin.walk_ins import WalkIn, register_walk_in
from lgcamp.database import utcnow
from lgcamp.errors import DomainError
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.tickets.models import Booking, TicketType
from tests.factories import make_booking, make_door_event, make_scanner_link, make_ticket_type

T = TypeVar("T")
THREADS = 20


def in_threads(app: Flask, work: Callable[[int], T], n: int = THREADS) -> list[T]:
    """Run work(i) in n threads that start together, each in its own app context."""
    barrier = threading.Barrier(n)

    def run(i: int) -> T:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                result = work(i)
                db.session.commit()
                return result
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def count(model: type, *where: object) -> int:
    db.session.commit()  # a new snapshot: what the threads committed
    return db.session.scalar(select(func.count(model.id)).where(*where)) or 0  # type: ignore[attr-defined]


def _one_ticket() -> tuple[int, str]:
    booking = make_booking(make_ticket_type(make_door_event()))
    values = booking.event_id, booking.token
    db.session.commit()
    return values


def _another_ticket(event_id: int) -> str:
    ticket_type = db.session.scalars(select(TicketType).filter_by(event_id=event_id)).one()
    token = make_booking(ticket_type).token
    db.session.commit()
    return token


def test_one_ticket_redeemed_by_twenty_requests_gives_one_check_in(app: Flask) -> None:
    event_id, token = _one_ticket()

    def scan(i: int) -> ScanResult:
        actor = ScanActor(person=None, link=None, door_label=f"Door {i % 3 + 1}")
        event = db.session.get_one(Event, event_id)
        return record_scan(
            db.session, actor, event, ScanInput(f"race-{i:04d}", payload=token)
        ).result

    results = Counter(in_threads(app, scan))
    assert results == {ScanResult.ACCEPTED: 1, ScanResult.DUPLICATE: THREADS - 1}
    assert count(CheckIn) == 1
    assert count(ScanLog) == THREADS
    assert count(ScanLog, ScanLog.result == ScanResult.ACCEPTED) == 1


def _paired_clients(app: Flask, event_id: int, n: int) -> list[FlaskClient]:
    """n phones, each paired with one of three doors' scanner links."""
    event = db.session.get_one(Event, event_id)
    doors = [make_scanner_link(event, f"Door {d}")[1] for d in (1, 2, 3)]
    clients = []
    for i in range(n):
        client = app.test_client()
        assert client.get(f"/events/{event.slug}/door/link/{doors[i % 3]}").status_code == 302
        clients.append(client)
    db.session.commit()
    return clients


def _post_at_once(clients: list[FlaskClient], url: str, bodies: list[dict[str, Any]]) -> list[Any]:
    """Each client POSTs its body at the same moment, in a thread (and app context) of its own."""
    barrier = threading.Barrier(len(clients))

    def post(i: int) -> Any:
        barrier.wait(timeout=30)
        response = clients[i].post(url, json=bodies[i])
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return list(pool.map(post, range(len(clients))))


def test_twenty_doors_scanning_one_ticket_through_the_api_give_one_check_in(app: Flask) -> None:
    event_id, token = _one_ticket()
    clients = _paired_clients(app, event_id, THREADS)
    slug = db.session.get_one(Event, event_id).slug
    bodies = [{"scan_id": f"api-{i:04d}", "payload": token} for i in range(THREADS)]
    answers = _post_at_once(clients, f"/api/events/{slug}/door/scans", bodies)
    assert Counter(a["colour"] for a in answers) == {"green": 1, "amber": THREADS - 1}
    assert count(CheckIn) == 1
    assert count(ScanLog) == THREADS
    assert count(ScanLog, ScanLog.result == ScanResult.ACCEPTED) == 1


def test_one_sync_batch_sent_ten_times_at_once_counts_once(app: Flask) -> None:
    event_id, token = _one_ticket()
    other_token = _another_ticket(event_id)
    sends = 10
    clients = _paired_clients(app, event_id, 1) * sends
    slug = db.session.get_one(Event, event_id).slug
    batch = {
        "device_id": "phone-0001",
        "scans": [
            {"scan_id": "batch-0001", "payload": token},
            {"scan_id": "batch-0002", "payload": other_token},
            {"scan_id": "batch-0003", "payload": "not a ticket"},
        ],
    }
    answers = _post_at_once(clients, f"/api/events/{slug}/door/sync", [batch] * sends)
    for answer in answers:
        assert [r["colour"] for r in answer["results"]] == ["green", "green", "red"]
    assert count(CheckIn) == 2
    assert count(ScanLog) == 3


def test_one_sync_batch_replayed_twenty_times_is_recorded_once(app: Flask) -> None:
    event_id, token = _one_ticket()

    def replay(_i: int) -> ScanResult:
        actor = ScanActor(person=None, link=None, door_label="Door 1")
        event = db.session.get_one(Event, event_id)
        return record_scan(
            db.session, actor, event, ScanInput("same-scan-id", payload=token)
        ).result

    assert set(in_threads(app, replay)) == {ScanResult.ACCEPTED}
    assert count(CheckIn) == 1
    assert count(ScanLog) == 1


def _offline_scans(app: Flask, event_id: int, token: str, times: list[timedelta]) -> None:
    """Phones that scanned the ticket offline at these offsets from now all sync at once."""
    now = utcnow()

    def scan(i: int) -> ScanResult:
        actor = ScanActor(person=None, link=None, door_label=f"Phone {i}")
        event = db.session.get_one(Event, event_id)
        scan = ScanInput(
            f"phone-{i:04d}", payload=token, device_time=now + times[i], device_sent_at=now
        )
        return record_scan(db.session, actor, event, scan).result

    in_threads(app, scan, len(times))


def test_two_phones_same_ticket_same_second_count_once(app: Flask) -> None:
    event_id, token = _one_ticket()
    _offline_scans(
        app, event_id, token, [timedelta(milliseconds=-30_000 + 3 * i) for i in range(20)]
    )
    [check_in] = db.session.scalars(select(CheckIn)).all()
    assert count(ScanLog) == THREADS
    accepted = db.session.scalars(
        select(ScanLog).where(ScanLog.result == ScanResult.ACCEPTED)
    ).all()
    assert [log.id for log in accepted] == [check_in.scan_log_id]
    assert count(ScanLog, ScanLog.result == ScanResult.DUPLICATE) == THREADS - 1
    earliest = min(log.scanned_at for log in db.session.scalars(select(ScanLog)))
    assert check_in.scanned_at - earliest < timedelta(seconds=1)


def test_offline_phones_minutes_apart_earliest_wins_whatever_the_order(app: Flask) -> None:
    event_id, token = _one_ticket()
    # Phone 7 scanned first, 20 minutes ago; the others up to 13 minutes after it.
    _offline_scans(
        app, event_id, token, [timedelta(minutes=-20 + abs(i - 7)) for i in range(THREADS)]
    )
    [check_in] = db.session.scalars(select(CheckIn)).all()
    assert check_in.door_label == "Phone 7"
    assert count(ScanLog) == THREADS
    assert count(ScanLog, ScanLog.result == ScanResult.ACCEPTED) == 1
    assert (
        count(ScanLog, ScanLog.result == ScanResult.ACCEPTED, ScanLog.device_label == "Phone 7")
        == 1
    )


def test_walk_ins_racing_for_the_last_places(app: Flask) -> None:
    ticket_type = make_ticket_type(make_door_event(), capacity=3)
    event_id, ticket_type_id = ticket_type.event_id, ticket_type.id
    db.session.commit()

    def walk_in(i: int) -> str:
        actor = ScanActor(person=None, link=None, door_label="Door 1")
        event = db.session.get_one(Event, event_id)
        try:
            register_walk_in(
                db.session, actor, event,
                WalkIn(f"Walk In {i}", f"walk{i}@example.org", "", ticket_type_id),
                ScanInput(f"walk-in-{i:04d}"),
            )  # fmt: skip
        except DomainError as error:
            db.session.rollback()
            return error.message
        return "ok"

    outcomes = Counter(in_threads(app, walk_in))
    assert outcomes["ok"] == 3
    assert outcomes["No places left for General admission: the event is full."] == THREADS - 3
    assert count(Booking, Booking.ticket_type_id == ticket_type_id) == 3
    assert count(CheckIn) == 3
    assert db.session.get_one(TicketType, ticket_type_id).taken == 3
