"""The anonymous event page under load, next to hello world measured in the same run.

Seeds the demo (`lgcamp demo`) into SQLite, or PostgreSQL with --postgres, and loads the
demo LocalGovCamp's page without a cookie and with one, and the event list. Every answer must
be 200.

    .venv/bin/python benchmarks/bench_event_page.py --duration 10
"""

from __future__ import annotations

import argparse
import re
import sys
import urllib.request

from harness import (
    CHECKOUT,
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
from seed import demo_database


def main() -> None:
    """Seed a demo database, serve the app with gunicorn, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    common_args(parser, duration_s=10, connections=16)
    args = parser.parse_args()
    print(f"Measuring {describe_checkout()}", file=sys.stderr)
    hello = ceiling(args.duration, args.connections, args.hello_port)
    rows = [("hello world", hello)]
    with (
        demo_database(args.postgres, args.database) as env,
        serve("wsgi:app", port_or_free(args.port), env=env, cwd=str(CHECKOUT)) as base,
    ):
        page = base + "/events/" + _camp_slug(base)
        scenarios = [
            ("event page (no cookie)", page, None),
            ("event page (a cookie)", page, {"Cookie": "visited=1"}),
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
            expect_statuses(name, result, {200})
            rows.append((name, result))
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
    run_main(main)
