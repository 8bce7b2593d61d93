"""The employer's account pages: periods with their statuses, payments and what they settled, the statement."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal as D

import pytest

from common.period import Period
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.payments import Payment
from contributions.reconciliation import reconcile_batch
from tests import factories
from tests.factories import ACTOR
from tests.functional.conftest import log_in

NOW = dt.datetime(2026, 6, 25, 3, 0, tzinfo=dt.UTC)
EN = {"Accept-Language": "en"}
_ids = itertools.count(1)


def _file(db, employer, period: Period):
    draft = open_draft(db, employer, period, actor=ACTOR, now=NOW)
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=NOW).declaration


def _payment(db, employer, amount: str, remittance: str, *, value_date=dt.date(2026, 6, 20), **fields) -> Payment:
    lao = employer.scheme_code == "LA-LSSO"
    values = {"scheme_code": employer.scheme_code, "bank_code": "BCEL" if lao else "AMONATBONK",
              "transaction_id": f"A{next(_ids):08d}", "channel": "bank", "booking_date": value_date,
              "value_date": value_date, "amount": D(amount), "currency": employer.scheme.currency,
              "payer_name": "", "payer_account": "", "remittance": remittance, "status": "new", "matches": 0,
              "note": "", "received_at": NOW, "recorded_by": "test"}
    values.update(fields)
    payment = Payment(**values)
    db.add(payment)
    db.flush()
    return payment


@pytest.fixture
def lao(db):
    """March, April and May 2026 filed (345,000 each); April paid by reference, March in part."""
    employer = factories.employer_since(db, dt.date(2025, 1, 2))
    factories.hire(db, employer, wage="3000000")  # 165,000 + 180,000 = 345,000 a month
    march, april, may = (_file(db, employer, Period(2026, month)) for month in (3, 4, 5))
    paid = _payment(db, employer, "345000", f"Contributions April {april.payment_reference}")
    part = _payment(db, employer, "100000", f"{march.payment_reference}", value_date=dt.date(2026, 6, 21))
    reconcile_batch(db, actor=ACTOR, now=NOW)
    admin = factories.user(db, "employer_admin", employer_id=employer.id)
    db.commit()
    return employer, admin, {"april": paid, "march": part}, may


@pytest.fixture
def client(app, lao):
    client = app.test_client()
    log_in(client, lao[1].email)
    return client


def _row(page: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', page, re.DOTALL)
    assert match, f"no row {row_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_the_account_lists_each_period_with_its_status(client) -> None:
    page = client.get("/employer/account/", headers=EN).get_data(as_text=True)
    assert _row(page, "period-2026-04").endswith("LAK345,000 LAK345,000 LAK0 Paid")
    # Due on April 20: months ago, with 245,000 left.
    assert _row(page, "period-2026-03").endswith("LAK345,000 LAK100,000 LAK245,000 Partly paid overdue")
    assert "Unpaid" in _row(page, "period-2026-05")
    assert 'href="/employer/declarations/period/2026-03"' in page
    assert re.search(r'id="balance"><strong>LAK590,000 owed</strong>', page)
    assert "/employer/account/statement.pdf" in page


def test_the_payments_link_to_what_they_settled(client, lao) -> None:
    payments = lao[2]
    page = client.get("/employer/account/", headers=EN).get_data(as_text=True)
    row = _row(page, f"payment-{payments['april'].id}")
    assert row.startswith("Jun 20, 2026 LAK345,000 Bank transfer Contributions April") and row.endswith("Matched")
    detail = client.get(f"/employer/account/payments/{payments['april'].id}", headers=EN)
    assert detail.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", detail.get_data(as_text=True)).split())
    assert "April 2026 Employee share Payment LAK165,000" in text
    assert "April 2026 Employer share Payment LAK180,000" in text
    assert "Bank transfer · Banque pour le Commerce Extérieur Lao (BCEL)" in text


def test_an_overpayment_is_said_to_be_in_the_employers_favour(client, db, lao) -> None:
    employer, may = lao[0], lao[3]
    _payment(db, employer, "1000000", may.payment_reference)
    reconcile_batch(db, actor=ACTOR, now=NOW)
    db.commit()
    page = client.get("/employer/account/", headers=EN).get_data(as_text=True)
    assert re.search(r'id="balance"><strong>LAK410,000 in your favour \(credit\)</strong>', page)
    assert re.search(r'id="credit">LAK410,000<', page)


def test_another_employers_payment_is_not_found(client, db) -> None:
    other = factories.employer_since(db, dt.date(2025, 1, 2))
    theirs = _payment(db, other, "50000", "", status="matched", employer_id=other.id, matches=1)
    db.commit()
    assert client.get(f"/employer/account/payments/{theirs.id}").status_code == 404
    assert client.get("/employer/account/payments/999999").status_code == 404


def test_fifty_payments_a_page(client, db, lao) -> None:
    employer = lao[0]
    for day in range(1, 51):
        _payment(db, employer, "1000", f"old {day}", value_date=dt.date(2026, 1, 1) + dt.timedelta(days=day),
                 status="matched", employer_id=employer.id, matches=1)
    db.commit()
    first = client.get("/employer/account/", headers=EN).get_data(as_text=True)
    assert first.count('<tr id="payment-') == 50 and "Page 1 of 2" in first
    second = client.get("/employer/account/?page=2", headers=EN).get_data(as_text=True)
    assert second.count('<tr id="payment-') == 2 and "Newer" in second


def test_the_home_page_links_the_account(client) -> None:
    page = client.get("/employer", headers=EN).get_data(as_text=True)
    assert 'href="/employer/account/"' in page and "Contributions account" in page


@pytest.mark.parametrize("query", ["", "?from=2026-01&to=2026-06", "?to=2026-05", "?from=2017-01&to=2026-12"])
def test_the_statement_is_a_pdf_in_the_page_language(client, query) -> None:
    response = client.get(f"/employer/account/statement.pdf{query}", headers={"Accept-Language": "lo"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF") and b"NotoSansLaoLatin" in pdf and b"/Lang (lo)" in pdf
    assert response.headers["Content-Disposition"].startswith('inline; filename="statement-LA')


def test_a_tajik_employer_gets_a_tajik_statement(app, db) -> None:
    employer = factories.employer_since(db, dt.date(2025, 1, 2), scheme_code="TJ-SOCTAX")
    factories.hire(db, employer, wage="2500.50", given_name="Фарҳод", family_name="Раҳимов",
                   given_name_latin="Farhod")
    april = _file(db, employer, Period(2026, 4))
    _payment(db, employer, str(april.total), april.payment_reference)
    reconcile_batch(db, actor=ACTOR, now=NOW)
    clerk = factories.user(db, "employer_clerk", employer_id=employer.id, locale="tg")
    db.commit()
    client = app.test_client()
    log_in(client, clerk.email)
    page = client.get("/employer/account/").get_data(as_text=True)
    assert "550,11" in _row(page, "period-2026-04")
    response = client.get("/employer/account/statement.pdf?from=2026-01&to=2026-12")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert b"NotoSansLaoLatin" in response.get_data() and b"/Lang (tg)" in response.get_data()


@pytest.mark.parametrize("query", ["?from=2026-13&to=2026-12", "?from=2026/01&to=2026-06", "?from=abc",
                                   "?to=2026-1", "?from=2026-06&to=2026-05", "?from=2016-01&to=2026-12",
                                   "?from=99999-01"])
def test_a_bad_range_is_refused(client, query) -> None:
    assert client.get(f"/employer/account/statement.pdf{query}").status_code == 400



def test_the_account_shows_what_is_overdue_by_age(client) -> None:
    page = client.get("/employer/account/", headers=EN).get_data(as_text=True)
    assert "Overdue, by age" in page
    cells = re.search(r'<table class="aging">.*?<tbody><tr>(.*?)</tr>', page, re.DOTALL).group(1)
    amounts = re.findall(r'<td class="num">([^<]+)</td>', cells)
    # Today, March (245,000 left, due 20 April 2026) and May (345,000, due 22 June) are months overdue.
    assert len(amounts) == 5 and sum(int(a.replace("LAK", "").replace(",", "")) for a in amounts) == 590_000
