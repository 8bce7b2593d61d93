from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency

from portal.i18n import negotiate


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["tg-TJ", "ru"], "tg"),
        (["ru-RU", "en"], "ru"),
        (["lo-LA"], "lo"),
        (["lo"], "lo"),
        (["fr-FR", "ru"], "ru"),
        (["de-DE"], None),
        (["en-US", "lo"], "en"),
    ],
)
def test_accept_language_negotiation(header: list[str], expected: str | None) -> None:
    assert negotiate(header) == expected


def test_currency_precision_follows_cldr() -> None:
    # LAK has no minor unit in use; TJS has two decimals.  Spaces in tg/ru are no-break spaces.
    assert format_currency(Decimal("1250000"), "LAK", locale="lo") == "₭1.250.000"
    assert format_currency(Decimal("1234.5"), "TJS", locale="tg") == "1\xa0234,50\xa0TJS"
    assert format_currency(Decimal("1234.5"), "TJS", locale="ru") == "1\xa0234,50\xa0TJS"
