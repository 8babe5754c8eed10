"""Release rush: 2,000 accounts try to book 300 places at once, through gunicorn (2 workers).

Seeds a database with 2,000 people and a series of rush events (300 places each), writes
one signed session cookie per person, then lets wrk (64 connections) post bookings to
`POST /api/events/<slug>/bookings`, every request a different person, event after event.
Afterwards it counts the database: every event that all 2,000 tried must have exactly 300
confirmed and 1,700 waitlisted. Runs on SQLite and, with --postgres URL, on PostgreSQL,
and prints everything next to the hello-world ceiling measured in the same run.

    .venv/bin/python benchmarks/bench_release_rush.py --duration 8 \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from harness import BENCH_DIR, ceiling, free_port, print_table, run_wrk, serve

REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))

from lgcamp import create_app  # noqa: E402 (after the path is set)
from lgcamp.accounts.models import Person  # noqa: E402
from lgcamp.database import utcnow  # noqa: E402
from lgcamp.events.models import Event, EventKind, EventStatus  # noqa: E402
from lgcamp.extensions import db  # noqa: E402
from lgcamp.mail import OutboundEmail  # noqa: E402
from lgcamp.tickets.models import Booking, BookingStatus, TicketType  # noqa: E402

PEOPLE = 2000
PLACES = 300
SECRET = "bench-release-rush-secret"


def seed(database_url: str, instance: str, events: int) -> Path:
    """Create the schema, people and rush events; write the cookie file; return its path."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET})
    app.instance_path = instance
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    with app.app_context():
        db.drop_all()
        db.create_all()
        starts = (utcnow() + timedelta(days=30)).replace(microsecond=0)
        db.session.execute(
            sa.insert(Person),
            [
                {
                    "email": f"rush{n}@example.org",
                    "name": f"Rush Person {n}",
                    "organisation": "Benchmark Council",
                    "password_hash": "!",  # never signs in with a password
                    "is_admin": False,
                    "created_at": utcnow(),
                }
                for n in range(PEOPLE)
            ],
        )
        targets = []
        for n in range(events):
            event = Event(
                slug=f"rush-{n}",
                name=f"Rush {n}",
                kind=EventKind.LOCALGOVCAMP,
                status=EventStatus.PUBLISHED,
                starts_at=starts,
                ends_at=starts + timedelta(hours=8),
            )
            db.session.add(event)
            db.session.flush()
            ticket_type = TicketType(event_id=event.id, name="General", capacity=PLACES, taken=0)
            db.session.add(ticket_type)
            db.session.flush()
            targets.append((event.slug, ticket_type.id))
        db.session.commit()
        person_ids = list(db.session.scalars(sa.select(Person.id).order_by(Person.id)))
    cookies = {pid: serializer.dumps({"_user_id": str(pid), "_fresh": False}) for pid in person_ids}
    path = Path(instance) / "rush.tsv"
    rng = random.Random(7)
    with path.open("w") as out:
        for slug, type_id in targets:
            order = person_ids[:]
            rng.shuffle(order)
            body = json.dumps({"ticket_type_id": type_id})
            for pid in order:
                out.write(f"{cookies[pid]}\t/api/events/{slug}/bookings\t{body}\n")
    return path


def outcome(database_url: str) -> dict[str, object]:
    """Per rush event: how many tried, confirmed and waitlisted; plus duplicates."""
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Booking.event_id, Booking.status, sa.func.count())
            .group_by(Booking.event_id, Booking.status)
            .order_by(Booking.event_id)
        ).all()
        duplicates = conn.execute(
            sa.select(sa.func.count()).select_from(
                sa.select(Booking.person_id)
                .group_by(Booking.event_id, Booking.person_id)
                .having(sa.func.count() > 1)
                .subquery()
            )
        ).scalar_one()
        over = conn.execute(
            sa.select(sa.func.count()).where(TicketType.taken > TicketType.capacity)
        ).scalar_one()
        mail_rows = dict(
            conn.execute(
                sa.select(OutboundEmail.status, sa.func.count()).group_by(OutboundEmail.status)
            ).all()
        )
    engine.dispose()
    per_event: dict[int, dict[str, int]] = {}
    for event_id, status, count in rows:
        per_event.setdefault(event_id, {})[str(status)] = count
    full = [c for c in per_event.values() if sum(c.values()) == PEOPLE]
    return {
        "events_rushed": len(full),
        "all_exact": all(
            c.get(BookingStatus.CONFIRMED, 0) == PLACES
            and c.get(BookingStatus.WAITLISTED, 0) == PEOPLE - PLACES
            for c in full
        ),
        "confirmed": sum(c.get(BookingStatus.CONFIRMED, 0) for c in per_event.values()),
        "waitlisted": sum(c.get(BookingStatus.WAITLISTED, 0) for c in per_event.values()),
        "bookings": sum(sum(c.values()) for c in per_event.values()),
        "duplicates": duplicates,
        "oversold": over,
        "first_event": next(iter(per_event.values()), {}),
        "email": mail_rows,
    }


