"""The PostgreSQL floor: Flask views doing 1, 2, 3, 5 and 7 trivial statements, next to hello world.

Every view of pg_floor.py is served by gunicorn (2 workers) on loopback as hello.py is, and
posted to by wrk with 16 connections, as the check-in benchmark does. The ratios are the most a
request with that many statements can reach on this machine, where the database server, the
workers and wrk share the same cores; lgcamp's own figures are below them.

    .venv/bin/python benchmarks/bench_pg_floor.py --duration 5
"""

from __future__ import annotations

import argparse
import sys

import psycopg
from harness import BENCH_DIR, ceiling, free_port, print_table, run_wrk, serve

VIEWS = ("insert", "read-insert", "read-read-insert", "transaction-5", "transaction-7")


def main() -> None:
    """Create the floor table, measure hello world and each view, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--dsn", default="host=127.0.0.1 user=postgres dbname=postgres")
    args = parser.parse_args()
    with psycopg.connect(args.dsn, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS floor_log")
        connection.execute("CREATE TABLE floor_log (id serial PRIMARY KEY, x integer)")
        connection.execute("INSERT INTO floor_log (x) VALUES (1), (2)")
    try:
        top = ceiling(args.duration, 16)
        rows = [("hello world (ceiling)", top)]
        env = {"FLOOR_DSN": args.dsn}
        with serve("pg_floor:app", free_port(), env=env, cwd=str(BENCH_DIR)) as base:
            for view in VIEWS:
                result = run_wrk(f"{base}/{view}", duration_s=args.duration,
                                 lua_script="post_form", lua_env={"WRK_BODY": "x=1"},
                                 warmup_s=0)  # fmt: skip
                rows.append((f"PostgreSQL floor: {view}", result))
    finally:
        with psycopg.connect(args.dsn, autocommit=True) as connection:
            connection.execute("DROP TABLE IF EXISTS floor_log")
    print_table(rows, top)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
