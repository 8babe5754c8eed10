"""Check-in at the door: 16 concurrent scanners through gunicorn, on SQLite and PostgreSQL.

Scenarios per database: first scans (each request redeems a distinct ticket), re-scans (the
same tickets again: amber), and the offline ticket list download for a 2,000-ticket event.
Each phone is paired with a scanner link and sends the CSRF header, as the scanner page does.

    .venv/bin/python benchmarks/bench_checkin.py --duration 5
    .venv/bin/python benchmarks/bench_checkin.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

from harness import (  # noqa: E402
    HOST,
    Result,
    ceiling,
    free_port,
    gunicorn_cpu_seconds,
    postgres_cpu_seconds,
    print_table,
    run_wrk,
    serve,
)

from lgcamp import create_app  # noqa: E402
from lgcamp.accounts.models import Person  # noqa: E402
from lgcamp.checkin.links import create_scanner_link, link_secret  # noqa: E402
from lgcamp.checkin.models import CheckIn  # noqa: E402
from lgcamp.database import utcnow  # noqa: E402
from lgcamp.events.models import Event, EventKind, EventStatus  # noqa: E402
from lgcamp.extensions import db  # noqa: E402
from lgcamp.tickets.models import Booking, TicketType, hash_token, new_token  # noqa: E402

SECRET_KEY = "bench-checkin-secret-key"
DOOR_TICKETS = 15_000
WARM_UP_TICKETS = 2_000  # scanned for a second before measuring (first requests compile)
LIST_TICKETS = 2_000
THREADS = 2


def _event(slug: str, capacity: int) -> tuple[Event, TicketType]:
    start = utcnow().replace(microsecond=0)
    event = Event(
        slug=slug,
        name=slug,
        kind=EventKind.LOCALGOVCAMP,
        status=EventStatus.PUBLISHED,
        starts_at=start,
        ends_at=start + timedelta(hours=8),
    )
    db.session.add(event)
    db.session.flush()
    ticket_type = TicketType(
        event_id=event.id, name="Day ticket", capacity=capacity, taken=capacity
    )
    db.session.add(ticket_type)
    db.session.flush()
    return event, ticket_type


def _bookings(event: Event, ticket_type: TicketType, n: int, offset: int) -> list[str]:
    """n people with confirmed bookings; returns their ticket tokens."""
    people = [
        {"email": f"p{offset + i}@bench.example", "name": f"Person {offset + i}",
         "organisation": "Bench Council", "password_hash": "!", "is_admin": False,
         "created_at": utcnow()}
        for i in range(n)
    ]  # fmt: skip
    db.session.execute(sa.insert(Person.__table__), people)
    ids = db.session.scalars(sa.select(Person.id).order_by(Person.id).offset(offset).limit(n)).all()
    tokens = [new_token() for _ in range(n)]
    now = utcnow()
    rows = [
        {"event_id": event.id, "ticket_type_id": ticket_type.id, "person_id": pid,
         "status": "confirmed", "token": token, "token_hash": hash_token(token),
         "source": "online", "created_at": now, "updated_at": now, "confirmed_at": now}
        for pid, token in zip(ids, tokens, strict=True)
    ]  # fmt: skip
    db.session.execute(sa.insert(Booking.__table__), rows)
    return tokens


def seed(url: str, workdir: Path) -> tuple[Path, str, str]:
    """Create the schema and data; return the tokens file and the two scanner link paths."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    app.instance_path = str(workdir / "instance")
    with app.app_context():
        db.create_all()
        door, door_type = _event("bench-door", DOOR_TICKETS)
        tokens = _bookings(door, door_type, DOOR_TICKETS, 0)
        listing, list_type = _event("bench-list", LIST_TICKETS)
        _bookings(listing, list_type, LIST_TICKETS, DOOR_TICKETS)
        actor = db.session.scalars(sa.select(Person).order_by(Person.id)).first()
        assert actor is not None
        paths = []
        for event in (door, listing):
            link = create_scanner_link(
                db.session, actor, event, "Door 1", utcnow() + timedelta(hours=2), SECRET_KEY
            )
            paths.append(f"/events/{event.slug}/door/link/{link_secret(SECRET_KEY, link)}")
        db.session.commit()
        db.engine.dispose()
    tokens_file = workdir / "tokens.txt"
    tokens_file.write_text("\n".join(tokens[:-WARM_UP_TICKETS]) + "\n")
    (workdir / "warm-up.txt").write_text("\n".join(tokens[-WARM_UP_TICKETS:]) + "\n")
    return tokens_file, paths[0], paths[1]


