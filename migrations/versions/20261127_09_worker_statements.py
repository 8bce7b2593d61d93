"""Workers' statements of contributions: one row per statement issued, with its verification code (unique, in
the certificates' format), the person, the range of months (``YYYY-MM``, the first not after the last), the
language it is printed in and who issued it when.  The figures are not stored: they are printed from the
record each time the statement is downloaded.

Revision ID: 20261127_09
Revises: 20261127_08
Create Date: 2026-11-27 11:20:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '20261127_09'
down_revision = '20261127_08'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('worker_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('first_period', sa.String(length=7), nullable=False),
    sa.Column('last_period', sa.String(length=7), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=255), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint('length(first_period) = 7', name=op.f('ck_worker_statement_first_period_format')),
    sa.CheckConstraint('length(last_period) = 7', name=op.f('ck_worker_statement_last_period_format')),
    sa.CheckConstraint('first_period <= last_period', name=op.f('ck_worker_statement_range_ordered')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_worker_statement_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worker_statement')),
    sa.UniqueConstraint('code', name=op.f('uq_worker_statement_code'))
    )
    with op.batch_alter_table('worker_statement', schema=None) as batch_op:
        batch_op.create_index('ix_worker_statement_person_id', ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('worker_statement', schema=None) as batch_op:
        batch_op.drop_index('ix_worker_statement_person_id')
    op.drop_table('worker_statement')
