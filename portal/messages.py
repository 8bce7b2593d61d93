"""Translated messages for domain error codes.  The domain speaks in codes; people read these."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from common.errors import DomainError

MESSAGES = {
    "auth.invalid": _l("The e-mail address or the password is not correct."),
    "auth.locked": _l("Too many failed attempts: this account is locked until %(until)s. "
                      "You can reset your password by e-mail."),
    "password.too_short": _l("The password must have at least 10 characters."),
    "password.too_long": _l("The password must have at most 256 characters."),
    "password.too_common": _l("This password is too easy to guess. Choose a longer, less common one."),
    "password.same_as_login": _l("The password must not be your e-mail address."),
    "password.current_wrong": _l("The current password is not correct."),
    "password.unchanged": _l("The new password must differ from the current one."),
    "password.mismatch": _l("The two passwords do not match."),
    "reset.token_invalid": _l("This reset link is not valid any more. Ask for a new one."),
    "user.email_invalid": _l("This is not a valid e-mail address."),
    "user.email_taken": _l("An account with this e-mail address already exists."),
    "user.employer_binding": _l("Employer accounts must belong to one employer; staff accounts to none."),
    "user.locale_unknown": _l("This language is not available."),
    "period.invalid": _l("Write the period as year and month, for example 2026-03."),
}


def message_for(error: DomainError) -> str:
    """The translated text for ``error``; an unknown code still gives a readable, translated sentence."""
    template = MESSAGES.get(error.code)
    if template is None:
        return gettext("The request could not be completed (%(code)s).", code=error.code)
    return str(template) % error.params if error.params else str(template)
