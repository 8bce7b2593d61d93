"""The statement of account: its texts in each language, and the PDF (font, pages).

PDF text extraction loses positioned Lao marks, so the texts are checked where they are built
(``statement_content``) and the PDF by its bytes and by rasterizing it with poppler's pdftoppm.
"""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest

from common.period import Period
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.ledger import Posting, post
from contributions.payments import Payment
from contributions.reconciliation import reconcile_batch
from notifications.documents.statement import statement_content, statement_pdf
from tests import factories
from tests.conftest import ARTIFACTS
from tests.factories import ACTOR

NOW = dt.datetime(2026, 6, 25, 3, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 6, 25)
_ids = itertools.count(1)
TAJIK_NAMES = {"given_name": "Фарҳод", "family_name": "Раҳимов", "given_name_latin": "Farhod"}


def _file(db, employer, period: Period):
    draft = open_draft(db, employer, period, actor=ACTOR, now=NOW)
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=NOW).declaration


def _pay(db, employer, amount: str, remittance: str, value_date=dt.date(2026, 6, 20)) -> Payment:
    lao = employer.scheme_code == "LA-LSSO"
    payment = Payment(scheme_code=employer.scheme_code, bank_code="BCEL" if lao else "AMONATBONK",
                      transaction_id=f"S{next(_ids):08d}", channel="bank", booking_date=value_date,
                      value_date=value_date, amount=D(amount), currency=employer.scheme.currency, payer_name="",
                      payer_account="", remittance=remittance, status="new", matches=0, note="", received_at=NOW,
                      recorded_by="test")
    db.add(payment)
    db.flush()
    reconcile_batch(db, actor=ACTOR, now=NOW)
    db.expire_all()
    return payment


@pytest.fixture
def lao(db):
    """March, April and May 2026 filed at 345,000 a month; April paid in full, March in part."""
    employer = factories.employer_since(db, dt.date(2025, 1, 2), legal_name="ບໍລິ\u200bສັດ ທົດ\u200bລອງ ຈຳກັດ")
    factories.hire(db, employer, wage="3000000")  # 165,000 + 180,000 = 345,000 a month
    march, april, _may = (_file(db, employer, Period(2026, month)) for month in (3, 4, 5))
    _pay(db, employer, "345000", f"LSSO {april.payment_reference} ເງິນ\u200bສົມທົບ ເດືອນ ເມສາ")
    _pay(db, employer, "100000", f"{march.payment_reference}", value_date=dt.date(2026, 6, 21))
    return employer


@pytest.fixture
def tajik(db):
    employer = factories.employer_since(db, dt.date(2025, 1, 2), scheme_code="TJ-SOCTAX")
    factories.hire(db, employer, wage="2500.50", **TAJIK_NAMES)
    april, may = (_file(db, employer, Period(2026, month)) for month in (4, 5))
    _pay(db, employer, str(april.total), f"Андози иҷтимоӣ {april.payment_reference}")
    return employer


def _rasterize(pdf: bytes, directory: Path, dpi: int = 60) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("page*.png"):
        stale.unlink()
    source = directory / "statement.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(directory / "page")], check=True)
    return sorted(directory.glob("page*.png"))


def test_english_texts_give_each_period_its_status_and_the_totals(db, lao) -> None:
    content = statement_content(db, lao, first=Period(2026, 1), last=Period(2026, 6), language="en", today=TODAY)
    assert content.title == "Statement of account"
    assert [row[0] for row in content.periods] == ["March 2026", "April 2026", "May 2026"]  # oldest first
    march, april, may = content.periods
    assert march[2:] == ("345,000", "100,000", "245,000", "Partly paid · overdue")
    assert april[2:] == ("345,000", "345,000", "0", "Paid")
    assert may[2:5] == ("345,000", "0", "345,000")
    assert may[5] in ("Unpaid", "Unpaid · overdue")  # due in June: overdue from its due date on
    assert content.period_total == ("Total", "", "1,035,000", "445,000", "590,000", "")
    assert content.value("outstanding") == "LAK590,000"
    assert content.value("credit") == "LAK0"
    assert content.value("balance") == "LAK590,000 owed"
    assert content.value("periods") == "January 2026 – June 2026"
    assert content.value("date") == "June 25, 2026"
    assert content.value("legal_name") == "ບໍລິສັດ ທົດລອງ ຈຳກັດ"
    assert [row[1] for row in content.payments] == ["345,000", "100,000"]
    assert [row[3] for row in content.payments] == ["Matched", "Matched"]
    assert len(content.payments[0][2]) <= 40 and content.payments[0][2].endswith("…")


