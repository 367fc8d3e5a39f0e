"""signed documents: the 签发稿's file hashes, the stored 正式文件, the units' signing keys

attachment.sha256: the SHA-256 of a file's bytes, taken when the store wrote them (the digests of
签发, 印发 and 上报 cover it; None on files stored before).
signing_certificate: the deployment's CA, the CAs trusted, and each unit's signing certificate with
its private key encrypted under the signing secret kept outside the database.
notice.official_*: the 正式文件 made once at 印发 (its key in the file store, its SHA-256, when,
and the certificate it was signed with), and verify_code, the secret part of its QR code's address.

Revision ID: 9d2e4b7c1f08
Revises: 8e3f0b6a9d21
Create Date: 2026-12-03 16:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d2e4b7c1f08'
down_revision = '8e3f0b6a9d21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), nullable=True))

    op.create_table('signing_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('is_ca', sa.Boolean(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('issuer_fingerprint', sa.String(length=64), nullable=True),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('not_after', sa.DateTime(), nullable=False),
    sa.Column('certificate_der', sa.LargeBinary(), nullable=False),
    sa.Column('private_key', sa.LargeBinary(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_signing_certificate_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_certificate')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_signing_certificate_fingerprint'))
    )
    with op.batch_alter_table('signing_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_certificate_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('official_file_key', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('official_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('official_made_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('official_certificate_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('verify_code', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_notice_official_sha256'), ['official_sha256'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notice_official_certificate_id_signing_certificate'), 'signing_certificate', ['official_certificate_id'], ['id'])


def downgrade():
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notice_official_certificate_id_signing_certificate'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notice_official_sha256'))
        batch_op.drop_column('verify_code')
        batch_op.drop_column('official_certificate_id')
        batch_op.drop_column('official_made_at')
        batch_op.drop_column('official_sha256')
        batch_op.drop_column('official_file_key')

    with op.batch_alter_table('signing_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_certificate_unit_id'))
    op.drop_table('signing_certificate')

    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_column('sha256')
