"""Payment references: the number an employer writes on a bank transfer so that the payment finds its
declaration without anyone reading it.

Two forms of the same reference (country rules §4.1):

* **numeric**, for banks whose reference field takes digits only: the period (``YYYYMM``), the declaration
  number (at least 7 digits), then two ISO 7064 mod 97-10 check digits (the IBAN algorithm), which catch every
  single wrong digit and every swap of two neighbouring digits;
* **ISO 11649 "RF" creditor reference**: ``RF`` + two check digits + the same body, which banks that know the
  standard validate at entry.

A reference read from remittance text is accepted only when its check digits are right, so a mistyped
reference is never matched to another employer's declaration.
"""

from __future__ import annotations

import re

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

_NOISE = re.compile(r"[\s\-./]")


def reference_body(period: str, declaration_id: int) -> str:
    """Digits that identify a filed declaration version: ``YYYYMM`` and its number."""
    if declaration_id < 1:
        raise ValueError("declaration numbers start at 1")
    return period.replace("-", "") + f"{declaration_id:07d}"


def numeric_reference(body: str) -> str:
    if not body.isdigit():
        raise ValueError("a numeric reference has digits only")
    return body + mod_97_10.calc_check_digits(body)


def rf_reference(body: str) -> str:
    """The ISO 11649 form, ``RF`` + check digits + body (at most 21 characters of body)."""
    if not 1 <= len(body) <= 21 or not body.isalnum():
        raise ValueError("an RF reference body has 1 to 21 letters or digits")
    return "RF" + mod_97_10.calc_check_digits(body.upper() + "RF") + body.upper()


def format_rf(reference: str) -> str:
    """``RF18 2026 0400 0001 2`` for printing: groups of four."""
    return iso11649.format(reference)


def format_numeric(reference: str) -> str:
    return " ".join(reference[i:i + 4] for i in range(0, len(reference), 4))


def normalise(text: str) -> str:
    return _NOISE.sub("", text).upper()


def body_of(reference: str) -> str | None:
    """The body of a reference in either form, if its check digits are right; None otherwise.

    Spaces, dashes, dots and lower case are tolerated: ``rf18 2026-0400 0001 2`` is read like
    ``RF182026040000012``.
    """
    value = normalise(reference)
    if value.startswith("RF"):
        return value[4:] if iso11649.is_valid(value) else None
    if value.isdigit() and len(value) >= 3 and mod_97_10.is_valid(value):
        return value[:-2]
    return None
