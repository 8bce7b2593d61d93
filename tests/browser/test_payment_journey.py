"""An officer imports a camt.053 statement, resolves the one payment nobody could identify, and the
employer sees the period paid."""

from __future__ import annotations

import datetime as dt

import pytest

from common.period import Period
from contributions.drafts import open_draft
from contributions.filing import rf_of, submit_declaration
from contributions.rules.references import format_rf
from notifications.i18n import translations_for
from portal import synthetic
from portal.demo import DEMO_PASSWORD
from tests import factories
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser
FILED = dt.datetime(2026, 5, 12, 3, 0, tzinfo=dt.UTC)


def _employer_with_two_declarations(session) -> tuple[str, str, bytes]:
    employer = factories.employer_since(session, dt.date(2025, 1, 2), legal_name="ບໍລິສັດ ປາກເຊ ກາເຟ ຈຳກັດ",
                                        legal_name_latin="Pakse Coffee Co., Ltd.")
    factories.hire(session, employer, wage="4000000", given_name="ຄຳຫຼ້າ", family_name="ສີວົງ")
    march, april = (submit_declaration(session, employer, open_draft(session, employer, Period(2026, m),
                                                                     actor=factories.ACTOR, now=FILED).id,
                                       revision=None, actor=factories.ACTOR, now=FILED).declaration
                    for m in (3, 4))
    admin = factories.user(session, "employer_admin", employer_id=employer.id, locale="lo",
                           email=f"admin.{employer.employer_number}@pakse.example")
    statement = synthetic.camt053([
        synthetic.StatementEntry("FT-JOURNEY-1", dt.date(2026, 5, 15), march.total, employer.legal_name_latin,
                                 f"LSSO {format_rf(rf_of(march))}"),
        synthetic.StatementEntry("FT-JOURNEY-2", dt.date(2026, 5, 18), april.total, "ນາງ ຄຳຫຼ້າ",
                                 "ຈ່າຍເງິນ ເດືອນ 4"),  # no reference, no employer number: nobody can tell
    ], currency="LAK", account="0101000012345678", statement_id="BCEL-JOURNEY")
    values = (admin.email, employer.employer_number, april.receipt_number)
    session.commit()  # and nothing read afterwards: an open read would hold SQLite's lock against the portal
    return values, statement


def test_officer_resolves_an_unmatched_payment_and_the_employer_sees_it_paid(browser, live_server, live_db) -> None:
    (email, employer_number, receipt_number), statement = _employer_with_two_declarations(live_db)
    lo = translations_for("lo")
    # The demo supervisor works in Russian (the language stored on the account).
    ru = translations_for("ru")
    officer = browser.new_context(viewport={"width": 1100, "height": 900}, locale="ru-RU").new_page()
    officer.goto(f"{live_server}/login")
    officer.get_by_label(ru.gettext("E-mail address")).fill("supervisor@demo.example")
    officer.get_by_label(ru.gettext("Password")).fill(DEMO_PASSWORD)
    officer.get_by_role("button", name=ru.gettext("Log in")).click()

    officer.goto(f"{live_server}/staff/payments/statements")
    officer.get_by_label(ru.gettext("Bank"), exact=True).select_option("BCEL")
    officer.get_by_label(ru.gettext("Statement file (camt.053, camt.054 or the bank's CSV)")).set_input_files(
        files=[{"name": "bcel-2026-05-18.xml", "mimeType": "application/xml", "buffer": statement}])
    officer.get_by_role("button", name=ru.gettext("Import the statement")).click()
    assert officer.locator(".flash.success").count() == 1
    screenshot(officer, "statements-ru")

    officer.goto(f"{live_server}/staff/payments/unmatched")
    officer.get_by_role("button", name=ru.gettext("Run reconciliation now")).click()
    screenshot(officer, "unmatched-ru")
    officer.locator("tr", has_text="ນາງ ຄຳຫຼ້າ").get_by_role("link").first.click()
    officer.get_by_label(ru.gettext("Employer number"), exact=True).fill(employer_number)
    officer.get_by_label(ru.gettext("Declaration receipt number (optional)"), exact=True).fill(receipt_number)
    officer.get_by_label(ru.gettext("Note"), exact=True).fill("ເຈົ້າຂອງບໍລິສັດ ໂທມາ ຢືນຢັນ")
    screenshot(officer, "assign-ru")
    officer.get_by_role("button", name=ru.gettext("Assign to this employer")).click()
    assert officer.locator(".flash.success").count() == 1

    employer = browser.new_context(viewport={"width": 1100, "height": 900}, locale="lo-LA").new_page()
    employer.goto(f"{live_server}/login")
    employer.get_by_label(lo.gettext("E-mail address")).fill(email)
    employer.get_by_label(lo.gettext("Password")).fill(factories.PASSWORD)
    employer.get_by_role("button", name=lo.gettext("Log in")).click()
    employer.goto(f"{live_server}/employer/account/")
    for period in ("2026-03", "2026-04"):
        row = employer.locator("tr", has=employer.locator(f"a[href$='/period/{period}']"))
        assert lo.gettext("Paid") in row.inner_text(), row.inner_text()
    screenshot(employer, "account-lo")
