"""the 主办 department's 承办人 named by name

incoming_assignment.person_id: when 拟办 or 批办 names the person who handles a 收文, not only the
department.

Revision ID: 5c1e8a7f2b90
Revises: 2a4a68505d71
Create Date: 2026-12-03 16:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5c1e8a7f2b90'
down_revision = '2a4a68505d71'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incoming_assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_incoming_assignment_person_id_user_account'),
                                    'user_account', ['person_id'], ['id'])


def downgrade():
    with op.batch_alter_table('incoming_assignment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_incoming_assignment_person_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_column('person_id')
