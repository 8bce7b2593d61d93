"""Texts of printed documents: translated and formatted in one language, ready for reportlab.

Documents build every string they print through :class:`Text` and :func:`clean`, so that the strings can be
checked without a PDF (PDF text extraction loses positioned Lao marks).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_precision

from notifications.i18n import translations_for

if TYPE_CHECKING:
    from employers.employers import Employer

LAO_PREPOSED_VOWELS = "\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4"  # written before the consonant they follow in speech


@dataclass(frozen=True, slots=True)
class Item:
    """One labelled value; ``key`` names it whatever the language."""

    key: str
    label: str
    value: str


def _(text: str) -> str:
    """Mark a string for extraction; it is translated where the document is built, in its language."""
    return text


def employer_items(employer: Employer, t: Text) -> list[Item]:
    """Who the document is about, as every document prints it: names, numbers and address."""
    items = [Item("legal_name", t(_("Legal name")), clean(employer.legal_name))]
    if employer.legal_name_latin and employer.legal_name_latin != employer.legal_name:
        items.append(Item("legal_name_latin", t(_("Legal name in Latin script")), clean(employer.legal_name_latin)))
    return items + [Item("employer_number", t(_("Employer number")), employer.employer_number or ""),
                    Item("tax_number", t(_("Tax identification number")), employer.tax_number),
                    Item("address", t(_("Address")), clean(employer.address))]


def clean(text: str) -> str:
    """Babel's Lao output and typed Lao contain U+200B, which reportlab would print as a visible space."""
    return text.replace("\u200b", "")


def shorten(text: str, limit: int) -> str:
    """``text`` on one line (runs of white space made one space), at most ``limit`` characters: a longer one
    ends with an ellipsis, after the last whole word when there is one in the second half.  A cut inside a
    word never separates a mark from its letter nor leaves a Lao vowel written before its consonant."""
    line = " ".join(clean(text).split())
    if len(line) <= limit:
        return line
    cut = line[:limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    else:
        while cut and unicodedata.category(line[len(cut)]).startswith("M"):
            cut = cut[:-1]
        cut = cut.rstrip(LAO_PREPOSED_VOWELS)
    return cut.rstrip() + "…"


class Text:
    """Translation and formatting in one language; amounts with the currency's own precision (LAK none,
    TJS two decimals)."""

    def __init__(self, language: str, currency: str) -> None:
        self.language, self.currency = language, currency
        self._gettext = translations_for(language).gettext
        places = get_currency_precision(currency)
        self._number_pattern = "#,##0" + ("." + "0" * places if places else "")

    def __call__(self, message: str, **params: object) -> str:
        text = self._gettext(message)
        return clean(text % params if params else text)

    def money(self, amount: Decimal) -> str:
        return clean(format_currency(amount, self.currency, locale=self.language))

    def number(self, amount: Decimal) -> str:
        return clean(format_decimal(amount, format=self._number_pattern, locale=self.language))

    def count(self, count: int) -> str:
        return clean(format_decimal(count, locale=self.language))

    def rate(self, rate: Decimal) -> str:
        return clean(format_percent(rate, "#,##0.###%", locale=self.language))

    def date(self, day: dt.date | None) -> str:
        return clean(format_date(day, format="long", locale=self.language)) if day else "—"

    def period(self, period: str) -> str:
        first_day = dt.date(int(period[:4]), int(period[5:7]), 1)
        return clean(format_skeleton("yMMMM", first_day, locale=self.language))

    def moment(self, when: dt.datetime, time_zone: str) -> str:
        """Local date and time with the UTC offset, e.g. ``November 20, 2026, 16:30 (UTC+07:00)``."""
        local = when.astimezone(ZoneInfo(time_zone))
        offset = local.strftime("%z")
        return f"{self.date(local.date())}, {local:%H:%M} (UTC{offset[:3]}:{offset[3:]})"


def all_strings(content: object) -> list[str]:
    """Every string a document is built from (its labels and values, in every field), for checks."""

    def walk(value: object):
        if isinstance(value, str):
            yield value
        elif isinstance(value, Item):
            yield from (value.label, value.value)
        elif isinstance(value, list | tuple):
            for element in value:
                yield from walk(element)

    return [text for spec in fields(content) for text in walk(getattr(content, spec.name))]
