"""改发: a receipt made by redirecting a returned one names the receipt it replaces

receipt.redirected_from_id. The notice's content digest fixed at 印发 covers the recipients of
the issue; a 改发's receipt is told apart from them by this column.

Revision ID: c3d5a7e9f1b2
Revises: b7c4e2d19a53
Create Date: 2026-12-03 19:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3d5a7e9f1b2'
down_revision = 'b7c4e2d19a53'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('receipt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redirected_from_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_receipt_redirected_from_id_receipt'),
                                    'receipt', ['redirected_from_id'], ['id'])


def downgrade():
    with op.batch_alter_table('receipt', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_receipt_redirected_from_id_receipt'),
                                 type_='foreignkey')
        batch_op.drop_column('redirected_from_id')
