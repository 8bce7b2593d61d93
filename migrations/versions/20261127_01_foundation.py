"""Foundation, registry and scheme parameters: schemes and their dated parameters, reference lists (regions, sectors),
employers and their dated profiles, user accounts, single-use tokens, persons and employments, worker-file uploads,
number counters, the audit log and the outbox.

The audit log is append-only: triggers refuse UPDATE and DELETE on both databases.

Revision ID: 20261127_01
Revises: 
Create Date: 2026-11-27 01:09:47.571853
"""

from alembic import op
import sqlalchemy as sa


revision = '20261127_01'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('number_sequence',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_number_sequence'))
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('social_security_number', sa.String(length=20), nullable=False),
    sa.Column('document_type', sa.String(length=20), nullable=False),
    sa.Column('document_country', sa.String(length=2), nullable=False),
    sa.Column('document_number', sa.String(length=40), nullable=False),
    sa.Column('given_name', sa.String(length=120), nullable=False),
    sa.Column('family_name', sa.String(length=120), nullable=False),
    sa.Column('given_name_latin', sa.String(length=120), nullable=False),
    sa.Column('family_name_latin', sa.String(length=120), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('nationality', sa.String(length=2), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("document_type IN ('national_id', 'passport', 'family_book', 'residence_permit')", name=op.f('ck_person_document_type_known')),
    sa.CheckConstraint("sex IN ('F', 'M')", name=op.f('ck_person_sex_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('document_type', 'document_country', 'document_number', name=op.f('uq_person_document_type_document_country_document_number')),
    sa.UniqueConstraint('social_security_number', name=op.f('uq_person_social_security_number'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_identity', ['family_name_latin', 'given_name_latin', 'birth_date'], unique=False)

    op.create_table('region',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('parent_code', sa.String(length=20), nullable=True),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.CheckConstraint("level IN ('province', 'district')", name=op.f('ck_region_level_known')),
    sa.ForeignKeyConstraint(['parent_code'], ['region.code'], name=op.f('fk_region_parent_code_region')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_region'))
    )
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_country'), ['country'], unique=False)

    op.create_table('scheme',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('institution_names', sa.JSON(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('languages', sa.String(length=64), nullable=False),
    sa.Column('registry_settings', sa.JSON(), nullable=False),
    sa.CheckConstraint('length(country) = 2', name=op.f('ck_scheme_country_alpha2')),
    sa.CheckConstraint('length(currency) = 3', name=op.f('ck_scheme_currency_alpha3')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_scheme'))
    )
    op.create_table('sector',
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_sector'))
    )
    op.create_table('employer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_code', sa.String(length=20), nullable=False),
    sa.Column('employer_number', sa.String(length=20), nullable=True),
    sa.Column('tax_number', sa.String(length=30), nullable=False),
    sa.Column('registration_number', sa.String(length=50), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('ceased_on', sa.Date(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('legal_name', sa.String(length=255), nullable=False),
    sa.Column('legal_name_latin', sa.String(length=255), nullable=False),
    sa.Column('trading_name', sa.String(length=255), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('sector_code', sa.String(length=4), nullable=True),
    sa.Column('region_code', sa.String(length=20), nullable=True),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=255), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('preferred_language', sa.String(length=5), nullable=False),
    sa.CheckConstraint("(status = 'ceased') = (ceased_on IS NOT NULL)", name=op.f('ck_employer_ceased_has_date')),
    sa.CheckConstraint("preferred_language IN ('lo', 'tg', 'ru', 'en')", name=op.f('ck_employer_language_known')),
    sa.CheckConstraint("status IN ('pending', 'rework', 'rejected') OR employer_number IS NOT NULL", name=op.f('ck_employer_registered_has_number')),
    sa.CheckConstraint("status IN ('pending', 'rework', 'rejected', 'active', 'suspended', 'ceased')", name=op.f('ck_employer_status_known')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_employer_region_code_region')),
    sa.ForeignKeyConstraint(['scheme_code'], ['scheme.code'], name=op.f('fk_employer_scheme_code_scheme')),
    sa.ForeignKeyConstraint(['sector_code'], ['sector.code'], name=op.f('fk_employer_sector_code_sector')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer')),
    sa.UniqueConstraint('employer_number', name=op.f('uq_employer_employer_number'))
    )
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.create_index('ix_employer_scheme_tax_number', ['scheme_code', 'tax_number'], unique=False)

    op.create_table('scheme_parameter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('value', sa.String(length=60), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(length=12), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=255), nullable=False),
    sa.CheckConstraint("confidence IN ('confirmed', 'likely', 'unconfirmed')", name=op.f('ck_scheme_parameter_confidence_known')),
    sa.ForeignKeyConstraint(['scheme_code'], ['scheme.code'], name=op.f('fk_scheme_parameter_scheme_code_scheme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheme_parameter')),
    sa.UniqueConstraint('scheme_code', 'name', 'category', 'valid_from', name=op.f('uq_scheme_parameter_scheme_code_name_category_valid_from'))
    )
    op.create_table('employer_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=255), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('legal_name', sa.String(length=255), nullable=False),
    sa.Column('legal_name_latin', sa.String(length=255), nullable=False),
    sa.Column('trading_name', sa.String(length=255), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('sector_code', sa.String(length=4), nullable=True),
    sa.Column('region_code', sa.String(length=20), nullable=True),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=255), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('preferred_language', sa.String(length=5), nullable=False),
    sa.CheckConstraint("preferred_language IN ('lo', 'tg', 'ru', 'en')", name=op.f('ck_employer_profile_language_known')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_employer_profile_employer_id_employer')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_employer_profile_region_code_region')),
    sa.ForeignKeyConstraint(['sector_code'], ['sector.code'], name=op.f('fk_employer_profile_sector_code_sector')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_profile'))
    )
    with op.batch_alter_table('employer_profile', schema=None) as batch_op:
        batch_op.create_index('ix_employer_profile_employer_id_valid_from', ['employer_id', 'valid_from'], unique=False)

    op.create_table('employment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('hired_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.Column('job_title', sa.String(length=120), nullable=False),
    sa.Column('contract_type', sa.String(length=20), nullable=False),
    sa.Column('monthly_wage', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("contract_type IN ('permanent', 'fixed_term', 'casual', 'apprentice')", name=op.f('ck_employment_contract_type_known')),
    sa.CheckConstraint('(ended_on IS NULL) = (end_reason IS NULL)', name=op.f('ck_employment_end_has_reason')),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= hired_on', name=op.f('ck_employment_ends_after_start')),
    sa.CheckConstraint('monthly_wage >= 0', name=op.f('ck_employment_wage_not_negative')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_employment_employer_id_employer')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_employment_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employment'))
    )
    with op.batch_alter_table('employment', schema=None) as batch_op:
        batch_op.create_index('ix_employment_employer_hired', ['employer_id', 'hired_on', 'id'], unique=False)
        batch_op.create_index('ix_employment_employer_person', ['employer_id', 'person_id'], unique=False)
        batch_op.create_index('ix_employment_person_id', ['person_id'], unique=False)

    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('valid_rows', sa.Integer(), nullable=False),
    sa.Column('imported_rows', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('validated', 'imported', 'discarded')", name=op.f('ck_import_batch_status_known')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_import_batch_employer_id_employer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index('ix_import_batch_employer_id_sha256', ['employer_id', 'sha256'], unique=False)

    op.create_table('possible_duplicate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('similar_person_id', sa.Integer(), nullable=False),
    sa.Column('reported_by_employer_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'same_person', 'different_people')", name=op.f('ck_possible_duplicate_status_known')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_possible_duplicate_person_id_person')),
    sa.ForeignKeyConstraint(['reported_by_employer_id'], ['employer.id'], name=op.f('fk_possible_duplicate_reported_by_employer_id_employer')),
    sa.ForeignKeyConstraint(['similar_person_id'], ['person.id'], name=op.f('fk_possible_duplicate_similar_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_possible_duplicate')),
    sa.UniqueConstraint('person_id', 'similar_person_id', name=op.f('uq_possible_duplicate_person_id_similar_person_id'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(role IN ('employer_admin', 'employer_clerk')) = (employer_id IS NOT NULL)", name=op.f('ck_user_account_employer_roles_bound')),
    sa.CheckConstraint("locale IS NULL OR locale IN ('lo', 'tg', 'ru', 'en')", name=op.f('ck_user_account_locale_known')),
    sa.CheckConstraint("role IN ('employer_admin', 'employer_clerk', 'inspector', 'supervisor', 'sysadmin', 'worker')", name=op.f('ck_user_account_role_known')),
    sa.CheckConstraint('failed_logins >= 0', name=op.f('ck_user_account_failed_logins_positive')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_user_account_employer_id_employer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_employer_id'), ['employer_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=255), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_actor_user_id', ['actor_user_id'], unique=False)
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index('ix_audit_event_occurred_at', ['occurred_at'], unique=False)
    _make_audit_append_only()

    op.create_table('one_time_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=30), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("purpose IN ('password_reset', 'invitation', 'application_edit')", name=op.f('ck_one_time_token_purpose_known')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_one_time_token_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_one_time_token_token_hash'))
    )
    with op.batch_alter_table('one_time_token', schema=None) as batch_op:
        batch_op.create_index('ix_one_time_token_subject', ['purpose', 'subject_id'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('employer_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f('ck_outbox_message_channel_known')),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_outbox_message_status_known')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_outbox_message_employer_id_employer')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_outbox_message_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['status', 'next_attempt_at'], unique=False)



def _make_audit_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )


def _drop_audit_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_due')

    op.drop_table('outbox_message')
    with op.batch_alter_table('one_time_token', schema=None) as batch_op:
        batch_op.drop_index('ix_one_time_token_subject')

    op.drop_table('one_time_token')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_occurred_at')
        batch_op.drop_index('ix_audit_event_object')
        batch_op.drop_index('ix_audit_event_actor_user_id')

    _drop_audit_triggers()
    op.drop_table('audit_event')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_employer_id'))

    op.drop_table('user_account')
    op.drop_table('possible_duplicate')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_import_batch_employer_id_sha256')

    op.drop_table('import_batch')
    with op.batch_alter_table('employment', schema=None) as batch_op:
        batch_op.drop_index('ix_employment_person_id')
        batch_op.drop_index('ix_employment_employer_person')
        batch_op.drop_index('ix_employment_employer_hired')

    op.drop_table('employment')
    with op.batch_alter_table('employer_profile', schema=None) as batch_op:
        batch_op.drop_index('ix_employer_profile_employer_id_valid_from')

    op.drop_table('employer_profile')
    op.drop_table('scheme_parameter')
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.drop_index('ix_employer_scheme_tax_number')

    op.drop_table('employer')
    op.drop_table('sector')
    op.drop_table('scheme')
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_country'))

    op.drop_table('region')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_identity')

    op.drop_table('person')
    op.drop_table('number_sequence')
