"""Per booking through the JSON hot path, in process: client CPU, server CPU, wall time, trips.

Seeds 2,000 people and one event of 300 places (as `bench_booking_cpu.seed`), then posts one
`POST /api/events/<slug>/bookings` per person straight into the WSGI app (`app.wsgi_app`, a
signed session cookie each, email left queued): 300 confirmed, then the waitlist. Measures
per booking, for the first 300 (tickets) and the rest (waitlist) apart:

- client CPU: `time.process_time()` of this process (the app's work and the driver's);
- server CPU: on PostgreSQL, user+system time of every process named `postgres`, from /proc
  (the machine's other work counts too: run it on a quiet machine);
- wall time, and statements sent per booking (counted on psycopg's cursors; BEGIN and COMMIT
  come on top).

    .venv/bin/python benchmarks/bench_booking_hotpath.py \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from werkzeug.test import EnvironBuilder

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_booking_cpu import PLACES, check, make_app, seed  # noqa: E402
from harness import postgres_cpu_seconds  # noqa: E402

PEOPLE = 2000


class StatementCounter:
    """Counts statements sent through psycopg cursors (the Prepared statements' way)."""

    def __init__(self) -> None:
        self.count = 0

    def install(self) -> None:
        """Wrap psycopg.Cursor.execute."""
        import psycopg

        original = psycopg.Cursor.execute
        counter = self

        def execute(cursor: Any, *args: Any, **kwargs: Any) -> Any:
            counter.count += 1
            return original(cursor, *args, **kwargs)

        psycopg.Cursor.execute = execute  # type: ignore[method-assign]


def book_all(app: Any, slug: str, type_id: int, people: list[int], counter: StatementCounter):
    """Post every booking; per phase (ticket, waitlist): (ms client CPU, ms server CPU, ms wall,
    statements) per booking."""
    serializer = app.session_interface.get_signing_serializer(app)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    body = json.dumps({"ticket_type_id": type_id})
    environs = []
    for pid in people:
        cookie = serializer.dumps({"_user_id": str(pid), "_fresh": False})
        builder = EnvironBuilder(
            path=f"/api/events/{slug}/bookings",
            method="POST",
            data=body,
            content_type="application/json",
            headers={"X-Requested-With": "lgcamp", "Cookie": f"{cookie_name}={cookie}"},
        )
        environs.append(builder.get_environ())
    statuses: list[str] = []

    def start_response(status: str, headers: list[Any]) -> None:
        statuses.append(status)

    phases = {}
    for name, chunk in (("ticket", environs[:PLACES]), ("waitlist", environs[PLACES:])):
        counter.count = 0
        server0, cpu0, wall0 = postgres_cpu_seconds(), time.process_time(), time.perf_counter()
        for environ in chunk:
            b"".join(app.wsgi_app(environ, start_response))
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        server = postgres_cpu_seconds() - server0
        n = len(chunk)
        phases[name] = (1000 * cpu / n, 1000 * server / n, 1000 * wall / n, counter.count / n)
    bad = [s for s in statuses if not s.startswith("201")]
    assert not bad, bad[:3]
    return phases


def main() -> None:
    """Seed a fresh database, book everyone, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", required=True, help="admin URL of a PostgreSQL server")
    args = parser.parse_args()
    counter = StatementCounter()
    counter.install()
    admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    name = f"lgcamp_hot_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
    try:
        app = make_app(url, tempfile.mkdtemp(prefix="lgcamp-hot-"), send=False)
        slug, type_id, people = seed(app, PEOPLE)
        phases = book_all(app, slug, type_id, people, counter)
        check(app, PEOPLE)
        with app.app_context():
            from lgcamp.extensions import db

            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    print(f"{PEOPLE} bookings through app.wsgi_app on PostgreSQL (per booking)")
    print(f"{'phase':<10}{'client CPU ms':>15}{'server CPU ms':>15}{'wall ms':>10}{'stmts':>8}")
    for phase, (cpu, server, wall, stmts) in phases.items():
        print(f"{phase:<10}{cpu:>15.3f}{server:>15.3f}{wall:>10.3f}{stmts:>8.2f}")


if __name__ == "__main__":
    main()
