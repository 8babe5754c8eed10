"""Release rush: 2,000 accounts try to book 300 places at once, through gunicorn (2 workers).

Seeds 2,000 people and enough rush events of 300 places for the run, writes one signed session
cookie per person, then lets wrk (64 connections) post `POST /api/events/<slug>/bookings`,
every request a different person, event after event. Email is queued
(MAIL_SEND_AFTER_COMMIT=false) and sent by `lgcamp mail-worker` running beside gunicorn.
The run fails unless every answer is 201 and every event all 2,000 tried has exactly 300
confirmed and 1,700 waitlisted (no duplicates, nothing oversold).

    .venv/bin/python benchmarks/bench_release_rush.py --duration 8 \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from harness import (
    CHECKOUT,
    BenchmarkFailed,
    Result,
    ceiling,
    common_args,
    describe_checkout,
    expect_statuses,
    port_or_free,
    print_table,
    run_main,
    run_wrk,
    serve,
)
from seed import add_people, add_rush_events, postgres_database, sqlite_url

from lgcamp import create_app
from lgcamp.extensions import db
from lgcamp.mail import OutboundEmail
from lgcamp.tickets.models import Booking, BookingStatus, TicketType

PEOPLE = 2000
PLACES = 300
MAX_BOOKINGS_PER_S = 2_500  # the default seed lasts a whole run at this rate
SECRET = "bench-release-rush-secret"


@dataclass
class Outcome:
    """What the database holds after a rush."""

    bookings: int
    events_rushed: int
    all_exact: bool  # every event: min(tries, places) confirmed, the rest waitlisted
    duplicates: int
    oversold: int
    email: dict[str, int]


def seed(database_url: str, instance: str, events: int) -> Path:
    """Create the schema, people and rush events; write the cookie file; return its path."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET})
    app.instance_path = instance
    serializer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        db.create_all()
        people = add_people(db.session, PEOPLE, "rush")
        targets = add_rush_events(db.session, events, PLACES)
        db.session.commit()
        db.engine.dispose()
    cookies = {pid: serializer.dumps({"_user_id": str(pid), "_fresh": False}) for pid in people}
    path = Path(instance) / "rush.tsv"
    rng = random.Random(7)
    with path.open("w") as out:
        for slug, type_id in targets:
            order = people[:]
            rng.shuffle(order)
            body = json.dumps({"ticket_type_id": type_id})
            for pid in order:
                out.write(f"{cookies[pid]}\t/api/events/{slug}/bookings\t{body}\n")
    return path


def outcome(database_url: str) -> Outcome:
    """Count bookings per rush event, duplicates, oversold types and email rows."""
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Booking.event_id, Booking.status, sa.func.count()).group_by(
                Booking.event_id, Booking.status
            )
        ).all()
        duplicates = conn.execute(
            sa.select(sa.func.count()).select_from(
                sa.select(Booking.person_id)
                .group_by(Booking.event_id, Booking.person_id)
                .having(sa.func.count() > 1)
                .subquery()
            )
        ).scalar_one()
        oversold = conn.execute(
            sa.select(sa.func.count()).where(TicketType.taken > TicketType.capacity)
        ).scalar_one()
        email = conn.execute(
            sa.select(OutboundEmail.status, sa.func.count()).group_by(OutboundEmail.status)
        ).all()
    engine.dispose()
    per_event: dict[int, dict[str, int]] = {}
    for event_id, status, count in rows:
        per_event.setdefault(event_id, {})[str(status)] = count
    return Outcome(
        bookings=sum(sum(c.values()) for c in per_event.values()),
        events_rushed=sum(1 for c in per_event.values() if sum(c.values()) == PEOPLE),
        all_exact=all(
            c.get(BookingStatus.CONFIRMED, 0) == min(sum(c.values()), PLACES)
            for c in per_event.values()
        ),
        duplicates=duplicates,
        oversold=oversold,
        email={str(status): n for status, n in email},
    )


def _mail_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    lgcamp = str(Path(sys.executable).with_name("lgcamp"))
    return subprocess.Popen(
        [lgcamp, "mail-worker", "--interval", "0.5"],
        cwd=str(CHECKOUT),
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def rush(name: str, database_url: str, args: argparse.Namespace) -> tuple[Result, Outcome]:
    """Seed, serve with the mail worker beside, load, check the answers and the counts."""
    instance = tempfile.mkdtemp(prefix="lgcamp-rush-")
    path = seed(database_url, instance, args.events)
    env = {
        "LGCAMP_DATABASE_URL": database_url,
        "LGCAMP_SECRET_KEY": SECRET,
        "LGCAMP_INSTANCE_PATH": instance,
        "LGCAMP_MAIL_SEND_AFTER_COMMIT": "false",
    }
    worker = None if args.no_mail_worker else _mail_worker(env)
    try:
        with serve("wsgi:app", port_or_free(args.port), env=env, cwd=str(CHECKOUT)) as base:
            result = run_wrk(
                base + "/",
                connections=args.connections,
                duration_s=args.duration,
                lua_script="rush",
                lua_env={"WRK_RUSH_FILE": str(path), "WRK_THREADS": "2"},
            )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    counts = outcome(database_url)
    expect_statuses(name, result, {201})
    if result.requests > args.events * PEOPLE:
        raise BenchmarkFailed(f"{name}: more requests than seeded bookings: raise --events")
    if not counts.all_exact or counts.duplicates or counts.oversold:
        raise BenchmarkFailed(f"{name}: wrong bookings: {counts}")
    return result, counts


def main() -> None:
    """Hello world, then the rush on SQLite (and PostgreSQL), then the table and the counts."""
    parser = argparse.ArgumentParser(description=__doc__)
    common_args(parser, duration_s=8, connections=64)
    parser.add_argument("--events", type=int, help="rush events of 2,000 tries (default: enough)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--no-mail-worker", action="store_true", help="leave the email queued (diagnosis)"
    )
    args = parser.parse_args()
    args.events = args.events or math.ceil(args.duration * MAX_BOOKINGS_PER_S / PEOPLE) + 1
    print(f"Measuring {describe_checkout()}", file=sys.stderr)
    top = ceiling(args.duration, args.connections, args.hello_port)
    runs = []
    if not args.no_sqlite:
        runs.append(("rush SQLite", *rush("rush SQLite", sqlite_url(), args)))
    if args.postgres:
        with postgres_database(args.postgres, args.database, "lgcamp_bench_rush") as url:
            runs.append(("rush PostgreSQL", *rush("rush PostgreSQL", url, args)))
    print(
        f"\nRelease rush: {PEOPLE} accounts x {PLACES} places per event, {args.connections} "
        f"connections, {args.duration}s, gunicorn 2 workers, email "
        f"{'left queued' if args.no_mail_worker else 'sent by the mail worker'}\n"
    )
    print_table([("hello world", top)] + [(name, res) for name, res, _ in runs], top)
    print()
    for name, _res, counts in runs:
        print(
            f"{name}: {counts.bookings} bookings; {counts.events_rushed} events fully rushed, "
            f"first {PLACES} confirmed, the rest waitlisted: {counts.all_exact}; "
            f"duplicates {counts.duplicates}; oversold {counts.oversold}; "
            f"email rows by status when the rush ended {counts.email}"
        )


if __name__ == "__main__":
    run_main(main)
