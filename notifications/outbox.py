"""The outbox: messages are rows written in the business transaction and delivered after it commits.

Nothing is sent from inside a transaction that might still roll back.  Delivery picks due rows, sends
them through their channel and records every try as a ``DeliveryAttempt``; a failure is retried with
growing delays until ``MAX_ATTEMPTS``, then the row is marked failed (the dead letter) for staff to see.  A
message that can never go (``UndeliverableError``: an SMS too long for the gateway, no recipient) is marked
failed at its first try instead of being retried for a day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from common.db import Base
from notifications.channels import UndeliverableError

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
    # The notice this message delivers (``notices.py``), when it is one; account messages have none.
    notice_id: Mapped[int | None] = mapped_column(Integer, index=True)


class DeliveryAttempt(Base):
    """One try at sending one outbox message: when, through which channel, and what came of it."""

    __tablename__ = "delivery_attempt"
    __table_args__ = (
        CheckConstraint("result IN ('sent', 'failed')", name="result_known"),
        Index("ix_delivery_attempt_message_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"))
    channel: Mapped[str] = mapped_column(String(10))
    attempted_at: Mapped[dt.datetime]
    result: Mapped[str] = mapped_column(String(10))
    error: Mapped[str] = mapped_column(Text, default="")


# A file sent with an e-mail: (file name, MIME type, content).
Attachment = tuple[str, str, bytes]


class Channel(Protocol):
    name: str

    def send(self, recipient: str, subject: str, body: str, language: str | None = None,
             attachments: Sequence[Attachment] = ()) -> None: ...


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
    notice_id: int | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        channel=channel, recipient=recipient, kind=kind, language=language, subject=subject, body=body,
        status="pending", attempts=0, created_at=now, next_attempt_at=now, user_id=user_id,
        employer_id=employer_id, notice_id=notice_id,
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
    attach: Callable[[Session, OutboxMessage], Sequence[Attachment]] | None = None,
) -> dict[str, int]:
    """Send due pending messages (or just ``ids``) through the given channels; returns how many were sent,
    are to be retried and have failed for good.  Every try is recorded as a ``DeliveryAttempt``.

    ``attach`` gives the files an e-mail carries (a notice's letter as a PDF).  Messages for a channel that
    is not configured are left alone (and do not take the batch's places).
    On PostgreSQL rows are claimed with ``FOR UPDATE SKIP LOCKED``, so two deliverers never send the same
    message.  Everywhere a row is also claimed by a conditional update before it is sent: a deliverer that
    read a row which another has since claimed or sent (SQLite has no row locks) matches nothing, or on
    SQLite stops on the database lock, instead of sending it again.  The caller commits after each call;
    a message sent in a call whose commit then fails is sent again by a later call (at least once).
    """
    if not channels:
        return {"sent": 0, "retry": 0, "failed": 0}
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now,
               OutboxMessage.channel.in_(list(channels)))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(list(ids)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for message in session.scalars(query).all():
        if not _claim(session, message):
            continue
        channel = channels[message.channel]
        try:
            # Files go with e-mail only, made when it is sent (a letter is rendered, not stored twice).
            files = attach(session, message) if attach is not None and message.channel == "email" else ()
            channel.send(message.recipient, message.subject, message.body, message.language, attachments=files)
        except Exception as exc:  # noqa: BLE001 - any channel failure is recorded and retried
            error = f"{type(exc).__name__}: {exc}"[:2000]
            message.last_error = error
            session.add(DeliveryAttempt(message_id=message.id, channel=message.channel, attempted_at=now,
                                        result="failed", error=error))
            if message.attempts >= MAX_ATTEMPTS or isinstance(exc, UndeliverableError):
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
            session.add(DeliveryAttempt(message_id=message.id, channel=message.channel, attempted_at=now,
                                        result="sent", error=""))
            counts["sent"] += 1
        session.flush()
    return counts


def _claim(session: Session, message: OutboxMessage) -> bool:
    """Count the attempt, provided the row is still pending with the attempts this deliverer read."""
    seen = message.attempts
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == "pending", OutboxMessage.attempts == seen)
        .values(attempts=seen + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return False
    # The row now says seen + 1; keep the object in step without another UPDATE at the next flush.
    set_committed_value(message, "attempts", seen + 1)
    return True


def attempts_of(session: Session, message_ids: Iterable[int]) -> dict[int, list[DeliveryAttempt]]:
    """Every recorded try for each of ``message_ids``, oldest first (an empty list for a message never tried)."""
    ids = list(dict.fromkeys(message_ids))
    found: dict[int, list[DeliveryAttempt]] = {message_id: [] for message_id in ids}
    if not ids:
        return found
    rows = session.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.message_id.in_(ids))
        .order_by(DeliveryAttempt.message_id, DeliveryAttempt.attempted_at, DeliveryAttempt.id)
    )
    for attempt in rows:
        found[attempt.message_id].append(attempt)
    return found
