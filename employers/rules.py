"""Pure rules of the registry: password policy and login lock-out.  No database, no clock."""

from __future__ import annotations

import datetime as dt

# A short list of passwords that appear at the top of every breach corpus; refusing them costs nothing.
_COMMON_PASSWORDS = frozenset(
    {
        "password", "password1", "password123", "123456789", "1234567890", "12345678910", "qwertyuiop",
        "iloveyou", "admin12345", "welcome123", "letmein123", "qwerty1234", "1q2w3e4r5t", "0987654321",
        "abcdefghij", "passw0rd123", "changeme123", "administrator",
    }
)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


def password_problems(password: str, *, email: str = "") -> list[str]:
    """Return the codes of the rules a new password breaks (empty list when it is acceptable).

    Length matters more than character classes (NIST SP 800-63B): at least 10 characters, not a
    well-known password, not the login itself, and not one character repeated.
    """
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("password.too_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append("password.too_long")
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS:
        problems.append("password.too_common")
    if email and lowered == email.lower():
        problems.append("password.same_as_login")
    if password and len(set(password)) == 1:
        problems.append("password.too_common")
    return list(dict.fromkeys(problems))


def lock_until(
    failures: int, *, max_failures: int, lockout: dt.timedelta, now: dt.datetime
) -> dt.datetime | None:
    """When ``failures`` consecutive failed logins reach ``max_failures``, the account locks until
    ``now + lockout``; below that, no lock.  ``failures`` counts the one that just happened."""
    if max_failures > 0 and failures >= max_failures:
        return now + lockout
    return None
