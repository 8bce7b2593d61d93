"""A worker's account is linked to one person, whose contribution record it reads: ``user_account`` gains
``person_id`` (a foreign key to ``person``, unique: one account per person), allowed only on accounts with
the worker role (a check constraint), so that an employer's or a staff account can never be read as someone's
record.  Existing accounts keep it empty; the link is set when a worker account is activated.

Revision ID: 20261127_07
Revises: 20261127_06
Create Date: 2026-11-27 10:38:27.912853
"""

from alembic import op
import sqlalchemy as sa


revision = '20261127_07'
down_revision = '20261127_06'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_person_id'), ['person_id'])
        batch_op.create_foreign_key(batch_op.f('fk_user_account_person_id_person'), 'person', ['person_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_user_account_person_only_for_workers'),
                                         "person_id IS NULL OR role = 'worker'")


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_account_person_only_for_workers'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_user_account_person_id_person'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_user_account_person_id'), type_='unique')
        batch_op.drop_column('person_id')
