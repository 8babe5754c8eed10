"""the door's check-in window per event; scans refused outside it are logged as such

Two columns on event (minutes before the start, minutes after the end), the new
``outside_window`` value of ``scan_log.result``, and stored participation facts that count
from their event's start (evidence is never dated in the future: a check-in when the door
opens before the start counts once the event has started). Widening that CHECK constraint on SQLite
rewrites the table's SQL in place, SQLite's documented way to change a constraint without
rebuilding the table (https://sqlite.org/lang_altertable.html, "Making Other Kinds Of Table
Schema Changes"): a rebuild would drop scan_log, and with foreign keys on, that would clear
every check_in.scan_log_id and the table's triggers.

Revision ID: 0016_checkin_window
Revises: 0011
Create Date: 2026-12-07 11:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_checkin_window"
down_revision = "0013_walk_in_records"
branch_labels = None
depends_on = None

OLD_RESULTS = (
    "accepted", "duplicate", "superseded", "invalid", "unknown", "other_event", "cancelled",
    "released", "not_confirmed",
)  # fmt: skip
NEW_RESULTS = (*OLD_RESULTS, "outside_window")
CONSTRAINT = "ck_scan_log_scan_result"

# The stored fact of a new check-in counts from its event's start (participation.triggers).
CHECK_IN_FACT = {
    "sqlite": (
        "DROP TRIGGER IF EXISTS trg_participation_check_in_insert",
        "CREATE TRIGGER IF NOT EXISTS trg_participation_check_in_insert AFTER INSERT ON check_in FOR EACH ROW BEGIN INSERT INTO participation_fact (person_id, event_id, year, kind, source, source_id, counts_from, organisation) SELECT b.person_id, NEW.event_id, CAST(STRFTIME('%Y', e.starts_at) AS INTEGER), 'attended', 'check_in', NEW.id, e.starts_at, lower(trim(p.organisation)) FROM booking b JOIN event e ON e.id = NEW.event_id JOIN person p ON p.id = b.person_id WHERE b.id = NEW.booking_id AND NEW.undone_at IS NULL; END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION participation_check_in_insert() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_fact (person_id, event_id, year, kind, source, source_id, counts_from, organisation) SELECT b.person_id, NEW.event_id, CAST(EXTRACT(year FROM e.starts_at) AS INTEGER), 'attended', 'check_in', NEW.id, e.starts_at, lower(trim(p.organisation)) FROM booking b JOIN event e ON e.id = NEW.event_id JOIN person p ON p.id = b.person_id WHERE b.id = NEW.booking_id AND NEW.undone_at IS NULL;\n  RETURN NULL;\nEND;\n$$",
    ),
}
CHECK_IN_FACT_BEFORE = {
    "sqlite": (
        "DROP TRIGGER IF EXISTS trg_participation_check_in_insert",
        "CREATE TRIGGER IF NOT EXISTS trg_participation_check_in_insert AFTER INSERT ON check_in FOR EACH ROW BEGIN INSERT INTO participation_fact (person_id, event_id, year, kind, source, source_id, counts_from, organisation) SELECT b.person_id, NEW.event_id, CAST(STRFTIME('%Y', e.starts_at) AS INTEGER), 'attended', 'check_in', NEW.id, NULL, lower(trim(p.organisation)) FROM booking b JOIN event e ON e.id = NEW.event_id JOIN person p ON p.id = b.person_id WHERE b.id = NEW.booking_id AND NEW.undone_at IS NULL; END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION participation_check_in_insert() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_fact (person_id, event_id, year, kind, source, source_id, counts_from, organisation) SELECT b.person_id, NEW.event_id, CAST(EXTRACT(year FROM e.starts_at) AS INTEGER), 'attended', 'check_in', NEW.id, NULL, lower(trim(p.organisation)) FROM booking b JOIN event e ON e.id = NEW.event_id JOIN person p ON p.id = b.person_id WHERE b.id = NEW.booking_id AND NEW.undone_at IS NULL;\n  RETURN NULL;\nEND;\n$$",
    ),
}
# Stored facts of events not started yet count from the start, as a rebuild would make them.
FACTS_FROM_START = (
    "UPDATE participation_fact SET counts_from = "
    "(SELECT starts_at FROM event WHERE event.id = participation_fact.event_id) "
    "WHERE counts_from IS NULL OR counts_from < "
    "(SELECT starts_at FROM event WHERE event.id = participation_fact.event_id)"
)


def _in_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _set_results(values: tuple[str, ...], before: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE scan_log DROP CONSTRAINT {CONSTRAINT}")
        op.execute(
            f"ALTER TABLE scan_log ADD CONSTRAINT {CONSTRAINT} "
            f"CHECK (result IN ({_in_list(values)}))"
        )
        return
    old, new = f"IN ({_in_list(before)}))", f"IN ({_in_list(values)}))"
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    changed = bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = replace(sql, :old, :new) "
            "WHERE type = 'table' AND name = 'scan_log' AND instr(sql, :old) > 0"
        ),
        {"old": old, "new": new},
    ).rowcount
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version or 0) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    if changed != 1:
        raise RuntimeError("scan_log's result constraint is not as expected")


def upgrade():
    op.add_column(
        "event",
        sa.Column("check_in_opens_minutes", sa.Integer(), server_default="180", nullable=False),
    )
    op.add_column(
        "event",
        sa.Column("check_in_closes_minutes", sa.Integer(), server_default="0", nullable=False),
    )
    _set_results(NEW_RESULTS, OLD_RESULTS)
    for statement in CHECK_IN_FACT[op.get_bind().dialect.name]:
        op.execute(statement)
    op.execute(FACTS_FROM_START)


def downgrade():
    for statement in CHECK_IN_FACT_BEFORE[op.get_bind().dialect.name]:
        op.execute(statement)
    op.execute("UPDATE scan_log SET result = 'not_confirmed' WHERE result = 'outside_window'")
    _set_results(OLD_RESULTS, NEW_RESULTS)
    op.execute("ALTER TABLE event DROP COLUMN check_in_closes_minutes")
    op.execute("ALTER TABLE event DROP COLUMN check_in_opens_minutes")
