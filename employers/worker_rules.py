"""Pure rules for persons and employments: what a valid worker row is.  No database, no clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from employers.rules import is_latin_text, normalise_number, phone_is_valid

DOCUMENT_TYPES = ("national_id", "passport", "family_book", "residence_permit")
SEXES = ("F", "M")
CONTRACT_TYPES = ("permanent", "fixed_term", "casual", "apprentice")
END_REASONS = ("resignation", "dismissal", "end_of_contract", "retirement", "death", "transfer", "other")
MIN_WORKING_AGE = 14
MAX_AGE = 100
MAX_WAGE = Decimal("1000000000000")

PERSON_FIELDS = ("document_type", "document_country", "document_number", "given_name", "family_name",
                 "given_name_latin", "family_name_latin", "birth_date", "sex", "nationality", "phone")
EMPLOYMENT_FIELDS = ("hired_on", "job_title", "contract_type", "monthly_wage")


def parse_date(value: object) -> dt.date | None:
    """A date from a ``date``/``datetime`` or ISO text ``YYYY-MM-DD`` (also ``DD.MM.YYYY`` and ``DD/MM/YYYY``,
    the forms spreadsheets in Lao PDR and Tajikistan use).  None when it cannot be read."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_amount(value: object, places: int) -> Decimal | None:
    """A wage from text or a number cell: digits with an optional decimal point (spaces and thousands
    separators ``,`` or no-break spaces removed); at most ``places`` decimals.  Floats from spreadsheets are
    read through their shortest text form, never used as binary floats."""
    if isinstance(value, bool):
        return None
    text = repr(value) if isinstance(value, float) else ("" if value is None else str(value))
    text = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -places:
        return None
    return amount


def person_problems(values: dict[str, object], *, today: dt.date) -> list[tuple[str, str]]:
    """(field, code) for each rule a person's identity breaks; values are as typed (strings or dates)."""
    problems: list[tuple[str, str]] = []
    for field in ("document_type", "document_country", "document_number", "given_name", "family_name",
                  "given_name_latin", "family_name_latin", "birth_date", "sex", "nationality"):
        if not str(values.get(field) or "").strip():
            problems.append((field, "field.required"))
    missing = {field for field, _ in problems}

    def check(field: str, ok: bool, code: str) -> None:
        if field not in missing and not ok:
            problems.append((field, code))

    check("document_type", values.get("document_type") in DOCUMENT_TYPES, "person.document_type_unknown")
    number = normalise_number(str(values.get("document_number") or ""))
    check("document_number", 4 <= len(number) <= 40, "person.document_number_invalid")
    for field in ("document_country", "nationality"):
        code = str(values.get(field) or "")
        check(field, len(code) == 2 and code.isalpha() and code.isupper(), "person.country_invalid")
    for field in ("given_name_latin", "family_name_latin"):
        check(field, is_latin_text(str(values.get(field) or "")), "employer.latin_required")
    check("sex", values.get("sex") in SEXES, "person.sex_unknown")
    born = parse_date(values.get("birth_date"))
    if "birth_date" not in missing:
        if born is None:
            problems.append(("birth_date", "field.date_invalid"))
        elif born > today:
            problems.append(("birth_date", "person.born_in_future"))
        elif born.year < today.year - MAX_AGE:
            problems.append(("birth_date", "person.too_old"))
    if values.get("phone") and len(str(values["phone"])) > 40:
        problems.append(("phone", "field.too_long"))
    elif values.get("phone") and not phone_is_valid(str(values["phone"])):
        problems.append(("phone", "contact.phone_invalid"))
    for field in ("given_name", "family_name", "given_name_latin", "family_name_latin"):
        if len(str(values.get(field) or "")) > 120:
            problems.append((field, "field.too_long"))
    return problems


def employment_problems(
    values: dict[str, object], *, birth_date: dt.date | None, registered_on: dt.date | None, wage_places: int,
) -> list[tuple[str, str]]:
    """(field, code) for each rule a new employment breaks."""
    problems: list[tuple[str, str]] = []
    hired = parse_date(values.get("hired_on"))
    if not str(values.get("hired_on") or "").strip():
        problems.append(("hired_on", "field.required"))
    elif hired is None:
        problems.append(("hired_on", "field.date_invalid"))
    else:
        if registered_on is not None and hired < registered_on:
            problems.append(("hired_on", "employment.before_registration"))
        if birth_date is not None and birth_date <= hired < _add_years(birth_date, MIN_WORKING_AGE):
            problems.append(("hired_on", "employment.under_working_age"))
    if values.get("contract_type") not in CONTRACT_TYPES:
        problems.append(("contract_type", "employment.contract_type_unknown"))
    wage_text = values.get("monthly_wage")
    wage = parse_amount(wage_text, wage_places)
    if wage_text in (None, ""):
        problems.append(("monthly_wage", "field.required"))
    elif wage is None:
        problems.append(("monthly_wage", "employment.wage_invalid"))
    elif wage < 0 or wage > MAX_WAGE:
        problems.append(("monthly_wage", "employment.wage_invalid"))
    if len(str(values.get("job_title") or "")) > 120:
        problems.append(("job_title", "field.too_long"))
    return problems


def end_problems(ended_on: object, reason: object, *, hired_on: dt.date) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    ended = parse_date(ended_on)
    if ended is None:
        problems.append(("ended_on", "field.date_invalid" if ended_on else "field.required"))
    elif ended < hired_on:
        problems.append(("ended_on", "employment.ends_before_start"))
    if reason not in END_REASONS:
        problems.append(("end_reason", "employment.end_reason_unknown"))
    return problems


def overlaps(start: dt.date, end: dt.date | None, other_start: dt.date, other_end: dt.date | None) -> bool:
    """Whether two inclusive date ranges share a day (an open end runs for ever)."""
    return (other_end is None or start <= other_end) and (end is None or other_start <= end)


def _add_years(day: dt.date, years: int) -> dt.date:
    if day.year + years > dt.MAXYEAR:
        return dt.date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
