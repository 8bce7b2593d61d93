"""Idempotent requests: a client sends a key with each write; the first request with that key is carried out
and its answer kept, a repeat gets the kept answer and changes nothing.

The key is claimed by inserting its row in the same transaction as the work it guards.  Of two requests
with the same key at once, on PostgreSQL the second waits on the unique index until the first commits, then
finds the row and replays its answer (SQLite lets one writer at a time, which comes to the same); if the
first fails and rolls back, its claim goes with it and the second does the work.  Only answers below 400
are kept: a refused request wrote nothing and may be sent again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import Index, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base
from common.errors import DomainError

KEY_MAX = 255
KEEP = dt.timedelta(days=7)  # how long an answer is replayed; the documented retry window


class IdempotentRequest(Base):
    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("scope", "key"), Index("ix_idempotent_request_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # whose keys these are, e.g. "employer:12"
    key: Mapped[str] = mapped_column(String(KEY_MAX))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body
    status_code: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime]


@dataclass(frozen=True)
class Claim:
    row: IdempotentRequest
    replay: bool  # True: an earlier request with this key answered; send ``row``'s answer again


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{method.upper()} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def key_is_valid(key: str) -> bool:
    return 0 < len(key) <= KEY_MAX and all("\x21" <= c <= "\x7e" for c in key)  # visible ASCII, no space


def claim_key(session: Session, *, scope: str, key: str, fingerprint: str, now: dt.datetime) -> Claim:
    """Claim ``key`` for this request, or find the earlier request that holds it.  Raises
    ``api.idempotency_key_reused`` when the key was used for another request (another path or body)."""
    row = IdempotentRequest(scope=scope, key=key, fingerprint=fingerprint, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
        return Claim(row, replay=False)
    except IntegrityError:
        pass
    earlier = session.scalar(select(IdempotentRequest).where(IdempotentRequest.scope == scope,
                                                             IdempotentRequest.key == key))
    if earlier is None or earlier.status_code is None:  # not expected: the claim is removed only by a rollback
        raise DomainError("api.idempotency_in_progress")
    if earlier.fingerprint != fingerprint:
        raise DomainError("api.idempotency_key_reused")
    return Claim(earlier, replay=True)


def keep_answer(row: IdempotentRequest, *, status_code: int, content_type: str, body: str,
                location: str | None) -> None:
    row.status_code, row.content_type, row.body, row.location = status_code, content_type[:100], body, location


def purge_answers(session: Session, *, now: dt.datetime) -> int:
    """Forget answers older than ``KEEP``; returns how many."""
    result = session.execute(delete(IdempotentRequest).where(IdempotentRequest.created_at < now - KEEP))
    return result.rowcount or 0
