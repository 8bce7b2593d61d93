"""Column titles of the declaration file in every portal language, and the template employers fill in."""

from __future__ import annotations

from flask_babel import gettext

from contributions.rules.declaration_lines import LINE_FIELDS
from portal.employers.columns import aliases_of


def N_(text: str) -> str:  # noqa: N802 - the conventional name of a marker for extraction only
    return text


TITLES = {
    "social_security_number": N_("Social security number"),
    "gross_wage": N_("Gross wage of the month"),
    "days_worked": N_("Days worked"),
    "absence_reason": N_("Absence reason"),
}
# Accepted as a column so that employers can keep names in their file; its content is not read.
NAME_TITLE = N_("Name")


def header_aliases() -> dict[str, str]:
    return aliases_of(TITLES)


def titles() -> list[str]:
    return [gettext(TITLES[key]) for key in LINE_FIELDS]
