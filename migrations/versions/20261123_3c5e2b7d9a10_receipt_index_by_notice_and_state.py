"""receipt index by notice and state

After every acknowledgement the engine asks whether any 主送 unit of the notice still has a pending
receipt (commands.tracking._anything_outstanding, for the auto-close): along
ix_receipt_notice_state that is one index probe, however many of a large notice's receipts are
already signed for, where the (notice_id, unit_id) unique index made it walk them all.

Revision ID: 3c5e2b7d9a10
Revises: fa741377c4a4
Create Date: 2026-11-23 00:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c5e2b7d9a10'
down_revision = 'fa741377c4a4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('receipt', schema=None) as batch_op:
        batch_op.create_index('ix_receipt_notice_state', ['notice_id', 'state'], unique=False)


def downgrade():
    with op.batch_alter_table('receipt', schema=None) as batch_op:
        batch_op.drop_index('ix_receipt_notice_state')
