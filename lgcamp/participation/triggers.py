"""Database triggers that keep the stored participation facts from ever being behind the records.

Triggers rather than application hooks: they also see bulk UPDATE and DELETE statements,
cascades from deleted people and events, and writes from any code path.
"""

from __future__ import annotations

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection

STALE = "participation_stale_event"
FACT = "participation_fact"

_OWN = "SELECT {row}.event_id AS e"
_FIRST_SCAN = (
    "SELECT {row}.event_id AS e WHERE {row}.person_id IS NOT NULL AND NOT EXISTS ("
    f"SELECT 1 FROM {FACT} f WHERE f.person_id = {{row}}.person_id "
    "AND f.event_id = {row}.event_id AND f.source = 'scan_log')"
)
# (table, operation) -> a SELECT of the event ids (as e) to mark stale, over "NEW"/"OLD": any
# change to a record the evidence rests on marks its event stale, in the same transaction.
_MARKS: dict[tuple[str, str], str] = {
    ("check_in", "UPDATE OF booking_id, event_id, undone_at"): _OWN,
    ("check_in", "DELETE"): _OWN,
    # Only a change of holder matters: deleting a booking cascades to its check-ins.
    ("booking", "UPDATE OF person_id"): _OWN,
    ("camp_session", "INSERT"): _OWN,
    ("camp_session", "UPDATE"): _OWN,
    ("camp_session", "DELETE"): _OWN,
    **{
        ("session_host", op): "SELECT event_id AS e FROM camp_session "
        "WHERE id = {row}.camp_session_id"
        for op in ("INSERT", "UPDATE", "DELETE")
    },
    ("time_slot", "UPDATE"): _OWN,
    ("time_slot", "DELETE"): _OWN,
    ("event_role", "INSERT"): _OWN,
    ("event_role", "UPDATE"): _OWN,
    ("event_role", "DELETE"): _OWN,
    # Scans count once per person and event: only a first scan (or a change) matters.
    ("scan_log", "INSERT"): _FIRST_SCAN,
    ("scan_log", "UPDATE OF person_id, event_id"): _OWN,
    ("scan_log", "DELETE"): _OWN,
    ("event", "UPDATE"): "SELECT {row}.id AS e",
    # Facts carry the organisation: every event the person has facts at.
    ("person", "UPDATE OF organisation"): (
        f"SELECT DISTINCT event_id AS e FROM {FACT} WHERE person_id = {{row}}.id"
    ),
}

# A trigger that matters only for some rows says so in a WHEN clause, so that the database
# does not run its body at all for the others: every scan logs a row, and scans by a scanner
# link (no person) are never a volunteer's first scan.
_WHEN: dict[tuple[str, str], str] = {("scan_log", "INSERT"): "NEW.person_id IS NOT NULL"}

_YEAR = {
    "sqlite": "CAST(STRFTIME('%Y', e.starts_at) AS INTEGER)",
    "postgresql": "CAST(EXTRACT(year FROM e.starts_at) AS INTEGER)",
}


def _add_check_in_fact(dialect: str) -> str:
    """The fact of a new accepted check-in (the rules of ``facts.fact_rows``): it counts from
    the event's start, even when the door opened before it."""
    return (
        f"INSERT INTO {FACT} (person_id, event_id, year, kind, source, source_id, "
        "counts_from, organisation) "
        f"SELECT b.person_id, NEW.event_id, {_YEAR[dialect]}, 'attended', 'check_in', NEW.id, "
        "e.starts_at, lower(trim(p.organisation)) FROM booking b "
        "JOIN event e ON e.id = NEW.event_id "
        "JOIN person p ON p.id = b.person_id WHERE b.id = NEW.booking_id "
        "AND NEW.undone_at IS NULL"
    )


def _rows(op: str) -> tuple[str, ...]:
    verb = op.split()[0]
    return {"INSERT": ("NEW",), "DELETE": ("OLD",)}.get(verb, ("NEW", "OLD"))


def _name(table: str, op: str) -> str:
    return f"participation_{table}_{op.split()[0].lower()}"


def _bodies(dialect: str) -> dict[tuple[str, str], list[str]]:
    ignore = "INSERT OR IGNORE INTO" if dialect == "sqlite" else "INSERT INTO"
    conflict = "" if dialect == "sqlite" else " ON CONFLICT DO NOTHING"
    bodies: dict[tuple[str, str], list[str]] = {
        # A new check-in adds its fact at once: it is the common write during a camp, so a
        # camp's door does not make its event stale.
        ("check_in", "INSERT"): [_add_check_in_fact(dialect)]
    }
    for (table, op), select in _MARKS.items():
        bodies[(table, op)] = [
            f"{ignore} {STALE} (event_id) SELECT e FROM ({select.format(row=row)}) AS x "
            f"WHERE e IS NOT NULL{conflict}"
            for row in _rows(op)
        ]
    return bodies


def create_statements(dialect: str) -> list[str]:
    """The DDL creating the triggers (idempotent)."""
    statements = []
    for (table, op), body in _bodies(dialect).items():
        statements += _create_trigger(dialect, table, op, body, _WHEN.get((table, op)))
    return statements


def recreate_statements(dialect: str, table: str, op: str, with_when: bool = True) -> list[str]:
    """Drop and create one trigger again (for migrations that change its WHEN condition)."""
    name = _name(table, op)
    drop = f"DROP TRIGGER IF EXISTS trg_{name}" + (
        f" ON {table}" if dialect == "postgresql" else ""
    )
    when = _WHEN.get((table, op)) if with_when else None
    return [drop, *_create_trigger(dialect, table, op, _bodies(dialect)[(table, op)], when)]


def _create_trigger(
    dialect: str, table: str, op: str, body: list[str], when: str | None
) -> list[str]:
    name = _name(table, op)
    if dialect == "postgresql":
        steps = "\n".join(f"  {step};" for step in body)
        condition = f" WHEN ({when})" if when else ""
        return [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{steps}\n  RETURN NULL;\nEND;\n$$",
            f"CREATE OR REPLACE TRIGGER trg_{name} AFTER {op} ON {table} "
            f"FOR EACH ROW{condition} EXECUTE FUNCTION {name}()",
        ]
    steps = " ".join(f"{step};" for step in body)
    condition = f" WHEN {when}" if when else ""
    return [
        f"CREATE TRIGGER IF NOT EXISTS trg_{name} AFTER {op} ON {table} "
        f"FOR EACH ROW{condition} BEGIN {steps} END"
    ]


def drop_statements(dialect: str) -> list[str]:
    """The DDL dropping them."""
    statements = []
    for table, op in _bodies(dialect):
        name = _name(table, op)
        if dialect == "postgresql":
            statements.append(f"DROP TRIGGER IF EXISTS trg_{name} ON {table}")
            statements.append(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            statements.append(f"DROP TRIGGER IF EXISTS trg_{name}")
    return statements


def install(metadata: MetaData) -> None:
    """Create the triggers whenever ``create_all`` runs (tests, ``lgcamp init``)."""

    @event.listens_for(metadata, "after_create")
    def _create(target: MetaData, connection: Connection, **_kw: object) -> None:
        for statement in create_statements(connection.dialect.name):
            connection.exec_driver_sql(statement)
