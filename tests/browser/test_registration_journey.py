"""Apply as a new employer in Tajik, staff approve, the administrator logs in, registers a worker and uploads
50 workers from an XLSX file."""

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

    page.goto(f"{live_server}/employer/workers/new")
    page.get_by_label(tg.gettext("Document number"), exact=True).fill("A0000001")
    page.get_by_label(tg.gettext("Given name"), exact=True).fill("Манижа")
    page.get_by_label(tg.gettext("Family name"), exact=True).fill("Шарипова")
    page.get_by_label(tg.gettext("Given name in Latin script"), exact=True).fill("Manizha")
    page.get_by_label(tg.gettext("Family name in Latin script"), exact=True).fill("Sharipova")
    page.get_by_label(tg.gettext("Date of birth"), exact=True).fill("1994-04-12")
    page.get_by_label(tg.gettext("Sex"), exact=True).select_option("F")
    page.get_by_label(tg.gettext("Agreed monthly wage"), exact=True).fill("2450.50")
    page.get_by_role("button", name=tg.gettext("Register the worker")).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Манижа Шарипова"

    page.goto(f"{live_server}/employer/workers/import")
    page.get_by_label(tg.gettext("File (CSV or XLSX)"), exact=True).set_input_files(
        files=[{"name": "workers.xlsx", "mimeType": XLSX, "buffer": _workbook(50)}])
    page.get_by_role("button", name=tg.gettext("Check the file")).click()
    screenshot(page, "import-report-tg")
    page.get_by_role("button", name=tg.ngettext("Import the %(num)d valid row", "Import the %(num)d valid rows",
                                                  50) % {"num": 50}).click()
    page.goto(f"{live_server}/employer/workers")
    counted = tg.ngettext("%(num)d worker", "%(num)d workers", 51) % {"num": 51}
    assert page.get_by_text(counted).is_visible()
    screenshot(page, "workers-tg")
    context.close()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(count: int) -> bytes:
    """A filled-in template: 50 hires of Tajik workers, dates and wages as real spreadsheet cells."""
    import datetime as dt
    import io

    from openpyxl import Workbook

    from employers.imports import COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for i in range(count):
        values = {"action": "hire", "document_type": "passport", "document_country": "TJ",
                  "document_number": f"B{i:07d}", "given_name": "Зарина", "family_name": f"Саидова-{i}",
                  "given_name_latin": "Zarina", "family_name_latin": f"Saidova-{i}",
                  "birth_date": dt.date(1985, 1, 1) + dt.timedelta(days=97 * i), "sex": "F", "nationality": "TJ",
                  "phone": "", "hired_on": dt.date.today(), "job_title": "Дӯзанда", "contract_type": "permanent",
                  "monthly_wage": 1800 + i * 12.5, "ended_on": None, "end_reason": None}
        sheet.append([values[column] for column in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
