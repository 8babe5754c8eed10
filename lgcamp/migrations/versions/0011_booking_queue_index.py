"""index for the end of a ticket type's waitlist

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index('ix_booking_type_queue', ['ticket_type_id', 'queue_position'], unique=False)


def downgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_type_queue')
