"""CPU per booking, in process: the booking service alone, and the JSON request through Flask.

Seeds people and one ticket type of 300 places (as `bench_release_rush.seed` does), then
books it N times with a different person each time (300 confirmed, then waitlisted), measuring
`time.process_time()` (CPU, not wall time: the machine is shared) around

- ``service``: the booking on its own, as the JSON view runs it: reading the ticket type
  (`tickets.booking.load_bookable`), the booking call (`place_booking` on the session's
  Connection; in checkouts before it, `service.ticket_type_at` and `service.book_ticket`),
  and the commit, each timed apart;
- ``request``: the whole `POST /api/events/<slug>/bookings` through Flask's test client with
  a signed session cookie per person (Flask-Login's user load, JSON, commit, response).

Email is left queued (MAIL_SEND_AFTER_COMMIT=false), so the figures are the booking's own
cost; `--send` sends it after commit to the development outbox as well.

    .venv/bin/python benchmarks/bench_booking_cpu.py --bookings 1200
    .venv/bin/python benchmarks/bench_booking_cpu.py --profile service   # cProfile, top 30
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lgcamp import create_app  # noqa: E402 (after the path is set)
from lgcamp.accounts.models import Person  # noqa: E402
from lgcamp.database import utcnow, write_intent  # noqa: E402
from lgcamp.events.models import Event, EventKind, EventStatus  # noqa: E402
from lgcamp.extensions import db  # noqa: E402
from lgcamp.tickets import service  # noqa: E402
from lgcamp.tickets.models import Booking, TicketType  # noqa: E402

try:  # the Core booking path, where this checkout has it
    from lgcamp.tickets import booking as core_booking
except ImportError:  # pragma: no cover (older checkouts: the ORM service only)
    core_booking = None  # type: ignore[assignment]

PLACES = 300
SECRET = "bench-booking-cpu-secret"


def make_app(database_url: str, instance: str, send: bool) -> Any:
    """An app on this database, email queued (or sent to the outbox with `send`)."""
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET,
            "MAIL_SEND_AFTER_COMMIT": send,
            "MAIL_SERVER": None,
        }
    )
    app.instance_path = instance
    return app


def seed(app: Any, people: int) -> tuple[str, int, list[int]]:
    """A fresh schema, `people` accounts and one published event of 300 places."""
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.execute(
            sa.insert(Person),
            [
                {
                    "email": f"cpu{n}@example.org",
                    "name": f"CPU Person {n}",
                    "organisation": "Benchmark Council",
                    "password_hash": "!",
                    "is_admin": False,
                    "created_at": utcnow(),
                }
                for n in range(people)
            ],
        )
        starts = (utcnow() + timedelta(days=30)).replace(microsecond=0)
        event = Event(
            slug="cpu-rush",
            name="CPU Rush",
            kind=EventKind.LOCALGOVCAMP,
            status=EventStatus.PUBLISHED,
            starts_at=starts,
            ends_at=starts + timedelta(hours=8),
        )
        db.session.add(event)
        db.session.flush()
        ticket_type = TicketType(event_id=event.id, name="General", capacity=PLACES, taken=0)
        db.session.add(ticket_type)
        db.session.commit()
        ids = list(db.session.scalars(sa.select(Person.id).order_by(Person.id)))
        return event.slug, ticket_type.id, ids


def check(app: Any, bookings: int) -> dict[str, int]:
    """Bookings by status: must be 300 confirmed and the rest waitlisted."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Booking.status, sa.func.count()).group_by(Booking.status)
        )
        counts = {str(status): n for status, n in rows}
    expected = {"confirmed": PLACES, "waitlisted": bookings - PLACES}
    assert counts == expected, counts
    return counts


