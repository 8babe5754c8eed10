"""Participation reports and records over a large network, next to the hello-world ceiling.

Seeds 20,000 people, 40 events (four a year for ten years), 60,000 check-ins (1,500 a
event, plus 200 no-shows each), sessions with hosts, organisers and volunteers, with SQLAlchemy
core executemany; then serves the app with gunicorn and measures, signed in:
- the per-year report (/reports/years, admin): target p50 under 300 ms;
- one person's record page (/network/record): target p50 under 20 ms;
- the per-event report for all 40 events (/reports, admin), for information.
"""

from __future__ import annotations

import argparse
import hashlib
import http.cookiejar
import random
import re
import secrets
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

from harness import CHECKOUT, ceiling, free_port, print_table, run_wrk, serve
from seed import postgres_database, sqlite_url

PEOPLE = 20_000
EVENTS = 40
ATTENDED_PER_EVENT = 1_500
NO_SHOWS_PER_EVENT = 200
PASSWORD = "benchmark-password"


def seed(url: str, people: int = PEOPLE, events: int = EVENTS) -> tuple[str, str]:
    """Fill an empty database (migrated here); return the admin's and a regular's emails."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from lgcamp import create_app
    from lgcamp.accounts.models import Person
    from lgcamp.accounts.service import hash_password
    from lgcamp.checkin.models import CheckIn
    from lgcamp.events.models import Event, EventKind, EventRole, EventStatus
    from lgcamp.extensions import db
    from lgcamp.programme.models import CampSession, SessionHost
    from lgcamp.tickets.models import Booking, TicketType

    rng = random.Random(7)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark"})
    with app.app_context():
        upgrade(directory=str(CHECKOUT / "lgcamp" / "migrations"))
        conn = db.session.connection()
        password_hash = hash_password(PASSWORD)
        now = datetime.now(UTC)
        orgs = [f"Council {n}" for n in range(400)]
        conn.execute(
            insert(Person),
            [
                {
                    "email": f"person{n}@bench.example",
                    "name": f"Person {n}",
                    "organisation": rng.choice(orgs),
                    "password_hash": password_hash,
                    "is_admin": n == 0,
                    "created_at": now,
                }
                for n in range(people)
            ],
        )
        ids = list(db.session.scalars(select(Person.id).order_by(Person.id)))
        regular = ids[1]
        starts = [
            datetime(now.year - 9 + n // 4, 3 * (n % 4) + 1, 14, 9, tzinfo=UTC)
            for n in range(events)
        ]
        starts = [s if s < now else s - timedelta(days=370) for s in starts]
        conn.execute(
            insert(Event),
            [
                {
                    "slug": f"camp-{n}",
                    "name": f"LocalGovCamp {starts[n].year} #{n % 4 + 1}",
                    "kind": EventKind.LOCALGOVCAMP,
                    "status": EventStatus.PUBLISHED,
                    "starts_at": starts[n],
                    "ends_at": starts[n] + timedelta(hours=8),
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(events)
            ],
        )
        event_ids = list(db.session.scalars(select(Event.id).order_by(Event.id)))
        conn.execute(
            insert(TicketType),
            [
                {
                    "event_id": e,
                    "name": "General",
                    "capacity": 5000,
                    "taken": 0,
                    "secret": secrets.token_urlsafe(16),
                    "created_at": now,
                }
                for e in event_ids
            ],
        )
        type_of = dict(db.session.execute(select(TicketType.event_id, TicketType.id)).all())
        bookings, attending = [], []
        for n, event_id in enumerate(event_ids):
            crowd = rng.sample(ids[2:], ATTENDED_PER_EVENT + NO_SHOWS_PER_EVENT)
            if n % 3 == 0:
                crowd[0] = regular  # the record page's person came to every third event
            for position, person_id in enumerate(crowd):
                token = secrets.token_urlsafe(24)
                bookings.append(
                    {
                        "event_id": event_id,
                        "ticket_type_id": type_of[event_id],
                        "person_id": person_id,
                        "status": "confirmed",
                        "token": token,
                        "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                        "source": "walk_in" if position % 50 == 1 else "online",
                        "created_at": now,
                        "updated_at": now,
                        "confirmed_at": now,
                    }
                )
                attending.append(position < ATTENDED_PER_EVENT)
        conn.execute(insert(Booking), bookings)
        booking_rows = db.session.execute(
            select(Booking.id, Booking.event_id).order_by(Booking.id)
        ).all()
        start_of = dict(zip(event_ids, starts, strict=True))
        conn.execute(
            insert(CheckIn),
            [
                {
                    "booking_id": booking_id,
                    "event_id": event_id,
                    "scanned_at": start_of[event_id],
                    "received_at": start_of[event_id],
                    "door_label": "Main door",
                }
                for (booking_id, event_id), came in zip(booking_rows, attending, strict=True)
                if came
            ],
        )
        conn.execute(
            insert(CampSession),
            [
                {
                    "event_id": e,
                    "title": f"Session {k}",
                    "description": "",
                    "format": "discussion",
                    "accessibility": "",
                    "status": "pitched",
                    "version": 1,
                    "notes_url": "",
                    "took_place_override": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for e in event_ids
                for k in range(25)
            ],
        )
        session_ids = list(db.session.scalars(select(CampSession.id).order_by(CampSession.id)))
        conn.execute(
            insert(SessionHost),
            [
                {"camp_session_id": s, "person_id": rng.choice(ids), "created_at": now}
                for s in session_ids
            ],
        )
        conn.execute(
            insert(EventRole),
            [
                {"event_id": e, "person_id": p, "role": role, "created_at": now}
                for e in event_ids
                for role, count in (("organiser", 3), ("volunteer", 6))
                for p in rng.sample(ids[2:], count)
            ],
        )
        db.session.commit()
        # What `lgcamp tick` does within a minute: store the facts of the changed events.
        from lgcamp.participation.facts import refresh_stale

        refresh_stale(db.session)
        if db.engine.dialect.name == "postgresql":  # what autovacuum does soon after a bulk load
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE")
        emails = db.session.execute(
            select(Person.email).where(Person.id.in_([ids[0], regular])).order_by(Person.id)
        ).scalars()
        admin_email, regular_email = list(emails)
        db.session.commit()
        db.engine.dispose()
    return admin_email, regular_email


def sign_in(base: str, email: str) -> str:
    """Sign in through the real form; the session cookie as a Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/sign-in").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    body = urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    ).encode()
    opener.open(base + "/sign-in", data=body).read()
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    check = urllib.request.Request(base + "/network/record", headers={"Cookie": cookies})
    with urllib.request.urlopen(check) as response:  # loopback only
        assert "Your network record" in response.read().decode(), "sign-in failed"
    return cookies


