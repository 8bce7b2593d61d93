"""An inspector's day, in Lao: the worklist puts the bakery that stopped filing on top; its page explains the
score; the inspector opens a case and records an assessment of a month it did not declare, which files a
declaration for it and tells the employer.  Then the dashboard, on a phone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contributions.assessments import Assessment
from contributions.declarations import Declaration, DeclarationLine
from employers.employers import Employer
from employers.persons import Employment
from notifications.notices import Notice
from tests.browser.conftest import screenshot
from tests.browser.test_arrears_journey import _log_in

pytestmark = pytest.mark.browser

BAKERY = "Нони Хуҷанд"


def _assessed_month(live_db) -> tuple[str, str]:
    """The bakery's oldest estimated month, and one of its workers employed then."""
    bakery = live_db.scalars(select(Employer).where(Employer.legal_name.contains(BAKERY))).one()
    period = live_db.scalars(select(Assessment.period).where(Assessment.employer_id == bakery.id,
                                                             Assessment.status == "active")
                             .order_by(Assessment.period)).first()
    worker = live_db.scalars(select(Employment).where(Employment.employer_id == bakery.id)
                             .order_by(Employment.id)).first()
    number = worker.person.social_security_number
    live_db.rollback()  # hold no lock on the live portal's database while it works
    return period, number


def test_inspector_opens_a_case_on_the_top_employer_and_records_an_assessment(browser, live_server,
                                                                               live_db) -> None:
    period, number = _assessed_month(live_db)
    page, lo = _log_in(browser, live_server, "inspector@demo.example", "lo")
    page.get_by_role("link", name=lo.gettext("Worklist")).first.click()
    rows = page.locator("table tbody tr")
    assert BAKERY in rows.first.inner_text()  # four months not filed: the highest score
    screenshot(page, "worklist-lo")

    rows.first.locator("a").first.click()  # the employer number
    assert page.get_by_text(lo.gettext("Months not filed")).first.is_visible()
    screenshot(page, "employer-360-lo")

    page.get_by_role("link", name=lo.gettext("Open a case")).first.click()
    page.locator("select[name=reason]").select_option("non_filer")
    page.get_by_label(lo.gettext("Why the case is opened")).fill("ບໍ່ໄດ້ຍື່ນແບບແຈ້ງສີ່ເດືອນ")
    page.get_by_role("button", name=lo.gettext("Open the case")).click()
    assert page.get_by_text("ບໍ່ໄດ້ຍື່ນແບບແຈ້ງສີ່ເດືອນ").first.is_visible()

    page.get_by_label(lo.gettext("Period (YYYY-MM)")).fill(period)
    page.locator("input[name$='rows-0-social_security_number']").fill(number)
    page.locator("input[name$='rows-0-gross_wage']").fill("3200")
    page.get_by_label(lo.gettext("What the inspection found")).fill("ກວດເບິ່ງບັນຊີເງິນເດືອນຢູ່ສະຖານທີ່")
    page.get_by_role("button", name=lo.gettext("Record the assessment")).click()
    assert page.locator("p.flash.success").count() == 1
    assert page.get_by_text("ກວດເບິ່ງບັນຊີເງິນເດືອນຢູ່ສະຖານທີ່", exact=False).first.is_visible()
    screenshot(page, "case-assessed-lo")

    live_db.expire_all()
    filed = live_db.scalars(select(Declaration).where(Declaration.period == period,
                                                      Declaration.status == "submitted",
                                                      Declaration.filed_by == "inspector@demo.example")).one()
    line = live_db.scalars(select(DeclarationLine).where(DeclarationLine.declaration_id == filed.id,
                                                         DeclarationLine.person.has(
                                                             social_security_number=number))).one()
    assert str(line.gross_wage) in ("3200", "3200.00")
    # The declaration replaced the estimate, and the employer is told in its language.
    assert live_db.scalar(select(Assessment.status).where(Assessment.employer_id == filed.employer_id,
                                                          Assessment.period == period)) == "replaced"
    notice = live_db.scalars(select(Notice).where(Notice.employer_id == filed.employer_id,
                                                  Notice.kind == "inspection_assessment")).one()
    assert notice.language == "ru"


def test_the_dashboard_on_a_phone(browser, live_server) -> None:
    page, lo = _log_in(browser, live_server, "supervisor@demo.example", "ru", width=390)
    page.goto(f"{live_server}/inspections/dashboard?scheme=TJ-SOCTAX")
    assert page.locator("svg").count() >= 2
    screenshot(page, "dashboard-ru-phone")
