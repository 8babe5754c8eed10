"""Door scans: 16 phones scanning through gunicorn (2 workers), on SQLite and PostgreSQL.

Per database: first scans (each request a distinct ticket, every answer must be green),
re-scans (the same tickets again, every answer must be amber) and the offline ticket list of a
2,000-ticket event, next to hello world measured in the same run. Any other answer fails the
run. The seed holds --tickets tickets (default: enough for 3,000 scans a second).

    .venv/bin/python benchmarks/bench_checkin.py --duration 10 \
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from http.client import HTTPResponse
from pathlib import Path

import sqlalchemy as sa
from harness import (
    CHECKOUT,
    HOST,
    BenchmarkFailed,
    Result,
    ceiling,
    common_args,
    counting_statements,
    cpu_delta,
    describe_checkout,
    expect_statuses,
    gunicorn_cpu_seconds,
    port_or_free,
    postgres_cpu_seconds,
    print_table,
    run_main,
    run_wrk,
    serve,
)
from seed import add_event, add_people, postgres_database, sqlite_url

from lgcamp import create_app
from lgcamp.accounts.models import Person
from lgcamp.checkin.links import create_scanner_link, link_secret
from lgcamp.checkin.models import CheckIn
from lgcamp.database import utcnow
from lgcamp.extensions import db
from lgcamp.tickets.models import Booking, hash_token, new_token

SECRET_KEY = "bench-checkin-secret-key"
WARM_UP_TICKETS = 2_000  # scanned for a second before measuring: each worker's first scans
COUNTED_TICKETS = 20  # scanned in process, once and twice, to count the statements per scan
LIST_TICKETS = 2_000
MAX_SCANS_PER_S = 3_000  # the default seed lasts a whole run at this rate
THREADS = 2


def _bookings(event_id: int, type_id: int, people: list[int]) -> list[str]:
    """Confirmed bookings for these people; returns their ticket tokens."""
    tokens = [new_token() for _ in people]
    now = utcnow()
    rows = [
        {"event_id": event_id, "ticket_type_id": type_id, "person_id": pid,
         "status": "confirmed", "token": token, "token_hash": hash_token(token),
         "source": "online", "created_at": now, "updated_at": now, "confirmed_at": now}
        for pid, token in zip(people, tokens, strict=True)
    ]  # fmt: skip
    db.session.execute(sa.insert(Booking.__table__), rows)
    return tokens


def seed(url: str, workdir: Path, tickets: int) -> tuple[Path, str, str]:
    """Create the schema and data; return the tokens file and the two scanner link paths."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    app.instance_path = str(workdir / "instance")
    with app.app_context():
        db.create_all()
        door, door_type = add_event(db.session, "bench-door", tickets, tickets, days_ahead=0)
        tokens = _bookings(door.id, door_type.id, add_people(db.session, tickets, "door"))
        listing, list_type = add_event(
            db.session, "bench-list", LIST_TICKETS, LIST_TICKETS, days_ahead=0
        )
        _bookings(listing.id, list_type.id, add_people(db.session, LIST_TICKETS, "list"))
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
    counted = WARM_UP_TICKETS + COUNTED_TICKETS
    tokens_file.write_text("\n".join(tokens[counted:]) + "\n")
    (workdir / "warm-up.txt").write_text("\n".join(tokens[:WARM_UP_TICKETS]) + "\n")
    (workdir / "counted.txt").write_text("\n".join(tokens[WARM_UP_TICKETS:counted]) + "\n")
    return tokens_file, paths[0], paths[1]


