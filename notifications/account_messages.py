"""Messages about accounts and registration, written in the recipient's language and queued in the outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from notifications.i18n import translations_for
from notifications.outbox import OutboxMessage, queue_message


def _(text: str) -> str:
    """Mark a string for extraction; it is translated when rendered, in the recipient's language."""
    return text


SIGNATURE = _("The contributions portal")

TEMPLATES: dict[str, tuple[str, str]] = {
    "account.password_reset": (
        _("Reset your contributions portal password"),
        _("Hello %(name)s,\n\n"
          "Someone asked to reset the password of your account on the contributions portal. "
          "If it was you, open this link within %(minutes)d minutes and choose a new password:\n\n"
          "%(link)s\n\n"
          "If it was not you, ignore this message: your password stays as it is."),
    ),
    "registration.received": (
        _("We have received your application (no. %(reference)s)"),
        _("Hello %(name)s,\n\n"
          "We have received the application to register %(employer)s. Its number is %(reference)s. "
          "Our staff will review it and write to you at this address."),
    ),
    "registration.approved": (
        _("Your employer registration is approved"),
        _("Hello %(name)s,\n\n"
          "%(employer)s is registered. Its employer number is %(number)s: write it on every declaration "
          "and payment.\n\n"
          "You can now log in with the e-mail address and password you gave:\n\n"
          "%(link)s"),
    ),
    "registration.rework": (
        _("Your application needs changes"),
        _("Hello %(name)s,\n\n"
          "Our staff reviewed the application to register %(employer)s and ask you to change it:\n\n"
          "%(comment)s\n\n"
          "Open this link to correct the application and send it again:\n\n"
          "%(link)s"),
    ),
    "registration.rejected": (
        _("Your application was not accepted"),
        _("Hello %(name)s,\n\n"
          "The application to register %(employer)s was not accepted, for this reason:\n\n"
          "%(reason)s\n\n"
          "You may apply again once the reason no longer applies."),
    ),
    "account.invitation": (
        _("You are invited to the contributions portal"),
        _("Hello %(name)s,\n\n"
          "%(inviter)s invites you to file declarations for %(employer)s on the contributions portal. "
          "Open this link within 7 days and choose your password:\n\n"
          "%(link)s"),
    ),
}


def render(kind: str, language: str, params: dict[str, object]) -> tuple[str, str]:
    """Subject and body of message ``kind`` in ``language`` (English when the catalog lacks it)."""
    translations = translations_for(language)
    subject, body = TEMPLATES[kind]
    text = translations.gettext(body) % params + "\n\n" + translations.gettext(SIGNATURE)
    return translations.gettext(subject) % params, text


def queue_email(
    session: Session, kind: str, *, recipient: str, language: str, params: dict[str, object], now: dt.datetime,
    user_id: int | None = None, employer_id: int | None = None,
) -> OutboxMessage:
    subject, body = render(kind, language, params)
    return queue_message(session, channel="email", recipient=recipient, kind=kind, language=language,
                         subject=subject, body=body, now=now, user_id=user_id, employer_id=employer_id)


def queue_password_reset(
    session: Session, *, user_id: int, email: str, name: str, language: str, link: str, valid_minutes: int,
    now: dt.datetime,
) -> OutboxMessage:
    return queue_email(session, "account.password_reset", recipient=email, language=language, now=now,
                       user_id=user_id, params={"name": name, "minutes": valid_minutes, "link": link})
