"""Risk scores keep what is overdue per aging bucket in columns (summed in SQL by the dashboard) instead of a
JSON object, and the scores and the monthly facts carry the employer's province and sector, so the
dashboard filters them without a join to the registry.  An employer has at most one open inspection case
(a unique index: two inspectors opening one at once get one case).  Both derived tables are derived and rewritten each night:
they are emptied here and filled again by the next run of ``compute_risk``.

Revision ID: 20261127_06
Revises: 20261127_05
Create Date: 2026-11-27 10:14:27.717703
"""

from alembic import op
import sqlalchemy as sa


revision = '20261127_06'
down_revision = '20261127_05'
branch_labels = None
depends_on = None

BUCKETS = ('overdue_1', 'overdue_2', 'overdue_3', 'overdue_4', 'overdue_5')


def upgrade() -> None:
    op.execute("DELETE FROM risk_score")
    op.execute("DELETE FROM compliance_month")
    with op.batch_alter_table('risk_score', schema=None) as batch_op:
        batch_op.add_column(sa.Column('province_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('sector_code', sa.String(length=4), nullable=True))
        for name in BUCKETS:
            batch_op.add_column(sa.Column(name, sa.Numeric(precision=18, scale=2), nullable=False))
        batch_op.drop_column('aging')
    with op.batch_alter_table('compliance_month', schema=None) as batch_op:
        batch_op.add_column(sa.Column('province_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('sector_code', sa.String(length=4), nullable=True))
    with op.batch_alter_table('inspection_case', schema=None) as batch_op:
        batch_op.create_index('ux_inspection_case_one_open', ['employer_id'], unique=True,
                              sqlite_where=sa.text("status != 'closed'"),
                              postgresql_where=sa.text("status != 'closed'"))


def downgrade() -> None:
    with op.batch_alter_table('inspection_case', schema=None) as batch_op:
        batch_op.drop_index('ux_inspection_case_one_open')
    op.execute("DELETE FROM risk_score")
    op.execute("DELETE FROM compliance_month")
    with op.batch_alter_table('compliance_month', schema=None) as batch_op:
        batch_op.drop_column('sector_code')
        batch_op.drop_column('province_code')
    with op.batch_alter_table('risk_score', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aging', sa.JSON(), nullable=False))
        for name in reversed(BUCKETS):
            batch_op.drop_column(name)
        batch_op.drop_column('sector_code')
        batch_op.drop_column('province_code')
