"""Pure rules of the registry: password policy and login lock-out.  No database, no clock."""

from __future__ import annotations

import datetime as dt
import unicodedata

from stdnum import damm, luhn, verhoeff
from stdnum.iso7064 import mod_11_10

# A short list of passwords that appear at the top of every breach corpus; refusing them costs nothing.
_COMMON_PASSWORDS = frozenset(
    {
        "password", "password1", "password123", "123456789", "1234567890", "12345678910", "qwertyuiop",
        "iloveyou", "admin12345", "welcome123", "letmein123", "qwerty1234", "1q2w3e4r5t", "0987654321",
        "abcdefghij", "passw0rd123", "changeme123", "administrator",
    }
)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


def password_problems(password: str, *, email: str = "") -> list[str]:
    """Return the codes of the rules a new password breaks (empty list when it is acceptable).

    Length matters more than character classes (NIST SP 800-63B): at least 10 characters, not a
    well-known password, not the login itself, and not one character repeated.
    """
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("password.too_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append("password.too_long")
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS:
        problems.append("password.too_common")
    if email and lowered == email.lower():
        problems.append("password.same_as_login")
    if password and len(set(password)) == 1:
        problems.append("password.too_common")
    return list(dict.fromkeys(problems))


def lock_until(
    failures: int, *, max_failures: int, lockout: dt.timedelta, now: dt.datetime
) -> dt.datetime | None:
    """When ``failures`` consecutive failed logins reach ``max_failures``, the account locks until
    ``now + lockout``; below that, no lock.  ``failures`` counts the one that just happened."""
    if max_failures > 0 and failures >= max_failures:
        return now + lockout
    return None


# --- Registry numbers -------------------------------------------------------------------------------
# A scheme describes its numbers as {"prefix": "LA", "digits": 7, "check": "luhn"}: the prefix, a
# zero-padded sequence of ``digits`` digits, and one check digit computed over those digits.

# Luhn and ISO 7064 MOD 11,10 catch every single-digit error and most swaps of neighbours; Damm and
# Verhoeff catch every swap of neighbours too, which matters for numbers people type from paper.
_CHECK_DIGITS = {"luhn": luhn, "mod_11_10": mod_11_10, "damm": damm, "verhoeff": verhoeff}


def _check_module(name: str):
    if name not in _CHECK_DIGITS:
        raise ValueError(f"unknown check-digit algorithm {name!r}")
    return _CHECK_DIGITS[name]


def format_number(number_format: dict, sequence: int) -> str:
    """The ``sequence``-th number of a scheme's format, with its check digit (``LA00000018``)."""
    digits = int(number_format["digits"])
    if not 0 < sequence < 10**digits:
        raise ValueError("the number range of this format is exhausted")
    body = f"{sequence:0{digits}d}"
    return f"{number_format.get('prefix', '')}{body}{_check_module(number_format['check']).calc_check_digit(body)}"


def normalise_number(value: str) -> str:
    """Numbers are read as people type them: spaces, dashes and dots ignored, letters upper-cased."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def number_is_valid(number_format: dict, value: str) -> bool:
    """True when ``value`` has the format's prefix, length and a correct check digit."""
    value = normalise_number(value)
    prefix = number_format.get("prefix", "")
    body = value[len(prefix):]
    if not value.startswith(prefix) or len(body) != int(number_format["digits"]) + 1 or not body.isdigit():
        return False
    return bool(_check_module(number_format["check"]).is_valid(body))


# --- Employer applications --------------------------------------------------------------------------

_REQUIRED = ("legal_name", "legal_name_latin", "category", "region_code", "address", "contact_name", "phone",
             "email", "preferred_language")


def is_latin_text(text: str) -> bool:
    """Latin script only (letters with diacritics allowed), digits, spaces and common punctuation."""
    for ch in text:
        if ch.isalpha() and "LATIN" not in unicodedata.name(ch, ""):
            return False
    return True


def phone_is_valid(phone: str) -> bool:
    """International or national form: an optional +, then 7 to 15 digits; spaces, dashes, dots and
    brackets are allowed between them."""
    stripped = phone.strip()
    digits = "".join(ch for ch in stripped if ch.isdigit())
    allowed = set("0123456789 -.()")
    body = stripped[1:] if stripped.startswith("+") else stripped
    return bool(stripped) and set(body) <= allowed and 7 <= len(digits) <= 15


def email_is_valid(email: str) -> bool:
    local, _, domain = email.strip().rpartition("@")
    return bool(local) and "." in domain and " " not in email.strip() and len(email) <= 255 and \
        not domain.startswith(".") and not domain.endswith(".")


def application_problems(
    values: dict[str, str], *, categories: set[str], regions: set[str], sectors: set[str], languages: set[str],
) -> list[tuple[str, str]]:
    """(field, code) for every rule an employer profile breaks; empty when it is acceptable.  The tax number
    is checked when ``values`` has one (applications), not on later profile changes."""
    problems: list[tuple[str, str]] = []
    required = _REQUIRED + (("tax_number",) if "tax_number" in values else ())
    for field in required:
        if not str(values.get(field) or "").strip():
            problems.append((field, "field.required"))
    present = {field for field, _ in problems}

    def check(field: str, ok: bool, code: str) -> None:
        if field not in present and values.get(field) and not ok:
            problems.append((field, code))

    check("legal_name_latin", is_latin_text(str(values.get("legal_name_latin", ""))), "employer.latin_required")
    tax = normalise_number(str(values.get("tax_number", "")))
    check("tax_number", 5 <= len(tax) <= 30, "employer.tax_number_invalid")
    check("category", values.get("category") in categories, "employer.category_unknown")
    check("region_code", values.get("region_code") in regions, "employer.region_unknown")
    if values.get("sector_code"):
        check("sector_code", values.get("sector_code") in sectors, "employer.sector_unknown")
    check("phone", phone_is_valid(str(values.get("phone", ""))), "contact.phone_invalid")
    check("email", email_is_valid(str(values.get("email", ""))), "contact.email_invalid")
    check("preferred_language", values.get("preferred_language") in languages, "employer.language_unknown")
    for field in ("legal_name", "legal_name_latin", "trading_name", "contact_name"):
        if len(str(values.get(field) or "")) > 255:
            problems.append((field, "field.too_long"))
    return problems
