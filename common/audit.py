"""The audit log: an append-only record of who did what, when, from where, to which object.

Rows are only ever inserted; the migration installs triggers that refuse UPDATE and DELETE on both
databases, so the log cannot be rewritten through the application.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.db import Base


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs a use case: a user (id and login) or a system process, and where the request came from."""

    user_id: int | None
    label: str
    ip: str | None = None

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(user_id=None, label=f"system:{name}")


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_occurred_at", "occurred_at"),
        Index("ix_audit_event_object", "object_type", "object_id"),
        Index("ix_audit_event_actor_user_id", "actor_user_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[dt.datetime]
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(String(255))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="")


def record_audit(
    session: Session,
    *,
    actor: Actor,
    action: str,
    now: dt.datetime,
    object_type: str | None = None,
    object_id: object | None = None,
    summary: str = "",
) -> AuditEvent:
    """Append one event.  ``action`` is a stable dotted code (``auth.login``); ``summary`` is short and factual."""
    event = AuditEvent(
        occurred_at=now,
        actor_user_id=actor.user_id,
        actor_label=actor.label[:255],
        ip_address=actor.ip,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary[:2000],
    )
    session.add(event)
    return event
