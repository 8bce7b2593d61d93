"""The statement of arrears: each overdue debt with its due date, days overdue and amount, subtotals per
aging bucket and the total, in each language; the PDF's text and pages.

Lao marks are lost by PDF text extraction, so the English PDF's text is checked with pdftotext and the
other languages by the strings the PDF is built from and by rasterizing it with pdftoppm.
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
from notifications.documents.arrears_statement import arrears_content, arrears_statement_pdf
from tests import factories
from tests.conftest import ARTIFACTS
from tests.factories import ACTOR

NOW = dt.datetime(2026, 6, 25, 3, 0, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 6, 25)
_ids = itertools.count(1)


def _file(db, employer, period: Period):
    draft = open_draft(db, employer, period, actor=ACTOR, now=NOW)
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=NOW).declaration


def _pay(db, employer, amount: str, remittance: str, value_date=dt.date(2026, 6, 20)) -> None:
    lao = employer.scheme_code == "LA-LSSO"
    db.add(Payment(scheme_code=employer.scheme_code, bank_code="BCEL" if lao else "AMONATBONK",
                   transaction_id=f"R{next(_ids):08d}", channel="bank", booking_date=value_date,
                   value_date=value_date, amount=D(amount), currency=employer.scheme.currency, payer_name="",
                   payer_account="", remittance=remittance, status="new", matches=0, note="", received_at=NOW,
                   recorded_by="test"))
    db.flush()
    reconcile_batch(db, actor=ACTOR, now=NOW)
    db.expire_all()


@pytest.fixture
def lao(db):
    """March, April and May 2026 filed at 345,000 a month; April paid in full, March with 100,000.  On 25 June
    March (due 20 April) is 66 days overdue and May (due 22 June) 3 days."""
    employer = factories.employer_since(db, dt.date(2025, 1, 2), legal_name="ບໍລິ\u200bສັດ ທົດ\u200bລອງ ຈຳກັດ")
    factories.hire(db, employer, wage="3000000")  # 165,000 + 180,000 = 345,000 a month
    march, april, _may = (_file(db, employer, Period(2026, month)) for month in (3, 4, 5))
    _pay(db, employer, "345000", april.payment_reference)
    _pay(db, employer, "100000", march.payment_reference, value_date=dt.date(2026, 6, 21))
    return employer


@pytest.fixture
def tajik(db):
    employer = factories.employer_since(db, dt.date(2025, 1, 2), scheme_code="TJ-SOCTAX")
    factories.hire(db, employer, wage="2500.50", given_name="Фарҳод", family_name="Раҳимов",
                   given_name_latin="Farhod")
    for month in (3, 4, 5):
        _file(db, employer, Period(2026, month))
    post(db, [Posting(employer.id, "2026-03", "interest", D("12.34"), "TJS", dt.date(2026, 5, 31), "test:interest"),
              Posting(employer.id, "2026-03", "fine", D("68.00"), "TJS", dt.date(2026, 5, 15), "test:fine")],
         posted_by="test", now=NOW)
    return employer


def _pdf_text(pdf: bytes, directory: Path) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    source = directory / "arrears.pdf"
    source.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True, text=True)
    return " ".join(text.stdout.split())


def _rasterize(pdf: bytes, directory: Path, dpi: int = 60) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("page*.png"):
        stale.unlink()
    source = directory / "arrears.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(directory / "page")], check=True)
    return sorted(directory.glob("page*.png"))


def test_english_texts_list_each_debt_with_its_age_and_the_totals(db, lao) -> None:
    content = arrears_content(db, lao, as_of=AS_OF, language="en", today=dt.date(2026, 6, 26))
    assert content.title == "Statement of arrears"
    assert content.value("as_of") == "June 25, 2026" and content.value("date") == "June 26, 2026"
    assert content.value("legal_name") == "ບໍລິສັດ ທົດລອງ ຈຳກັດ"
    assert content.line_headers == ("Period", "Component", "Due date", "Days overdue", "Amount")
    assert [group.title for group in content.groups] == ["31 to 90 days", "Up to 30 days"]  # the oldest first
    older, recent = content.groups
    assert {row[:4] for row in older.rows} <= {("March 2026", name, "April 20, 2026", "66")
                                               for name in ("Employee share", "Employer share")}
    assert sum(D(row[4].replace(",", "")) for row in older.rows) == D(245000)
    assert older.subtotal == ("Subtotal", "", "", "", "245,000")
    assert recent.rows == [("May 2026", "Employee share", "June 22, 2026", "3", "165,000"),
                           ("May 2026", "Employer share", "June 22, 2026", "3", "180,000")]
    assert recent.subtotal[-1] == "345,000"
    assert content.total == ("Total", "", "", "", "590,000")
    assert [(item.key, item.value) for item in content.aging] == [
        ("0-30", "LAK345,000"), ("31-90", "LAK245,000"), ("91-180", "LAK0"), ("181-365", "LAK0"),
        ("365+", "LAK0"), ("total", "LAK590,000")]


def test_the_pdf_text_has_the_amounts(db, lao, tmp_path) -> None:
    text = _pdf_text(arrears_statement_pdf(db, lao, as_of=AS_OF, language="en"), tmp_path)
    for expected in ("Statement of arrears", lao.employer_number, "May 2026", "June 22, 2026", "165,000", "180,000",
                     "Subtotal 245,000", "Subtotal 345,000", "Total 590,000", "LAK590,000", "Page 1 of 1"):
        assert expected in text


def test_as_of_a_later_date_the_debts_are_older(db, lao) -> None:
    content = arrears_content(db, lao, as_of=dt.date(2026, 8, 1), language="en")
    assert [(group.bucket, group.subtotal[-1]) for group in content.groups] == [("91-180", "245,000"),
                                                                               ("31-90", "345,000")]
    assert {row[3] for row in content.groups[0].rows} == {"103"}
    assert content.total[-1] == "590,000" and content.value("date") == "August 1, 2026"


def test_before_the_declarations_were_filed_nothing_was_known_to_be_owed(db, lao) -> None:
    # Filed on 25 June: on 20 June March was past its due date, but no charge had been posted yet.
    assert arrears_content(db, lao, as_of=dt.date(2026, 6, 20), language="en").groups == []


def test_nothing_overdue_says_so(db, lao, tmp_path) -> None:
    content = arrears_content(db, lao, as_of=dt.date(2026, 4, 1), language="en")
    assert content.groups == [] and content.value("total") == "LAK0"
    assert content.nothing_overdue == "Nothing was overdue on April 1, 2026."
    pdf = arrears_statement_pdf(db, lao, as_of=dt.date(2026, 4, 1), language="en")
    assert "Nothing was overdue on April 1, 2026." in _pdf_text(pdf, tmp_path)
    assert len(_rasterize(pdf, tmp_path)) == 1


def test_tajik_interest_and_fines_have_two_decimals(db, tajik) -> None:
    content = arrears_content(db, tajik, as_of=AS_OF, language="tg")
    rows = [row for group in content.groups for row in group.rows]
    components = [row[1] for row in rows if row[0].startswith("Март")]
    assert len(components) == 4  # both shares, interest and the fine
    assert {"12,34", "68,00"} <= {row[4] for row in rows}
    # 2,500.50: 50.01 + 500.10 = 550.11 a month, three months, plus 80.34.
    assert content.total[-1] == "1\xa0730,67"
    assert content.value("total") == "1\xa0730,67\xa0TJS"


@pytest.mark.parametrize("language", ["lo", "tg", "ru", "en"])
def test_every_language_renders_one_page_in_the_employers_language(db, lao, tmp_path, language) -> None:
    content = arrears_content(db, lao, as_of=AS_OF, language=language)
    assert all("\u200b" not in text for text in content.strings())
    lao.preferred_language = language
    pdf = arrears_statement_pdf(db, lao, as_of=AS_OF)
    assert pdf.startswith(b"%PDF") and b"NotoSansLaoLatin" in pdf and f"/Lang ({language})".encode() in pdf
    assert len(_rasterize(pdf, tmp_path)) == 1


def test_thirty_months_of_debt_run_onto_more_pages_with_every_bucket(db, tmp_path) -> None:
    employer = factories.employer(db)
    periods = [Period(2024, 1).shift(n) for n in range(30)]
    post(db, [Posting(employer.id, str(period), component, D(amount), "LAK", period.next().first_day.replace(day=20),
                      f"test:{period}:{component}") for period in periods
              for component, amount in (("employee_share", "165000"), ("employer_share", "180000"))],
         posted_by="test", now=NOW)
    content = arrears_content(db, employer, as_of=dt.date(2026, 8, 1), language="lo")
    assert [group.bucket for group in content.groups] == ["365+", "181-365", "91-180", "31-90", "0-30"]
    assert sum(len(group.rows) for group in content.groups) == 60
    pdf = arrears_statement_pdf(db, employer, as_of=dt.date(2026, 8, 1), language="lo")
    assert len(_rasterize(pdf, tmp_path)) >= 2


def test_an_unknown_language_is_refused(db, lao) -> None:
    with pytest.raises(ValueError):
        arrears_statement_pdf(db, lao, as_of=AS_OF, language="fr")


def test_sample_arrears_statements_for_review(db, lao, tajik) -> None:
    """Writes a Lao and a Tajik statement of arrears (PDF and 60 dpi PNG) to test-artifacts/arrears."""
    for name, employer in (("lo", lao), ("tg", tajik)):
        pdf = arrears_statement_pdf(db, employer, as_of=AS_OF, today=AS_OF)
        assert len(_rasterize(pdf, ARTIFACTS / "arrears" / name)) == 1
