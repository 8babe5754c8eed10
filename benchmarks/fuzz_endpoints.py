"""Generated input for every endpoint, many examples: counts requests, 5xx and refused requests
that changed rows. The suite's tests/core/test_fuzz_endpoints.py runs a few per endpoint.

    .venv/bin/python benchmarks/fuzz_endpoints.py --examples 200
    .venv/bin/python benchmarks/fuzz_endpoints.py --examples 200 \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Every problem is printed as it is found (and the run goes on with the next endpoint); the last
line sums up requests, 5xx, refused-but-changed, endpoints and endpoints failing. Exit status
1 if any failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout, for tests/

from lgcamp import create_app
from lgcamp.extensions import db
from tests.fuzz_inputs import endpoints
from tests.fuzzing import (
    Fuzzer,
    Snapshot,
    cookies,
    fuzz_app_config,
    login_clients,
    restore_cookies,
    seed,
)


def _admin(url: str, statement: str) -> None:
    engine = sa.create_engine(sa.make_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


def main() -> int:
    """Run the fuzzing and print its counts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--examples", type=int, default=100, help="requests per endpoint")
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (default SQLite)")
    parser.add_argument("--only", help="only endpoints whose name contains this")
    parser.add_argument("--seed-random", action="store_true", help="random, not derandomised")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lgcamp-fuzz-"))
    name = f"lgcamp_fuzz_{uuid.uuid4().hex[:10]}"
    if args.postgres:
        _admin(args.postgres, f'CREATE DATABASE "{name}"')
        url = sa.make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{folder / 'fuzz.sqlite'}"
    app = create_app(fuzz_app_config(url, folder))
    app.instance_path = str(folder / "instance")
    try:
        with app.app_context():
            db.create_all()
        seeded = seed(app)
        clients = login_clients(app, seeded)
        snapshot = Snapshot(app)
        saved = cookies(clients)
        fuzzer = Fuzzer(app, seeded, clients)
        started = time.monotonic()
        failing: list[str] = []
        chosen = [e for e in endpoints(app) if not args.only or args.only in e.name]
        for endpoint in chosen:
            snapshot.restore()
            restore_cookies(clients, saved)
            fuzzer.last_digest = ""
            before, before_statuses = fuzzer.requests, dict(fuzzer.statuses)
            try:
                fuzzer.run(endpoint, args.examples, derandomize=not args.seed_random)
            except AssertionError as error:
                failing.append(endpoint.name)
                print(f"PROBLEM {endpoint.name}: {str(error)[:1500]}", flush=True)
            statuses = {
                code: n - before_statuses.get(code, 0)
                for code, n in sorted(fuzzer.statuses.items())
                if n != before_statuses.get(code, 0)
            }
            print(f"{endpoint.name}: {fuzzer.requests - before} requests {statuses}", flush=True)
        snapshot.drop()
    finally:
        with app.app_context():
            db.engine.dispose()
        if args.postgres:
            _admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    database = "postgresql" if args.postgres else "sqlite"
    print(f"statuses: {dict(sorted(fuzzer.statuses.items()))}")
    print(
        f"{database}: requests {fuzzer.requests}, 5xx {len(fuzzer.server_errors)}, "
        f"refused-but-changed {len(fuzzer.refused_changes)} (counting hypothesis's shrinking "
        f"replays), endpoints {len(chosen)}, endpoints failing {len(failing)}, "
        f"{time.monotonic() - started:.0f} s"
    )
    return 1 if fuzzer.server_errors or fuzzer.refused_changes else 0


if __name__ == "__main__":
    sys.exit(main())