def run_service(app: Any, slug: str, type_id: int, people: list[int]) -> dict[str, float]:
    """CPU per booking (ms): reading the ticket type, the booking call, and the commit."""
    load = call = done = 0.0
    with app.app_context():
        for pid in people:
            person = db.session.get(Person, pid)
            assert person is not None
            email, organisation = person.email, person.organisation
            db.session.rollback()
            write_intent.set(True)
            if core_booking is not None:
                start = time.process_time()
                connection = db.session.connection()
                bookable = core_booking.load_bookable(connection, slug, type_id)
                assert bookable is not None
                middle = time.process_time()
                core_booking.place_booking(
                    connection, pid, email, organisation, bookable, None, None, utcnow()
                )
            else:
                start = time.process_time()
                ticket_type = service.ticket_type_at(db.session, slug, type_id)
                assert ticket_type is not None
                middle = time.process_time()
                service.book_ticket(db.session, person, ticket_type)
            end = time.process_time()
            db.session.commit()
            load += middle - start
            call += end - middle
            done += time.process_time() - end
        db.session.remove()
    per = 1000 / len(people)
    return {
        "load": load * per,
        "booking call": call * per,
        "commit": done * per,
        "total": (load + call + done) * per,
    }


def run_requests(app: Any, slug: str, type_id: int, people: list[int]) -> float:
    """CPU per booking (ms) for the whole JSON request through the test client."""
    serializer = app.session_interface.get_signing_serializer(app)
    cookies = {p: serializer.dumps({"_user_id": str(p), "_fresh": False}) for p in people}
    client = app.test_client()
    body = json.dumps({"ticket_type_id": type_id})
    headers = {"X-Requested-With": "lgcamp", "Content-Type": "application/json"}
    url = f"/api/events/{slug}/bookings"
    spent = 0.0
    for pid in people:
        client.set_cookie("session", cookies[pid], domain="localhost")
        start = time.process_time()
        response = client.post(url, data=body, headers=headers)
        spent += time.process_time() - start
        assert response.status_code == 201, response.get_data(as_text=True)[:300]
    return spent * 1000 / len(people)


def measure(
    what: str, database_url: str, bookings: int, send: bool, profile: bool
) -> dict[str, float]:
    """Seed, book `bookings` times one way, check the outcome; CPU per booking in ms."""
    instance = tempfile.mkdtemp(prefix="lgcamp-cpu-")
    app = make_app(database_url, instance, send)
    slug, type_id, people = seed(app, bookings)
    runner: Callable[[], Any]
    if what == "service":
        runner = lambda: run_service(app, slug, type_id, people)  # noqa: E731
    else:
        runner = lambda: run_requests(app, slug, type_id, people)  # noqa: E731
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    result = runner()
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    check(app, bookings)
    with app.app_context():
        db.engine.dispose()
    return result if what == "service" else {"request": result}


def main() -> None:
    """Measure on SQLite (and PostgreSQL with --postgres) and print CPU ms per booking."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=1200)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to test too")
    parser.add_argument("--send", action="store_true", help="send email after commit")
    parser.add_argument("--profile", choices=["service", "request"])
    args = parser.parse_args()
    databases = [("sqlite", None)]
    if args.postgres:
        databases.append(("postgresql", args.postgres))
    whats = [args.profile] if args.profile else ["service", "request"]
    for name, admin in databases:
        for what in whats:
            if admin is None:
                url = f"sqlite:///{tempfile.mkdtemp(prefix='lgcamp-cpu-db-')}/cpu.sqlite"
                result = measure(what, url, args.bookings, args.send, bool(args.profile))
            else:
                url, engine, db_name = _postgres_database(admin)
                try:
                    result = measure(what, url, args.bookings, args.send, bool(args.profile))
                finally:
                    with engine.connect() as conn:
                        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
                    engine.dispose()
            shown = ", ".join(f"{k} {v:.3f} ms" for k, v in result.items())
            print(f"{name} {what}: {args.bookings} bookings, CPU per booking: {shown}")


def _postgres_database(admin_url: str) -> tuple[str, sa.Engine, str]:
    url = sa.make_url(admin_url)
    name = f"lgcamp_cpu_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False), engine, name


if __name__ == "__main__":
    main()