def test_the_range_limits_the_periods_and_the_payments(db, lao) -> None:
    content = statement_content(db, lao, first=Period(2026, 4), last=Period(2026, 5), language="en", today=TODAY)
    assert [row[0] for row in content.periods] == ["April 2026", "May 2026"]
    assert content.value("outstanding") == "LAK345,000"
    assert content.value("balance") == "LAK590,000 owed"  # the whole account, March included
    assert content.payments == []  # both were received in June
    assert content.value("periods") == "April 2026 – May 2026"
    nothing = statement_content(db, lao, first=Period(2025, 1), last=Period(2025, 12), language="en", today=TODAY)
    assert nothing.periods == [] and nothing.payments == [] and nothing.value("outstanding") == "LAK0"


def test_an_overpayment_is_a_credit_in_the_employers_favour(db) -> None:
    employer = factories.employer_since(db, dt.date(2025, 1, 2))
    factories.hire(db, employer, wage="3000000")
    april = _file(db, employer, Period(2026, 4))
    _pay(db, employer, "1000000", april.payment_reference)
    content = statement_content(db, employer, first=Period(2026, 4), last=Period(2026, 6), language="en",
                                today=TODAY)
    assert content.periods[0][5] == "Paid"
    assert content.value("credit") == "LAK655,000"
    assert content.value("balance") == "LAK655,000 in your favour (credit)"


def test_a_charge_reduced_to_nothing_is_nothing_due(db) -> None:
    employer = factories.employer(db)
    post(db, [Posting(employer.id, "2026-02", "employee_share", D(amount), "LAK", dt.date(2026, 3, 20), key)
              for amount, key in (("1000", "test:charge"), ("-1000", "test:reduction"))],
         posted_by="test", now=NOW)
    content = statement_content(db, employer, first=Period(2026, 1), last=Period(2026, 3), language="en",
                                today=TODAY)
    assert content.periods[0][2:] == ("0", "0", "0", "Nothing due")


def test_tajik_amounts_have_two_decimals(db, tajik) -> None:
    content = statement_content(db, tajik, first=Period(2026, 4), last=Period(2026, 6), language="tg", today=TODAY)
    # 2,500.50: employee 2 % = 50.01, employer 20 % = 500.10.
    assert content.periods[0][2:5] == ("550,11", "550,11", "0,00")
    assert content.value("outstanding") == "550,11\xa0TJS"
    assert content.payments[0][1] == "550,11"


@pytest.mark.parametrize("language", ["lo", "tg", "ru", "en"])
def test_every_language_renders_one_page_without_zero_width_spaces(db, lao, tmp_path, language) -> None:
    content = statement_content(db, lao, first=Period(2026, 1), last=Period(2026, 6), language=language,
                                today=TODAY)
    assert all("\u200b" not in text for text in content.strings())
    pdf = statement_pdf(db, lao, first=Period(2026, 1), last=Period(2026, 6), language=language, today=TODAY)
    assert pdf.startswith(b"%PDF") and b"NotoSansLaoLatin" in pdf
    assert len(_rasterize(pdf, tmp_path)) == 1


def test_thirty_periods_and_their_payments_run_onto_more_pages(db, tmp_path) -> None:
    employer = factories.employer(db)
    first = Period(2024, 1)
    periods = [first.shift(n) for n in range(30)]
    post(db, [Posting(employer.id, str(period), component, D(amount), "LAK", period.next().first_day.replace(day=20),
                      f"test:{period}:{component}") for period in periods
              for component, amount in (("employee_share", "165000"), ("employer_share", "180000"))],
         posted_by="test", now=NOW)
    db.add_all(Payment(scheme_code="LA-LSSO", bank_code="BCEL", transaction_id=f"S{next(_ids):08d}", channel="bank",
                       booking_date=period.next().first_day, value_date=period.next().first_day, amount=D("345000"),
                       currency="LAK", remittance=f"ເງິນສົມທົບ {period}", status="matched", employer_id=employer.id,
                       matches=1, received_at=NOW, recorded_by="test") for period in periods[:-1])
    db.flush()
    content = statement_content(db, employer, first=first, last=periods[-1], language="lo", today=TODAY)
    assert (len(content.periods), len(content.payments)) == (30, 29)
    pdf = statement_pdf(db, employer, first=first, last=periods[-1], language="lo", today=TODAY)
    assert len(_rasterize(pdf, tmp_path)) >= 2


def test_a_reversed_range_or_an_unknown_language_is_refused(db, lao) -> None:
    with pytest.raises(ValueError):
        statement_pdf(db, lao, first=Period(2026, 5), last=Period(2026, 4), language="en", today=TODAY)
    with pytest.raises(ValueError):
        statement_pdf(db, lao, first=Period(2026, 4), last=Period(2026, 5), language="fr", today=TODAY)


def test_sample_statements_for_review(db, lao, tajik) -> None:
    """Writes a Lao and a Tajik statement (PDF and 100 dpi PNG) to test-artifacts/statements to look at."""
    for name, employer in (("lo", lao), ("tg", tajik)):
        pdf = statement_pdf(db, employer, first=Period(2026, 1), last=Period(2026, 6), language=name, today=TODAY)
        assert len(_rasterize(pdf, ARTIFACTS / "statements" / name, dpi=100)) == 1
