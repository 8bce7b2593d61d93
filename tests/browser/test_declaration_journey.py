"""A Lao employer files April with 25 workers, one of them paid above the ceiling, and downloads the
receipt in Lao."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal

import pytest

from notifications.i18n import translations_for
from tests import factories
from tests.browser.conftest import SCREENSHOTS, screenshot

pytestmark = pytest.mark.browser


def _lao_employer_with_25_workers(session) -> str:
    employer = factories.employer_since(session, dt.date(2025, 1, 2), legal_name="ບໍລິສັດ ຫຼວງພະບາງ ການຄ້າ ຈຳກັດ",
                                        legal_name_latin="Luang Prabang Trading Co., Ltd.")
    for i in range(25):
        wage = "6000000" if i == 7 else str(2_600_000 + 50_000 * i)
        factories.hire(session, employer, wage=wage, given_name="ບຸນມີ", family_name=f"ແກ້ວມະນີ {i + 1}")
    admin = factories.user(session, "employer_admin", employer_id=employer.id, locale="lo",
                           email=f"admin.{employer.employer_number}@luangprabang.example")
    email = admin.email
    session.commit()  # and nothing read afterwards: an open read would hold SQLite's lock against the portal
    return email


def test_lao_employer_files_april_and_downloads_the_receipt_in_lao(browser, live_server, live_db) -> None:
    email = _lao_employer_with_25_workers(live_db)
    lo = translations_for("lo")
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="lo-LA")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label(lo.gettext("E-mail address")).fill(email)
    page.get_by_label(lo.gettext("Password")).fill(factories.PASSWORD)
    page.get_by_role("button", name=lo.gettext("Log in")).click()

    page.get_by_role("link", name=lo.gettext("Declarations"), exact=True).click()
    screenshot(page, "declarations-lo")
    page.locator("a[href$='/period/2026-04']").click()
    page.get_by_role("button", name=lo.gettext("Prepare the declaration")).click()
    # The draft lists the 25 workers with their agreed wages; one is paid 6,000,000 kip, above the ceiling.
    assert page.locator("table.lines tbody tr").count() == 25
    assert page.locator("td.num span[title]").count() == 1  # the ceiling mark ‡ on one line
    screenshot(page, "draft-lo")

    page.get_by_label(lo.gettext("I confirm that this declaration is complete and correct.")).check()
    page.get_by_role("button", name=lo.gettext("File the declaration")).click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith(lo.gettext("Declaration for %(period)s") % {"period": ""})
    facts = page.locator("dl.facts").first.inner_text()
    receipt_number = page.locator("dl.facts dd strong").first.inner_text()
    assert receipt_number.startswith("LA-") and receipt_number in facts
    # 24 wages of 2,600,000 + 50,000 i (i != 7) and one capped at 4,500,000: 5.5 % and 6 % of the base.
    base = sum(Decimal(2_600_000 + 50_000 * i) for i in range(25) if i != 7) + Decimal(4_500_000)
    total = (base * Decimal("0.055")).quantize(Decimal(1)) + (base * Decimal("0.06")).quantize(Decimal(1))
    assert f"{int(total):,}".replace(",", ".") in page.locator("body").inner_text()
    screenshot(page, "filed-lo", full_page=False)

    link = page.get_by_role("link", name=lo.gettext("Download the receipt (PDF)"))
    response = page.request.get(live_server + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF") and b"NotoSansLaoLatin" in pdf
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "receipt-lo.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(SCREENSHOTS / "receipt-lo.pdf"), str(SCREENSHOTS / "receipt-lo")], check=True)
    assert (SCREENSHOTS / "receipt-lo.png").stat().st_size > 10_000
    context.close()
