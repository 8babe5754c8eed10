"""SQLite's write-ahead log is copied back by a thread of its own, not inside requests."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from lgcamp import create_app, database
from lgcamp.database import configure_sqlite, start_background_checkpoints
from lgcamp.extensions import db

BLOB = b"x" * 256 * 1024


def _autocheckpoint(engine: object) -> int:
    with engine.connect() as connection:  # type: ignore[attr-defined]
        return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar())


def _write(engine: object, batches: int) -> None:
    with engine.begin() as connection:  # type: ignore[attr-defined]
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (b BLOB)")
    for _ in range(batches):
        with engine.begin() as connection:  # type: ignore[attr-defined]
            connection.exec_driver_sql("INSERT INTO t (b) VALUES (?)", (BLOB,))
        time.sleep(0.03)


def test_background_checkpoints_keep_the_log_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "CHECKPOINT_INTERVAL_S", 0.01)
    engine = create_engine(f"sqlite:///{tmp_path / 'c.db'}")
    configure_sqlite(engine)
    assert start_background_checkpoints(engine)
    assert _autocheckpoint(engine) == 0  # the app's connections never checkpoint themselves
    _write(engine, 40)  # 10 MiB through the log
    # The thread copied the log back as it went, so SQLite reused it from the start.
    assert (tmp_path / "c.db-wal").stat().st_size < 4 * 1024 * 1024
    engine.dispose()


def test_without_them_the_log_only_grows(tmp_path: Path) -> None:
    # The contrast: with checkpoints switched off and no thread, nothing copies the log back.
    engine = create_engine(f"sqlite:///{tmp_path / 'n.db'}")
    configure_sqlite(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
        connection.exec_driver_sql("CREATE TABLE t (b BLOB)")
        for _ in range(40):
            connection.exec_driver_sql("INSERT INTO t (b) VALUES (?)", (BLOB,))
            connection.commit()
    assert (tmp_path / "n.db-wal").stat().st_size > 10 * 1024 * 1024
    engine.dispose()


def test_only_sqlite_files_get_them(tmp_path: Path) -> None:
    memory = create_engine("sqlite://")
    configure_sqlite(memory)
    assert not start_background_checkpoints(memory)
    assert _autocheckpoint(memory) == 1000  # SQLite's own default stays


def test_the_app_starts_them_unless_configured_off(tmp_path: Path) -> None:
    for setting, expected in ((True, 0), (False, 1000)):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "DATABASE_URL": f"sqlite:///{tmp_path / f'{setting}.db'}",
                "SQLITE_BACKGROUND_CHECKPOINTS": setting,
            }
        )
        with app.app_context():
            assert _autocheckpoint(db.engine) == expected
            db.engine.dispose()
