"""event changes emailed to ticket holders, the bulk email log, per-session calendar sequence

Revision ID: 0017_event_changes
Revises: 0011
Create Date: 2026-12-07 11:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_event_changes'
down_revision = '0016_checkin_window'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('changed', 'cancelled', name='event_change_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['person.id'], name=op.f('fk_event_change_actor_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_change_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_change'))
    )
    with op.batch_alter_table('event_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_change_event_id'), ['event_id'], unique=False)

    op.create_table('bulk_email',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('audience', sa.String(length=32), nullable=False),
    sa.Column('ticket_type_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=150), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['person.id'], name=op.f('fk_bulk_email_actor_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_bulk_email_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_type_id'], ['ticket_type.id'], name=op.f('fk_bulk_email_ticket_type_id_ticket_type'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_email')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_bulk_email_idempotency_key'))
    )
    with op.batch_alter_table('bulk_email', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulk_email_event_id'), ['event_id'], unique=False)

    # Plain ALTER TABLE, not batch mode: on SQLite batch mode recreates the table, which the
    # participation triggers on camp_session and session_host do not survive.
    op.add_column('camp_session', sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))
    # Feeds used to give every session the event's SEQUENCE plus the grid version; start each
    # session there, so that no calendar sees a session's SEQUENCE go down.
    op.execute(
        "UPDATE camp_session SET sequence = COALESCE((SELECT programme_state.grid_version "
        "FROM programme_state WHERE programme_state.event_id = camp_session.event_id), 0)"
    )


def downgrade():
    op.drop_column('camp_session', 'sequence')  # SQLite 3.35+ drops a column in place

    with op.batch_alter_table('bulk_email', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulk_email_event_id'))
    op.drop_table('bulk_email')

    with op.batch_alter_table('event_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_change_event_id'))
    op.drop_table('event_change')
