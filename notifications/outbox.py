"""The outbox: messages are rows written in the business transaction and delivered after it commits.

Nothing is sent from inside a transaction that might still roll back.  Delivery picks due rows, sends
them through their channel and records the outcome; a failure is retried with growing delays until
``MAX_ATTEMPTS``, then the row is marked failed for staff to see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base

CHANNELS = ("email", "sms")
STATUSES = ("pending", "sent", "failed")
MAX_ATTEMPTS = 6
# Delay before attempt n+1 after n failures: 1 min, 5 min, 30 min, 2 h, 12 h.
_BACKOFF_MINUTES = (1, 5, 30, 120, 720)


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(f"channel IN {CHANNELS!r}", name="channel_known"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status_known"),
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"))
    kind: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(255), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    next_attempt_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]


class Channel(Protocol):
    name: str

    def send(self, recipient: str, subject: str, body: str, language: str | None = None) -> None: ...


def queue_message(
    session: Session,
    *,
    channel: str,
    recipient: str,
    kind: str,
    language: str,
    subject: str,
    body: str,
    now: dt.datetime,
    user_id: int | None = None,
    employer_id: int | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        channel=channel, recipient=recipient, kind=kind, language=language, subject=subject, body=body,
        status="pending", attempts=0, created_at=now, next_attempt_at=now, user_id=user_id,
        employer_id=employer_id,
    )
    session.add(message)
    session.flush()
    return message


def deliver_due(
    session: Session,
    channels: dict[str, Channel],
    *,
    now: dt.datetime,
    ids: Iterable[int] | None = None,
    limit: int = 100,
) -> dict[str, int]:
    """Send due pending messages (or just ``ids``); returns counts of sent and failed attempts.

    On PostgreSQL rows are claimed with ``FOR UPDATE SKIP LOCKED`` so two deliverers never send the
    same message; the caller commits after each call.
    """
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(list(ids)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for message in session.scalars(query).all():
        channel = channels.get(message.channel)
        if channel is None:
            continue
        message.attempts += 1
        try:
            channel.send(message.recipient, message.subject, message.body, message.language)
        except Exception as exc:  # noqa: BLE001 - any channel failure is recorded and retried
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = "failed"
                counts["failed"] += 1
            else:
                delay = _BACKOFF_MINUTES[min(message.attempts - 1, len(_BACKOFF_MINUTES) - 1)]
                message.next_attempt_at = now + dt.timedelta(minutes=delay)
                counts["retry"] += 1
        else:
            message.status = "sent"
            message.sent_at = now
            message.last_error = None
            counts["sent"] += 1
    session.flush()
    return counts
