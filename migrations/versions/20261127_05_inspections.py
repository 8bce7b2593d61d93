"""Inspections: monthly compliance facts, risk scores, inspectors' provinces, cases with their events and files, and workers' reports.

Revision ID: 20261127_05
Revises: 20261127_04
Create Date: 2026-11-27 09:33:50.355598
"""

from alembic import op
import sqlalchemy as sa


revision = '20261127_05'
down_revision = '20261127_04'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('risk_score',
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('scheme_code', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('band', sa.String(length=10), nullable=False),
    sa.Column('factors', sa.JSON(), nullable=False),
    sa.Column('months_not_filed', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('oldest_due', sa.Date(), nullable=True),
    sa.Column('aging', sa.JSON(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_risk_score_employer_id_employer')),
    sa.ForeignKeyConstraint(['scheme_code'], ['scheme.code'], name=op.f('fk_risk_score_scheme_code_scheme')),
    sa.PrimaryKeyConstraint('employer_id', name=op.f('pk_risk_score'))
    )
    with op.batch_alter_table('risk_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_score_scheme_code'), ['scheme_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_score_score'), ['score'], unique=False)

    op.create_table('inspection_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('reason_note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('risk_score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.String(length=255), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL AND outcome IS NOT NULL)", name=op.f('ck_inspection_case_closed_has_outcome')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('no_breach', 'assessed', 'warning', 'referred')", name=op.f('ck_inspection_case_outcome_known')),
    sa.CheckConstraint("reason IN ('risk', 'non_filer', 'arrears', 'worker_report', 'other')", name=op.f('ck_inspection_case_reason_known')),
    sa.CheckConstraint("status IN ('open', 'in_progress', 'closed')", name=op.f('ck_inspection_case_status_known')),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['user_account.id'], name=op.f('fk_inspection_case_assigned_to_id_user_account')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_inspection_case_employer_id_employer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_case'))
    )
    with op.batch_alter_table('inspection_case', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_case_assigned_to_id_status', ['assigned_to_id', 'status'], unique=False)
        batch_op.create_index('ix_inspection_case_employer_id', ['employer_id'], unique=False)

    op.create_table('inspector_area',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_inspector_area_region_code_region')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_inspector_area_user_id_user_account')),
    sa.PrimaryKeyConstraint('user_id', 'region_code', name=op.f('pk_inspector_area'))
    )
    op.create_table('case_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.CheckConstraint('size > 0 AND size <= 5242880', name=op.f('ck_case_attachment_size_limited')),
    sa.ForeignKeyConstraint(['case_id'], ['inspection_case.id'], name=op.f('fk_case_attachment_case_id_inspection_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_attachment'))
    )
    with op.batch_alter_table('case_attachment', schema=None) as batch_op:
        batch_op.create_index('ix_case_attachment_case_id', ['case_id'], unique=False)

    op.create_table('compliance_month',
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('scheme_code', sa.String(length=20), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('filed', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('assessed', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('workers', sa.Integer(), nullable=False),
    sa.Column('wages', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('charged', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('paid', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('paid_by_due', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('employer_id', 'period', name=op.f('pk_compliance_month'))
    )
    with op.batch_alter_table('compliance_month', schema=None) as batch_op:
        batch_op.create_index('ix_compliance_month_scheme_code_period', ['scheme_code', 'period'], unique=False)

    op.create_table('worker_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('claimed_wage', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=255), nullable=True),
    sa.CheckConstraint("kind IN ('not_declared', 'wrong_wage')", name=op.f('ck_worker_report_kind_known')),
    sa.CheckConstraint("status IN ('open', 'in_case', 'dismissed', 'resolved')", name=op.f('ck_worker_report_status_known')),
    sa.CheckConstraint('claimed_wage IS NULL OR claimed_wage >= 0', name=op.f('ck_worker_report_claimed_wage_positive')),
    sa.CheckConstraint('length(period) = 7', name=op.f('ck_worker_report_period_format')),
    sa.ForeignKeyConstraint(['case_id'], ['inspection_case.id'], name=op.f('fk_worker_report_case_id_inspection_case')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_worker_report_employer_id_employer')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_worker_report_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worker_report'))
    )
    with op.batch_alter_table('worker_report', schema=None) as batch_op:
        batch_op.create_index('ix_worker_report_employer_id_period', ['employer_id', 'period'], unique=False)
        batch_op.create_index('ix_worker_report_person_id', ['person_id'], unique=False)

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.CheckConstraint("kind IN ('opened', 'note', 'visit', 'attachment', 'assessment', 'reassigned', 'closed')", name=op.f('ck_case_event_kind_known')),
    sa.ForeignKeyConstraint(['attachment_id'], ['case_attachment.id'], name=op.f('fk_case_event_attachment_id_case_attachment')),
    sa.ForeignKeyConstraint(['case_id'], ['inspection_case.id'], name=op.f('fk_case_event_case_id_inspection_case')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_case_event_declaration_id_declaration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_event'))
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index('ix_case_event_case_id', ['case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index('ix_case_event_case_id')

    op.drop_table('case_event')
    with op.batch_alter_table('worker_report', schema=None) as batch_op:
        batch_op.drop_index('ix_worker_report_person_id')
        batch_op.drop_index('ix_worker_report_employer_id_period')

    op.drop_table('worker_report')
    with op.batch_alter_table('compliance_month', schema=None) as batch_op:
        batch_op.drop_index('ix_compliance_month_scheme_code_period')

    op.drop_table('compliance_month')
    with op.batch_alter_table('case_attachment', schema=None) as batch_op:
        batch_op.drop_index('ix_case_attachment_case_id')

    op.drop_table('case_attachment')
    op.drop_table('inspector_area')
    with op.batch_alter_table('inspection_case', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_case_employer_id')
        batch_op.drop_index('ix_inspection_case_assigned_to_id_status')

    op.drop_table('inspection_case')
    with op.batch_alter_table('risk_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_score_score'))
        batch_op.drop_index(batch_op.f('ix_risk_score_scheme_code'))

    op.drop_table('risk_score')
