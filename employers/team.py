"""An employer's own users: the administrator invites clerks by e-mail and can deactivate them."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.audit import Actor, record_audit
from common.errors import DomainError
from employers import tokens
from employers.accounts import Role, User, create_user, hash_password, require_acceptable_password
from employers.employers import Employer

INVITATION_TTL = dt.timedelta(days=7)


def team_of(session: Session, employer_id: int) -> list[User]:
    return list(session.scalars(select(User).where(User.employer_id == employer_id).order_by(User.id)))


def invite_user(
    session: Session, employer: Employer, *, email: str, full_name: str, language: str | None, actor: Actor,
    now: dt.datetime,
) -> tuple[User, str]:
    """Create an inactive clerk account and the token of its invitation link."""
    if employer.status != "active":
        raise DomainError("employer.not_active")
    if not full_name.strip():
        raise DomainError("field.required")
    user = create_user(session, email=email, full_name=full_name, role=Role.EMPLOYER_CLERK,
                       password=secrets.token_urlsafe(24), employer_id=employer.id, locale=language or None,
                       active=False, actor=actor, now=now)
    token = issue_invitation(session, user, now=now)
    record_audit(session, actor=actor, action="user.invited", now=now, object_type="user", object_id=user.id,
                 summary=f"{user.email} to employer {employer.id}")
    return user, token


def issue_invitation(session: Session, user: User, *, now: dt.datetime) -> str:
    """The token of a link with which ``user`` chooses a password and activates the account."""
    return tokens.issue_token(session, purpose="invitation", subject_id=user.id, user_id=user.id, now=now,
                              ttl=INVITATION_TTL)


def invited_user(session: Session, token: str, *, now: dt.datetime) -> User:
    row = tokens.valid_token(session, purpose="invitation", token=token, now=now)
    user = session.get(User, row.subject_id)
    if user is None:
        raise DomainError("token.invalid")
    return user


def accept_invitation(session: Session, *, token: str, password: str, ip: str | None, now: dt.datetime) -> User:
    """The invited person chooses a password; the account becomes active and the link is spent."""
    user = invited_user(session, token, now=now)
    require_acceptable_password(password, user.email)
    user.password_hash = hash_password(password)
    user.is_active = True
    user.session_version += 1
    tokens.spend_tokens(session, purpose="invitation", subject_id=user.id, now=now)
    record_audit(session, actor=user.as_actor(ip), action="user.invitation_accepted", now=now, object_type="user",
                 object_id=user.id)
    return user


def set_user_active(
    session: Session, employer: Employer, user_id: int, active: bool, *, actor: Actor, now: dt.datetime
) -> User:
    """Deactivate (or reactivate) one of the employer's clerks.  An administrator cannot lock themselves out,
    and another employer's user is reported as not found."""
    user = session.get(User, user_id)
    if user is None or user.employer_id != employer.id:
        raise DomainError("user.not_found")
    if user.id == actor.user_id or user.role != Role.EMPLOYER_CLERK.value:
        raise DomainError("user.cannot_deactivate")
    user.is_active = active
    if not active:
        user.session_version += 1  # ends the user's open sessions
        tokens.spend_tokens(session, purpose="invitation", subject_id=user.id, now=now)
    record_audit(session, actor=actor, action="user.reactivated" if active else "user.deactivated", now=now,
                 object_type="user", object_id=user.id, summary=user.email)
    return user
