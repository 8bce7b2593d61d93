"""The migrations create exactly what the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from common.audit import AuditEvent
from portal.schema import load_metadata
from tests.factories import NOW


def test_models_and_migrations_do_not_drift(connection) -> None:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    differences = compare_metadata(context, load_metadata())
    assert differences == []


def test_audit_log_refuses_update_and_delete(connection) -> None:
    connection.execute(insert(AuditEvent).values(occurred_at=NOW, actor_label="t", action="test.append",
                                                 summary=""))
    with pytest.raises(DBAPIError, match="append-only"):
        with connection.begin_nested():
            connection.execute(update(AuditEvent).values(summary="rewritten"))
    with pytest.raises(DBAPIError, match="append-only"):
        with connection.begin_nested():
            connection.execute(text("DELETE FROM audit_event"))


def test_foreign_keys_are_enforced(connection) -> None:
    with pytest.raises(IntegrityError):
        with connection.begin_nested():
            connection.execute(text(
                "INSERT INTO employer (scheme_code, tax_number, registration_number, status, review_note, legal_name,"
                " legal_name_latin, trading_name, category, address, contact_name, phone, email, preferred_language,"
                " created_at) VALUES ('XX-NONE', '1', '', 'pending', '', 'x', 'x', '', 'c', '', '', '', '', 'en', :now)"
            ), {"now": NOW if connection.dialect.name == "postgresql" else NOW.replace(tzinfo=None)})


def test_role_binding_is_a_database_constraint(connection) -> None:
    with pytest.raises(IntegrityError):
        with connection.begin_nested():
            connection.execute(text(
                "INSERT INTO user_account (email, full_name, role, password_hash, is_active, failed_logins,"
                " session_version, created_at) VALUES ('x@x.test', 'x', 'employer_admin', 'h', true, 0, 1, :now)"
            ), {"now": NOW if connection.dialect.name == "postgresql" else NOW.replace(tzinfo=None)})
