"""run the scan-log participation trigger only for scans by a person (WHEN clause)

A scan by a scanner link has no person and never adds a volunteer's first scan, so the
trigger's body need not run for it: on PostgreSQL that saves a PL/pgSQL call on every scan.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 10:45:00

"""

from alembic import op

from lgcamp.participation.triggers import recreate_statements

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    for statement in recreate_statements(op.get_bind().dialect.name, "scan_log", "INSERT"):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in recreate_statements(dialect, "scan_log", "INSERT", with_when=False):
        op.execute(statement)
