"""转发: a notice names the notice it forwards, a report request the request it passes down

notice.forwards_id (indexed: the tree is walked from the root down) and
report_request.source_request_id.

Revision ID: 8e3f0b6a9d21
Revises: 5c1e8a7f2b90
Create Date: 2026-12-03 16:45:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '8e3f0b6a9d21'
down_revision = '5c1e8a7f2b90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forwards_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notice_forwards_id'), ['forwards_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notice_forwards_id_notice'),
                                    'notice', ['forwards_id'], ['id'])
    with op.batch_alter_table('report_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_report_request_source_request_id_report_request'),
                                    'report_request', ['source_request_id'], ['id'])


def downgrade():
    with op.batch_alter_table('report_request', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_report_request_source_request_id_report_request'), type_='foreignkey')
        batch_op.drop_column('source_request_id')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notice_forwards_id_notice'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notice_forwards_id'))
        batch_op.drop_column('forwards_id')
