"""Declarations, their lines, the employer account ledger, public holidays, banks, payments,
reconciliation runs and job runs.

Filed declarations and their lines cannot be changed or deleted (only a filed version's status may go from
submitted to superseded), and ledger entries are append-only: triggers refuse it on both databases.

Revision ID: 20261127_02
Revises: 20261127_01
Create Date: 2026-11-27 04:42:57.130828
"""

from alembic import op
import sqlalchemy as sa


revision = '20261127_02'
down_revision = '20261127_01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('public_holiday',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_holiday')),
    sa.UniqueConstraint('country', 'day', name=op.f('uq_public_holiday_country_day'))
    )
    op.create_table('reconciliation_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('started_by', sa.String(length=255), nullable=False),
    sa.Column('examined', sa.Integer(), nullable=False),
    sa.Column('matched_by_reference', sa.Integer(), nullable=False),
    sa.Column('matched_by_employer', sa.Integer(), nullable=False),
    sa.Column('unmatched', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('running', 'finished', 'failed')", name=op.f('ck_reconciliation_run_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_run'))
    )
    op.create_table('bank',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('scheme_code', sa.String(length=20), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('csv_mapping', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['scheme_code'], ['scheme.code'], name=op.f('fk_bank_scheme_code_scheme')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_bank'))
    )
    op.create_table('bank_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_code', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('statement_id', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('new_count', sa.Integer(), nullable=False),
    sa.Column('total', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.String(length=255), nullable=False),
    sa.CheckConstraint("format IN ('camt.053', 'camt.054', 'csv')", name=op.f('ck_bank_statement_format_known')),
    sa.ForeignKeyConstraint(['bank_code'], ['bank.code'], name=op.f('fk_bank_statement_bank_code_bank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statement')),
    sa.UniqueConstraint('bank_code', 'sha256', name=op.f('uq_bank_statement_bank_code_sha256'))
    )
    op.create_table('declaration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('scheme_code', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('is_nil', sa.Boolean(), nullable=False),
    sa.Column('nil_reason', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('rate_employee', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('rate_employer', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('base_floor', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('base_ceiling', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('total_gross', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('total_base', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('total_employee', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('total_employer', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('is_late', sa.Boolean(), nullable=False),
    sa.Column('receipt_number', sa.String(length=30), nullable=True),
    sa.Column('payment_reference', sa.String(length=30), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('filed_by', sa.String(length=255), nullable=True),
    sa.Column('filed_by_user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('original', 'replacement', 'corrective')", name=op.f('ck_declaration_kind_known')),
    sa.CheckConstraint("nil_reason = '' OR is_nil", name=op.f('ck_declaration_nil_reason_only_when_nil')),
    sa.CheckConstraint("status = 'draft' OR (receipt_number IS NOT NULL AND payment_reference IS NOT NULL AND filed_at IS NOT NULL AND version IS NOT NULL)", name=op.f('ck_declaration_filed_has_receipt')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'superseded')", name=op.f('ck_declaration_status_known')),
    sa.CheckConstraint('length(period) = 7', name=op.f('ck_declaration_period_format')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_declaration_employer_id_employer')),
    sa.ForeignKeyConstraint(['filed_by_user_id'], ['user_account.id'], name=op.f('fk_declaration_filed_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['previous_id'], ['declaration.id'], name=op.f('fk_declaration_previous_id_declaration')),
    sa.ForeignKeyConstraint(['scheme_code'], ['scheme.code'], name=op.f('fk_declaration_scheme_code_scheme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration')),
    sa.UniqueConstraint('employer_id', 'period', 'version', name=op.f('uq_declaration_employer_id_period_version')),
    sa.UniqueConstraint('payment_reference', name=op.f('uq_declaration_payment_reference')),
    sa.UniqueConstraint('receipt_number', name=op.f('uq_declaration_receipt_number'))
    )
    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.create_index('ix_declaration_scheme_code_period', ['scheme_code', 'period'], unique=False)
        batch_op.create_index('ux_declaration_one_draft', ['employer_id', 'period'], unique=True, sqlite_where=sa.text("status = 'draft'"), postgresql_where=sa.text("status = 'draft'"))

    op.create_table('declaration_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('employment_id', sa.Integer(), nullable=True),
    sa.Column('gross_wage', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('days_worked', sa.Integer(), nullable=True),
    sa.Column('absence_reason', sa.String(length=20), nullable=True),
    sa.Column('base', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('employee_share', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('employer_share', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('floor_applied', sa.Boolean(), nullable=False),
    sa.Column('ceiling_applied', sa.Boolean(), nullable=False),
    sa.CheckConstraint("absence_reason IS NULL OR absence_reason IN ('sick', 'maternity', 'unpaid_leave', 'work_injury', 'strike', 'other')", name=op.f('ck_declaration_line_absence_reason_known')),
    sa.CheckConstraint('days_worked IS NULL OR days_worked BETWEEN 0 AND 31', name=op.f('ck_declaration_line_days_in_month')),
    sa.CheckConstraint('gross_wage >= 0 AND base >= 0 AND employee_share >= 0 AND employer_share >= 0', name=op.f('ck_declaration_line_amounts_not_negative')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_declaration_line_declaration_id_declaration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employment_id'], ['employment.id'], name=op.f('fk_declaration_line_employment_id_employment')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_declaration_line_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration_line')),
    sa.UniqueConstraint('declaration_id', 'person_id', name=op.f('uq_declaration_line_declaration_id_person_id'))
    )
    with op.batch_alter_table('declaration_line', schema=None) as batch_op:
        batch_op.create_index('ix_declaration_line_person_id', ['person_id'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_code', sa.String(length=20), nullable=False),
    sa.Column('bank_code', sa.String(length=20), nullable=True),
    sa.Column('transaction_id', sa.String(length=100), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('booking_date', sa.Date(), nullable=False),
    sa.Column('value_date', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('payer_name', sa.String(length=255), nullable=False),
    sa.Column('payer_account', sa.String(length=100), nullable=False),
    sa.Column('remittance', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=True),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('match_rule', sa.String(length=20), nullable=True),
    sa.Column('matches', sa.Integer(), nullable=False),
    sa.Column('matched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('matched_by', sa.String(length=255), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=255), nullable=False),
    sa.CheckConstraint("(bank_code IS NULL) = (channel <> 'bank')", name=op.f('ck_payment_bank_or_counter')),
    sa.CheckConstraint("channel IN ('bank', 'cash', 'cheque')", name=op.f('ck_payment_channel_known')),
    sa.CheckConstraint("match_rule IS NULL OR match_rule IN ('reference', 'employer_amount', 'manual')", name=op.f('ck_payment_match_rule_known')),
    sa.CheckConstraint("status <> 'matched' OR employer_id IS NOT NULL", name=op.f('ck_payment_matched_has_employer')),
    sa.CheckConstraint("status IN ('new', 'matched', 'unmatched', 'reversed')", name=op.f('ck_payment_status_known')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payment_amount_positive')),
    sa.ForeignKeyConstraint(['bank_code'], ['bank.code'], name=op.f('fk_payment_bank_code_bank')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_payment_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_payment_employer_id_employer')),
    sa.ForeignKeyConstraint(['scheme_code'], ['scheme.code'], name=op.f('fk_payment_scheme_code_scheme')),
    sa.ForeignKeyConstraint(['statement_id'], ['bank_statement.id'], name=op.f('fk_payment_statement_id_bank_statement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment')),
    sa.UniqueConstraint('bank_code', 'transaction_id', name=op.f('uq_payment_bank_code_transaction_id'))
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index('ix_payment_employer_id', ['employer_id'], unique=False)
        batch_op.create_index('ix_payment_new', ['id'], unique=False, sqlite_where=sa.text("status = 'new'"), postgresql_where=sa.text("status = 'new'"))
        batch_op.create_index('ix_payment_status_value_date', ['status', 'value_date'], unique=False)
        batch_op.create_index('ux_payment_counter_receipt', ['scheme_code', 'transaction_id'], unique=True, sqlite_where=sa.text('bank_code IS NULL'), postgresql_where=sa.text('bank_code IS NULL'))

    op.create_table('ledger_entry',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('component', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('debit', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('credit', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('posting_key', sa.String(length=120), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('posted_by', sa.String(length=255), nullable=False),
    sa.CheckConstraint("component IN ('employee_share', 'employer_share', 'interest', 'fine', 'assessment', 'credit')", name=op.f('ck_ledger_entry_component_known')),
    sa.CheckConstraint("kind IN ('charge', 'charge_reduction', 'payment', 'credit_applied', 'reversal', 'refund')", name=op.f('ck_ledger_entry_kind_known')),
    sa.CheckConstraint('debit >= 0 AND credit >= 0 AND (debit = 0) <> (credit = 0)', name=op.f('ck_ledger_entry_one_side_positive')),
    sa.CheckConstraint('length(period) = 7', name=op.f('ck_ledger_entry_period_format')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_ledger_entry_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_ledger_entry_employer_id_employer')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_ledger_entry_payment_id_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entry')),
    sa.UniqueConstraint('posting_key', name=op.f('uq_ledger_entry_posting_key'))
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entry_declaration_id', ['declaration_id'], unique=False)
        batch_op.create_index('ix_ledger_entry_employer_id_period', ['employer_id', 'period'], unique=False)
        batch_op.create_index('ix_ledger_entry_payment_id', ['payment_id'], unique=False)

    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=60), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('started_by', sa.String(length=255), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('running', 'finished', 'failed')", name=op.f('ck_job_run_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run'))
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index('ix_job_run_job_as_of', ['job', 'as_of'], unique=False)
    _protect_filed_records()


def downgrade() -> None:
    _drop_protection()
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index('ix_job_run_job_as_of')
    op.drop_table('job_run')
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entry_payment_id')
        batch_op.drop_index('ix_ledger_entry_employer_id_period')
        batch_op.drop_index('ix_ledger_entry_declaration_id')

    op.drop_table('ledger_entry')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('ux_payment_counter_receipt', sqlite_where=sa.text('bank_code IS NULL'), postgresql_where=sa.text('bank_code IS NULL'))
        batch_op.drop_index('ix_payment_status_value_date')
        batch_op.drop_index('ix_payment_new', sqlite_where=sa.text("status = 'new'"), postgresql_where=sa.text("status = 'new'"))
        batch_op.drop_index('ix_payment_employer_id')

    op.drop_table('payment')
    with op.batch_alter_table('declaration_line', schema=None) as batch_op:
        batch_op.drop_index('ix_declaration_line_person_id')

    op.drop_table('declaration_line')
    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.drop_index('ux_declaration_one_draft', sqlite_where=sa.text("status = 'draft'"), postgresql_where=sa.text("status = 'draft'"))
        batch_op.drop_index('ix_declaration_scheme_code_period')

    op.drop_table('declaration')
    op.drop_table('bank_statement')
    op.drop_table('bank')
    op.drop_table('reconciliation_run')
    op.drop_table('public_holiday')


# Columns of a filed declaration that nothing may change (SQLite triggers list them; PostgreSQL compares rows).
_FROZEN = ("employer_id", "scheme_code", "period", "version", "kind", "previous_id", "is_nil", "nil_reason",
           "category", "currency", "rate_employee", "rate_employer", "base_floor", "base_ceiling", "revision",
           "line_count", "total_gross", "total_base", "total_employee", "total_employer", "due_date", "is_late",
           "receipt_number", "payment_reference", "created_at", "created_by", "filed_at", "filed_by",
           "filed_by_user_id")


def _protect_filed_records() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'ledger_entry is append-only'; END $$")
        op.execute("CREATE TRIGGER ledger_entry_no_change BEFORE UPDATE OR DELETE ON ledger_entry "
                   "FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()")
        op.execute("CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_entry "
                   "FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_append_only()")
        op.execute(
            "CREATE FUNCTION declaration_filed_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF OLD.status <> 'draft' THEN "
            "  IF TG_OP = 'DELETE' OR (to_jsonb(NEW) - 'status') <> (to_jsonb(OLD) - 'status') "
            "     OR NOT (NEW.status = OLD.status OR (OLD.status = 'submitted' AND NEW.status = 'superseded')) THEN "
            "    RAISE EXCEPTION 'a filed declaration cannot be changed'; "
            "  END IF; "
            "END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$")
        op.execute("CREATE TRIGGER declaration_filed_no_change BEFORE UPDATE OR DELETE ON declaration "
                   "FOR EACH ROW EXECUTE FUNCTION declaration_filed_frozen()")
        op.execute(
            "CREATE FUNCTION declaration_line_filed_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF (TG_OP <> 'INSERT' AND (SELECT status FROM declaration WHERE id = OLD.declaration_id) <> 'draft') "
            "   OR (TG_OP <> 'DELETE' AND (SELECT status FROM declaration WHERE id = NEW.declaration_id) <> 'draft') "
            "THEN "
            "  RAISE EXCEPTION 'the lines of a filed declaration cannot be changed'; "
            "END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$")
        op.execute("CREATE TRIGGER declaration_line_filed_no_change BEFORE INSERT OR UPDATE OR DELETE "
                   "ON declaration_line FOR EACH ROW EXECUTE FUNCTION declaration_line_filed_frozen()")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER ledger_entry_no_{verb.lower()} BEFORE {verb} ON ledger_entry "
                   "BEGIN SELECT RAISE(ABORT, 'ledger_entry is append-only'); END")
    changed = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in _FROZEN)
    op.execute("CREATE TRIGGER declaration_filed_no_update BEFORE UPDATE ON declaration "
               f"WHEN OLD.status <> 'draft' AND ({changed} OR NOT (NEW.status = OLD.status OR "
               "(OLD.status = 'submitted' AND NEW.status = 'superseded'))) "
               "BEGIN SELECT RAISE(ABORT, 'a filed declaration cannot be changed'); END")
    op.execute("CREATE TRIGGER declaration_filed_no_delete BEFORE DELETE ON declaration "
               "WHEN OLD.status <> 'draft' BEGIN SELECT RAISE(ABORT, 'a filed declaration cannot be changed'); END")
    # An update is checked on both sides: a line may not leave a filed declaration nor be moved into one.
    for verb, condition in (
        ("INSERT", "(SELECT status FROM declaration WHERE id = NEW.declaration_id) <> 'draft'"),
        ("UPDATE", "(SELECT status FROM declaration WHERE id = OLD.declaration_id) <> 'draft' OR "
                   "(SELECT status FROM declaration WHERE id = NEW.declaration_id) <> 'draft'"),
        ("DELETE", "(SELECT status FROM declaration WHERE id = OLD.declaration_id) <> 'draft'"),
    ):
        op.execute(f"CREATE TRIGGER declaration_line_filed_no_{verb.lower()} BEFORE {verb} ON declaration_line "
                   f"WHEN {condition} "
                   "BEGIN SELECT RAISE(ABORT, 'the lines of a filed declaration cannot be changed'); END")


def _drop_protection() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS declaration_line_filed_no_change ON declaration_line")
        op.execute("DROP TRIGGER IF EXISTS declaration_filed_no_change ON declaration")
        op.execute("DROP TRIGGER IF EXISTS ledger_entry_no_truncate ON ledger_entry")
        op.execute("DROP TRIGGER IF EXISTS ledger_entry_no_change ON ledger_entry")
        for function in ("declaration_line_filed_frozen", "declaration_filed_frozen", "ledger_entry_append_only"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
        return
    for name in ("ledger_entry_no_update", "ledger_entry_no_delete", "declaration_filed_no_update",
                 "declaration_filed_no_delete", "declaration_line_filed_no_insert", "declaration_line_filed_no_update",
                 "declaration_line_filed_no_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