def statements_per_scan(url: str, workdir: Path, link_path: str) -> tuple[float, float]:
    """Median statements of a first scan and a re-scan, through the test client (in process)."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    app.instance_path = str(workdir / "instance")
    client = app.test_client()
    client.get(link_path)
    page = client.get("/events/bench-door/door/scan").get_data()
    csrf = re.search(rb'name="csrf-token" content="([^"]+)"', page)
    if csrf is None:
        raise BenchmarkFailed("no CSRF token on the scanner page (in process)")
    headers = {"X-CSRFToken": csrf.group(1).decode()}
    with app.app_context():
        engine = db.engine
    counts: dict[str, list[int]] = {"green": [], "amber": []}
    tokens = (workdir / "counted.txt").read_text().split()
    with counting_statements(engine) as log:
        for n, token in enumerate(tokens * 2):
            log.take()
            answer = client.post(
                "/api/events/bench-door/door/scans",
                json={"scan_id": f"counted-{n}", "payload": token},
                headers=headers,
            )
            ran = len(log.take())
            colour = (answer.get_json() or {}).get("colour", "")
            if answer.status_code != 200 or colour != ("green" if n < len(tokens) else "amber"):
                raise BenchmarkFailed(f"in-process scan answered {answer.status_code} {colour}")
            counts[colour].append(ran)
    return statistics.median(counts["green"]), statistics.median(counts["amber"])


def _request(
    port: int, path: str, cookie: str = "", headers: dict[str, str] | None = None
) -> tuple[HTTPResponse, bytes]:
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
        raise BenchmarkFailed(f"pairing the scanner failed: {response.status}")
    return cookie, token.group(1).decode()


def checked_in_tokens(url: str) -> list[str]:
    """Tokens of every ticket checked in so far."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tokens = conn.execute(
            sa.select(Booking.token).join(CheckIn, CheckIn.booking_id == Booking.id)
        ).scalars()
        found = [token for token in tokens if token is not None]
    engine.dispose()
    return found


def colours(result: Result) -> dict[str, int]:
    """The scanner colours answered during a run (printed by checkin_scans.lua)."""
    return {c: int(n) for c, n in re.findall(r"^colour (\w+): (\d+)$", result.raw, re.M)}


def _scans(
    name: str,
    colour: str,
    port: int,
    url: str,
    duration: int,
    headers: dict[str, str],
    lua_env: dict[str, str],
    connections: int,
) -> Result:
    """One wrk run of scans; every answer must be 200 and `colour`. Prints the CPU per scan
    of the gunicorn workers and of this database's PostgreSQL backends."""
    postgres = url_is_postgres(lua_env["DATABASE_URL"])
    run_wrk(url, duration_s=1, warmup_s=0)  # as run_wrk's own warm-up: GETs, answered 405
    workers = gunicorn_cpu_seconds(port)
    database = postgres_cpu_seconds(lua_env["DATABASE_URL"]) if postgres else {}
    result = run_wrk(
        url,
        duration_s=duration,
        lua_script="checkin_scans",
        headers=headers,
        lua_env=lua_env,
        threads=THREADS,
        connections=connections,
        warmup_s=0,
    )
    workers = gunicorn_cpu_seconds(port) - workers
    db_cpu = cpu_delta(database, postgres_cpu_seconds(lua_env["DATABASE_URL"])) if postgres else 0
    expect_statuses(name, result, {200})
    seen = colours(result)
    if set(seen) != {colour} or seen[colour] != result.requests:
        raise BenchmarkFailed(
            f"{name}: expected {result.requests} {colour} answers, got {seen}"
            + (" (too few tickets for this run: raise --tickets)" if colour == "green" else "")
        )
    per_scan = 1000 / max(result.requests, 1)
    print(
        f"{name}: {seen}; CPU per scan: gunicorn workers {workers * per_scan:.2f} ms"
        + (f", PostgreSQL backends {db_cpu * per_scan:.2f} ms" if postgres else ""),
        file=sys.stderr,
    )
    return result


def url_is_postgres(url: str) -> bool:
    """Whether a database URL names PostgreSQL."""
    return url.startswith("postgresql")


