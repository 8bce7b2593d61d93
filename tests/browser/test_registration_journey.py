"""Apply as a new employer in Tajik, staff approve, the administrator logs in and sees the employer number."""

from __future__ import annotations

import pytest

from notifications.i18n import translations_for
from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser
PASSWORD = "рамзи дарози боэътимод"


def test_apply_in_tajik_then_staff_approve_then_log_in(browser, live_server) -> None:
    tg = translations_for("tg")
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="tg-TJ")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name=tg.gettext("Register as an employer")).click()

    page.get_by_label(tg.gettext("Country and scheme"), exact=True).select_option("TJ-SOCTAX")
    page.get_by_label(tg.gettext("Legal name (in Lao or Tajik script)"), exact=True).fill("ҶДММ «Ҳисор Агро»")
    page.get_by_label(tg.gettext("Legal name in Latin script"), exact=True).fill("Hisor Agro LLC")
    page.get_by_label(tg.gettext("Tax identification number"), exact=True).fill("040 555 123")
    page.get_by_label(tg.gettext("Employer category"), exact=True).select_option("non_budget")
    page.get_by_label(tg.gettext("Economic sector"), exact=True).select_option("A")
    page.get_by_label(tg.gettext("Province and district"), exact=True).select_option("TJ-DU-03")
    page.get_by_label(tg.gettext("Address"), exact=True).fill("кӯчаи Сомонӣ 12, Душанбе")
    page.get_by_label(tg.gettext("Contact person"), exact=True).fill("Рустам Ҳасанов")
    page.get_by_label(tg.gettext("Phone"), exact=True).fill("+992 90 123 4567")
    page.get_by_label(tg.gettext("E-mail address"), exact=True).fill("office@hisor-agro.example")
    page.get_by_label(tg.gettext("Your full name"), exact=True).fill("Рустам Ҳасанов")
    page.get_by_label(tg.gettext("Your e-mail address (your login)"), exact=True).fill("rustam@hisor-agro.example")
    page.get_by_label(tg.gettext("Choose a password"), exact=True).fill(PASSWORD)
    page.get_by_label(tg.gettext("Repeat the password"), exact=True).fill(PASSWORD)
    screenshot(page, "apply-tg")
    page.get_by_role("button", name=tg.gettext("Send the application")).click()
    assert page.get_by_role("heading", level=1).inner_text() == tg.gettext("Application received")

    staff = browser.new_context(locale="ru-RU").new_page()
    staff.goto(f"{live_server}/login")
    ru = translations_for("ru")
    staff.get_by_label(ru.gettext("E-mail address"), exact=True).fill("supervisor@demo.example")
    staff.get_by_label(ru.gettext("Password"), exact=True).fill(DEMO_PASSWORD)
    staff.get_by_role("button", name=ru.gettext("Log in")).click()
    staff.goto(f"{live_server}/staff/applications")
    staff.get_by_role("link", name="ҶДММ «Ҳисор Агро»").click()
    screenshot(staff, "review-ru")
    staff.get_by_role("button", name=ru.gettext("Approve and give an employer number")).click()
    assert ru.gettext("Applications to review") in staff.get_by_role("heading", level=1).inner_text()

    page.goto(f"{live_server}/login")
    page.get_by_label(tg.gettext("E-mail address"), exact=True).fill("rustam@hisor-agro.example")
    page.get_by_label(tg.gettext("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=tg.gettext("Log in")).click()
    page.get_by_role("link", name=tg.gettext("Employer profile")).click()
    number = page.locator("dl.facts dd").first.inner_text()
    assert len(number) == 10 and number.isdigit()
    screenshot(page, "profile-tg")
    context.close()
