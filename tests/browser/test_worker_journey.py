"""A worker, in Lao, on a phone: activates an account with the details on their card and the code sent by
SMS, sees a month declared but not paid, and reports a month they worked that was never declared."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from employers.persons import Person
from inspections.reports import WorkerReport
from notifications.i18n import translations_for
from notifications.outbox import OutboxMessage
from portal.demo_workers import LAO_WORKER_PHONE
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

PASSWORD = "ເຂົ້າລະບົບ ປອດໄພ 2026"


def _person(live_db) -> tuple[str, str, str]:
    person = live_db.scalars(select(Person).where(Person.phone == LAO_WORKER_PHONE)).one()
    details = person.social_security_number, person.document_number, person.birth_date.isoformat()
    live_db.rollback()  # hold no lock on the live portal's database while it works
    return details


def _code(live_db) -> str:
    live_db.expire_all()
    body = live_db.scalars(select(OutboxMessage.body).where(OutboxMessage.channel == "sms",
                                                            OutboxMessage.recipient == LAO_WORKER_PHONE)
                           .order_by(OutboxMessage.id.desc())).first()
    live_db.rollback()
    return re.search(r"\b\d{6}\b", body).group(0)


def test_a_worker_activates_in_lao_sees_an_unpaid_month_and_reports_one_not_declared(browser, live_server,
                                                                                      live_db) -> None:
    number, document, born = _person(live_db)
    lo = translations_for("lo")
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="lo-LA").new_page()
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name=re.compile(re.escape(lo.gettext("First time? Activate your worker account"))
                                             )).click()
    page.get_by_label(lo.gettext("Social security number")).fill(number)
    page.get_by_label(lo.gettext("Identity document number")).fill(document)
    page.get_by_label(lo.gettext("Date of birth")).fill(born)
    page.get_by_label(lo.gettext("E-mail address to log in with")).fill("vanna@example.la")
    page.get_by_role("button", name=lo.gettext("Send me a code")).click()
    page.get_by_label(lo.gettext("Code received by SMS")).fill(_code(live_db))
    page.get_by_label(lo.gettext("New password"), exact=True).fill(PASSWORD)
    page.get_by_label(lo.gettext("Repeat the new password")).fill(PASSWORD)
    page.get_by_role("button", name=lo.gettext("Activate my account")).click()

    assert page.url.endswith("/worker/record")
    unpaid = page.locator("tr", has_text=lo.gettext("Declared, unpaid"))
    assert unpaid.count() == 1
    screenshot(page, "worker-record-lo-phone")

    missing = page.locator("tr", has_text=lo.gettext("Employed but not declared"))
    assert missing.count() == 3
    missing.first.get_by_role("link", name=lo.gettext("Report a problem")).click()
    page.get_by_label(lo.gettext("Anything else the inspector should know (optional)")).fill(
        "ຂ້ອຍເຮັດວຽກສາມເດືອນ ແຕ່ບໍ່ໄດ້ແຈ້ງ")
    page.get_by_role("button", name=lo.gettext("Send the report")).click()
    assert page.locator("p.flash.success").count() == 1
    screenshot(page, "worker-report-lo-phone")

    live_db.expire_all()
    report = live_db.scalars(select(WorkerReport).where(WorkerReport.note.contains("ສາມເດືອນ"))).one()
    assert (report.kind, report.status) == ("not_declared", "open")
