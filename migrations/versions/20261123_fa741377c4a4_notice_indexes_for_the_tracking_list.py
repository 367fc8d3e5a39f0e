"""notice indexes for the tracking list

A unit's notices in a state now also come in the order they were issued
(ix_notice_issuer_state_issued replaces ix_notice_issuer_state, whose columns it begins with), and
a unit's notices whatever their state likewise (ix_notice_issuer_issued): the 督办's list of
notices reads the open ones and then the newest of the rest along them, without a sort of every
notice the unit ever issued.

Revision ID: fa741377c4a4
Revises: 4a8adc090298
Create Date: 2026-11-23 00:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'fa741377c4a4'
down_revision = '4a8adc090298'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_issuer_state_issued',
                              ['issuer_unit_id', 'state', 'issued_at', 'id'], unique=False)
        batch_op.create_index('ix_notice_issuer_issued', ['issuer_unit_id', 'issued_at', 'id'],
                              unique=False)
        batch_op.drop_index('ix_notice_issuer_state')


def downgrade():
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_issuer_state', ['issuer_unit_id', 'state'], unique=False)
        batch_op.drop_index('ix_notice_issuer_issued')
        batch_op.drop_index('ix_notice_issuer_state_issued')
