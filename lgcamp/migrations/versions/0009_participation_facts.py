"""participation facts for reports: the fact table, stale-event marks and their triggers

Every existing event starts marked stale, so reports are exact at once (read from the records)
and `lgcamp tick` fills the facts. The trigger DDL is frozen here as it was written (per
dialect), so that this revision does not depend on live code.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 08:47:09.081844

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

CREATE_TRIGGERS: dict[str, tuple[str, ...]] = {
    'sqlite': (
        "CREATE TRIGGER IF NOT EXISTS trg_participation_check_in_insert AFTER INSERT ON check_in FOR EACH ROW BEGIN INSERT INTO participation_fact (person_id, event_id, year, kind, source, source_id, counts_from, organisation) SELECT b.person_id, NEW.event_id, CAST(STRFTIME('%Y', e.starts_at) AS INTEGER), 'attended', 'check_in', NEW.id, NULL, lower(trim(p.organisation)) FROM booking b JOIN event e ON e.id = NEW.event_id JOIN person p ON p.id = b.person_id WHERE b.id = NEW.booking_id AND NEW.undone_at IS NULL; END",
        'CREATE TRIGGER IF NOT EXISTS trg_participation_check_in_update AFTER UPDATE OF booking_id, event_id, undone_at ON check_in FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL; INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_check_in_delete AFTER DELETE ON check_in FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_booking_update AFTER UPDATE OF person_id ON booking FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL; INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_camp_session_insert AFTER INSERT ON camp_session FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_camp_session_update AFTER UPDATE ON camp_session FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL; INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_camp_session_delete AFTER DELETE ON camp_session FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_session_host_insert AFTER INSERT ON session_host FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT event_id AS e FROM camp_session WHERE id = NEW.camp_session_id) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_session_host_update AFTER UPDATE ON session_host FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT event_id AS e FROM camp_session WHERE id = NEW.camp_session_id) AS x WHERE e IS NOT NULL; INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT event_id AS e FROM camp_session WHERE id = OLD.camp_session_id) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_session_host_delete AFTER DELETE ON session_host FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT event_id AS e FROM camp_session WHERE id = OLD.camp_session_id) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_time_slot_update AFTER UPDATE ON time_slot FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL; INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_time_slot_delete AFTER DELETE ON time_slot FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_event_role_insert AFTER INSERT ON event_role FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_event_role_update AFTER UPDATE ON event_role FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL; INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_event_role_delete AFTER DELETE ON event_role FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL; END',
        "CREATE TRIGGER IF NOT EXISTS trg_participation_scan_log_insert AFTER INSERT ON scan_log FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e WHERE NEW.person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM participation_fact f WHERE f.person_id = NEW.person_id AND f.event_id = NEW.event_id AND f.source = 'scan_log')) AS x WHERE e IS NOT NULL; END",
        'CREATE TRIGGER IF NOT EXISTS trg_participation_scan_log_update AFTER UPDATE OF person_id, event_id ON scan_log FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL; INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_scan_log_delete AFTER DELETE ON scan_log FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_event_update AFTER UPDATE ON event FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.id AS e) AS x WHERE e IS NOT NULL; INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.id AS e) AS x WHERE e IS NOT NULL; END',
        'CREATE TRIGGER IF NOT EXISTS trg_participation_person_update AFTER UPDATE OF organisation ON person FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT DISTINCT event_id AS e FROM participation_fact WHERE person_id = NEW.id) AS x WHERE e IS NOT NULL; INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT DISTINCT event_id AS e FROM participation_fact WHERE person_id = OLD.id) AS x WHERE e IS NOT NULL; END',
    ),
    'postgresql': (
        "CREATE OR REPLACE FUNCTION participation_check_in_insert() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_fact (person_id, event_id, year, kind, source, source_id, counts_from, organisation) SELECT b.person_id, NEW.event_id, CAST(EXTRACT(year FROM e.starts_at) AS INTEGER), 'attended', 'check_in', NEW.id, NULL, lower(trim(p.organisation)) FROM booking b JOIN event e ON e.id = NEW.event_id JOIN person p ON p.id = b.person_id WHERE b.id = NEW.booking_id AND NEW.undone_at IS NULL;\n  RETURN NULL;\nEND;\n$$",
        'CREATE OR REPLACE TRIGGER trg_participation_check_in_insert AFTER INSERT ON check_in FOR EACH ROW EXECUTE FUNCTION participation_check_in_insert()',
        'CREATE OR REPLACE FUNCTION participation_check_in_update() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_check_in_update AFTER UPDATE OF booking_id, event_id, undone_at ON check_in FOR EACH ROW EXECUTE FUNCTION participation_check_in_update()',
        'CREATE OR REPLACE FUNCTION participation_check_in_delete() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_check_in_delete AFTER DELETE ON check_in FOR EACH ROW EXECUTE FUNCTION participation_check_in_delete()',
        'CREATE OR REPLACE FUNCTION participation_booking_update() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_booking_update AFTER UPDATE OF person_id ON booking FOR EACH ROW EXECUTE FUNCTION participation_booking_update()',
        'CREATE OR REPLACE FUNCTION participation_camp_session_insert() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_camp_session_insert AFTER INSERT ON camp_session FOR EACH ROW EXECUTE FUNCTION participation_camp_session_insert()',
        'CREATE OR REPLACE FUNCTION participation_camp_session_update() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_camp_session_update AFTER UPDATE ON camp_session FOR EACH ROW EXECUTE FUNCTION participation_camp_session_update()',
        'CREATE OR REPLACE FUNCTION participation_camp_session_delete() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_camp_session_delete AFTER DELETE ON camp_session FOR EACH ROW EXECUTE FUNCTION participation_camp_session_delete()',
        'CREATE OR REPLACE FUNCTION participation_session_host_insert() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT event_id AS e FROM camp_session WHERE id = NEW.camp_session_id) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_session_host_insert AFTER INSERT ON session_host FOR EACH ROW EXECUTE FUNCTION participation_session_host_insert()',
        'CREATE OR REPLACE FUNCTION participation_session_host_update() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT event_id AS e FROM camp_session WHERE id = NEW.camp_session_id) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT event_id AS e FROM camp_session WHERE id = OLD.camp_session_id) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_session_host_update AFTER UPDATE ON session_host FOR EACH ROW EXECUTE FUNCTION participation_session_host_update()',
        'CREATE OR REPLACE FUNCTION participation_session_host_delete() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT event_id AS e FROM camp_session WHERE id = OLD.camp_session_id) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_session_host_delete AFTER DELETE ON session_host FOR EACH ROW EXECUTE FUNCTION participation_session_host_delete()',
        'CREATE OR REPLACE FUNCTION participation_time_slot_update() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_time_slot_update AFTER UPDATE ON time_slot FOR EACH ROW EXECUTE FUNCTION participation_time_slot_update()',
        'CREATE OR REPLACE FUNCTION participation_time_slot_delete() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_time_slot_delete AFTER DELETE ON time_slot FOR EACH ROW EXECUTE FUNCTION participation_time_slot_delete()',
        'CREATE OR REPLACE FUNCTION participation_event_role_insert() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_event_role_insert AFTER INSERT ON event_role FOR EACH ROW EXECUTE FUNCTION participation_event_role_insert()',
        'CREATE OR REPLACE FUNCTION participation_event_role_update() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_event_role_update AFTER UPDATE ON event_role FOR EACH ROW EXECUTE FUNCTION participation_event_role_update()',
        'CREATE OR REPLACE FUNCTION participation_event_role_delete() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_event_role_delete AFTER DELETE ON event_role FOR EACH ROW EXECUTE FUNCTION participation_event_role_delete()',
        "CREATE OR REPLACE FUNCTION participation_scan_log_insert() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e WHERE NEW.person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM participation_fact f WHERE f.person_id = NEW.person_id AND f.event_id = NEW.event_id AND f.source = 'scan_log')) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$",
        'CREATE OR REPLACE TRIGGER trg_participation_scan_log_insert AFTER INSERT ON scan_log FOR EACH ROW EXECUTE FUNCTION participation_scan_log_insert()',
        'CREATE OR REPLACE FUNCTION participation_scan_log_update() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_scan_log_update AFTER UPDATE OF person_id, event_id ON scan_log FOR EACH ROW EXECUTE FUNCTION participation_scan_log_update()',
        'CREATE OR REPLACE FUNCTION participation_scan_log_delete() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_scan_log_delete AFTER DELETE ON scan_log FOR EACH ROW EXECUTE FUNCTION participation_scan_log_delete()',
        'CREATE OR REPLACE FUNCTION participation_event_update() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.id AS e) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_event_update AFTER UPDATE ON event FOR EACH ROW EXECUTE FUNCTION participation_event_update()',
        'CREATE OR REPLACE FUNCTION participation_person_update() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT DISTINCT event_id AS e FROM participation_fact WHERE person_id = NEW.id) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  INSERT INTO participation_stale_event (event_id) SELECT e FROM (SELECT DISTINCT event_id AS e FROM participation_fact WHERE person_id = OLD.id) AS x WHERE e IS NOT NULL ON CONFLICT DO NOTHING;\n  RETURN NULL;\nEND;\n$$',
        'CREATE OR REPLACE TRIGGER trg_participation_person_update AFTER UPDATE OF organisation ON person FOR EACH ROW EXECUTE FUNCTION participation_person_update()',
    ),
}

DROP_TRIGGERS: dict[str, tuple[str, ...]] = {
    'sqlite': (
        'DROP TRIGGER IF EXISTS trg_participation_check_in_insert',
        'DROP TRIGGER IF EXISTS trg_participation_check_in_update',
        'DROP TRIGGER IF EXISTS trg_participation_check_in_delete',
        'DROP TRIGGER IF EXISTS trg_participation_booking_update',
        'DROP TRIGGER IF EXISTS trg_participation_camp_session_insert',
        'DROP TRIGGER IF EXISTS trg_participation_camp_session_update',
        'DROP TRIGGER IF EXISTS trg_participation_camp_session_delete',
        'DROP TRIGGER IF EXISTS trg_participation_session_host_insert',
        'DROP TRIGGER IF EXISTS trg_participation_session_host_update',
        'DROP TRIGGER IF EXISTS trg_participation_session_host_delete',
        'DROP TRIGGER IF EXISTS trg_participation_time_slot_update',
        'DROP TRIGGER IF EXISTS trg_participation_time_slot_delete',
        'DROP TRIGGER IF EXISTS trg_participation_event_role_insert',
        'DROP TRIGGER IF EXISTS trg_participation_event_role_update',
        'DROP TRIGGER IF EXISTS trg_participation_event_role_delete',
        'DROP TRIGGER IF EXISTS trg_participation_scan_log_insert',
        'DROP TRIGGER IF EXISTS trg_participation_scan_log_update',
        'DROP TRIGGER IF EXISTS trg_participation_scan_log_delete',
        'DROP TRIGGER IF EXISTS trg_participation_event_update',
        'DROP TRIGGER IF EXISTS trg_participation_person_update',
    ),
    'postgresql': (
        'DROP TRIGGER IF EXISTS trg_participation_check_in_insert ON check_in',
        'DROP FUNCTION IF EXISTS participation_check_in_insert()',
        'DROP TRIGGER IF EXISTS trg_participation_check_in_update ON check_in',
        'DROP FUNCTION IF EXISTS participation_check_in_update()',
        'DROP TRIGGER IF EXISTS trg_participation_check_in_delete ON check_in',
        'DROP FUNCTION IF EXISTS participation_check_in_delete()',
        'DROP TRIGGER IF EXISTS trg_participation_booking_update ON booking',
        'DROP FUNCTION IF EXISTS participation_booking_update()',
        'DROP TRIGGER IF EXISTS trg_participation_camp_session_insert ON camp_session',
        'DROP FUNCTION IF EXISTS participation_camp_session_insert()',
        'DROP TRIGGER IF EXISTS trg_participation_camp_session_update ON camp_session',
        'DROP FUNCTION IF EXISTS participation_camp_session_update()',
        'DROP TRIGGER IF EXISTS trg_participation_camp_session_delete ON camp_session',
        'DROP FUNCTION IF EXISTS participation_camp_session_delete()',
        'DROP TRIGGER IF EXISTS trg_participation_session_host_insert ON session_host',
        'DROP FUNCTION IF EXISTS participation_session_host_insert()',
        'DROP TRIGGER IF EXISTS trg_participation_session_host_update ON session_host',
        'DROP FUNCTION IF EXISTS participation_session_host_update()',
        'DROP TRIGGER IF EXISTS trg_participation_session_host_delete ON session_host',
        'DROP FUNCTION IF EXISTS participation_session_host_delete()',
        'DROP TRIGGER IF EXISTS trg_participation_time_slot_update ON time_slot',
        'DROP FUNCTION IF EXISTS participation_time_slot_update()',
        'DROP TRIGGER IF EXISTS trg_participation_time_slot_delete ON time_slot',
        'DROP FUNCTION IF EXISTS participation_time_slot_delete()',
        'DROP TRIGGER IF EXISTS trg_participation_event_role_insert ON event_role',
        'DROP FUNCTION IF EXISTS participation_event_role_insert()',
        'DROP TRIGGER IF EXISTS trg_participation_event_role_update ON event_role',
        'DROP FUNCTION IF EXISTS participation_event_role_update()',
        'DROP TRIGGER IF EXISTS trg_participation_event_role_delete ON event_role',
        'DROP FUNCTION IF EXISTS participation_event_role_delete()',
        'DROP TRIGGER IF EXISTS trg_participation_scan_log_insert ON scan_log',
        'DROP FUNCTION IF EXISTS participation_scan_log_insert()',
        'DROP TRIGGER IF EXISTS trg_participation_scan_log_update ON scan_log',
        'DROP FUNCTION IF EXISTS participation_scan_log_update()',
        'DROP TRIGGER IF EXISTS trg_participation_scan_log_delete ON scan_log',
        'DROP FUNCTION IF EXISTS participation_scan_log_delete()',
        'DROP TRIGGER IF EXISTS trg_participation_event_update ON event',
        'DROP FUNCTION IF EXISTS participation_event_update()',
        'DROP TRIGGER IF EXISTS trg_participation_person_update ON person',
        'DROP FUNCTION IF EXISTS participation_person_update()',
    ),
}


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('participation_stale_event',
    sa.Column('event_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_participation_stale_event'))
    )
    op.create_table('participation_fact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('counts_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('organisation', sa.String(length=160), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_participation_fact_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_participation_fact_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participation_fact'))
    )
    with op.batch_alter_table('participation_fact', schema=None) as batch_op:
        batch_op.create_index('ix_participation_fact_event_id', ['event_id'], unique=False)
        batch_op.create_index('ix_participation_fact_person_year', ['person_id', 'year', 'counts_from', 'event_id'], unique=False)
        batch_op.create_index('ix_participation_fact_year_organisation', ['year', 'organisation', 'counts_from', 'event_id'], unique=False)
        batch_op.create_index('ix_participation_fact_year_person', ['year', 'person_id', 'counts_from', 'event_id'], unique=False)

    # ### end Alembic commands ###
    op.execute("INSERT INTO participation_stale_event (event_id) SELECT id FROM event")
    for statement in CREATE_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('participation_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_participation_fact_year_person')
        batch_op.drop_index('ix_participation_fact_year_organisation')
        batch_op.drop_index('ix_participation_fact_person_year')
        batch_op.drop_index('ix_participation_fact_event_id')

    op.drop_table('participation_fact')
    op.drop_table('participation_stale_event')
    # ### end Alembic commands ###
