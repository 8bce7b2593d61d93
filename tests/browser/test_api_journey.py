"""The Lao employer's administrator gives the payroll program a token, on a phone: it is shown once, works
against the API at once, and the list then says when it was last used; the API's own page describes it."""

from __future__ import annotations

import re

import pytest

from notifications.i18n import translations_for
from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_an_administrator_creates_a_token_that_the_payroll_program_uses_at_once(browser, live_server) -> None:
    lo = translations_for("lo")
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="lo-LA").new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label(lo.gettext("E-mail address")).fill("lao.admin@demo.example")
    page.get_by_label(lo.gettext("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=lo.gettext("Log in")).click()
    page.get_by_role("link", name=lo.gettext("API tokens")).click()
    assert page.locator("tbody tr").count() == 1  # the demo's own token, created at seeding

    page.get_by_label(lo.pgettext("API token", "Name")).fill("Payroll 2027")
    page.get_by_label(lo.gettext("What the token may do")).select_option("write")
    page.get_by_role("button", name=lo.gettext("Create the token")).click()
    token = page.locator("#token-value").inner_text().strip()
    assert re.fullmatch(r"ocp_[A-Za-z0-9_-]{43}", token)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls, not the page
    screenshot(page, "api-token-lo-phone")

    answer = page.request.get(f"{live_server}/api/v1/account",
                              headers={"Authorization": f"Bearer {token}", "Accept-Language": "lo"})
    assert answer.status == 200 and answer.json()["currency"] == "LAK"

    page.goto(f"{live_server}/employer/api-tokens")
    assert token not in page.content()  # shown once only
    used = page.locator("tr", has_text="Payroll 2027")
    assert lo.gettext("Never") not in used.inner_text()  # the call above is its last use

    page.goto(f"{live_server}/api/v1/docs")
    assert page.locator("code", has_text="/api/v1/declarations/{declaration_id}/submit").count() == 1
    screenshot(page, "api-docs-lo-phone", full_page=False)
