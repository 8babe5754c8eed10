"""Statements compiled once per database and run straight on the DB-API cursor.

The hot paths (a scan at the door: read the phone's grant, look the ticket up, log the scan,
check in; a booking in a release rush) run a handful of small statements per request. Through
``Connection.execute`` each costs SQLAlchemy's per-execution work (cache key, execution
context, events, result set-up), which measured several times the database's own work for
these one-row statements. A ``Prepared`` statement is compiled once per dialect and then
executed on the DB-API cursor of the session's connection, so it runs inside the request's
transaction as any other statement; the column types still convert values both ways (aware
UTC datetimes, enums), with their own ``bind_processor``/``result_processor`` for that
dialect. Drivers prepare the SQL text once (sqlite3's statement cache; psycopg prepares a query
after it has run a few times).

Values written in the statement itself (``column == "waitlisted"``) are sent as bound; every
``bindparam`` must be given. A connection not yet in a transaction begins one first, as
Core's autobegin would (the driver itself may be in autocommit mode, as SQLite's is here).

Limits: no expanding (IN) parameters, no Python-side column defaults (pass every value), and
DB-API errors are re-raised as SQLAlchemy's ``DBAPIError`` subclasses, as Core would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.expression import Executable


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # bind names, in order for positional drivers
    positional: bool
    converters: dict[str, Callable[[Any], Any]]  # bind name -> converter, where needed
    constants: dict[str, Any]  # values written in the statement, by bind name, converted
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, converter)
    returns_rows: bool  # a SELECT, or RETURNING (asking the cursor costs psycopg a Column each)


class Prepared:
    """A Core statement (select, or insert/update with ``returning``) compiled once per
    dialect; or a function of the dialect's name that builds it (for dialect-specific
    constructs such as ``INSERT ... ON CONFLICT``)."""

    def __init__(self, statement: Executable | Callable[[str], Executable]) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str, str], _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        key = (dialect.name, dialect.driver, dialect.paramstyle)
        compiled = self._compiled.get(key)
        if compiled is None:
            statement = (
                self.statement
                if isinstance(self.statement, Executable)
                else self.statement(dialect.name)
            )
            done = statement.compile(dialect=dialect)
            names = tuple(done.positiontup or ()) if dialect.positional else tuple(done.binds)
            converters: dict[str, Callable[[Any], Any]] = {}
            constants: dict[str, Any] = {}
            # By rendered name (``binds`` also lists anonymous binds by their unrendered key;
            # a bindparam used twice in the statement is one value).
            for bind, name in done.bind_names.items():
                convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if convert is not None:
                    converters[name] = convert
                if not bind.required and bind.callable is None:
                    constants[name] = bind.value if convert is None else convert(bind.value)
            results = []
            for index, column in enumerate(statement.exported_columns):  # type: ignore[attr-defined]
                convert = column.type.dialect_impl(dialect).result_processor(dialect, None)
                if convert is not None:
                    results.append((index, convert))
            returns_rows = bool(list(statement.exported_columns))  # type: ignore[attr-defined]
            compiled = _Compiled(done.string, names, dialect.positional, converters, constants,
                                 tuple(results), returns_rows)  # fmt: skip
            self._compiled[key] = compiled
        return compiled

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run the statement in the connection's transaction; all rows, values converted."""
        compiled = self._compile(connection.dialect)
        values = dict(compiled.constants)
        converters = compiled.converters
        for name, value in params.items():
            convert = converters.get(name)
            values[name] = value if convert is None else convert(value)
        arguments: Any = (
            tuple(values[name] for name in compiled.names) if compiled.positional else values
        )
        if not connection.in_transaction():
            connection.begin()
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, arguments)
            fetched = cursor.fetchall() if compiled.returns_rows else []
        except connection.dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(
                compiled.sql, arguments, error, connection.dialect.loaded_dbapi.Error
            ) from error
        finally:
            cursor.close()
        if not compiled.results:
            return [tuple(row) for row in fetched]
        rows = []
        for row in fetched:
            out = list(row)
            for index, convert in compiled.results:
                out[index] = convert(out[index])
            rows.append(tuple(out))
        return rows

    def first(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, or None."""
        rows = self.rows(connection, params)
        return rows[0] if rows else None
