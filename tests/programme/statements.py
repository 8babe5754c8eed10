"""Count the SQL statements one test-client request runs (a before_cursor_execute listener)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from lgcamp.extensions import db


class Statements:
    """The SQL statements seen while counting."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __len__(self) -> int:
        return len(self.seen)

    def note(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        """before_cursor_execute hook: keep each statement."""
        self.seen.append(statement)


@contextmanager
def counting() -> Iterator[Statements]:
    """Statements run on the app's engine inside the block."""
    found = Statements()
    engine = db.engine
    event.listen(engine, "before_cursor_execute", found.note)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", found.note)
