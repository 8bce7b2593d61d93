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
    "token.invalid": _l("This link is not valid any more: it was used already or has expired."),
    "field.required": _l("This field is required."),
    "field.too_long": _l("This text is too long."),
    "employer.latin_required": _l("Write this name in Latin letters."),
    "employer.tax_number_invalid": _l("The tax identification number must have 5 to 30 letters or digits."),
    "employer.tax_number_taken": _l("An employer with the tax identification number %(tax_number)s is already "
                                    "registered or has applied. If it is yours, contact the institution."),
    "employer.category_unknown": _l("Choose a category of the chosen country's scheme."),
    "employer.region_unknown": _l("Choose a province or district of the chosen country."),
    "employer.sector_unknown": _l("Choose a sector from the list."),
    "employer.language_unknown": _l("Choose a language from the list."),
    "employer.scheme_unknown": _l("Choose a country and scheme from the list."),
    "employer.not_found": _l("This employer does not exist."),
    "employer.not_pending": _l("This application has already been decided."),
    "employer.not_active": _l("This employer is not active."),
    "employer.status_change_not_allowed": _l("This status change is not allowed."),
    "employer.ceased_on_invalid": _l("Give the date of cessation; it cannot be before the registration."),
    "employer.application_invalid": _l("Some fields need correcting; see the messages below."),
    "contact.phone_invalid": _l("Write the phone number with 7 to 15 digits, for example +856 21 212 345."),
    "contact.email_invalid": _l("This is not a valid e-mail address."),
    "review.comment_required": _l("Write what the applicant must change."),
    "review.reason_required": _l("Write the reason for the rejection."),
    "profile.valid_from_invalid": _l("The date must be between the registration date and today."),
    "user.not_found": _l("This user does not exist."),
    "user.cannot_deactivate": _l("This account cannot be deactivated here."),
}


def message_for(error: DomainError) -> str:
    """The translated text for ``error``; an unknown code still gives a readable, translated sentence."""
    template = MESSAGES.get(error.code)
    if template is None:
        return gettext("The request could not be completed (%(code)s).", code=error.code)
    return str(template) % error.params if error.params else str(template)
