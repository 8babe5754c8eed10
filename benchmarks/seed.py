"""Databases for benchmarks: a demo-seeded SQLite file, or a fresh PostgreSQL database."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def demo_database(postgres: bool = False) -> Iterator[dict[str, str]]:
    """Yield the environment for an app on a migrated, demo-seeded database; clean up after."""
    instance = tempfile.mkdtemp(prefix="lgcamp-bench-")
    env = {"LGCAMP_INSTANCE_PATH": instance, "LGCAMP_SECRET_KEY": "benchmark"}
    pg_name = None
    if postgres:
        pg_name = f"lgcamp_bench_{uuid.uuid4().hex[:8]}"
        _psql(f'CREATE DATABASE "{pg_name}"')
        env["LGCAMP_DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{pg_name}"
    try:
        lgcamp = Path(sys.executable).with_name("lgcamp")
        subprocess.run(
            [str(lgcamp), "demo", "--no-serve"],
            cwd=ROOT,
            check=True,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
        )
        yield env
    finally:
        if pg_name:
            _psql(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
