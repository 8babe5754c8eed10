"""Count what requests send to the database: every SQL statement, and BEGIN/COMMIT/ROLLBACK.

Transaction boundaries come from the engine's events (on SQLite lgcamp sends BEGIN itself, on
PostgreSQL the driver does), so the counts mean the same on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from lgcamp.extensions import db

BOUNDARIES = ("BEGIN", "COMMIT", "ROLLBACK")


class Statements:
    """What the engine sent while counting, in order; boundaries as the words BEGIN etc."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @property
    def sql(self) -> list[str]:
        """The SQL statements only."""
        return [s for s in self.seen if s not in BOUNDARIES]

    @property
    def boundaries(self) -> int:
        """How many BEGIN, COMMIT and ROLLBACK."""
        return len(self.seen) - len(self.sql)

    def __len__(self) -> int:
        return len(self.sql)


@contextmanager
def counting() -> Iterator[Statements]:
    """Everything the app's engine sends inside the block."""
    found = Statements()
    listeners: list[tuple[str, Any]] = [
        ("before_cursor_execute", lambda _c, _cur, sql, *_a: found.seen.append(sql)),
        ("begin", lambda _c: found.seen.append("BEGIN")),
        ("commit", lambda _c: found.seen.append("COMMIT")),
        ("rollback", lambda _c: found.seen.append("ROLLBACK")),
    ]
    engine = db.engine
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield found
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
