"""The employers read the night's notices in their inbox, in their own language: the Tajik factory's
demand letter with its Russian copy on a phone, the Lao company's overdue notice."""

from __future__ import annotations

import pytest

from notifications.i18n import translations_for
from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def _log_in(browser, live_server: str, email: str, language: str, *, width: int):
    tr = translations_for(language)
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{live_server}/login")
    page.get_by_role("button", name={"lo": "ລາວ", "tg": "Тоҷикӣ"}[language]).click()
    page.get_by_label(tr.gettext("E-mail address")).fill(email)
    page.get_by_label(tr.gettext("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=tr.gettext("Log in")).click()
    return page, tr


@pytest.mark.parametrize(("email", "language", "width", "name"), [
    ("tj.admin@demo.example", "tg", 390, "notice-tg-phone"),
    ("lao.admin@demo.example", "lo", 1100, "notice-lo"),
])
def test_the_employer_reads_a_demand_letter_in_its_language(browser, live_server, email, language, width,
                                                            name) -> None:
    page, tr = _log_in(browser, live_server, email, language, width=width)
    page.get_by_role("link", name=tr.gettext("Notices")).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == tr.gettext("Notices")
    unread = page.locator("li.unread")
    assert unread.count() >= 2  # the overdue notice and the demand letter of the demo's night
    page.locator("li", has_text=tr.gettext("Demand letter no. %(number)d") % {"number": 2}).first \
        .locator("a").click()
    body = page.locator("main").inner_text()
    assert "TJS" in body or "₭" in body or "LAK" in body
    if language == "tg":  # Tajik with the Russian copy
        assert page.locator('main [lang="ru"]').count() >= 1
    screenshot(page, name)
