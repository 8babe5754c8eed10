"""walk-ins kept as typed by a scanner link, until the person confirms

Revision ID: 0013_walk_in_records
Revises: 0011
Create Date: 2026-12-07 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_walk_in_records'
down_revision = '0012_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('walk_in_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('ticket_type_id', sa.Integer(), nullable=False),
    sa.Column('scan_log_id', sa.Integer(), nullable=True),
    sa.Column('scan_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organisation', sa.String(length=160), nullable=False),
    sa.Column('door_label', sa.String(length=60), nullable=False),
    sa.Column('scanner_link_id', sa.Integer(), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('linked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], name=op.f('fk_walk_in_record_booking_id_booking'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_walk_in_record_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['linked_by_id'], ['person.id'], name=op.f('fk_walk_in_record_linked_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registered_by_id'], ['person.id'], name=op.f('fk_walk_in_record_registered_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scan_log_id'], ['scan_log.id'], name=op.f('fk_walk_in_record_scan_log_id_scan_log'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scanner_link_id'], ['scanner_link.id'], name=op.f('fk_walk_in_record_scanner_link_id_scanner_link'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_type_id'], ['ticket_type.id'], name=op.f('fk_walk_in_record_ticket_type_id_ticket_type'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_walk_in_record')),
    sa.UniqueConstraint('scan_id', name=op.f('uq_walk_in_record_scan_id'))
    )
    with op.batch_alter_table('walk_in_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_walk_in_record_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('walk_in_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_walk_in_record_event_id'))
    op.drop_table('walk_in_record')
