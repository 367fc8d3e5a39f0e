"""audit entry scheme and digest

The audit chain becomes keyed (HMAC-SHA256 under a key kept outside the database). Each entry says
how its hash was made: the entries already written keep their plain SHA-256 and are marked scheme 0
(verified as they were, and reported as written before the key); every entry written from now on is
scheme 1. `digest` holds the SHA-256 of the content an action fixed (a notice's text and recipients
at 签发 and 印发, a report's text and files at 上报); the entries written before have none.

Revision ID: 87b5c7348958
Revises: 3c5e2b7d9a10
Create Date: 2026-11-24 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '87b5c7348958'
down_revision = '3c5e2b7d9a10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sa.String(length=64), nullable=True))
        # The rows already there were hashed without a key: scheme 0. The default is only for them.
        batch_op.add_column(sa.Column('scheme', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('scheme', server_default=None)


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('scheme')
        batch_op.drop_column('digest')
