"""Column titles of the worker file, in every portal language, and the template users fill in."""

from __future__ import annotations

from flask_babel import gettext

from employers.imports import COLUMNS
from notifications.i18n import LANGUAGES, translations_for


def N_(text: str) -> str:  # noqa: N802 - the conventional name of a marker for extraction only
    return text


TITLES = {
    "action": N_("Action (hire or leave)"),
    "document_type": N_("Document type"),
    "document_country": N_("Issuing country"),
    "document_number": N_("Document number"),
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "given_name_latin": N_("Given name in Latin script"),
    "family_name_latin": N_("Family name in Latin script"),
    "birth_date": N_("Date of birth"),
    "sex": N_("Sex (F or M)"),
    "nationality": N_("Nationality"),
    "phone": N_("Phone"),
    "hired_on": N_("Hire date"),
    "job_title": N_("Job title"),
    "contract_type": N_("Contract"),
    "monthly_wage": N_("Agreed monthly wage"),
    "ended_on": N_("Last day of work"),
    "end_reason": N_("Reason"),
}
CODES = {
    "action": ("hire", "leave"),
    "document_type": ("national_id", "passport", "family_book", "residence_permit"),
    "sex": ("F", "M"),
    "contract_type": ("permanent", "fixed_term", "casual", "apprentice"),
    "end_reason": ("resignation", "dismissal", "end_of_contract", "retirement", "death", "transfer", "other"),
}


def aliases_of(titles: dict[str, str]) -> dict[str, str]:
    """Every title a column of a file may carry: the field key itself and its title in each language."""
    aliases = {key: key for key in titles}
    for language in LANGUAGES:
        translations = translations_for(language)
        aliases.update({translations.gettext(title): key for key, title in titles.items()})
    return aliases


def header_aliases() -> dict[str, str]:
    return aliases_of({key: TITLES[key] for key in COLUMNS})


def titles() -> list[str]:
    return [gettext(TITLES[key]) for key in COLUMNS]


def example_rows(country: str) -> list[list[object]]:
    lao = country == "LA"
    hire = {"action": "hire", "document_type": "national_id", "document_country": country,
            "document_number": "0123456789" if lao else "A1234567", "given_name": "ສົມພອນ" if lao else "Фирӯз",
            "family_name": "ພົມມະວົງ" if lao else "Каримов", "given_name_latin": "Somphone" if lao else "Firuz",
            "family_name_latin": "Phommavong" if lao else "Karimov", "birth_date": "1990-05-17", "sex": "M",
            "nationality": country, "phone": "+856 20 5555 1234" if lao else "+992 93 555 1234",
            "hired_on": "2026-12-01", "job_title": "ຊ່າງໄມ້" if lao else "Дӯзанда", "contract_type": "permanent",
            "monthly_wage": "3500000" if lao else "2450.00", "ended_on": "", "end_reason": ""}
    return [[hire[key] for key in COLUMNS]]
