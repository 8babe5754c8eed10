"""The write lock on SQLite: BEGIN IMMEDIATE retried at short intervals, then given up."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from lgcamp.database import begin_immediate


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA busy_timeout = 3000")
    return connection


def test_writer_gets_the_lock_once_the_other_commits(tmp_path: Path) -> None:
    holder, waiter = _connect(tmp_path / "x.db"), _connect(tmp_path / "x.db")
    holder.execute("CREATE TABLE t (n INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    trying = threading.Event()
    outcome: list[object] = []

    def wait_for_lock() -> None:
        trying.set()
        try:
            begin_immediate(waiter, 3000)
            waiter.execute("INSERT INTO t VALUES (2)")
            waiter.execute("COMMIT")
            outcome.append("committed")
        except sqlite3.Error as error:  # pragma: no cover (reported by the assert)
            outcome.append(error)

    thread = threading.Thread(target=wait_for_lock)
    thread.start()
    trying.wait()
    holder.execute("INSERT INTO t VALUES (1)")
    holder.execute("COMMIT")
    thread.join()
    assert outcome == ["committed"]
    assert sorted(n for (n,) in holder.execute("SELECT n FROM t")) == [1, 2]
    # The normal busy timeout is back for every other statement.
    assert waiter.execute("PRAGMA busy_timeout").fetchone() == (3000,)


def test_writer_gives_up_after_the_busy_timeout(tmp_path: Path) -> None:
    holder, waiter = _connect(tmp_path / "x.db"), _connect(tmp_path / "x.db")
    holder.execute("CREATE TABLE t (n INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        begin_immediate(waiter, 50)
    assert waiter.execute("PRAGMA busy_timeout").fetchone() == (50,)
    holder.execute("ROLLBACK")
