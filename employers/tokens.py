"""Single-use tokens sent by e-mail: password reset, invitation of an employer user, editing an application.

Only the SHA-256 of a token is stored; the token itself travels in the message.  A token has a purpose,
an expiry, and is spent once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base
from common.errors import DomainError

PURPOSES = ("password_reset", "invitation", "application_edit")


class OneTimeToken(Base):
    __tablename__ = "one_time_token"
    __table_args__ = (
        CheckConstraint(f"purpose IN {PURPOSES!r}", name="purpose_known"),
        Index("ix_one_time_token_subject", "purpose", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30))
    # The user the token acts for (reset, invitation) or the employer whose application it opens.
    subject_id: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session, *, purpose: str, subject_id: int, now: dt.datetime, ttl: dt.timedelta,
    user_id: int | None = None,
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(OneTimeToken(purpose=purpose, subject_id=subject_id, user_id=user_id, token_hash=_digest(token),
                             created_at=now, expires_at=now + ttl))
    session.flush()
    return token


def valid_token(session: Session, *, purpose: str, token: str, now: dt.datetime) -> OneTimeToken:
    """The unspent, unexpired token of that purpose, or ``token.invalid``."""
    row = session.scalar(select(OneTimeToken).where(OneTimeToken.token_hash == _digest(token),
                                                    OneTimeToken.purpose == purpose))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise DomainError("token.invalid")
    return row


def spend_tokens(session: Session, *, purpose: str, subject_id: int, now: dt.datetime) -> None:
    """Spend every open token of ``purpose`` for ``subject_id`` (the one used and any older ones)."""
    session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.purpose == purpose, OneTimeToken.subject_id == subject_id,
               OneTimeToken.used_at.is_(None))
        .values(used_at=now)
    )
