"""Arrears across employers for staff: a scheme's overdue debts per aging bucket, then the employers, the
largest total first, paginated; hand-computed totals for three Tajik employers as of 20 November 2026."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal as D

import pytest

from contributions.arrears import arrears_by_employer
from contributions.ledger import Posting, post
from contributions.payments import Payment
from tests import factories
from tests.functional.conftest import log_in

AS_OF = dt.date(2026, 11, 20)
POSTED = dt.datetime(2026, 11, 1, 5, 0, tzinfo=dt.UTC)
EN = {"Accept-Language": "en"}
_keys = itertools.count(1)
# Due dates in each bucket as of 20 November 2026 (days overdue: 0-30, 31-90, 91-180, 181-365, 366+).
ZERO_30, D31_90, D91_180, D181_365, OVER_365 = (dt.date(2026, 11, 15), dt.date(2026, 10, 15), dt.date(2026, 8, 15),
                                                  dt.date(2026, 5, 15), dt.date(2025, 7, 15))


def _charge(db, employer, period: str, component: str, amount: str, due: dt.date, *, posted=POSTED) -> None:
    post(db, [Posting(employer_id=employer.id, period=period, component=component, amount=D(amount),
                      currency=employer.scheme.currency, due_date=due, posting_key=f"test:{next(_keys)}")],
         posted_by="test", now=posted)


def _paid(db, employer, period: str, component: str, amount: str, value_date: dt.date) -> None:
    """Money paid on ``value_date`` towards one debt (posted today, known by its value date)."""
    payment = Payment(scheme_code=employer.scheme_code, bank_code="AMONATBONK", transaction_id=f"T{next(_keys)}",
                      channel="bank", booking_date=value_date, value_date=value_date, amount=D(amount),
                      currency=employer.scheme.currency, payer_name="", payer_account="", remittance="",
                      status="matched", employer_id=employer.id, matches=1, note="",
                      received_at=POSTED, recorded_by="test")
    db.add(payment)
    db.flush()
    post(db, [Posting(employer_id=employer.id, period=period, component=component, amount=-D(amount),
                      currency=employer.scheme.currency, due_date=value_date, posting_key=f"test:{next(_keys)}",
                      kind="payment", payment_id=payment.id)], posted_by="test", now=dt.datetime(2026, 11, 26,
                                                                                                   tzinfo=dt.UTC))


@pytest.fixture
def tajik(db):
    """Three Tajik employers with overdue debts, one paid up, one not yet due, one Lao employer.

    A: 100.00 due 15 Nov (0-30) + 250.00 due 15 Oct (31-90) = 350.00; its November is not due yet.
    B: 1,000.00 due 15 Jul 2025 less 400.00 paid 10 Jan 2026 = 600.00 (365+), + a fine of 55.50 due 15 May
       (181-365) = 655.50; 100.00 paid on 25 November is not known on the 20th.
    C: an assessment of 500.00 + interest 20.25, due 15 Aug (91-180) = 520.25; 70.00 charged on 25 November
       is not known on the 20th.
    """
    a, b, c, paid_up = (factories.employer(db, scheme_code="TJ-SOCTAX") for _ in range(4))
    _charge(db, a, "2026-10", "employee_share", "100.00", ZERO_30)
    _charge(db, a, "2026-09", "employer_share", "250.00", D31_90)
    _charge(db, a, "2026-11", "employer_share", "999.00", dt.date(2026, 12, 15))
    _charge(db, b, "2025-06", "employee_share", "1000.00", OVER_365)
    _paid(db, b, "2025-06", "employee_share", "400.00", dt.date(2026, 1, 10))
    _paid(db, b, "2025-06", "employee_share", "100.00", dt.date(2026, 11, 25))
    _charge(db, b, "2026-04", "fine", "55.50", D181_365)
    _charge(db, c, "2026-07", "assessment", "500.00", D91_180)
    _charge(db, c, "2026-07", "interest", "20.25", D91_180)
    _charge(db, c, "2026-06", "interest", "70.00", D91_180, posted=dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
    _charge(db, paid_up, "2026-09", "employee_share", "80.00", D31_90)
    _paid(db, paid_up, "2026-09", "employee_share", "80.00", dt.date(2026, 10, 1))
    lao = factories.employer(db)
    _charge(db, lao, "2026-09", "employee_share", "999999", D31_90)
    db.commit()
    return a, b, c


@pytest.fixture
def staff(app, db):
    inspector = factories.user(db, "inspector")
    db.commit()
    client = app.test_client()
    log_in(client, inspector.email)
    return client


def _cells(row: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _rows(page: str) -> list[list[str]]:
    body = re.search(r'<table id="employers">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [_cells(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_totals_per_bucket_and_per_employer_are_summed_in_sql(db, tajik) -> None:
    a, b, c = tajik
    result = arrears_by_employer(db, as_of=AS_OF, scheme_code="TJ-SOCTAX", limit=50, offset=0)
    assert result.buckets == {"0-30": D("100.00"), "31-90": D("250.00"), "91-180": D("520.25"),
                              "181-365": D("55.50"), "365+": D("600.00")}
    assert (result.total, result.employer_count) == (D("1525.75"), 3)
    assert [(row.employer_id, row.total, row.oldest_due, row.assessed) for row in result.employers] == [
        (b.id, D("655.50"), OVER_365, D(0)), (c.id, D("520.25"), D91_180, D("500.00")),
        (a.id, D("350.00"), D31_90, D(0))]
    assert result.employers[0].buckets == {"0-30": 0, "31-90": 0, "91-180": 0, "181-365": D("55.50"),
                                           "365+": D("600.00")}
    assert result.employers[2].employer_number == a.employer_number
    second = arrears_by_employer(db, as_of=AS_OF, scheme_code="TJ-SOCTAX", limit=2, offset=2)
    assert ([row.employer_id for row in second.employers], second.employer_count) == ([a.id], 3)
    # A day before A's 0-30 debt fell due it was not overdue; on the 26th, B's late payment is known.
    assert arrears_by_employer(db, as_of=dt.date(2026, 11, 15), scheme_code="TJ-SOCTAX").buckets["0-30"] == 0
    later = arrears_by_employer(db, as_of=dt.date(2026, 11, 26), scheme_code="TJ-SOCTAX")
    assert next(r.total for r in later.employers if r.employer_id == b.id) == D("555.50")


def test_the_page_lists_the_buckets_then_the_employers_largest_first(staff, tajik) -> None:
    a, b, c = tajik
    response = staff.get("/staff/arrears?scheme=TJ-SOCTAX&as_of=2026-11-20", headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    totals = re.search(r'<table class="aging" id="bucket-totals">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    assert _cells(totals) == ["TJS100.00", "TJS250.00", "TJS520.25", "TJS55.50", "TJS600.00", "TJS1,525.75"]
    rows = _rows(page)
    assert [row[0] for row in rows] == [b.employer_number, c.employer_number, a.employer_number]
    assert rows[0] == [b.employer_number, b.legal_name, "TJS655.50", "Jul 15, 2025", "TJS0.00", "TJS0.00",
                       "TJS0.00", "TJS55.50", "TJS600.00", "—"]
    assert rows[1][2:4] == ["TJS520.25", "Aug 15, 2026"] and rows[1][-1] == "TJS500.00"
    assert f'href="/staff/employers/{c.id}/account"' in page
    assert "3 employers" in page


def test_the_list_is_paginated(staff, tajik, monkeypatch) -> None:
    from portal.payments import arrears

    a, b, c = tajik
    monkeypatch.setattr(arrears, "PAGE_SIZE", 2)
    first = staff.get("/staff/arrears?scheme=TJ-SOCTAX&as_of=2026-11-20", headers=EN).get_data(as_text=True)
    assert [row[0] for row in _rows(first)] == [b.employer_number, c.employer_number]
    assert "Page 1 of 2" in first and "page=2" in first and "as_of=2026-11-20" in first
    second = staff.get("/staff/arrears?scheme=TJ-SOCTAX&as_of=2026-11-20&page=2", headers=EN).get_data(as_text=True)
    assert [row[0] for row in _rows(second)] == [a.employer_number]
    # The bucket totals are the scheme's on every page.
    assert "TJS1,525.75" in second
    beyond = staff.get("/staff/arrears?scheme=TJ-SOCTAX&as_of=2026-11-20&page=9", headers=EN).get_data(as_text=True)
    assert [row[0] for row in _rows(beyond)] == [a.employer_number]


@pytest.mark.parametrize("query", ["scheme=TJ-SOCTAX&as_of=2026-02-30", "scheme=TJ-SOCTAX&as_of=yesterday",
                                   "scheme=TJ-SOCTAX&as_of=20261120", "scheme=XX-NONE&as_of=2026-11-20",
                                   "scheme=TJ-SOCTAX&as_of=" + "9" * 500, "scheme=TJ-SOCTAX&as_of=0001-01-01",
                                   "scheme=TJ-SOCTAX&as_of=9999-12-31"])
def test_a_bad_date_or_scheme_is_refused_with_a_reason(staff, query: str) -> None:
    response = staff.get(f"/staff/arrears?{query}", headers={"Accept-Language": "ru"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<p class="alert" role="alert">' in page and 'id="employers"' not in page
    from notifications.i18n import translations_for

    if "XX" in query:
        expected = "Choose a scheme from the list."
    elif query.endswith(("0001-01-01", "9999-12-31")):  # a date, but out of range
        expected = translations_for("ru").gettext("Choose a date between %(first)s and today.") % {
            "first": "2000-01-01"}
    else:
        expected = "Write the date as year-month-day, for example 2026-03-15."
    assert translations_for("ru").gettext(expected) in page


def test_without_arguments_the_first_scheme_as_of_today(staff) -> None:
    response = staff.get("/staff/arrears", headers=EN)
    assert response.status_code == 200
    assert "No employer of this scheme had an overdue debt on this date." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["employer_admin", "employer_clerk", "worker"])
def test_employers_and_workers_are_refused(app, db, role) -> None:
    user = factories.user(db, role)
    db.commit()
    client = app.test_client()
    log_in(client, user.email)
    assert client.get("/staff/arrears?scheme=TJ-SOCTAX", headers=EN).status_code == 403


@pytest.mark.parametrize("home", ["/inspector", "/supervisor"])
def test_the_staff_homes_link_to_the_arrears(app, db, home) -> None:
    supervisor = factories.user(db, "supervisor")
    db.commit()
    client = app.test_client()
    log_in(client, supervisor.email)
    assert 'href="/staff/arrears"' in client.get(home, headers=EN).get_data(as_text=True)
