"""Calendar feeds: a network feed of 1,000 events and an event feed of 200 sessions.

Prints the builder's in-process time (median of N runs) and, under gunicorn, the full feed
and the 304 answer next to the hello-world ceiling measured in the same run. Targets: the
1,000-event feed built in under 100 ms; the 304 answer at 50% or more of hello world.

    .venv/bin/python benchmarks/bench_feeds.py [--duration 5] [--runs 15]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from harness import CHECKOUT, ceiling, free_port, print_table, run_wrk, serve

from lgcamp import create_app
from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventKind, EventStatus
from lgcamp.extensions import db
from lgcamp.feeds import service
from lgcamp.feeds.ical import FeedHeader, feed_ics
from lgcamp.programme.models import (
    CampSession,
    ProgrammeState,
    Room,
    SessionHost,
    SlotKind,
    TimeSlot,
)

DB_PATH = Path("/tmp/lgcamp-bench-feeds.sqlite")
CAMP_SLUG = "localgovcamp-bench"
KINDS = [EventKind.LOCALGOVCAMP, EventKind.FRINGE, EventKind.NOTWESTMINSTER]


def seed(url: str) -> None:
    """1,000 published events (and some drafts), one with 10 rooms x 20 slots of sessions."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        start = utcnow().replace(microsecond=0) + timedelta(days=1)
        host = Person(email="host@example.org", name="Sam Host, Leeds", password_hash="x")
        db.session.add(host)
        for n in range(1000):
            db.session.add(
                Event(
                    slug=CAMP_SLUG if n == 0 else f"event-{n}",
                    name=f"LocalGovCamp fringe {n}: data, maps; café",
                    kind=KINDS[n % 3],
                    status=EventStatus.PUBLISHED,
                    summary="A day of sessions pitched on the morning by the people who came.",
                    venue_name="Civic Hall",
                    venue_address="Portland Crescent\nLeeds LS1 1UR",
                    starts_at=start + timedelta(days=n),
                    ends_at=start + timedelta(days=n, hours=7),
                )
            )
        for n in range(50):
            db.session.add(
                Event(
                    slug=f"draft-{n}", name="Draft", kind=EventKind.OTHER,
                    status=EventStatus.DRAFT, starts_at=start, ends_at=start + timedelta(hours=1),
                )
            )  # fmt: skip
        db.session.flush()
        camp = db.session.query(Event).filter_by(slug=CAMP_SLUG).one()
        rooms = [Room(event_id=camp.id, name=f"Room {r}", capacity=30) for r in range(10)]
        slots = [
            TimeSlot(
                event_id=camp.id,
                starts_at=camp.starts_at + timedelta(minutes=30 * s),
                ends_at=camp.starts_at + timedelta(minutes=30 * s + 25),
                kind=SlotKind.SESSION,
            )
            for s in range(20)
        ]
        db.session.add_all(rooms + slots)
        db.session.add(ProgrammeState(event_id=camp.id, grid_version=200))
        db.session.flush()
        for s, slot in enumerate(slots):
            for r, room in enumerate(rooms):
                cs = CampSession(
                    event_id=camp.id, title=f"Session {s}-{r}: open data, APIs; and you",
                    description="What we learned\nand what we would do again.",
                    pitched_by_id=host.id, slot_id=slot.id, room_id=room.id,
                )  # fmt: skip
                cs.hosts = [SessionHost(person_id=host.id)]
                db.session.add(cs)
        db.session.commit()


def _median_ms(build: Callable[[], bytes], runs: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        size = len(build())
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), size


def builder_times(url: str, runs: int) -> list[tuple[str, float, int]]:
    """In-process: validator + query + build, median of `runs` (after one warm-up each)."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    header = FeedHeader("Bench", "Bench", "http://x/f.ics", "http://x/")
    results = []
    with app.app_context():
        camp_id = db.session.query(Event.id).filter_by(slug=CAMP_SLUG).scalar()

        def network() -> bytes:
            now = utcnow()
            service.network_validator(db.session, now)
            body = feed_ics(header, service.network_items(db.session, now))
            db.session.rollback()
            return body

        def programme() -> bytes:
            now = utcnow()
            service.event_head(db.session, CAMP_SLUG, now, with_sessions=True)
            body = feed_ics(
                header, service.event_items(db.session, camp_id, now, with_sessions=True)
            )
            db.session.rollback()
            return body

        def validator_only() -> bytes:
            service.network_validator(db.session, utcnow())
            db.session.rollback()
            return b""

        for name, build in [
            ("network feed, 1,000 events", network),
            ("event feed, 200 sessions", programme),
            ("network validator only (304 path)", validator_only),
        ]:
            build()
            median, size = _median_ms(build, runs)
            results.append((name, median, size))
    return results


def _etag(base: str, path: str) -> str:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    assert response.status == 200, response.status
    return response.getheader("ETag") or ""


def main() -> None:
    """Seed, time the builders, then load the served feeds next to hello world."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=15, help="builder runs (median)")
    args = parser.parse_args()
    url = os.environ.get("LGCAMP_DATABASE_URL", f"sqlite:///{DB_PATH}")
    seed(url)
    print("Builder, in process (median of", args.runs, "runs):")
    for name, median, size in builder_times(url, args.runs):
        print(f"  {name:36} {median:7.1f} ms  {size / 1024:7.0f} KiB")
    top = ceiling(args.duration, args.connections)
    env = {
        "LGCAMP_DATABASE_URL": url,
        "LGCAMP_SECRET_KEY": "bench",
        "LGCAMP_INSTANCE_PATH": "/tmp/lgcamp-bench-feeds-instance",
        # wrk is one client fetching one feed thousands of times a second: the feed limit is
        # raised (still counted, so its cost is measured), not turned off.
        "LGCAMP_FEED_RATE_LIMIT": "1000000 per minute",
    }
    rows = []
    paths = [
        ("network feed (1,000 events)", "/feeds/events.ics"),
        ("event feed (200 sessions)", f"/events/{CAMP_SLUG}/programme.ics"),
    ]
    ready = "/feeds/events.ics"
    with serve("wsgi:app", free_port(), env=env, cwd=str(CHECKOUT), ready_path=ready) as base:
        # The 304 runs go first: a full-feed run leaves slow requests queued behind it.
        for name, path in paths:
            # No plain-GET warm-up here (the harness default): a second of full feeds from 16
            # clients would leave the 304 run queued behind them. Warm up with 304s instead.
            conditional = {"lua_script": "conditional_get", "lua_env": {"ETAG": _etag(base, path)}}
            run_wrk(base + path, duration_s=1, warmup_s=0, **conditional)  # type: ignore[arg-type]
            result = run_wrk(
                base + path, connections=args.connections, duration_s=args.duration,
                warmup_s=0, **conditional,  # type: ignore[arg-type]
            )  # fmt: skip
            rows.append((f"{name}: 304", result))
        for name, path in paths:
            # Few connections: each answer takes tens of milliseconds of CPU.
            result = run_wrk(base + path, connections=4, duration_s=args.duration)
            rows.append((f"{name}: 200", result))
            _etag(base, path)  # waits behind whatever the run left queued
    print_table(rows, top)


if __name__ == "__main__":
    main()
