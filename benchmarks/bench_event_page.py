"""The public event page under load, next to the hello-world ceiling from the same run.

Target (issue 2): the event page at 20% or more of hello-world throughput, 16 clients.
"""

from __future__ import annotations

import argparse
import re
import urllib.request

from harness import ceiling, free_port, print_table, run_wrk, serve
from seed import ROOT, demo_database


def main() -> None:
    """Seed a demo database, serve the app with gunicorn, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()

    hello = ceiling(args.duration, args.connections)
    rows = []
    with (
        demo_database(args.postgres) as env,
        serve("wsgi:app", free_port(), env=env, cwd=str(ROOT)) as base,
    ):
        page = base + "/events/" + _camp_slug(base)
        # Visitors without cookies get the micro-cached page (2 s per worker); any cookie
        # bypasses the cache, so the second row is the full render on every request.
        scenarios = [
            ("event page (no cookie: micro-cached)", page, None),
            ("event page (with a cookie: rendered)", page, {"Cookie": "visited=1"}),
            ("event list", base + "/", None),
        ]
        for name, url, headers in scenarios:
            result = run_wrk(
                url,
                connections=args.connections,
                duration_s=args.duration,
                headers=headers,
                count_statuses=True,
            )
            rows.append((name, result))
    hello_after = ceiling(args.duration, args.connections)
    rows.append(("hello again (after)", hello_after))
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\nDatabase: {database}; 2 gunicorn workers; {args.connections} connections")
    print_table(rows, hello)


def _camp_slug(base: str) -> str:
    """The demo LocalGovCamp's slug, read from the event list."""
    with urllib.request.urlopen(base + "/") as response:  # loopback only
        page = response.read().decode()
    match = re.search(r'href="/events/(localgovcamp-[^"]+)"', page)
    assert match, "demo LocalGovCamp not found on the event list"
    return match.group(1)


if __name__ == "__main__":
    main()
