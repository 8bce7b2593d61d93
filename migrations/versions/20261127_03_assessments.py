"""Assessments of non-filers, waivers of interest and fines, certificates of compliance, and what each
period's interest was last computed from.

Revision ID: 20261127_03
Revises: 20261127_02
Create Date: 2026-11-27 07:16:38.265443
"""

from alembic import op
import sqlalchemy as sa


revision = '20261127_03'
down_revision = '20261127_02'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('compliance_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('issued_by', sa.String(length=255), nullable=False),
    sa.Column('issued_by_user_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=255), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_compliance_certificate_employer_id_employer')),
    sa.ForeignKeyConstraint(['issued_by_user_id'], ['user_account.id'], name=op.f('fk_compliance_certificate_issued_by_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_certificate')),
    sa.UniqueConstraint('code', name=op.f('uq_compliance_certificate_code'))
    )
    with op.batch_alter_table('compliance_certificate', schema=None) as batch_op:
        batch_op.create_index('ix_compliance_certificate_employer_id', ['employer_id'], unique=False)

    op.create_table('waiver',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('component', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_by', sa.String(length=255), nullable=False),
    sa.Column('requested_by_user_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=255), nullable=True),
    sa.Column('decided_by_user_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.CheckConstraint("component IN ('interest', 'fine')", name=op.f('ck_waiver_component_known')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_waiver_status_known')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_waiver_amount_positive')),
    sa.CheckConstraint('length(period) = 7', name=op.f('ck_waiver_period_format')),
    sa.ForeignKeyConstraint(['decided_by_user_id'], ['user_account.id'], name=op.f('fk_waiver_decided_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_waiver_employer_id_employer')),
    sa.ForeignKeyConstraint(['requested_by_user_id'], ['user_account.id'], name=op.f('fk_waiver_requested_by_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waiver'))
    )
    with op.batch_alter_table('waiver', schema=None) as batch_op:
        batch_op.create_index('ix_waiver_employer_id', ['employer_id'], unique=False)
        batch_op.create_index('ix_waiver_status', ['status'], unique=False)

    op.create_table('interest_basis',
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('last_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('settled', sa.Boolean(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_interest_basis_employer_id_employer')),
    sa.PrimaryKeyConstraint('employer_id', 'period', name=op.f('pk_interest_basis'))
    )
    op.create_table('assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('basis', sa.String(length=20), nullable=False),
    sa.Column('basis_period', sa.String(length=7), nullable=True),
    sa.Column('head_count', sa.Integer(), nullable=False),
    sa.Column('base_amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('months_missing', sa.Integer(), nullable=False),
    sa.Column('uplift', sa.Numeric(precision=8, scale=4), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('replaced_by_declaration_id', sa.Integer(), nullable=True),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("basis IN ('last_declared', 'head_count')", name=op.f('ck_assessment_basis_known')),
    sa.CheckConstraint("status IN ('active', 'replaced')", name=op.f('ck_assessment_status_known')),
    sa.CheckConstraint('length(period) = 7', name=op.f('ck_assessment_period_format')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_assessment_employer_id_employer')),
    sa.ForeignKeyConstraint(['replaced_by_declaration_id'], ['declaration.id'], name=op.f('fk_assessment_replaced_by_declaration_id_declaration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment')),
    sa.UniqueConstraint('employer_id', 'period', name=op.f('uq_assessment_employer_id_period'))
    )


def downgrade() -> None:
    op.drop_table('assessment')
    op.drop_table('interest_basis')
    with op.batch_alter_table('waiver', schema=None) as batch_op:
        batch_op.drop_index('ix_waiver_status')
        batch_op.drop_index('ix_waiver_employer_id')

    op.drop_table('waiver')
    with op.batch_alter_table('compliance_certificate', schema=None) as batch_op:
        batch_op.drop_index('ix_compliance_certificate_employer_id')

    op.drop_table('compliance_certificate')
