"""Database triggers that mark an event's stored participation facts stale the moment any
record they are derived from changes (check-ins, bookings changing hands, sessions, hosts,
slots, roles, scans, the event itself, a person's organisation), on SQLite and PostgreSQL.

Triggers rather than application hooks: they also see bulk UPDATE/DELETE statements,
cascades from deleted people and events, and writes from any code path or psql session.
"""

from __future__ import annotations

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection

STALE = "participation_stale_event"
INSERT, UPDATE, DELETE = "INSERT", "UPDATE", "DELETE"

_OWN = "SELECT {row}.event_id AS e"
# table -> (operations, a SELECT of the affected event ids (as e) over a row ("NEW"/"OLD")).
_EVENT_OF = {
    "check_in": ((INSERT, UPDATE, DELETE), _OWN),
    # Only a change of holder matters: deleting a booking cascades to its check-ins.
    "booking": (("UPDATE OF person_id",), _OWN),
    "camp_session": ((INSERT, UPDATE, DELETE), _OWN),
    "session_host": (
        (INSERT, UPDATE, DELETE),
        "SELECT event_id AS e FROM camp_session WHERE id = {row}.camp_session_id",
    ),
    "time_slot": ((UPDATE, DELETE), _OWN),
    "event_role": ((INSERT, UPDATE, DELETE), _OWN),
    "scan_log": ((INSERT, UPDATE, DELETE), _OWN),
    "event": (("UPDATE",), "SELECT {row}.id AS e"),
    # Facts carry the organisation: every event the person has facts at.
    "person": (
        ("UPDATE OF organisation",),
        "SELECT DISTINCT event_id AS e FROM participation_fact WHERE person_id = {row}.id",
    ),
}


def _rows(op: str) -> tuple[str, ...]:
    if op == INSERT:
        return ("NEW",)
    if op == DELETE:
        return ("OLD",)
    return ("NEW", "OLD")


def _name(table: str, op: str) -> str:
    return f"trg_participation_stale_{table}_{op.split()[0].lower()}"


def create_statements(dialect: str) -> list[str]:
    """The DDL creating the triggers (idempotent)."""
    statements = []
    if dialect == "postgresql":
        for table, (_ops, expr) in _EVENT_OF.items():
            marks = "\n".join(
                f"  IF TG_OP <> '{skip}' THEN INSERT INTO {STALE} (event_id) "
                f"SELECT e FROM ({expr.format(row=row)}) AS x WHERE e IS NOT NULL "
                "ON CONFLICT DO NOTHING; END IF;"
                for row, skip in (("NEW", DELETE), ("OLD", INSERT))
            )
            statements.append(
                f"CREATE OR REPLACE FUNCTION participation_stale_{table}() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$\nBEGIN\n{marks}\n  RETURN NULL;\nEND;\n$$"
            )
        for table, (ops, _expr) in _EVENT_OF.items():
            for op in ops:
                statements.append(
                    f"CREATE OR REPLACE TRIGGER {_name(table, op)} AFTER {op} ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION participation_stale_{table}()"
                )
        return statements
    for table, (ops, expr) in _EVENT_OF.items():
        for op in ops:
            marks = " ".join(
                f"INSERT OR IGNORE INTO {STALE} (event_id) SELECT e FROM "
                f"({expr.format(row=row)}) WHERE e IS NOT NULL;"
                for row in _rows(op.split()[0])
            )
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {_name(table, op)} AFTER {op} ON {table} "
                f"FOR EACH ROW BEGIN {marks} END"
            )
    return statements


def drop_statements(dialect: str) -> list[str]:
    """The DDL dropping them."""
    statements = []
    for table, (ops, _expr) in _EVENT_OF.items():
        for op in ops:
            on = f" ON {table}" if dialect == "postgresql" else ""
            statements.append(f"DROP TRIGGER IF EXISTS {_name(table, op)}{on}")
        if dialect == "postgresql":
            statements.append(f"DROP FUNCTION IF EXISTS participation_stale_{table}()")
    return statements


def install(metadata: MetaData) -> None:
    """Create the triggers whenever ``create_all`` runs (tests, ``lgcamp init``)."""

    @event.listens_for(metadata, "after_create")
    def _create(target: MetaData, connection: Connection, **_kw: object) -> None:
        for statement in create_statements(connection.dialect.name):
            connection.exec_driver_sql(statement)
