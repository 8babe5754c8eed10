"""pitch queue order; hosts without an account yet

SQLite rebuilds session_host to make person_id nullable (and camp_session when downgrading),
which drops the participation triggers on it: they are created again here, as frozen DDL.

Revision ID: 0018_pitch_queue
Revises: 0011
Create Date: 2026-12-07 11:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_pitch_queue'
down_revision = '0017_event_changes'
branch_labels = None
depends_on = None

SQLITE_SESSION_HOST_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS trg_participation_session_host_insert AFTER INSERT ON session_host FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT event_id AS e FROM camp_session WHERE id = NEW.camp_session_id) AS x WHERE e IS NOT NULL; END",
    "CREATE TRIGGER IF NOT EXISTS trg_participation_session_host_update AFTER UPDATE ON session_host FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT event_id AS e FROM camp_session WHERE id = NEW.camp_session_id) AS x WHERE e IS NOT NULL; INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT event_id AS e FROM camp_session WHERE id = OLD.camp_session_id) AS x WHERE e IS NOT NULL; END",
    "CREATE TRIGGER IF NOT EXISTS trg_participation_session_host_delete AFTER DELETE ON session_host FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT event_id AS e FROM camp_session WHERE id = OLD.camp_session_id) AS x WHERE e IS NOT NULL; END",
)

SQLITE_CAMP_SESSION_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS trg_participation_camp_session_insert AFTER INSERT ON camp_session FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL; END",
    "CREATE TRIGGER IF NOT EXISTS trg_participation_camp_session_update AFTER UPDATE ON camp_session FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT NEW.event_id AS e) AS x WHERE e IS NOT NULL; INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL; END",
    "CREATE TRIGGER IF NOT EXISTS trg_participation_camp_session_delete AFTER DELETE ON camp_session FOR EACH ROW BEGIN INSERT OR IGNORE INTO participation_stale_event (event_id) SELECT e FROM (SELECT OLD.event_id AS e) AS x WHERE e IS NOT NULL; END",
)


def _restore_sqlite_triggers(statements):
    if op.get_bind().dialect.name == 'sqlite':
        for statement in statements:
            op.execute(statement)


def upgrade():
    with op.batch_alter_table('camp_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queue_position', sa.Integer(), nullable=True))
    # Pitches made before: their order of creation is the queue order.
    op.execute(
        "UPDATE camp_session SET queue_position = ("
        " SELECT COUNT(*) FROM camp_session AS earlier"
        " WHERE earlier.event_id = camp_session.event_id"
        " AND (earlier.created_at < camp_session.created_at"
        " OR (earlier.created_at = camp_session.created_at AND earlier.id <= camp_session.id)))"
    )
    with op.batch_alter_table('camp_session', schema=None) as batch_op:
        batch_op.create_index('ix_camp_session_queue', ['event_id', 'queue_position'], unique=True)

    with op.batch_alter_table('session_host', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('name', sa.String(length=120), server_default='', nullable=False)
        )
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(
            op.f('ck_session_host_account_or_name'), "person_id IS NOT NULL OR name <> ''"
        )
    _restore_sqlite_triggers(SQLITE_SESSION_HOST_TRIGGERS)


def downgrade():
    # Hosts without an account cannot be kept by the older schema.
    op.execute("DELETE FROM session_host WHERE person_id IS NULL")
    if op.get_bind().dialect.name == 'sqlite':
        # A trigger naming camp_session would stop SQLite renaming the rebuilt table into place.
        for operation in ('insert', 'update', 'delete'):
            op.execute(f"DROP TRIGGER IF EXISTS trg_participation_session_host_{operation}")
    with op.batch_alter_table('session_host', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_session_host_account_or_name'), type_='check')
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('name')

    with op.batch_alter_table('camp_session', schema=None) as batch_op:
        batch_op.drop_index('ix_camp_session_queue')
        batch_op.drop_column('queue_position')
    _restore_sqlite_triggers(SQLITE_CAMP_SESSION_TRIGGERS + SQLITE_SESSION_HOST_TRIGGERS)
