"""Notices to employers, the letters printed for them, and every attempt to deliver a message.

Revision ID: 20261127_04
Revises: 20261127_03
Create Date: 2026-11-27 08:20:35.458315
"""

from alembic import op
import sqlalchemy as sa


revision = '20261127_04'
down_revision = '20261127_03'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('letter_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_code', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.Column('letters', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['scheme_code'], ['scheme.code'], name=op.f('fk_letter_batch_scheme_code_scheme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_batch'))
    )
    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=True),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sms', sa.Text(), nullable=False),
    sa.Column('copy_language', sa.String(length=2), nullable=True),
    sa.Column('copy_subject', sa.String(length=255), nullable=False),
    sa.Column('copy_body', sa.Text(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('read_by_user_id', sa.Integer(), nullable=True),
    sa.Column('letter_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_notice_employer_id_employer')),
    sa.ForeignKeyConstraint(['letter_batch_id'], ['letter_batch.id'], name=op.f('fk_notice_letter_batch_id_letter_batch')),
    sa.ForeignKeyConstraint(['read_by_user_id'], ['user_account.id'], name=op.f('fk_notice_read_by_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice')),
    sa.UniqueConstraint('key', name=op.f('uq_notice_key'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_employer_id_created_at', ['employer_id', 'created_at'], unique=False)
        batch_op.create_index('ix_notice_letter_batch_id', ['letter_batch_id'], unique=False)

    op.create_table('delivery_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.CheckConstraint("result IN ('sent', 'failed')", name=op.f('ck_delivery_attempt_result_known')),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_message.id'], name=op.f('fk_delivery_attempt_message_id_outbox_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_attempt'))
    )
    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_attempt_message_id', ['message_id'], unique=False)

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_notice_id'), ['notice_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_notice_id'))
        batch_op.drop_column('notice_id')

    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_attempt_message_id')

    op.drop_table('delivery_attempt')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_letter_batch_id')
        batch_op.drop_index('ix_notice_employer_id_created_at')

    op.drop_table('notice')
    op.drop_table('letter_batch')
