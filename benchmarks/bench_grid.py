"""Public grid: full page, the "nothing changed" 304, and the cost of 1,000 open grids.

An event with 10 rooms x 8 session slots and 80 placed sessions is seeded into a fresh SQLite
file (or the PostgreSQL URL given with --database-url). Then, against the hello-world ceiling
measured in the same run:

- full grid page (GET /events/<slug>/grid, anonymous);
- the live fragment's 304 (GET /grid/live with If-None-Match);
- 1,000 open grids: conditional requests at 1,000 / POLL_SECONDS per second (what the
  live-grid script sends; see OpenGrids) running while the full page is measured again.
  "capacity used" = 1 - full-page req/s under that load / full-page req/s alone.

Run: .venv/bin/python benchmarks/bench_grid.py [--duration 8] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import threading
import time
import urllib.request
from datetime import timedelta

from harness import (
    CHECKOUT,
    Result,
    ceiling,
    free_port,
    gunicorn_cpu_seconds,
    print_table,
    run_wrk,
    serve,
)

OPEN_GRIDS = 1000
POLL_SECONDS = 3  # static/js/live-grid.js and lgcamp.programme.blueprint.POLL_SECONDS


def seed(database_url: str, instance: str) -> tuple[str, str]:
    """Create the schema by migration and a 10 x 8 grid with 80 sessions.

    Returns the slug and a signed-in session cookie (for the per-viewer page).
    """
    from flask_migrate import upgrade

    from lgcamp import create_app
    from lgcamp.accounts.models import Person
    from lgcamp.accounts.service import hash_password
    from lgcamp.database import utcnow
    from lgcamp.events.models import Event, EventKind, EventRole, EventRoleName, EventStatus
    from lgcamp.extensions import db
    from lgcamp.programme import grid, planning, service
    from lgcamp.programme.models import SlotKind

    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    with app.app_context():
        upgrade()
        password = hash_password("bench-password")
        organiser = Person(name="Olu Organiser", email="olu@bench.test", password_hash=password)
        db.session.add(organiser)
        start = (utcnow() + timedelta(days=7)).replace(hour=8, minute=0, second=0, microsecond=0)
        event = Event(
            slug="bench-camp", name="Bench Camp", kind=EventKind.LOCALGOVCAMP,
            status=EventStatus.PUBLISHED, starts_at=start, ends_at=start + timedelta(hours=10),
        )  # fmt: skip
        db.session.add(event)
        db.session.flush()
        db.session.add(
            EventRole(event_id=event.id, person_id=organiser.id, role=EventRoleName.ORGANISER)
        )
        rooms = [
            planning.add_room(
                db.session, event, planning.RoomDetails(f"Room {n + 1}", 40, f"Floor {n // 3}")
            )
            for n in range(10)
        ]
        slots = [
            planning.add_slot(
                db.session,
                event,
                start + timedelta(minutes=60 * n),
                start + timedelta(minutes=60 * n + 45),
                SlotKind.SESSION,
                f"Session {n + 1}",
            )
            for n in range(8)
        ]
        for n in range(80):
            host = Person(name=f"Host {n}", email=f"host{n}@bench.test", password_hash=password)
            db.session.add(host)
            db.session.flush()
            camp_session = service.queue_pitch(
                db.session, organiser, event,
                service.PitchDetails(f"Session number {n}: a realistic camp title", "About it"),
                host,
            )  # fmt: skip
            grid.place_session(
                db.session, organiser, camp_session, slots[n // 10].id, rooms[n % 10].id, None
            )
        db.session.commit()
        client = app.test_client()
        client.post("/sign-in", data={"email": "host0@bench.test", "password": "bench-password"})
        cookie = client.get_cookie("session")
        assert cookie is not None, "could not sign in for the benchmark"
        return event.slug, f"session={cookie.value}"


def etag_of(url: str) -> str:
    """The ETag the server gives this URL now."""
    with urllib.request.urlopen(url) as response:
        response.read()
        return response.headers["ETag"]


class OpenGrids:
    """OPEN_GRIDS pages polling every POLL_SECONDS, as independent phones do: an open-loop stream
    of conditional GETs at OPEN_GRIDS / POLL_SECONDS per second, each on a fresh connection.

    Not wrk with a Lua delay(): Debian's wrk has no -R, and with delay() wrk connects first and
    then waits before sending, which parks a gunicorn sync worker on an idle socket, something
    real clients (which connect when they have a request to send) never do.
    """

    def __init__(self, base: str, path: str, etag: str, duration_s: float) -> None:
        self.host, port = base.removeprefix("http://").split(":")
        self.port, self.path, self.etag, self.duration_s = int(port), path, etag, duration_s
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors = 0
        self.thread = threading.Thread(target=asyncio.run, args=(self._run(),), daemon=True)

    async def _one(self) -> None:
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
            writer.write(
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"If-None-Match: {self.etag}\r\nConnection: close\r\n\r\n".encode()
            )
            data = await reader.read()
            writer.close()
            status = int(data.split(b" ", 2)[1])
        except (OSError, ValueError, IndexError):
            self.errors += 1
            return
        self.latencies.append((time.perf_counter() - started) * 1000)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        interval, start, sent, tasks = POLL_SECONDS / OPEN_GRIDS, loop.time(), 0, []
        while loop.time() - start < self.duration_s:
            tasks.append(asyncio.create_task(self._one()))
            sent += 1
            await asyncio.sleep(max(0.0, start + sent * interval - loop.time()))
        await asyncio.gather(*tasks)

    def start(self) -> None:
        """Start polling in the background."""
        self.thread.start()

    def result(self) -> Result:
        """Wait for the end and summarise like a wrk run."""
        self.thread.join()
        done = sorted(self.latencies)

        def pct(p: float) -> float:
            return done[min(len(done) - 1, int(p / 100 * len(done)))] if done else float("nan")

        return Result(
            rps=len(done) / self.duration_s, p50_ms=pct(50), p99_ms=pct(99),
            requests=len(done), duration_s=self.duration_s, connect_errors=self.errors,
            status_counts=self.statuses,
        )  # fmt: skip


def main() -> None:
    """Seed, serve, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="lgcamp-bench-grid-")
    database_url = args.database_url or f"sqlite:///{instance}/lgcamp.sqlite"
    os.environ["LGCAMP_INSTANCE_PATH"] = instance
    slug, cookie = seed(database_url, instance)

    top = ceiling(args.duration, args.connections)
    env = {
        "LGCAMP_DATABASE_URL": database_url,
        "LGCAMP_SECRET_KEY": "bench",
        "LGCAMP_INSTANCE_PATH": instance,
        "PYTHONPATH": str(CHECKOUT),
    }
    rows = []
    port = free_port()
    with serve("wsgi:app", port, env=env, cwd=str(CHECKOUT), ready_path="/") as base:
        page_url, live_url = f"{base}/events/{slug}/grid", f"{base}/events/{slug}/grid/live"
        before = gunicorn_cpu_seconds(port)
        full = run_wrk(page_url, connections=args.connections, duration_s=args.duration)
        # +1: run_wrk's warm-up second also loads the server flat out.
        busy = (gunicorn_cpu_seconds(port) - before) / (args.duration + 1)
        rows.append(("grid page, anonymous (80 sessions)", full))
        signed_in = run_wrk(
            page_url, connections=args.connections, duration_s=args.duration,
            headers={"Cookie": cookie},
        )  # fmt: skip
        rows.append(("grid page, signed in (shell per viewer)", signed_in))
        rows.append(
            (
                "live fragment (200)",
                run_wrk(live_url, connections=args.connections, duration_s=args.duration),
            )
        )
        rows.append((
            "live fragment 304 (If-None-Match)",
            run_wrk(
                live_url, connections=args.connections, duration_s=args.duration,
                lua_script="conditional_get", lua_env={"ETAG": etag_of(live_url)},
            ),
        ))  # fmt: skip
        # The machine is shared and noisy: measure the page alone again right before the load.
        full = run_wrk(page_url, connections=args.connections, duration_s=args.duration)
        rows.append(("grid page, anonymous (again, just before)", full))
        # What 1,000 open grids cost on their own: the server's CPU while only they poll,
        # against its CPU when saturated (the load generator's own CPU is not counted).
        idle_polls = OpenGrids(base, f"/events/{slug}/grid/live", etag_of(live_url), args.duration)
        before = gunicorn_cpu_seconds(port)
        idle_polls.start()
        alone = idle_polls.result()
        polling_cpu = (gunicorn_cpu_seconds(port) - before) / args.duration
        rows.append((f"{OPEN_GRIDS} grids polling, nothing else", alone))
        poller = OpenGrids(base, f"/events/{slug}/grid/live", etag_of(live_url), args.duration + 2)
        poller.start()
        loaded = run_wrk(page_url, connections=args.connections, duration_s=args.duration)
        polls = poller.result()
        rows.append((f"grid page while {OPEN_GRIDS} grids poll", loaded))
        rows.append(
            (f"  the {OPEN_GRIDS} grids' polls (target {OPEN_GRIDS / POLL_SECONDS:.0f}/s)", polls)
        )
    print(f"database: {database_url.split('://')[0]}; ceiling = hello world, same run\n")
    print_table(rows, top)
    print(f"\nhello world: {top.rps:.0f} req/s, p50 {top.p50_ms:.2f} ms, p99 {top.p99_ms:.2f} ms")
    print(
        f"server CPU: {busy:.2f} s/s saturated (grid page), {polling_cpu:.2f} s/s for "
        f"{OPEN_GRIDS} open grids alone -> {100 * polling_cpu / busy:.1f}% of capacity "
        "(target < 33%)"
    )
    slowdown = 1 - loaded.rps / full.rps if full.rps else float("nan")
    print(
        f"grid page throughput lost while they poll: {100 * slowdown:.1f}% "
        "(includes the Python poller's own CPU on the same 2 cores)"
    )


if __name__ == "__main__":
    main()
