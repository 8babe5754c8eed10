"""the door's check-in window per event; scans refused outside it are logged as such

Two columns on event (minutes before the start, minutes after the end), and the new
``outside_window`` value of ``scan_log.result``. Widening that CHECK constraint on SQLite
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
down_revision = "0011"
branch_labels = None
depends_on = None

OLD_RESULTS = (
    "accepted", "duplicate", "superseded", "invalid", "unknown", "other_event", "cancelled",
    "released", "not_confirmed",
)  # fmt: skip
NEW_RESULTS = (*OLD_RESULTS, "outside_window")
CONSTRAINT = "ck_scan_log_scan_result"


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


def downgrade():
    op.execute("UPDATE scan_log SET result = 'not_confirmed' WHERE result = 'outside_window'")
    _set_results(OLD_RESULTS, NEW_RESULTS)
    op.execute("ALTER TABLE event DROP COLUMN check_in_closes_minutes")
    op.execute("ALTER TABLE event DROP COLUMN check_in_opens_minutes")
