"""CPU and SQL statements per booking, in process: `POST /api/events/<slug>/bookings`.

Seeds people and one ticket type of 300 places, then books it through Flask's test client
with a signed session cookie per person (300 confirmed, then waitlisted), measuring CPU
(`time.process_time()`, not wall time: the machine is shared) and the statements each
request runs (read at the driver; BEGIN and COMMIT not counted). Email stays queued
(MAIL_SEND_AFTER_COMMIT=false).
Every answer must be 201 and the counts exact, or the run fails.

    .venv/bin/python benchmarks/bench_booking_cpu.py --bookings 1200
    .venv/bin/python benchmarks/bench_booking_cpu.py --profile   # cProfile, top 30
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import tempfile
import time

import sqlalchemy as sa
from flask import Flask
from harness import BenchmarkFailed, counting_statements, describe_checkout, run_main
from seed import add_event, add_people, postgres_database, sqlite_url

from lgcamp import create_app
from lgcamp.accounts import sessions
from lgcamp.accounts.models import Person
from lgcamp.extensions import db
from lgcamp.tickets.models import Booking

PLACES = 300
SECRET = "bench-booking-cpu-secret"


def seed(app: Flask, people: int) -> tuple[str, int, list[int]]:
    """A fresh schema, `people` accounts and one published event of 300 places."""
    with app.app_context():
        db.create_all()
        ids = add_people(db.session, people, "cpu")
        event, ticket_type = add_event(db.session, "cpu-rush", PLACES)
        db.session.commit()
        return event.slug, ticket_type.id, ids


def book_all(app: Flask, slug: str, type_id: int, people: list[int]) -> tuple[float, list[int]]:
    """Book once per person; CPU ms per booking and the statements of each request."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    with app.app_context():  # a sign-in per person: the cookie names its key (accounts.sessions)
        keys = {p: sessions.start(db.session, db.session.get_one(Person, p)) for p in people}
        db.session.commit()
    cookies = {p: serializer.dumps({"_user_id": keys[p], "_fresh": False}) for p in people}
    client = app.test_client()
    body = json.dumps({"ticket_type_id": type_id})
    headers = {"X-Requested-With": "lgcamp", "Content-Type": "application/json"}
    url = f"/api/events/{slug}/bookings"
    spent = 0.0
    statements = []
    with app.app_context():
        engine = db.engine
    with counting_statements(engine) as log:
        for pid in people:
            client.set_cookie("session", cookies[pid], domain="localhost")
            log.take()
            start = time.process_time()
            response = client.post(url, data=body, headers=headers)
            spent += time.process_time() - start
            statements.append(len(log.take()))
            if response.status_code != 201:
                raise BenchmarkFailed(
                    f"booking answered {response.status_code}: {response.get_data(True)[:300]}"
                )
    return spent * 1000 / len(people), statements


def check(app: Flask, bookings: int) -> None:
    """Bookings by status: 300 confirmed and the rest waitlisted, or the run fails."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Booking.status, sa.func.count()).group_by(Booking.status)
        )
        counts = {str(status): n for status, n in rows}
        db.engine.dispose()
    if counts != {"confirmed": PLACES, "waitlisted": bookings - PLACES}:
        raise BenchmarkFailed(f"wrong bookings: {counts}")


def measure(name: str, database_url: str, bookings: int, profile: bool) -> None:
    """Seed, book, check, print CPU and statements per booking."""
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "MAIL_SEND_AFTER_COMMIT": False}
    )
    app.instance_path = tempfile.mkdtemp(prefix="lgcamp-cpu-")
    slug, type_id, people = seed(app, bookings)
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    cpu_ms, statements = book_all(app, slug, type_id, people)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    check(app, bookings)
    confirmed, waitlisted = statements[PLACES // 2 : PLACES], statements[PLACES:]
    print(
        f"{name}: {bookings} bookings, CPU {cpu_ms:.2f} ms per booking; statements per "
        f"request: confirmed {statistics.median(confirmed):.0f}, "
        f"waitlisted {statistics.median(waitlisted):.0f} (medians)"
    )


def main() -> None:
    """Measure on SQLite (and PostgreSQL with --postgres)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=1200)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="also run on this server")
    parser.add_argument("--database", help="PostgreSQL database name (default: random)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    args = parser.parse_args()
    if args.bookings <= PLACES:
        parser.error(f"--bookings must be over {PLACES}: some must be waitlisted")
    print(f"Measuring {describe_checkout()}", file=sys.stderr)
    measure("SQLite", sqlite_url(), args.bookings, args.profile)
    if args.postgres:
        with postgres_database(args.postgres, args.database, "lgcamp_bench_cpu") as url:
            measure("PostgreSQL", url, args.bookings, args.profile)


if __name__ == "__main__":
    run_main(main)
