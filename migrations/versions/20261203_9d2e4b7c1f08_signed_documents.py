"""signed documents: the 签发稿's file hashes, the stored 正式文件, the units' signing keys

attachment.sha256: the SHA-256 of a file's bytes, taken when the store wrote them (the digests of
签发, 印发 and 上报 cover it; None on files stored before).

Revision ID: 9d2e4b7c1f08
Revises: 2a4a68505d71
Create Date: 2026-12-03 16:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d2e4b7c1f08'
down_revision = '2a4a68505d71'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_column('sha256')
