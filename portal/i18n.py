"""Four languages: English (the source), Lao, Tajik and Russian.

The locale is the user's stored choice, then the ``lang`` cookie, then the browser's Accept-Language
negotiated with Babel (``tg-TJ,ru`` gives Tajik, where Werkzeug's best_match would give Russian).
WTForms' messages come from its own catalogs merged with ours (WTForms ships no Lao or Tajik).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import wtforms
from babel import negotiate_locale
from babel.dates import format_skeleton
from babel.numbers import get_currency_precision
from babel.support import NullTranslations, Translations
from flask import Flask, request
from flask_babel import Babel, format_currency, format_date, format_datetime, format_percent, get_locale
from flask_login import current_user

from common.period import Period
from employers.api_tokens import readable_actor
from notifications.i18n import TRANSLATIONS_DIR

SUPPORTED = ("en", "lo", "tg", "ru")
DEFAULT = "en"
LANGUAGE_NAMES = {"en": "English", "lo": "ລາວ", "tg": "Тоҷикӣ", "ru": "Русский"}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def negotiate(accept_languages: list[str]) -> str | None:
    """Pick one of ``SUPPORTED`` from an ordered list of browser tags (``tg-TJ``, ``ru``...)."""
    preferred = [tag.replace("-", "_") for tag in accept_languages if tag and tag != "*"]
    return negotiate_locale(preferred, list(SUPPORTED), sep="_")


def select_locale() -> str:
    from portal.api import is_api_request

    if is_api_request() and request.endpoint != "api.docs":  # a call speaks Accept-Language only
        return negotiate([tag for tag, _q in request.accept_languages]) or DEFAULT
    if current_user and current_user.is_authenticated and current_user.locale in SUPPORTED:
        return current_user.locale
    cookie = request.cookies.get(COOKIE)
    if cookie in SUPPORTED:
        return cookie
    return negotiate([tag for tag, _q in request.accept_languages]) or DEFAULT


@lru_cache(maxsize=8)
def wtforms_translations(locale: str) -> NullTranslations:
    """WTForms' catalog for ``locale`` merged with the project's ``wtforms`` domain (ours wins)."""
    shipped = Translations.load(str(Path(wtforms.__file__).parent / "locale"), [locale], domain="wtforms")
    ours = Translations.load(str(TRANSLATIONS_DIR), [locale], domain="wtforms")
    if isinstance(shipped, Translations) and isinstance(ours, Translations):
        shipped.merge(ours)
        return shipped
    return ours if isinstance(ours, Translations) else shipped


class WTFormsTranslations:
    """The object WTForms asks for messages; resolves the request's locale at call time."""

    def _catalog(self) -> NullTranslations:
        return wtforms_translations(str(get_locale() or DEFAULT))

    def gettext(self, string: str) -> str:
        return self._catalog().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog().ngettext(singular, plural, n)


def money(amount: Decimal | int | str | None, currency: str) -> str:
    """An amount in the request's locale with the currency's own precision (LAK none, TJS two)."""
    if amount is None:
        return ""
    return format_currency(Decimal(amount), currency)


def percent(rate: Decimal | None) -> str:
    """A rate (0.055) as a percentage in the request's locale (5.5 %), with as many decimals as it has."""
    if rate is None:
        return ""
    return format_percent(Decimal(rate), "#,##0.###%")


def plain_amount(amount: Decimal | None, currency: str) -> str:
    """An amount as typed in a form field: no grouping, the currency's decimals (3000000; 2000.00)."""
    if amount is None:
        return ""
    places = get_currency_precision(currency)
    return str(Decimal(amount).quantize(Decimal(1).scaleb(-places)))


def period_label(period: Period | str) -> str:
    period = Period.parse(period) if isinstance(period, str) else period
    return format_skeleton("yMMMM", period.first_day, locale=str(get_locale() or DEFAULT))


def select_timezone() -> str | None:
    """Times are shown in the employer's scheme time zone; staff see the portal's own zone."""
    if current_user and current_user.is_authenticated and current_user.employer is not None:
        return current_user.employer.scheme.time_zone
    return None


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    app.config["WTF_I18N_ENABLED"] = False  # our forms supply their own translations (PortalForm.Meta)
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["actor"] = readable_actor
    app.jinja_env.filters["period"] = period_label
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["plain_amount"] = plain_amount
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["datetime"] = (
        lambda value, fmt="medium": format_datetime(value, fmt) if isinstance(value, dt.datetime) else ""
    )

    @app.context_processor
    def _languages() -> dict:
        return {"languages": LANGUAGE_NAMES, "current_locale": str(get_locale() or DEFAULT)}
