from __future__ import annotations

import pytest

from employers.accounts import User
from notifications.i18n import translations_for
from tests.functional.conftest import log_in

LOGIN = "Log in"


@pytest.mark.parametrize(("header", "language"), [("tg-TJ,ru;q=0.8", "tg"), ("ru-RU", "ru"), ("lo-LA,lo;q=0.9", "lo"),
                                                    ("de-DE", "en")])
def test_accept_language_picks_the_page_language(client, header: str, language: str) -> None:
    page = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert translations_for(language).gettext(LOGIN) in page


def test_switcher_sets_a_cookie_that_wins_over_the_browser(client) -> None:
    response = client.post("/language", data={"lang": "lo", "next": "/login"})
    assert response.headers["Location"] == "/login"
    page = client.get("/login", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="lo">' in page


def test_switcher_ignores_unknown_languages_and_foreign_targets(client) -> None:
    response = client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_signed_in_choice_is_stored_on_the_user_and_wins(client, users, db) -> None:
    worker = users["worker"]
    log_in(client, worker.email)
    client.post("/language", data={"lang": "tg"})
    db.expire_all()
    assert db.get(User, worker.id).locale == "tg"
    client.delete_cookie("lang")
    page = client.get("/worker", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="tg">' in page


def test_wtforms_messages_are_translated_in_lao_and_tajik(client) -> None:
    for language in ("lo", "tg"):
        page = client.post("/login", data={"email": "", "password": ""},
                           headers={"Accept-Language": language}).get_data(as_text=True)
        assert "This field is required." not in page
        from portal.i18n import wtforms_translations

        assert wtforms_translations(language).gettext("This field is required.") in page


def test_every_page_has_the_language_switcher(client) -> None:
    page = client.get("/password/forgot").get_data(as_text=True)
    for name in ("English", "ລາວ", "Тоҷикӣ", "Русский"):
        assert name in page


@pytest.mark.parametrize(
    ("language", "amount", "currency", "expected"),
    [
        ("lo", "1250000", "LAK", "₭1.250.000"),
        ("en", "1250000", "LAK", "LAK1,250,000"),
        ("tg", "1234.5", "TJS", "1\xa0234,50\xa0TJS"),
        ("ru", "1234.5", "TJS", "1\xa0234,50\xa0TJS"),
    ],
)
def test_money_is_formatted_in_the_page_language(app, language, amount, currency, expected) -> None:
    from decimal import Decimal

    with app.test_request_context(headers={"Accept-Language": language}):
        render = app.jinja_env.from_string("{{ amount|money(currency) }}")
        assert render.render(amount=Decimal(amount), currency=currency) == expected


def test_periods_and_dates_are_written_in_the_page_language(app) -> None:
    import datetime as dt

    with app.test_request_context(headers={"Accept-Language": "ru"}):
        template = app.jinja_env.from_string("{{ '2026-03'|period }} / {{ day|date('long') }}")
        # CLDR separates "г." with a narrow no-break space (U+202F).
        assert template.render(day=dt.date(2026, 3, 15)) == "март 2026\u202fг. / 15 марта 2026\u202fг."
