"""Workers' statements of contributions: issued for a valid range only, verified by their code, and the PDF.

The worker is hired on 3 November 2025 by a Lao employer at 3,000,000 LAK (5.5 % + 6 %: 165,000 + 180,000 a
month).  November and December 2025 and January 2026 are declared; November and December are paid, January
is not; February 2026 is never declared.  Statements are issued on 20 November 2026.

PDF text extraction loses positioned Lao marks, so the texts are checked where they are built
(``worker_statement_content``), the English PDF with pdftotext, and every language by its code.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from common.audit import Actor, AuditEvent
from common.errors import DomainError, NotFound
from contributions.worker_statements import (
    WorkerStatement,
    issue_statement,
    statement_record,
    statements_of,
    verify_statement,
)
from notifications.documents.worker_statement import worker_statement_content, worker_statement_pdf
from tests import factories
from tests.conftest import ARTIFACTS
from tests.integration.test_certificates import _pages, _pdf_text
from tests.integration.test_compliance_facts import file, pay_at_counter

NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)  # 16:30 in Vientiane
TODAY = dt.date(2026, 11, 20)
WORKER = Actor(user_id=None, label="worker@example.test", ip="192.0.2.7")
CODE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")
URL = "https://portal.test/verify/statement/"
TAJIK_NAMES = {"given_name": "Фарҳод", "family_name": "Раҳимов", "given_name_latin": "Farhod",
               "family_name_latin": "Rahimov", "document_type": "passport"}


@pytest.fixture
def insured(db) -> int:
    """The Lao worker's person id."""
    employer = factories.employer_since(db, dt.date(2025, 10, 1))
    person_id = factories.hire(db, employer, wage="3000000", hired_on="2025-11-03").person_id
    for period, filed in (("2025-11", "2025-12-05"), ("2025-12", "2026-01-05"), ("2026-01", "2026-02-05")):
        file(db, employer, period, filed)
    pay_at_counter(db, employer, "345000", "2025-12-10")
    pay_at_counter(db, employer, "345000", "2026-01-10")
    return person_id


def _issue(db, person_id: int, first: str = "2025-11", last: str = "2026-02", language: str = "en",
           now: dt.datetime = NOW) -> WorkerStatement:
    return issue_statement(db, person_id, first=first, last=last, language=language, actor=WORKER, now=now)


def test_a_statement_is_issued_with_a_code_and_recorded(db, insured) -> None:
    statement = _issue(db, insured)
    assert CODE.match(statement.code)
    assert (statement.person_id, statement.first_period, statement.last_period, statement.language) == \
        (insured, "2025-11", "2026-02", "en")
    assert statement.issued_at == NOW and statement.issued_by == "worker@example.test"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "worker_statement.issued",
                                                AuditEvent.object_id == str(statement.id))).one()
    assert statement.code in event.summary and event.ip_address == "192.0.2.7"
    assert statements_of(db, insured) == [statement]


def test_asked_twice_on_one_day_it_is_the_same_statement(db, insured) -> None:
    first = _issue(db, insured)
    assert _issue(db, insured, now=NOW + dt.timedelta(hours=1)) is first
    other_range = _issue(db, insured, first="2025-12")
    other_language = _issue(db, insured, language="lo")
    next_day = _issue(db, insured, now=NOW + dt.timedelta(days=1))
    assert len({first.code, other_range.code, other_language.code, next_day.code}) == 4


@pytest.mark.parametrize(("first", "last"), [
    ("2026-03", "2026-01"),  # backwards
    ("2016-10", "2026-10"),  # 121 months
    ("2026-10", "2026-12"),  # ends after the current month
    ("2026-12", "2026-12"),
])
def test_a_range_backwards_too_long_or_in_the_future_is_refused(db, insured, first: str, last: str) -> None:
    with pytest.raises(DomainError) as refused:
        _issue(db, insured, first=first, last=last)
    assert refused.value.code == "statement.range_invalid" and refused.value.params == {"years": 10}
    assert db.scalar(select(WorkerStatement.id)) is None


def test_ten_years_up_to_the_current_month_is_the_longest_range(db, insured) -> None:
    assert _issue(db, insured, first="2016-12", last="2026-11").last_period == "2026-11"
    assert _issue(db, insured, first="2026-11", last="2026-11").first_period == "2026-11"


def test_the_current_month_is_the_schemes(db, insured) -> None:
    """At 20:00 UTC on 30 November it is already 1 December in Vientiane."""
    evening = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)
    assert _issue(db, insured, first="2026-12", last="2026-12", now=evening).last_period == "2026-12"
    with pytest.raises(DomainError):
        _issue(db, insured, first="2026-12", last="2026-12", now=evening - dt.timedelta(hours=4))


def test_a_malformed_month_a_language_or_a_person_unknown_is_refused(db, insured) -> None:
    with pytest.raises(DomainError) as malformed:
        _issue(db, insured, first="2026-1")
    assert malformed.value.code == "period.invalid"
    with pytest.raises(DomainError) as language:
        _issue(db, insured, language="fr")
    assert language.value.code == "user.locale_unknown"
    with pytest.raises(NotFound):
        _issue(db, 999_999)


def test_a_statement_is_found_by_its_code_however_it_is_typed(db, insured) -> None:
    statement = _issue(db, insured)
    raw = statement.code.replace("-", "")
    spaced = " ".join(statement.code.split("-"))
    for typed in (statement.code, raw, raw.lower(), f"  {statement.code.lower()} ", spaced):
        assert verify_statement(db, typed) is statement
    unknown = "ABCD-EFGH-JKLM-NPQR" if statement.code != "ABCD-EFGH-JKLM-NPQR" else "QRST-UVWX-YZ23-4567"
    for typed in (None, "", unknown, raw[:-1], raw + "A", "O" * 16, "' OR 1=1 --"):
        assert verify_statement(db, typed) is None


