"""The first journey: open the login page, switch to Lao, log in as the Lao employer administrator."""

from __future__ import annotations

import pytest

from notifications.i18n import translations_for
from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_lao_employer_administrator_logs_in_in_lao(page, live_server) -> None:
    lao = translations_for("lo")
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "en"
    screenshot(page, "login-en")

    page.get_by_role("button", name="ລາວ").click()
    assert page.locator("html").get_attribute("lang") == "lo"
    assert page.get_by_role("heading", level=1).inner_text() == lao.gettext("Log in")

    page.get_by_label(lao.gettext("E-mail address")).fill("lao.admin@demo.example")
    page.get_by_label(lao.gettext("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=lao.gettext("Log in")).click()

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == lao.gettext("Welcome, %(name)s") % {"name": "ສົມພອນ ພົມມະວົງ"}
    assert page.get_by_text("ບໍລິສັດ ນ້ຳຂອງ ກໍ່ສ້າງ ຈຳກັດ").first.is_visible()
    # The page's own font is used, not a system fallback: Lao must render the same on an intranet.
    # Once the fonts the page asked for have loaded (on a busy machine they may still be on their way).
    families = page.evaluate("async () => { await document.fonts.ready; "
                             "return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family); }")
    assert any("Noto Sans Lao Latin" in family for family in families)
    screenshot(page, "employer-home-lo")


def test_small_screen_login_page_needs_no_horizontal_scrolling(browser, live_server) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="tg-TJ")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "tg"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    screenshot(page, "login-tg-phone")
    context.close()
