from __future__ import annotations

import datetime as dt

import pytest

from employers.rules import lock_until, password_problems

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "password.too_short"),
        ("password123", "password.too_common"),
        ("aaaaaaaaaaaa", "password.too_common"),
        ("x" * 257, "password.too_long"),
    ],
)
def test_weak_passwords_are_refused_with_a_code(password: str, code: str) -> None:
    assert code in password_problems(password)


def test_password_equal_to_login_is_refused() -> None:
    assert "password.same_as_login" in password_problems("somphone@lsso.example", email="Somphone@LSSO.example")


def test_a_long_passphrase_in_lao_is_accepted() -> None:
    assert password_problems("ສົ່ງເງິນປະກັນສັງຄົມທຸກເດືອນ") == []


def test_lockout_starts_at_the_limit_and_not_before() -> None:
    lockout = dt.timedelta(minutes=15)
    assert lock_until(4, max_failures=5, lockout=lockout, now=NOW) is None
    assert lock_until(5, max_failures=5, lockout=lockout, now=NOW) == NOW + lockout
    assert lock_until(50, max_failures=0, lockout=lockout, now=NOW) is None
