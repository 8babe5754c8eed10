"""run the scan-log participation trigger only for scans by a person (WHEN clause)

A scan by a scanner link has no person and never adds a volunteer's first scan, so the
trigger's body need not run for it: on PostgreSQL that saves a PL/pgSQL call on every scan.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 10:45:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

WITH_WHEN: dict[str, tuple[str, ...]] = {
    'sqlite': (
        'DROP TRIGGER IF EXISTS trg_participation_scan_log_insert',
        "CREATE TRIGGER IF NOT EXISTS trg_participation_scan_log_insert AFTER INSERT ON scan_log FOR EACH ROW WHEN NEW.person_id IS NOT NULL BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e WHERE NEW.person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM participation_fact f WHERE f.person_id = NEW.person_id AND f.event_id = NEW.event_id AND f.source = 'scan_log')) AS x WHERE e IS NOT NULL; END",
    ),
    'postgresql': (
        'DROP TRIGGER IF EXISTS trg_participation_scan_log_insert ON scan_log',
        "CREATE OR REPLACE FUNCTION participation_scan_log_insert() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e WHERE NEW.person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM participation_fact f WHERE f.person_id = NEW.person_id AND f.event_id = NEW.event_id AND f.source = 'scan_log')) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$",
        'CREATE OR REPLACE TRIGGER trg_participation_scan_log_insert AFTER INSERT ON scan_log FOR EACH ROW WHEN (NEW.person_id IS NOT NULL) EXECUTE FUNCTION participation_scan_log_insert()',
    ),
}

WITHOUT_WHEN: dict[str, tuple[str, ...]] = {
    'sqlite': (
        'DROP TRIGGER IF EXISTS trg_participation_scan_log_insert',
        "CREATE TRIGGER IF NOT EXISTS trg_participation_scan_log_insert AFTER INSERT ON scan_log FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e WHERE NEW.person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM participation_fact f WHERE f.person_id = NEW.person_id AND f.event_id = NEW.event_id AND f.source = 'scan_log')) AS x WHERE e IS NOT NULL; END",
    ),
    'postgresql': (
        'DROP TRIGGER IF EXISTS trg_participation_scan_log_insert ON scan_log',
        "CREATE OR REPLACE FUNCTION participation_scan_log_insert() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e WHERE NEW.person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM participation_fact f WHERE f.person_id = NEW.person_id AND f.event_id = NEW.event_id AND f.source = 'scan_log')) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$",
        'CREATE OR REPLACE TRIGGER trg_participation_scan_log_insert AFTER INSERT ON scan_log FOR EACH ROW EXECUTE FUNCTION participation_scan_log_insert()',
    ),
}


def upgrade():
    for statement in WITH_WHEN[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in WITHOUT_WHEN[op.get_bind().dialect.name]:
        op.execute(statement)
