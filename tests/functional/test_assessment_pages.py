"""Assessments on the employer's pages and the staff account page: a period not declared a month after its
due date is estimated ("assessed"), explained on its page, and replaced by the declaration filed later."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from common.period import Period
from contributions.assessments import Assessment, assess_non_filers
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from tests import factories
from tests.factories import ACTOR
from tests.functional.conftest import log_in

EN = {"Accept-Language": "en"}
AUGUST = Period(2026, 8)


def _file(db, employer, period: Period, when: dt.datetime):
    draft = open_draft(db, employer, period, actor=ACTOR, now=when)
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=when).declaration


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _row(page: str, period: str) -> str:
    match = re.search(rf'<tr class="status-[a-z_]+">\s*<td><a href="/employer/declarations/period/{period}">'
                      r'(.*?)</tr>', page, re.S)
    assert match, f"no row {period}"
    return _text(match.group(1))


@pytest.fixture
def tajik(db):
    """One worker at 2,000.00 TJS (non-budget: 40.00 + 400.00 a month); January to July 2026 declared,
    August not: due on 15 September, it is assessed on 20 October at July's 440.00 plus 25 %."""
    employer = factories.employer_since(db, dt.date(2025, 12, 1), scheme_code="TJ-SOCTAX")
    factories.hire(db, employer, wage="2000.00", hired_on="2025-12-01", document_type="passport")
    for month in range(1, 8):
        _file(db, employer, Period(2026, month), dt.datetime(2026, month + 1, 5, 5, 0, tzinfo=dt.UTC))
    counts = assess_non_filers(db, "TJ-SOCTAX", as_of=dt.date(2026, 10, 20), actor=ACTOR,
                               now=dt.datetime(2026, 10, 20, 3, 0, tzinfo=dt.UTC))
    assert counts.assessed == 1
    admin = factories.user(db, "employer_admin", employer_id=employer.id)
    db.commit()
    return employer, admin


@pytest.fixture
def client(app, tajik):
    client = app.test_client()
    log_in(client, tajik[1].email)
    return client


def test_an_assessed_period_says_so_with_the_estimate_in_the_list(client) -> None:
    page = client.get("/employer/declarations/", headers=EN).get_data(as_text=True)
    row = _row(page, "2026-08")
    assert "Assessed (estimated)" in row and "Estimated amount: TJS550.00" in row
    assert "Estimated because no declaration was filed; file the declaration to replace it." in row
    assert '<tr class="status-assessed">' in page
    assert "Filed" in _row(page, "2026-07") and "Assessed" not in _row(page, "2026-07")
    # September was still in its month of grace when the job ran: overdue, not assessed.
    assert "Not filed, overdue" in _row(page, "2026-09")


def test_a_draft_being_prepared_does_not_hide_the_estimate(client) -> None:
    assert client.post("/employer/declarations/period/2026-08/draft").status_code == 302
    row = _row(client.get("/employer/declarations/", headers=EN).get_data(as_text=True), "2026-08")
    assert row.startswith("August 2026 Sep 15, 2026 Assessed (estimated) · Draft Estimated amount: TJS550.00")
    page = client.get("/employer/declarations/period/2026-08", headers=EN).get_data(as_text=True)
    assert 'id="assessment"' in page and "Continue the draft" in page


def test_the_period_page_explains_the_estimate(client) -> None:
    response = client.get("/employer/declarations/period/2026-08", headers=EN)
    assert response.status_code == 200
    section = _text(re.search(r'<section class="card" id="assessment">(.*?)</section>',
                              response.get_data(as_text=True), re.S).group(1))
    assert "No declaration was filed for this period, so the contributions were estimated" in section
    assert "Basis of the estimate TJS440.00, the contributions declared for July 2026" in section
    assert "Uplift 25% (1 month in a row without a declaration)" in section
    assert "Estimated amount TJS550.00" in section
    assert "Due date Sep 15, 2026" in section
    assert "Status Assessed (estimated)" in section
    # A period never assessed has no such section.
    page = client.get("/employer/declarations/period/2026-07", headers=EN).get_data(as_text=True)
    assert 'id="assessment"' not in page


