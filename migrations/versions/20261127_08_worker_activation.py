"""Activation of workers' accounts: ``worker_activation`` holds each start of an activation (the hash of the
token that leads to the code page, the person whose details matched or none, the e-mail chosen, an HMAC of
the code sent by SMS, its expiry and the tries made).  Starts are counted per address and per hashed social
security number within the last hour, so both have an index with the time.

Revision ID: 20261127_08
Revises: 20261127_07
Create Date: 2026-11-27 11:02:14.508211
"""

from alembic import op
import sqlalchemy as sa


revision = '20261127_08'
down_revision = '20261127_07'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('worker_activation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('ssn_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_worker_activation_attempts_positive')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_worker_activation_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worker_activation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_worker_activation_token_hash'))
    )
    with op.batch_alter_table('worker_activation', schema=None) as batch_op:
        batch_op.create_index('ix_worker_activation_ip_created_at', ['ip', 'created_at'], unique=False)
        batch_op.create_index('ix_worker_activation_ssn_hash_created_at', ['ssn_hash', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('worker_activation', schema=None) as batch_op:
        batch_op.drop_index('ix_worker_activation_ssn_hash_created_at')
        batch_op.drop_index('ix_worker_activation_ip_created_at')
    op.drop_table('worker_activation')
