from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from common.audit import Actor, AuditEvent
from common.errors import DomainError
from employers import accounts
from employers.accounts import Role
from tests import factories
from tests.factories import NOW, PASSWORD

LOCKOUT = dt.timedelta(minutes=15)


def _login(db, email: str, password: str, now: dt.datetime = NOW):
    return accounts.authenticate(db, email=email, password=password, ip="10.1.2.3", now=now, max_failures=3,
                                 lockout=LOCKOUT)


def _actions(db) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_employer_roles_need_an_employer_and_staff_roles_none(db) -> None:
    employer = factories.employer(db)
    with pytest.raises(DomainError) as caught:
        factories.user(db, Role.INSPECTOR, employer_id=employer.id)
    assert caught.value.code == "user.employer_binding"
    with pytest.raises(DomainError):
        accounts.create_user(db, email="c@x.test", full_name="C", role=Role.EMPLOYER_CLERK, password=PASSWORD,
                             actor=factories.ACTOR, now=NOW)


def test_duplicate_email_is_refused_case_insensitively(db) -> None:
    factories.user(db, email="Somphone@LSSO.example")
    with pytest.raises(DomainError) as caught:
        factories.user(db, email="somphone@lsso.example ")
    assert caught.value.code == "user.email_taken"


def test_password_is_hashed_with_argon2(db) -> None:
    user = factories.user(db)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_login_success_and_failures_are_audited(db) -> None:
    user = factories.user(db)
    assert _login(db, user.email, "wrong password!").error == "auth.invalid"
    assert _login(db, "nobody@example.test", PASSWORD).error == "auth.invalid"
    result = _login(db, user.email.upper(), PASSWORD)
    assert result.user is user and result.error is None
    assert user.last_login_at == NOW and user.failed_logins == 0
    assert _actions(db)[-3:] == ["auth.login_failed", "auth.login_failed", "auth.login"]
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.ip_address == "10.1.2.3" and event.actor_user_id == user.id


def test_account_locks_after_repeated_failures_and_unlocks_later(db) -> None:
    user = factories.user(db)
    for _ in range(2):
        assert _login(db, user.email, "wrong password!").error == "auth.invalid"
    third = _login(db, user.email, "wrong password!")
    assert third.error == "auth.locked" and third.locked_until == NOW + LOCKOUT
    # While locked even the right password is refused, and not checked.
    assert _login(db, user.email, PASSWORD, NOW + dt.timedelta(minutes=5)).error == "auth.locked"
    assert "auth.account_locked" in _actions(db)
    assert _login(db, user.email, PASSWORD, NOW + LOCKOUT + dt.timedelta(seconds=1)).user is user


def test_change_password_checks_current_and_ends_other_sessions(db) -> None:
    user = factories.user(db)
    version = user.session_version
    with pytest.raises(DomainError) as caught:
        accounts.change_password(db, user, current_password="not it at all", new_password="a new long passphrase",
                                 actor=user.as_actor(), now=NOW)
    assert caught.value.code == "password.current_wrong"
    with pytest.raises(DomainError) as caught:
        accounts.change_password(db, user, current_password=PASSWORD, new_password="short",
                                 actor=user.as_actor(), now=NOW)
    assert caught.value.code == "password.too_short"
    accounts.change_password(db, user, current_password=PASSWORD, new_password="a new long passphrase",
                             actor=user.as_actor(), now=NOW)
    assert user.session_version == version + 1
    assert _login(db, user.email, "a new long passphrase").user is user


def test_reset_token_is_single_use_and_expires(db) -> None:
    user = factories.user(db)
    actor = Actor(None, "anonymous", "10.0.0.1")
    assert accounts.issue_password_reset(db, email="nobody@example.test", actor=actor, now=NOW,
                                         ttl=dt.timedelta(hours=1)) is None
    _, token = accounts.issue_password_reset(db, email=user.email, actor=actor, now=NOW, ttl=dt.timedelta(hours=1))
    _, expired = accounts.issue_password_reset(db, email=user.email, actor=actor, now=NOW - dt.timedelta(hours=2),
                                               ttl=dt.timedelta(hours=1))
    with pytest.raises(DomainError, match="reset.token_invalid"):
        accounts.reset_password(db, token=expired, new_password="brand new passphrase", actor=actor, now=NOW)
    accounts.reset_password(db, token=token, new_password="brand new passphrase", actor=actor, now=NOW)
    with pytest.raises(DomainError, match="reset.token_invalid"):
        accounts.reset_password(db, token=token, new_password="another passphrase!", actor=actor, now=NOW)
    assert _login(db, user.email, "brand new passphrase").user is user
    assert "auth.password_reset" in _actions(db)
