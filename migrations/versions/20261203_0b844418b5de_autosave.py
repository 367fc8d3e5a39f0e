"""autosave: what a person typed into a form and has not saved yet

One row per person and form (the notice draft, new or edited; a unit's report; the registration
of a 收文): the form's fields as JSON text and when they were last kept. Read back only by the
person who typed them.

Revision ID: 0b844418b5de
Revises: 4f6a2c8e1d37
Create Date: 2026-12-03 19:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0b844418b5de'
down_revision = '4f6a2c8e1d37'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('autosave',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('form_key', sa.String(length=60), nullable=False),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_autosave_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_autosave')),
    sa.UniqueConstraint('user_id', 'form_key', name=op.f('uq_autosave_user_id_form_key'))
    )


def downgrade():
    op.drop_table('autosave')
