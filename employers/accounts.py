"""User accounts and roles, password hashing, login with lock-out, password change and reset.

Employer roles are bound to one employer; staff roles and workers are not.  Use cases take the actor and
the time as arguments and never commit: the web request, the CLI or a job commits.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import CheckConstraint, ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from common.audit import Actor, record_audit
from common.db import Base
from common.errors import DomainError
from employers import rules, tokens
from employers.employers import LANGUAGES, Employer


class Role(enum.StrEnum):
    EMPLOYER_ADMIN = "employer_admin"
    EMPLOYER_CLERK = "employer_clerk"
    INSPECTOR = "inspector"
    SUPERVISOR = "supervisor"
    SYSADMIN = "sysadmin"
    WORKER = "worker"


EMPLOYER_ROLES = frozenset({Role.EMPLOYER_ADMIN, Role.EMPLOYER_CLERK})
STAFF_ROLES = frozenset({Role.INSPECTOR, Role.SUPERVISOR, Role.SYSADMIN})
_ROLE_VALUES = tuple(role.value for role in Role)
_EMPLOYER_ROLE_VALUES = tuple(sorted(role.value for role in EMPLOYER_ROLES))

# argon2id with the library's RFC 9106 "low memory" defaults (64 MiB, 3 passes).
_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown e-mail close to that of a known one.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Replace the hasher (test suites use a cheap one; production keeps the default)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(f"role IN {_ROLE_VALUES!r}", name="role_known"),
        CheckConstraint(
            f"(role IN {_EMPLOYER_ROLE_VALUES!r}) = (employer_id IS NOT NULL)",
            name="employer_roles_bound",
        ),
        CheckConstraint(f"locale IS NULL OR locale IN {LANGUAGES!r}", name="locale_known"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_positive"),
        CheckConstraint("person_id IS NULL OR role = 'worker'", name="person_only_for_workers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(30))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)
    # A worker's account reads the record of one person (linked when the account is activated).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(5))
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    # Bumped on password change/reset: sessions carrying an older value are logged out.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime]
    last_login_at: Mapped[dt.datetime | None]

    employer: Mapped[Employer | None] = relationship(lazy="joined")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def as_actor(self, ip: str | None = None) -> Actor:
        return Actor(user_id=self.id, label=self.email, ip=ip)

    # The session protocol web front ends expect (Flask-Login's, by duck typing: no import here).
    # The id carries the session version, so changing the password ends every other session.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def require_acceptable_password(password: str, email: str) -> None:
    problems = rules.password_problems(password, email=email)
    if problems:
        raise DomainError(problems[0])


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    session: Session,
    *,
    email: str,
    full_name: str,
    role: Role | str,
    password: str,
    employer_id: int | None = None,
    locale: str | None = None,
    active: bool = True,
    actor: Actor,
    now: dt.datetime,
) -> User:
    """Create an account.  Employer roles need an employer; other roles must not have one.  An inactive
    account cannot log in until it is activated (an employer's administrator, on approval)."""
    role = Role(role)
    email = normalise_email(email)
    if "@" not in email or len(email) > 255:
        raise DomainError("user.email_invalid", email=email)
    if (role in EMPLOYER_ROLES) != (employer_id is not None):
        raise DomainError("user.employer_binding", role=role.value)
    if locale is not None and locale not in LANGUAGES:
        raise DomainError("user.locale_unknown", locale=locale)
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise DomainError("user.email_taken", email=email)
    require_acceptable_password(password, email)
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role.value,
        employer_id=employer_id,
        password_hash=hash_password(password),
        locale=locale,
        is_active=active,
        failed_logins=0,
        session_version=1,
        created_at=now,
    )
    session.add(user)
    session.flush()
    record_audit(
        session, actor=actor, action="user.create", now=now, object_type="user", object_id=user.id,
        summary=f"{email} as {role.value}",
    )
    return user


