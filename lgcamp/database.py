"""The declarative base, shared column types and the SQLite connection settings."""

from __future__ import annotations

import contextvars
import enum
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Enum, MetaData, event, exc
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model: one metadata with a constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite keeps no zone itself)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(kind: type[enum.Enum], name: str) -> Enum:
    """An enum stored as its string values with a CHECK (simple to extend by migration)."""
    return Enum(
        kind,
        name=name,
        native_enum=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        create_constraint=True,
    )


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


# Whether the transaction about to begin will write: set once per request by create_app (True
# for every method but GET, HEAD and OPTIONS) and True outside requests (CLI, tick, worker).
# Reads on SQLite use a deferred BEGIN so that they run in parallel under WAL; writes take the
# write lock up front (BEGIN IMMEDIATE) so that concurrent writers wait on the busy timeout
# instead of failing when a read lock cannot be upgraded.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)


@contextmanager
def reading() -> Iterator[None]:
    """Transactions begun in the block only read: on SQLite a deferred BEGIN, not the write lock
    (for work outside requests, such as the mail sender rendering a message)."""
    token = write_intent.set(False)
    try:
        yield
    finally:
        write_intent.reset(token)


BUSY_TIMEOUT_MS = 15000


def configure_sqlite(engine: Engine, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
    """WAL journal, busy timeout, foreign keys and up-front write locks for SQLite."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (the pysqlite driver would delay it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if write_intent.get():
            try:
                begin_immediate(connection.connection.dbapi_connection, busy_timeout_ms)  # type: ignore[arg-type]
            except sqlite3.Error as error:
                raise exc.DBAPIError.instance(
                    "BEGIN IMMEDIATE", (), error, sqlite3.Error
                ) from error
        else:
            _run(connection, "BEGIN")


def _run(connection: Connection, sql: str) -> None:
    """One statement on the SQLite driver's connection (SQLAlchemy's own execution would
    begin a transaction inside this one's begin event), errors wrapped as SQLAlchemy's."""
    try:
        connection.connection.dbapi_connection.execute(sql)  # type: ignore[union-attr]
    except sqlite3.Error as error:
        raise exc.DBAPIError.instance(sql, (), error, sqlite3.Error) from error


# How long a writer waits between tries for the write lock: short at first, since a write
# request holds it for a few milliseconds. SQLite's own busy handler sleeps 1, 2, 5, 10, 15,
# 20 ms... between tries, so a writer that arrives just after another often sleeps several
# times longer than the lock is held, leaving its worker idle while requests queue.
LOCK_RETRY_SLEEPS = (0.0001, 0.0001, 0.0002, 0.0002, 0.0005, 0.0005)
LOCK_RETRY_MAX_SLEEP = 0.001


def begin_immediate(raw: sqlite3.Connection, busy_timeout_ms: int) -> None:
    """BEGIN IMMEDIATE, retrying at short intervals while another connection writes; gives up,
    as the busy timeout would, after busy_timeout_ms (Python cannot install a busy handler, so
    SQLite's is off for the attempt and the retries happen here)."""
    deadline = time.monotonic() + busy_timeout_ms / 1000
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        tries = 0
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                if time.monotonic() >= deadline:
                    raise
            pause = LOCK_RETRY_SLEEPS[tries] if tries < len(LOCK_RETRY_SLEEPS) else None
            time.sleep(pause or LOCK_RETRY_MAX_SLEEP)
            tries += 1
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