def test_the_record_is_cut_to_the_range(db, insured) -> None:
    record = statement_record(db, _issue(db, insured, first="2025-12", last="2026-02"), today=TODAY)
    assert [year.year for year in record.years] == [2026, 2025]
    assert [month.period for year in record.years for month in year.months] == ["2026-02", "2026-01", "2025-12"]
    assert record.totals["LAK"].months == 2 and record.totals["LAK"].employee_share == 330_000
    assert record.years[1].totals["LAK"].months == 1 and record.gaps == 2  # January unpaid, February undeclared


# --- The PDF ------------------------------------------------------------------------------------------------


def test_the_english_texts_give_each_month_the_totals_and_the_code(db, insured) -> None:
    statement = _issue(db, insured)
    content = worker_statement_content(db, statement, verify_url=URL + statement.code, today=TODAY)
    assert content.title == "Statement of contributions"
    assert content.value("months") == "November 2025 – February 2026"
    assert content.value("issued_on") == "November 20, 2026" and content.value("as_of") == "November 20, 2026"
    assert content.value("ssn") and content.value("name_latin").startswith("Seng Vongsa")
    assert [year.title for year in content.years] == ["2025", "2026"]
    november, december = content.years[0].rows
    january, february = content.years[1].rows
    assert november[0] == "November 2025" and november[2:] == ("3,000,000", "3,000,000", "165,000", "180,000",
                                                                "Declared and paid")
    assert december[6] == "Declared and paid" and january[6] == "Declared, unpaid"
    assert february[2:] == ("—", "—", "—", "—", "Employed but not declared")
    assert content.years[0].totals == [("Total 2025", "Months declared: 2", "6,000,000", "6,000,000", "330,000",
                                        "360,000", "")]
    assert content.range_totals == [("LAK", "3", "9,000,000", "9,000,000", "495,000", "540,000")]
    assert content.value("code") == content.code == statement.code and content.verify_url == URL + statement.code
    assert "Anyone can check" in content.verify_text


def test_the_english_pdf_prints_the_months_the_totals_and_the_code(db, insured, tmp_path) -> None:
    statement = _issue(db, insured)
    text = " ".join(_pdf_text(worker_statement_pdf(db, statement, verify_url=URL + statement.code, today=TODAY),
                              tmp_path).split())
    for expected in ("Statement of contributions", "November 2025", "December 2025", "January 2026",
                     "February 2026", "Total 2025", "Total 2026", "9,000,000", "495,000", "540,000",
                     statement.code, URL + statement.code, "Anyone can check"):
        assert expected in text


def test_a_range_without_months_says_so(db, insured) -> None:
    statement = _issue(db, insured, first="2024-01", last="2024-12")
    content = worker_statement_content(db, statement, verify_url=URL + statement.code, today=TODAY)
    assert content.years == [] and content.range_totals == []
    assert content.no_months == "Your record has no month in this range."
    assert worker_statement_pdf(db, statement, verify_url=URL, today=TODAY).startswith(b"%PDF")


@pytest.mark.parametrize("language", ["lo", "tg", "ru", "en"])
def test_every_language_renders_with_the_code(db, insured, tmp_path, language) -> None:
    statement = _issue(db, insured, language=language)
    content = worker_statement_content(db, statement, verify_url=URL + statement.code, today=TODAY)
    assert all("\u200b" not in text for text in content.strings())
    assert len(content.years[0].rows) == 2 and content.range_totals[0][0] == "LAK"
    pdf = worker_statement_pdf(db, statement, verify_url=URL + statement.code, today=TODAY)
    assert pdf.startswith(b"%PDF") and b"NotoSansLaoLatin" in pdf and f"/Lang ({language})".encode() in pdf
    assert statement.code in _pdf_text(pdf, tmp_path)
    assert len(_pages(pdf, tmp_path)) >= 1


def test_an_unknown_language_is_refused_by_the_document(db, insured) -> None:
    with pytest.raises(ValueError):
        worker_statement_content(db, _issue(db, insured), verify_url=URL, today=TODAY, language="fr")


def _tajik_worker(db) -> int:
    employer = factories.employer_since(db, dt.date(2026, 1, 1), scheme_code="TJ-SOCTAX")
    person_id = factories.hire(db, employer, wage="2500.50", hired_on="2026-01-05", **TAJIK_NAMES).person_id
    for period, filed in (("2026-01", "2026-02-05"), ("2026-02", "2026-03-05"), ("2026-03", "2026-04-05")):
        file(db, employer, period, filed)
    return person_id


def test_a_tajik_statement_has_the_tajik_institution_and_dirams(db) -> None:
    statement = _issue(db, _tajik_worker(db), first="2026-01", last="2026-10", language="tg")
    content = worker_statement_content(db, statement, verify_url=URL + statement.code, today=TODAY)
    assert content.institution and content.value("name") == "Фарҳод Раҳимов"
    assert content.years[0].rows[0][2].endswith(",50")  # 2 500,50: the diram printed
    assert content.range_totals[0][0] == "TJS" and content.range_totals[0][1] == "3"


def test_sample_statements_for_review(db, insured) -> None:
    """Writes a Lao and a Tajik statement (PDF and 60 dpi PNG) to test-artifacts/worker_statements."""
    for name, person_id, first in (("lo", insured, "2025-11"), ("tg", _tajik_worker(db), "2026-01")):
        statement = _issue(db, person_id, first=first, last="2026-10", language=name)
        pdf = worker_statement_pdf(db, statement, verify_url=URL + statement.code, today=TODAY)
        assert 1 <= len(_pages(pdf, ARTIFACTS / "worker_statements" / name)) <= 2
