"""API tokens of employers (only the SHA-256 of a token is stored, with a short hint, its scope, expiry, last
use and revocation) and the answers kept for idempotent requests (by scope and client key, with the request's
fingerprint; purged after a week).

Revision ID: 20261127_10
Revises: 20261127_09
Create Date: 2026-11-27 13:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '20261127_10'
down_revision = '20261127_09'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotent_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotent_request')),
    sa.UniqueConstraint('scope', 'key', name=op.f('uq_idempotent_request_scope_key'))
    )
    with op.batch_alter_table('idempotent_request', schema=None) as batch_op:
        batch_op.create_index('ix_idempotent_request_created_at', ['created_at'], unique=False)
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=255), nullable=True),
    sa.CheckConstraint("scope IN ('read', 'write')", name=op.f('ck_api_token_scope_known')),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_api_token_expires_after_creation')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_api_token_employer_id_employer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_employer_id'), ['employer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_employer_id'))

    op.drop_table('api_token')
    with op.batch_alter_table('idempotent_request', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotent_request_created_at')
    op.drop_table('idempotent_request')
