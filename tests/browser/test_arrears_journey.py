"""The night's work seen by people: a supervisor approves a waiver waiting in the queue and reads the
arrears by age; the bakery that stopped filing sees its estimated months on a phone."""

from __future__ import annotations

import pytest

from notifications.i18n import translations_for
from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def _log_in(browser, live_server: str, email: str, language: str, *, width: int = 1100):
    tr = translations_for(language)
    page = browser.new_context(viewport={"width": width, "height": 900}, locale=f"{language}-RU").new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label(tr.gettext("E-mail address")).fill(email)
    page.get_by_label(tr.gettext("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=tr.gettext("Log in")).click()
    return page, tr


def test_supervisor_approves_a_waiver_and_reads_the_arrears(browser, live_server) -> None:
    page, ru = _log_in(browser, live_server, "supervisor@demo.example", "ru")
    page.goto(f"{live_server}/staff/waivers")
    # The demo's administrator asked to waive most of the bakery's largest fine: above the threshold, it waits.
    row = page.locator("tr", has_text="Нони Хуҷанд")
    assert row.count() == 1
    screenshot(page, "waivers-ru")
    row.get_by_role("button", name=ru.gettext("Approve")).click()
    assert page.get_by_text(ru.gettext("No waiver is waiting for approval.")).is_visible()

    page.goto(f"{live_server}/staff/arrears?scheme=TJ-SOCTAX")
    employers = page.locator("table", has_text="Нони Хуҷанд")
    assert employers.count() == 1
    # The bakery owes the most: its estimated months, fines and interest.
    assert "Нони Хуҷанд" in employers.locator("tbody tr").first.inner_text()
    screenshot(page, "arrears-ru")


def test_the_non_filer_sees_its_estimated_months_on_a_phone(browser, live_server) -> None:
    page, ru = _log_in(browser, live_server, "bakery.admin@demo.example", "ru", width=390)
    page.goto(f"{live_server}/employer/declarations/")
    assessed = page.get_by_text(ru.gettext("Assessed (estimated)"))
    assert assessed.count() >= 3
    screenshot(page, "assessed-periods-ru-phone")
    page.locator("tr", has_text=ru.gettext("Assessed (estimated)")).first.locator("a").first.click()
    assert page.get_by_text(ru.gettext("Basis of the estimate")).is_visible()
    screenshot(page, "assessed-period-ru-phone")