@dataclass(frozen=True, slots=True)
class LoginResult:
    """Outcome of a login attempt.  ``error`` is a code (``auth.invalid``, ``auth.locked``) or None."""

    user: User | None
    error: str | None = None
    locked_until: dt.datetime | None = None


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    ip: str | None,
    now: dt.datetime,
    max_failures: int,
    lockout: dt.timedelta,
) -> LoginResult:
    """Check a login.  Every attempt is audited; failures count towards the lock-out and are written
    even though the attempt fails, so the caller commits the result in every case.

    The answer does not tell whether the e-mail exists: unknown e-mail and wrong password give the same
    error, and a locked account says it is locked only when the password was right.
    """
    email = normalise_email(email)
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        _check_dummy()
        record_audit(
            session, actor=Actor(None, email[:255], ip), action="auth.login_failed", now=now,
            summary="unknown or inactive account",
        )
        return LoginResult(user=None, error="auth.invalid")
    actor = user.as_actor(ip)
    if user.locked_until is not None and user.locked_until > now:
        # Do not even check the password while locked: guessing must not continue.
        record_audit(session, actor=actor, action="auth.login_locked", now=now, object_type="user",
                     object_id=user.id, summary="attempt while locked")
        return LoginResult(user=None, error="auth.locked", locked_until=user.locked_until)
    if not _check_password(user, password):
        user.failed_logins += 1
        until = rules.lock_until(user.failed_logins, max_failures=max_failures, lockout=lockout, now=now)
        record_audit(session, actor=actor, action="auth.login_failed", now=now, object_type="user",
                     object_id=user.id, summary=f"wrong password ({user.failed_logins} in a row)")
        if until is not None:
            user.locked_until = until
            user.failed_logins = 0
            record_audit(session, actor=actor, action="auth.account_locked", now=now, object_type="user",
                         object_id=user.id, summary=f"locked until {until.isoformat()}")
            return LoginResult(user=None, error="auth.locked", locked_until=until)
        return LoginResult(user=None, error="auth.invalid")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    record_audit(session, actor=actor, action="auth.login", now=now, object_type="user", object_id=user.id)
    return LoginResult(user=user)


def _check_dummy() -> None:
    try:
        _hasher.verify(_DUMMY_HASH, "not the password")
    except VerificationError:
        pass


def record_logout(session: Session, user: User, *, ip: str | None, now: dt.datetime) -> None:
    record_audit(session, actor=user.as_actor(ip), action="auth.logout", now=now, object_type="user",
                 object_id=user.id)


def change_password(
    session: Session, user: User, *, current_password: str, new_password: str, actor: Actor, now: dt.datetime
) -> None:
    if not _check_password(user, current_password):
        raise DomainError("password.current_wrong")
    require_acceptable_password(new_password, user.email)
    if _check_password(user, new_password):
        raise DomainError("password.unchanged")
    _set_password(session, user, new_password, actor=actor, now=now, action="auth.password_changed")


def _set_password(session: Session, user: User, password: str, *, actor: Actor, now: dt.datetime,
                  action: str) -> None:
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.failed_logins = 0
    user.locked_until = None
    record_audit(session, actor=actor, action=action, now=now, object_type="user", object_id=user.id)


def set_user_locale(session: Session, user: User, locale: str) -> None:
    if locale not in LANGUAGES:
        raise DomainError("user.locale_unknown", locale=locale)
    user.locale = locale


def issue_password_reset(
    session: Session, *, email: str, actor: Actor, now: dt.datetime, ttl: dt.timedelta
) -> tuple[User, str] | None:
    """Create a reset token for an active account.  Returns (user, token) or None for an unknown e-mail;
    the caller answers the same either way so the form does not reveal who has an account."""
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        record_audit(session, actor=actor, action="auth.reset_requested", now=now,
                     summary="no active account for the address given")
        return None
    token = tokens.issue_token(session, purpose="password_reset", subject_id=user.id, user_id=user.id, now=now,
                               ttl=ttl)
    record_audit(session, actor=actor, action="auth.reset_requested", now=now, object_type="user",
                 object_id=user.id)
    return user, token


def _reset_user(session: Session, token: str, now: dt.datetime) -> User:
    try:
        row = tokens.valid_token(session, purpose="password_reset", token=token, now=now)
    except DomainError as error:
        raise DomainError("reset.token_invalid") from error
    user = session.get(User, row.subject_id)
    if user is None or not user.is_active:
        raise DomainError("reset.token_invalid")
    return user


def check_reset_token(session: Session, token: str, *, now: dt.datetime) -> User:
    return _reset_user(session, token, now)


def reset_password(
    session: Session, *, token: str, new_password: str, actor: Actor, now: dt.datetime
) -> User:
    """Set a new password with a valid, unused, unexpired token; the token and any others of the user
    are spent, and existing sessions are logged out."""
    user = _reset_user(session, token, now)
    require_acceptable_password(new_password, user.email)
    tokens.spend_tokens(session, purpose="password_reset", subject_id=user.id, now=now)
    _set_password(session, user, new_password, actor=Actor(user.id, user.email, actor.ip), now=now,
                  action="auth.password_reset")
    return user
