"""汇总上报: a report carries its sub-units' accepted reports by reference

Revision ID: b7c4e2d19a53
Revises: 9d2e4b7c1f08
Create Date: 2026-12-03 17:05:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7c4e2d19a53'
down_revision = '9d2e4b7c1f08'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_inclusion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('included_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['included_id'], ['report.id'], name=op.f('fk_report_inclusion_included_id_report')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_inclusion_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_inclusion')),
    sa.UniqueConstraint('report_id', 'included_id', name=op.f('uq_report_inclusion_report_id_included_id'))
    )
    with op.batch_alter_table('report_inclusion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_inclusion_report_id'), ['report_id'], unique=False)


def downgrade():
    with op.batch_alter_table('report_inclusion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_inclusion_report_id'))
    op.drop_table('report_inclusion')