def test_the_account_marks_the_assessed_period(client) -> None:
    page = client.get("/employer/account/", headers=EN).get_data(as_text=True)
    row = _text(re.search(r'<tr id="period-2026-08"[^>]*>(.*?)</tr>', page, re.S).group(1))
    assert row.startswith("August 2026 Sep 15, 2026 TJS550.00 TJS0.00 TJS550.00 Unpaid")
    assert row.endswith("Assessed (estimated)")
    assert 'href="/employer/declarations/period/2026-08#assessment"' in page
    assert "Assessed" not in _text(re.search(r'<tr id="period-2026-07"[^>]*>(.*?)</tr>', page, re.S).group(1))


def test_filing_the_declaration_replaces_the_estimate(client, db, tajik) -> None:
    employer, _ = tajik
    filed = _file(db, employer, AUGUST, dt.datetime(2026, 10, 25, 5, 0, tzinfo=dt.UTC))
    db.commit()
    assessment = db.query(Assessment).filter_by(employer_id=employer.id, period="2026-08").one()
    assert assessment.status == "replaced"
    page = client.get("/employer/declarations/", headers=EN).get_data(as_text=True)
    row = _row(page, "2026-08")
    assert row.startswith("August 2026") and "Filed late" in row and "Estimated" not in row
    period = client.get("/employer/declarations/period/2026-08", headers=EN).get_data(as_text=True)
    section = _text(re.search(r'<section class="card" id="assessment">(.*?)</section>', period, re.S).group(1))
    assert f"The estimate was replaced by declaration {filed.receipt_number}" in section
    assert f"Status Replaced by declaration {filed.receipt_number}" in section
    assert "No declaration was filed" not in section
    account = client.get("/employer/account/", headers=EN).get_data(as_text=True)
    assert "Assessed (estimated)" not in account


def test_staff_see_the_assessment_on_the_employer_account(app, db, tajik) -> None:
    employer, _ = tajik
    inspector = factories.user(db, "inspector")
    db.commit()
    staff = app.test_client()
    log_in(staff, inspector.email)
    page = staff.get(f"/staff/employers/{employer.id}/account", headers=EN).get_data(as_text=True)
    section = _text(re.search(r'<section class="card" id="assessments">(.*?)</section>', page, re.S).group(1))
    assert "August 2026 Basis of the estimate TJS440.00, the contributions declared for July 2026" in section
    assert "Uplift 25% (1 month in a row without a declaration) Estimated amount TJS550.00" in section
    assert "Status Assessed (estimated)" in section
    assert 'href="#assessment-2026-08"' in page
    filed = _file(db, employer, AUGUST, dt.datetime(2026, 10, 25, 5, 0, tzinfo=dt.UTC))
    db.commit()
    page = staff.get(f"/staff/employers/{employer.id}/account", headers=EN).get_data(as_text=True)
    assert f"Replaced by declaration {filed.receipt_number}" in page
    assert 'href="#assessment-2026-08"' not in page
    # On the arrears list (as of the day after the assessment) the employer's debt is partly estimated.
    arrears = staff.get("/staff/arrears?scheme=TJ-SOCTAX&as_of=2026-10-21", headers=EN).get_data(as_text=True)
    assert re.search(rf'<tr id="employer-{employer.id}">.*?<td class="num assessed">TJS550.00</td>', arrears, re.S)


def test_without_history_the_basis_is_the_head_count(app, db) -> None:
    employer = factories.employer_since(db, dt.date(2026, 6, 1), scheme_code="TJ-SOCTAX")
    for _ in range(2):
        factories.hire(db, employer, wage="2000.00", hired_on="2026-06-01", document_type="passport")
    assess_non_filers(db, "TJ-SOCTAX", as_of=dt.date(2026, 8, 20), actor=ACTOR,
                      now=dt.datetime(2026, 8, 20, 3, 0, tzinfo=dt.UTC))
    june = db.query(Assessment).filter_by(employer_id=employer.id, period="2026-06").one()
    admin = factories.user(db, "employer_admin", employer_id=employer.id)
    db.commit()
    client = app.test_client()
    log_in(client, admin.email)
    page = _text(client.get("/employer/declarations/period/2026-06", headers=EN).get_data(as_text=True))
    per_worker = june.base_amount / 2
    assert june.basis == "head_count" and june.head_count == 2
    assert (f"2 workers employed in the period × TJS{per_worker:,.2f}, the contributions on the minimum "
            "insurable wage") in page
