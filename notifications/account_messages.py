"""Messages about a person's account (password reset), written in the recipient's language."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from notifications.i18n import translations_for
from notifications.outbox import OutboxMessage, queue_message


def _(text: str) -> str:
    """Mark a string for extraction; it is translated when rendered, in the recipient's language."""
    return text


_RESET_SUBJECT = _("Reset your contributions portal password")
_RESET_BODY = _(
    "Hello %(name)s,\n\n"
    "Someone asked to reset the password of your account on the contributions portal. "
    "If it was you, open this link within %(minutes)d minutes and choose a new password:\n\n"
    "%(link)s\n\n"
    "If it was not you, ignore this message: your password stays as it is.\n\n"
    "The contributions portal"
)


def queue_password_reset(
    session: Session,
    *,
    user_id: int,
    email: str,
    name: str,
    language: str,
    link: str,
    valid_minutes: int,
    now: dt.datetime,
) -> OutboxMessage:
    translations = translations_for(language)
    subject = translations.gettext(_RESET_SUBJECT)
    body = translations.gettext(_RESET_BODY) % {"name": name, "minutes": valid_minutes, "link": link}
    return queue_message(
        session, channel="email", recipient=email, kind="account.password_reset", language=language,
        subject=subject, body=body, now=now, user_id=user_id,
    )