def run_database(
    name: str, url: str, args: argparse.Namespace, workdir: Path
) -> list[tuple[str, Result]]:
    """Seed, serve, then first scans, re-scans and the ticket list on one database."""
    tokens_file, door_link, list_link = seed(url, workdir, args.tickets)
    env = {
        "LGCAMP_DATABASE_URL": url,
        "LGCAMP_SECRET_KEY": SECRET_KEY,
        "LGCAMP_INSTANCE_PATH": str(workdir / "instance"),
        # One scanner link stands for 16 phones scanning as fast as they can, far beyond a
        # door: the limit is raised (still counted, so its cost is measured), not turned off.
        "LGCAMP_DOOR_RATE_LIMIT": "1000000 per minute",
    }
    rows: list[tuple[str, Result]] = []
    with serve("wsgi:app", port_or_free(args.port), env=env, cwd=str(CHECKOUT)) as base:
        port = int(base.rsplit(":", 1)[1])
        cookie, csrf = pair(port, door_link, "bench-door")
        headers = {"Cookie": cookie, "X-CSRFToken": csrf}
        scans = f"{base}/api/events/bench-door/door/scans"
        lua_env = {
            "WRK_TOKENS_FILE": str(tokens_file),
            "WRK_THREADS": str(THREADS),
            "DATABASE_URL": url,
        }
        run_wrk(
            scans,
            duration_s=1,
            lua_script="checkin_scans",
            headers=headers,
            lua_env={**lua_env, "WRK_TOKENS_FILE": str(workdir / "warm-up.txt")},
            threads=THREADS,
            warmup_s=0,
        )
        first = _scans(
            f"{name} first scans",
            "green",
            port,
            scans,
            args.duration,
            headers,
            lua_env,
            args.connections,
        )
        rows.append((f"{name}: first scans", first))
        rescans_file = workdir / "rescans.txt"
        rescans_file.write_text("\n".join(checked_in_tokens(url)) + "\n")
        again = _scans(
            f"{name} re-scans",
            "amber",
            port,
            scans,
            args.duration,
            headers,
            {**lua_env, "WRK_TOKENS_FILE": str(rescans_file)},
            args.connections,
        )
        rows.append((f"{name}: re-scans", again))
        cookie, _csrf = pair(port, list_link, "bench-list")
        timings, size = [], 0
        for _ in range(7):
            started = time.perf_counter()
            response, body = _request(port, "/api/events/bench-list/door/tickets", cookie)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise BenchmarkFailed(f"{name}: ticket list answered {response.status}")
            size = len(body)
        print(
            f"{name}: ticket list for {LIST_TICKETS} tickets: {size / 1024:.0f} KiB, "
            f"median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms (7 downloads)"
        )
    green, amber = statements_per_scan(url, workdir, door_link)
    print(f"{name}: statements per scan (in process): first scan {green:g}, re-scan {amber:g}")
    return rows


def main() -> None:
    """Hello world, then door scans on SQLite (and PostgreSQL); the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    common_args(parser, duration_s=10, connections=16)
    parser.add_argument("--tickets", type=int, help="tickets to seed (default: duration x 3,000)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    args.tickets = args.tickets or args.duration * MAX_SCANS_PER_S + WARM_UP_TICKETS
    print(f"Measuring {describe_checkout()}", file=sys.stderr)
    top = ceiling(args.duration, args.connections, args.hello_port)
    rows: list[tuple[str, Result]] = [("hello world", top)]
    if not args.no_sqlite:
        workdir = Path(tempfile.mkdtemp(prefix="lgcamp-bench-checkin-"))
        rows += run_database("SQLite", sqlite_url(), args, workdir)
    if args.postgres:
        with postgres_database(args.postgres, args.database, "lgcamp_bench_checkin") as url:
            workdir = Path(tempfile.mkdtemp(prefix="lgcamp-bench-checkin-"))
            rows += run_database("PostgreSQL", url, args, workdir)
    print()
    print_table(rows, top)


if __name__ == "__main__":
    run_main(main)
