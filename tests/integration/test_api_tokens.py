"""API tokens: a token is shown once and only its SHA-256 is kept; expired, revoked and unknown tokens are
refused alike; names, scopes, expiries and the number of active tokens are checked; an employer sees and
revokes only its own tokens.  Also the ``portal api-token create`` command and the demo's token."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from common.audit import AuditEvent
from common.errors import DomainError, NotFound
from employers.api_tokens import (
    EXPIRY_DAYS,
    MAX_ACTIVE,
    NAME_MAX,
    ApiToken,
    authenticate,
    create_api_token,
    note_use,
    revoke_api_token,
    tokens_of,
)
from portal.demo_api import DEMO_TOKEN_NAME, seed_api_tokens
from tests import factories
from tests.factories import ACTOR, NOW


def _create(db, employer, *, name: str = "Payroll", scope: str = "read", days: int = 90, now: dt.datetime = NOW):
    return create_api_token(db, employer, name=name, scope=scope, days=days, actor=ACTOR, now=now)


def _code(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


def test_a_new_token_authenticates_and_only_its_sha256_is_stored(db) -> None:
    employer = factories.employer(db)
    row, token = _create(db, employer, name="  Payroll   2026 ", scope="write", days=30)
    assert token.startswith("ocp_") and len(token) > 40
    assert authenticate(db, token, now=NOW + dt.timedelta(days=29)) is row
    assert (row.name, row.scope, row.can_write, row.hint) == ("Payroll 2026", "write", True, token[:10])
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.expires_at == NOW + dt.timedelta(days=30) and row.created_by == ACTOR.label
    db.expire_all()
    stored = db.execute(select(*ApiToken.__table__.columns).where(ApiToken.id == row.id)).one()
    assert not any(token in str(value) for value in stored) and token[:20] not in str(stored)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.created",
                                               AuditEvent.object_id == str(row.id)))
    assert event is not None and "Payroll 2026" in event.summary and token[4:14] not in event.summary
    # Two tokens are never the same.
    assert _create(db, employer, name="Other")[1] != token


def test_expired_revoked_and_unknown_tokens_are_refused_alike(db) -> None:
    employer = factories.employer(db)
    row, token = _create(db, employer, days=90)
    expiry = NOW + dt.timedelta(days=90)
    assert authenticate(db, token, now=expiry - dt.timedelta(seconds=1)) is row
    assert _code(lambda: authenticate(db, token, now=expiry)) == "api.token_invalid"
    assert row.status_on(expiry) == "expired"
    for wrong in ("ocp_" + "A" * 43, token[4:], "xyz_" + token[4:], token + "x", token[:-1], "", "ocp_",
                  token + "x" * 100):
        assert _code(lambda wrong=wrong: authenticate(db, wrong, now=NOW)) == "api.token_invalid"
    revoked = revoke_api_token(db, employer.id, row.id, actor=ACTOR, now=NOW + dt.timedelta(hours=1))
    assert revoked.revoked_at is not None and revoked.status_on(NOW + dt.timedelta(hours=1)) == "revoked"
    assert _code(lambda: authenticate(db, token, now=NOW + dt.timedelta(hours=2))) == "api.token_invalid"
    # Revoking again changes nothing and records nothing more.
    first = revoked.revoked_at
    revoke_api_token(db, employer.id, row.id, actor=ACTOR, now=NOW + dt.timedelta(days=2))
    assert revoked.revoked_at == first
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.revoked",
                                                 AuditEvent.object_id == str(row.id))).all()
    assert len(events) == 1


@pytest.mark.parametrize(("name", "code"), [("", "api_token.name_required"), ("   ", "api_token.name_required"),
                                            (None, "api_token.name_required"),
                                            ("x" * (NAME_MAX + 1), "field.too_long")])
def test_a_name_is_required_and_short(db, name, code) -> None:
    employer = factories.employer(db)
    assert _code(lambda: _create(db, employer, name=name)) == code
    assert tokens_of(db, employer.id) == []


def test_the_longest_name_is_accepted(db) -> None:
    employer = factories.employer(db)
    assert _create(db, employer, name="x" * NAME_MAX)[0].name == "x" * NAME_MAX


def test_an_active_token_name_is_not_given_twice(db) -> None:
    employer, other = factories.employer(db), factories.employer(db)
    row, _token = _create(db, employer, name="Payroll")
    assert _code(lambda: _create(db, employer, name=" payroll ")) == "api_token.name_taken"
    _create(db, other, name="Payroll")  # another employer's names are its own
    revoke_api_token(db, employer.id, row.id, actor=ACTOR, now=NOW)
    again, _token = _create(db, employer, name="Payroll")  # free once the first is revoked ...
    expiry = NOW + dt.timedelta(days=90)
    assert _code(lambda: _create(db, employer, name="Payroll", now=expiry - dt.timedelta(seconds=1))) \
        == "api_token.name_taken"
    assert _create(db, employer, name="Payroll", now=expiry)[0].id != again.id  # ... and once it has expired


@pytest.mark.parametrize(("scope", "days", "code"), [("admin", 90, "api_token.scope_unknown"),
                                                     ("", 90, "api_token.scope_unknown"),
                                                     ("READ", 90, "api_token.scope_unknown"),
                                                     ("read", 7, "api_token.expiry_unknown"),
                                                     ("read", 0, "api_token.expiry_unknown"),
                                                     ("write", 3650, "api_token.expiry_unknown")])
def test_scope_and_expiry_come_from_the_lists(db, scope, days, code) -> None:
    employer = factories.employer(db)
    assert _code(lambda: _create(db, employer, scope=scope, days=days)) == code
    assert tokens_of(db, employer.id) == []


@pytest.mark.parametrize("days", EXPIRY_DAYS)
def test_each_listed_expiry_is_accepted(db, days) -> None:
    row, _token = _create(db, factories.employer(db), days=days)
    assert row.expires_at == NOW + dt.timedelta(days=days)


def test_an_employer_not_active_gets_no_token(db) -> None:
    employer = factories.employer(db)
    employer.status = "suspended"
    db.flush()
    assert _code(lambda: _create(db, employer)) == "employer.not_active"


def test_at_most_max_active_tokens(db) -> None:
    employer = factories.employer(db)
    rows = [_create(db, employer, name=f"Program {n}")[0] for n in range(MAX_ACTIVE)]
    with pytest.raises(DomainError) as refused:
        _create(db, employer, name="One too many")
    assert refused.value.code == "api_token.too_many" and refused.value.params == {"limit": MAX_ACTIVE}
    revoke_api_token(db, employer.id, rows[0].id, actor=ACTOR, now=NOW)
    _create(db, employer, name="One too many")
    # Expired tokens do not count either: ninety days on, every one of them has expired.
    _create(db, employer, name="Later", now=NOW + dt.timedelta(days=91))
    assert len(tokens_of(db, employer.id)) == MAX_ACTIVE + 2


def test_an_employer_lists_and_revokes_only_its_own_tokens(db) -> None:
    employer, other = factories.employer(db), factories.employer(db)
    first, _ = _create(db, employer, name="First")
    second, _ = _create(db, employer, name="Second", now=NOW + dt.timedelta(minutes=5))
    theirs, their_token = _create(db, other, name="Theirs")
    assert [row.id for row in tokens_of(db, employer.id)] == [second.id, first.id]  # newest first
    with pytest.raises(NotFound) as refused:
        revoke_api_token(db, employer.id, theirs.id, actor=ACTOR, now=NOW)
    assert refused.value.code == "api_token.not_found"
    with pytest.raises(NotFound):
        revoke_api_token(db, employer.id, 2_000_000_000, actor=ACTOR, now=NOW)
    assert theirs.revoked_at is None and authenticate(db, their_token, now=NOW) is theirs
    revoke_api_token(db, employer.id, first.id, actor=ACTOR, now=NOW)
    assert [row.id for row in tokens_of(db, employer.id)] == [second.id, first.id]  # revoked ones stay listed


def test_note_use_writes_last_used_at_at_most_once_a_minute(db) -> None:
    row, _token = _create(db, factories.employer(db))
    assert row.last_used_at is None
    note_use(row, NOW)
    assert row.last_used_at == NOW
    note_use(row, NOW + dt.timedelta(seconds=59))
    assert row.last_used_at == NOW
    db.flush()
    db.expire_all()  # as read back from the database (SQLite: without a time zone)
    row = db.get(ApiToken, row.id)
    note_use(row, NOW + dt.timedelta(seconds=30))
    assert row.last_used_at.replace(tzinfo=dt.UTC) == NOW
    note_use(row, NOW + dt.timedelta(minutes=1))
    assert row.last_used_at == NOW + dt.timedelta(minutes=1)


@pytest.fixture
def portal_cli(app_config, session_factory, instance_path):
    """Runs ``portal`` commands against the test database (in the test's transaction)."""
    from portal import create_app
    from portal.cli import main

    def run(*args: str):
        info = ScriptInfo(create_app=lambda: create_app(app_config, session_factory=session_factory))
        return CliRunner().invoke(main, list(args), obj=info)

    return run


def test_the_command_prints_a_token_that_authenticates(db, portal_cli) -> None:
    employer = factories.employer(db)
    db.commit()
    result = portal_cli("api-token", "create", "--employer", employer.employer_number, "--name", "Payroll CLI",
                        "--scope", "write", "--days", "30")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert "\n" not in token and token.startswith("ocp_")  # only the token on stdout, for $(...)
    assert "Payroll CLI" in result.stderr and "not shown again" in result.stderr and token not in result.stderr
    db.expire_all()
    row = authenticate(db, token, now=dt.datetime.now(dt.UTC))
    assert (row.employer_id, row.name, row.scope) == (employer.id, "Payroll CLI", "write")
    assert row.created_by.startswith("system:cli:")
    assert row.expires_at.replace(tzinfo=dt.UTC) - row.created_at.replace(tzinfo=dt.UTC) == dt.timedelta(days=30)
    # The defaults: read only, ninety days.
    result = portal_cli("api-token", "create", "--employer", employer.employer_number, "--name", "Reader")
    assert result.exit_code == 0, result.output
    row = authenticate(db, result.stdout.strip(), now=dt.datetime.now(dt.UTC))
    assert row.scope == "read"
    assert row.expires_at.replace(tzinfo=dt.UTC) - row.created_at.replace(tzinfo=dt.UTC) == dt.timedelta(days=90)


def test_the_command_refuses_clearly(db, portal_cli) -> None:
    employer = factories.employer(db)
    db.commit()
    unknown = portal_cli("api-token", "create", "--employer", "NO-SUCH-1", "--name", "Payroll")
    assert unknown.exit_code != 0 and "no employer with number" in unknown.output and not unknown.stdout
    taken = [portal_cli("api-token", "create", "--employer", employer.employer_number, "--name", "Payroll")
             for _ in range(2)]
    assert taken[0].exit_code == 0
    assert taken[1].exit_code != 0 and "api_token.name_taken" in taken[1].output and not taken[1].stdout
    days = portal_cli("api-token", "create", "--employer", employer.employer_number, "--name", "X", "--days", "7")
    assert days.exit_code != 0 and not days.stdout
    db.expire_all()
    assert [row.name for row in tokens_of(db, employer.id)] == ["Payroll"]


def test_the_demo_token_is_created_once_and_not_printed(db, capsys) -> None:
    employer = factories.employer(db)
    seed_api_tokens(db, {"lao": employer}, now=NOW)
    seed_api_tokens(db, {"lao": employer}, now=NOW + dt.timedelta(days=1))
    rows = tokens_of(db, employer.id)
    assert [(row.name, row.scope, row.status_on(NOW)) for row in rows] == [(DEMO_TOKEN_NAME, "write", "active")]
    assert capsys.readouterr().out == ""


def test_the_demo_gives_the_lao_company_one_write_token(db) -> None:
    from employers.employers import Employer
    from portal.demo import seed_demo

    seed_demo(db, now=NOW)
    seed_demo(db, now=NOW + dt.timedelta(days=1))
    rows = db.scalars(select(ApiToken)).all()
    assert [(row.name, row.scope, row.status_on(NOW)) for row in rows] == [(DEMO_TOKEN_NAME, "write", "active")]
    company = db.get(Employer, rows[0].employer_id)
    assert company.scheme_code == "LA-LSSO" and rows[0].created_by == "lao.admin@demo.example"
    assert rows[0].created_at < rows[0].last_used_at <= NOW  # the payroll program has been using it
    from common.audit import AuditEvent

    calls = db.scalars(select(AuditEvent).where(AuditEvent.action == "api.call")).all()
    assert len(calls) == 3 and {call.actor_label for call in calls} == {rows[0].label}