def _time_once(base: str, path: str, cookie: str) -> float:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    started = time.perf_counter()
    with urllib.request.urlopen(request) as response:  # loopback only
        response.read()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    """Seed, serve with gunicorn, measure the scenarios, print the table with the ceiling."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="PostgreSQL instead of SQLite")
    parser.add_argument("--database", help="PostgreSQL database name (default: random)")
    args = parser.parse_args()
    with (
        postgres_database(args.postgres, args.database, "lgcamp_bench_participation")
        if args.postgres
        else nullcontext(sqlite_url())
    ) as url:
        measure(url, args)


def measure(url: str, args: argparse.Namespace) -> None:
    """Seed this database, serve it, measure the scenarios, print the table."""
    instance = tempfile.mkdtemp(prefix="lgcamp-bench-participation-")
    env = {
        "LGCAMP_INSTANCE_PATH": instance,
        "LGCAMP_SECRET_KEY": "benchmark",
        "LGCAMP_DATABASE_URL": url,
    }
    started = time.perf_counter()
    admin_email, person_email = seed(url)
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    hello = ceiling(args.duration, args.connections)
    rows = []
    with serve("wsgi:app", free_port(), env=env, cwd=str(CHECKOUT)) as base:
        admin = sign_in(base, admin_email)
        person = sign_in(base, person_email)
        scenarios = [
            ("per-year report", "/reports/years", admin),
            ("record page", "/network/record", person),
            ("per-event report, 40 events", "/reports", admin),
        ]
        for name, path, cookie in scenarios:
            single = min(_time_once(base, path, cookie) for _ in range(3))
            print(f"{name}: one request alone {single:.1f} ms")
            result = run_wrk(
                base + path,
                connections=args.connections,
                duration_s=args.duration,
                headers={"Cookie": cookie},
                count_statuses=True,
            )
            rows.append((name, result))
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"\nDatabase: {database}; {PEOPLE} people, {EVENTS} events, "
        f"{EVENTS * ATTENDED_PER_EVENT} check-ins; 2 gunicorn workers; "
        f"{args.connections} connections"
    )
    print_table([("hello world", hello), *rows], hello)


if __name__ == "__main__":
    main()