def _request(port: int, path: str, cookie: str = "", headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request("GET", path, headers={"Cookie": cookie, **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def pair(port: int, link_path: str, slug: str) -> tuple[str, str]:
    """Open the scanner link and the scanner page: the session cookie and the CSRF token."""
    response, _ = _request(port, link_path)
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    response, body = _request(port, f"/events/{slug}/door/scan", cookie)
    cookie = (response.getheader("Set-Cookie") or cookie).split(";")[0]
    token = re.search(rb'name="csrf-token" content="([^"]+)"', body)
    if response.status != 200 or not token:
        raise RuntimeError(f"pairing failed: {response.status}")
    return cookie, token.group(1).decode()


def checked_in_tokens(url: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tokens = (
            conn.execute(sa.select(Booking.token).join(CheckIn, CheckIn.booking_id == Booking.id))
            .scalars()
            .all()
        )
    engine.dispose()
    return list(tokens)


def colours(result: Result) -> str:
    return " ".join(f"{c}:{n}" for c, n in re.findall(r"^colour (\w+): (\d+)$", result.raw, re.M))


def _scans(
    name: str,
    label: str,
    port: int,
    url: str,
    duration: int,
    headers: dict[str, str],
    lua_env: dict[str, str],
) -> Result:
    """One wrk run of scans; prints the colours shown and the CPU each request cost the
    gunicorn workers and the database server (PostgreSQL's processes; SQLite's work is in the
    workers)."""
    run_wrk(url, duration_s=1, warmup_s=0)  # as run_wrk's own warm-up: GETs, answered 405
    workers, database = gunicorn_cpu_seconds(port), postgres_cpu_seconds()
    result = run_wrk(url, duration_s=duration, lua_script="checkin_scans", headers=headers,
                     lua_env=lua_env, threads=THREADS, warmup_s=0)  # fmt: skip
    workers, database = gunicorn_cpu_seconds(port) - workers, postgres_cpu_seconds() - database
    per_request = 1000 / max(result.requests, 1)
    print(
        f"{name} {label}: {colours(result)}; CPU per request: gunicorn workers "
        f"{workers * per_request:.2f} ms, PostgreSQL server {database * per_request:.2f} ms",
        file=sys.stderr,
    )
    return result


def run_database(name: str, url: str, duration: int, workdir: Path) -> list[tuple[str, Result]]:
    tokens_file, door_link, list_link = seed(url, workdir)
    env = {
        "LGCAMP_DATABASE_URL": url,
        "LGCAMP_SECRET_KEY": SECRET_KEY,
        "LGCAMP_INSTANCE_PATH": str(workdir / "instance"),
    }
    rows: list[tuple[str, Result]] = []
    with serve("wsgi:app", free_port(), env=env, cwd=str(ROOT)) as base:
        port = int(base.rsplit(":", 1)[1])
        cookie, csrf = pair(port, door_link, "bench-door")
        headers = {"Cookie": cookie, "X-CSRFToken": csrf}
        scans = f"{base}/api/events/bench-door/door/scans"
        lua_env = {"WRK_TOKENS_FILE": str(tokens_file), "WRK_THREADS": str(THREADS)}
        # Warm up on the scan itself (run_wrk's own warm-up sends GETs, which this POST-only
        # route answers with 405): each worker compiles its statements on its first scans.
        run_wrk(scans, duration_s=1, lua_script="checkin_scans", headers=headers,
                lua_env={**lua_env, "WRK_TOKENS_FILE": str(workdir / "warm-up.txt")},
                threads=THREADS, warmup_s=0)  # fmt: skip
        first = _scans(name, "first scans", port, scans, duration, headers, lua_env)
        rows.append((f"{name}: first scans", first))
        rescans_file = workdir / "rescans.txt"
        rescans_file.write_text("\n".join(checked_in_tokens(url)) + "\n")
        again = _scans(name, "re-scans", port, scans, duration, headers,
                       {**lua_env, "WRK_TOKENS_FILE": str(rescans_file)})  # fmt: skip
        rows.append((f"{name}: re-scans", again))
        cookie, _csrf = pair(port, list_link, "bench-list")
        timings, size = [], 0
        for _ in range(7):
            started = time.perf_counter()
            response, body = _request(port, "/api/events/bench-list/door/tickets", cookie)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, response.status
            size = len(body)
        print(
            f"{name}: ticket list for {LIST_TICKETS} tickets: {size} bytes "
            f"({size / 1024:.0f} KiB), median {statistics.median(timings):.1f} ms, "
            f"max {max(timings):.1f} ms over 7 downloads"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--pg", help="PostgreSQL admin URL; a fresh database is made and dropped")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    top = ceiling(args.duration, 16)
    rows: list[tuple[str, Result]] = [("hello world (ceiling)", top)]
    workdir = Path(tempfile.mkdtemp(prefix="lgcamp-bench-checkin-"))
    try:
        sqlite_dir = workdir / "sqlite"
        sqlite_dir.mkdir()
        rows += run_database("SQLite", f"sqlite:///{sqlite_dir / 'bench.sqlite'}", args.duration,
                             sqlite_dir)  # fmt: skip
        if args.pg and not args.sqlite_only:
            admin = sa.make_url(args.pg)
            engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.exec_driver_sql('DROP DATABASE IF EXISTS "lgcamp_bench_checkin" WITH (FORCE)')
                conn.exec_driver_sql('CREATE DATABASE "lgcamp_bench_checkin"')
            pg_url = admin.set(database="lgcamp_bench_checkin").render_as_string(False)
            pg_dir = workdir / "pg"
            pg_dir.mkdir()
            try:
                rows += run_database("PostgreSQL", pg_url, args.duration, pg_dir)
            finally:
                with engine.connect() as conn:
                    conn.exec_driver_sql(
                        'DROP DATABASE IF EXISTS "lgcamp_bench_checkin" WITH (FORCE)'
                    )
                engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print_table(rows, top)


if __name__ == "__main__":
    main()
