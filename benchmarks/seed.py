"""Databases and rows for the benchmarks: PostgreSQL databases made and dropped, people, events.

One seeding function per kind of row, shared by every script, written against the models so
that it works on any checkout the harness measures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from harness import CHECKOUT
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventKind, EventStatus
from lgcamp.tickets.models import TicketType


@contextmanager
def postgres_database(admin_url: str, name: str | None, prefix: str) -> Iterator[str]:
    """Create a PostgreSQL database (`name`, or `prefix` and a random suffix); drop it after."""
    admin = sa.make_url(admin_url)
    name = name or f"{prefix}_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


def sqlite_url() -> str:
    """A new SQLite file in a temporary directory."""
    return f"sqlite:///{tempfile.mkdtemp(prefix='lgcamp-bench-')}/bench.sqlite"


@contextmanager
def demo_database(admin_url: str | None, name: str | None) -> Iterator[dict[str, str]]:
    """The environment for an app on a migrated database filled by `lgcamp demo`."""
    instance = tempfile.mkdtemp(prefix="lgcamp-bench-")
    env = {"LGCAMP_INSTANCE_PATH": instance, "LGCAMP_SECRET_KEY": "benchmark"}
    database = (
        postgres_database(admin_url, name, "lgcamp_bench_demo") if admin_url else _no_database()
    )
    with database as url:
        if url:
            env["LGCAMP_DATABASE_URL"] = url
        subprocess.run(
            [str(Path(sys.executable).with_name("lgcamp")), "demo", "--no-serve"],
            cwd=CHECKOUT,
            check=True,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
        )
        yield env


@contextmanager
def _no_database() -> Iterator[str]:
    yield ""


def add_people(session: Session, count: int, prefix: str) -> list[int]:
    """`count` people who never sign in with a password; their ids in order."""
    session.execute(
        sa.insert(Person),
        [
            {
                "email": f"{prefix}{n}@bench.example",
                "name": f"Person {prefix}{n}",
                "organisation": "Benchmark Council",
                "password_hash": "!",
                "is_admin": False,
                "created_at": utcnow(),
            }
            for n in range(count)
        ],
    )
    return list(
        session.scalars(
            sa.select(Person.id).where(Person.email.like(f"{prefix}%")).order_by(Person.id)
        )
    )


def add_event(
    session: Session, slug: str, places: int, taken: int = 0, days_ahead: int = 30
) -> tuple[Event, TicketType]:
    """A published one-day event, `days_ahead` from now, with one ticket type of `places`."""
    starts = (utcnow() + timedelta(days=days_ahead)).replace(microsecond=0)
    event = Event(
        slug=slug,
        name=slug,
        kind=EventKind.LOCALGOVCAMP,
        status=EventStatus.PUBLISHED,
        starts_at=starts,
        ends_at=starts + timedelta(hours=8),
    )
    session.add(event)
    session.flush()
    ticket_type = TicketType(event_id=event.id, name="General", capacity=places, taken=taken)
    session.add(ticket_type)
    session.flush()
    return event, ticket_type


def add_rush_events(session: Session, count: int, places: int) -> list[tuple[str, int]]:
    """`count` events of `places` places for a release rush: (slug, ticket type id) each."""
    targets = []
    for n in range(count):
        event, ticket_type = add_event(session, f"rush-{n}", places)
        targets.append((event.slug, ticket_type.id))
    return targets
