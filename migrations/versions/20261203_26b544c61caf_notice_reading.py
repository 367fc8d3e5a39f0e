"""notice reading

notice_reading records the first time each person of a recipient unit opened an issued notice
(已读): one row per notice and person, with the recipient unit through which they see it, indexed
by notice and unit for the tracking matrix.

Revision ID: 26b544c61caf
Revises: 043a9c945ba1
Create Date: 2026-11-25 00:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '26b544c61caf'
down_revision = '043a9c945ba1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notice_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('first_read_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], name=op.f('fk_notice_reading_notice_id_notice')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_notice_reading_unit_id_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notice_reading_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_reading')),
    sa.UniqueConstraint('notice_id', 'user_id', name=op.f('uq_notice_reading_notice_id_user_id'))
    )
    with op.batch_alter_table('notice_reading', schema=None) as batch_op:
        batch_op.create_index('ix_notice_reading_notice_unit', ['notice_id', 'unit_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('notice_reading', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_reading_notice_unit')
    op.drop_table('notice_reading')