# How the booking emails are sent during the rush (--mail):
MAIL_MODES = {
    # MAIL_SEND_AFTER_COMMIT=false and `lgcamp mail-worker` running beside gunicorn on the same
    # two cores, as a one-machine site would run a release (the default).
    "worker": "queued; `lgcamp mail-worker` sends them during the rush, on the same 2 cores",
    # The same, with the worker started only after the rush: the bookings alone, and how long
    # the worker then takes to send everything (a site whose worker runs on another host).
    "worker-after": "queued; `lgcamp mail-worker` started after the rush (drain time shown)",
    # MAIL_SEND_AFTER_COMMIT=true: each request sends its own email after its commit.
    "in-request": "sent after commit inside each booking request (MAIL_SEND_AFTER_COMMIT=true)",
}


def _mail_worker(env: dict[str, str], *until_empty: str) -> subprocess.Popen[bytes]:
    lgcamp = Path(sys.executable).with_name("lgcamp")
    return subprocess.Popen(
        [str(lgcamp), "mail-worker", "--interval", "0.5", *until_empty],
        cwd=str(REPO),
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def rush(
    name: str, database_url: str, duration: int, connections: int, events: int, mail_mode: str
) -> tuple:
    """Seed, serve, load, count (and send the queued email, timing it after the rush)."""
    instance = tempfile.mkdtemp(prefix="lgcamp-rush-")
    path = seed(database_url, instance, events)
    env = {
        "LGCAMP_DATABASE_URL": database_url,
        "LGCAMP_SECRET_KEY": SECRET,
        "LGCAMP_INSTANCE_PATH": instance,
        "LGCAMP_MAIL_SEND_AFTER_COMMIT": "true" if mail_mode == "in-request" else "false",
    }
    worker = _mail_worker(env) if mail_mode == "worker" else None
    try:
        with serve("wsgi:app", free_port(), env=env, cwd=str(REPO)) as base:
            result = run_wrk(
                base + "/",
                connections=connections,
                duration_s=duration,
                lua_script="rush",
                lua_env={"WRK_RUSH_FILE": str(path), "WRK_THREADS": "2"},
            )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    drain = None
    if mail_mode != "in-request":
        started = time.perf_counter()
        _mail_worker(env, "--until-empty").wait(timeout=600)
        drain = time.perf_counter() - started
    return name, result, {**outcome(database_url), "drain_s": drain}


def _postgres_database(admin_url: str) -> tuple[str, sa.Engine, str]:
    url = sa.make_url(admin_url)
    name = f"lgcamp_rush_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False), engine, name


def main() -> None:
    """Ceiling, then the rush on SQLite (and PostgreSQL), then the table and the counts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--events", type=int, default=12, help="rush events (2,000 tries each)")
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to test too")
    parser.add_argument("--mail", choices=sorted(MAIL_MODES), default="worker")
    args = parser.parse_args()

    top = ceiling(args.duration, args.connections)
    runs = []
    sqlite_dir = tempfile.mkdtemp(prefix="lgcamp-rush-db-")
    runs.append(
        rush(
            "rush sqlite",
            f"sqlite:///{sqlite_dir}/rush.sqlite",
            args.duration,
            args.connections,
            args.events,
            args.mail,
        )
    )
    if args.postgres:
        url, admin, name = _postgres_database(args.postgres)
        try:
            runs.append(
                rush(
                    "rush postgresql", url, args.duration, args.connections, args.events, args.mail
                )
            )
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()

    print(f"\nRelease rush: {PEOPLE} accounts x {PLACES} places per event, "
          f"{args.connections} connections, {args.duration}s, gunicorn 2 workers; email "
          f"{MAIL_MODES[args.mail]}\n")  # fmt: skip
    print_table([("hello world", top)] + [(name, res) for name, res, _ in runs], top)
    print()
    for name, _res, counts in runs:
        print(
            f"{name}: {counts['bookings']} bookings over {counts['events_rushed']} fully rushed "
            f"events; confirmed {counts['confirmed']}, waitlisted {counts['waitlisted']}; "
            f"each fully rushed event exactly {PLACES} confirmed / {PEOPLE - PLACES} waitlisted: "
            f"{counts['all_exact']}; duplicate bookings {counts['duplicates']}; "
            f"oversold types {counts['oversold']}; first event {counts['first_event']}; "
            f"email rows by status {counts['email']}"
            + (
                f"; the mail worker then sent what was left in {counts['drain_s']:.1f} s"
                if counts["drain_s"] is not None
                else ""
            )
        )


if __name__ == "__main__":
    main()
