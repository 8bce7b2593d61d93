"""API tokens: how an employer's payroll software signs its calls.

An employer administrator creates a token with a name, an expiry and a scope (read, or read and write); the
token is shown once and only its SHA-256 is stored (a token is 256 random bits, so a plain digest cannot be
reversed and needs no slow hash).  A token acts for its employer only.  It can be revoked at any time;
revoked and expired tokens are refused exactly like unknown ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import CheckConstraint, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.audit import Actor, record_audit
from common.db import Base
from common.errors import DomainError, NotFound
from employers.employers import Employer

PREFIX = "ocp_"  # makes a leaked token easy to recognise (and to search for) in logs and repositories
SCOPES = ("read", "write")  # write includes read
EXPIRY_DAYS = (30, 90, 180, 365)
MAX_ACTIVE = 20
NAME_MAX = 80
# last_used_at is written at most this often, so that a busy token does not turn every read into a write.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


class ApiToken(Base):
    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint(f"scope IN {SCOPES!r}", name="scope_known"),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    scope: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, shown in lists so that a user can tell tokens apart.
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(255))

    @property
    def can_write(self) -> bool:
        return self.scope == "write"

    def status_on(self, now: dt.datetime) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if _aware(self.expires_at) <= now else "active"

    @property
    def label(self) -> str:
        """How the audit log names who acted: the token, by name, and its employer."""
        return f"api:{self.employer_id}:{self.name}"


def readable_actor(label: str) -> str:
    """Who acted, as a person reads it: a token's label ``api:<employer>:<name>`` is ``<name> (API)``."""
    prefix, _, rest = label.partition(":")
    employer, _, name = rest.partition(":")
    return f"{name} (API)" if prefix == "api" and employer.isdigit() and name else label


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite gives naive datetimes back; every stored time is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_api_token(session: Session, employer: Employer, *, name: str, scope: str, days: int, actor: Actor,
                     now: dt.datetime) -> tuple[ApiToken, str]:
    """A new token for ``employer``; returns the row and the token itself, which is never stored."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("api_token.name_required")
    if len(name) > NAME_MAX:
        raise DomainError("field.too_long")
    if scope not in SCOPES:
        raise DomainError("api_token.scope_unknown")
    if days not in EXPIRY_DAYS:
        raise DomainError("api_token.expiry_unknown")
    if employer.status != "active":
        raise DomainError("employer.not_active")
    # The employer's row is locked while its tokens are counted and named: two creations at once cannot both
    # pass the limit or take the same name (SQLite serialises writers by itself).
    session.get(Employer, employer.id, with_for_update=True, populate_existing=True)
    active = [t for t in tokens_of(session, employer.id) if t.status_on(now) == "active"]
    if len(active) >= MAX_ACTIVE:
        raise DomainError("api_token.too_many", limit=MAX_ACTIVE)
    if any(t.name.casefold() == name.casefold() for t in active):
        raise DomainError("api_token.name_taken")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(employer_id=employer.id, name=name, scope=scope, token_hash=digest(token), hint=token[:10],
                   created_at=now, created_by=actor.label, expires_at=now + dt.timedelta(days=days))
    session.add(row)
    session.flush()
    record_audit(session, actor=actor, action="api_token.created", now=now, object_type="api_token",
                 object_id=row.id, summary=f"{employer.employer_number}: {name!r}, {scope}, {days} days")
    return row, token


def tokens_of(session: Session, employer_id: int) -> list[ApiToken]:
    """The employer's tokens, newest first (revoked and expired ones included)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.employer_id == employer_id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_api_token(session: Session, employer_id: int, token_id: int, *, actor: Actor,
                     now: dt.datetime) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None or row.employer_id != employer_id:
        raise NotFound("api_token.not_found")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = now, actor.label
        record_audit(session, actor=actor, action="api_token.revoked", now=now, object_type="api_token",
                     object_id=row.id, summary=repr(row.name))
    return row


def authenticate(session: Session, token: str, *, now: dt.datetime) -> ApiToken:
    """The active token ``token`` (its employer still registered), or ``api.token_invalid``.  The caller
    records the use with ``note_use``."""
    if not token.startswith(PREFIX) or len(token) > 100:
        raise DomainError("api.token_invalid")
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.status_on(now) != "active":
        raise DomainError("api.token_invalid")
    return row


def note_use(row: ApiToken, now: dt.datetime) -> None:
    if row.last_used_at is None or _aware(row.last_used_at) + LAST_USED_PRECISION <= now:
        row.last_used_at = now
