"""The declaration receipt PDF: its texts in the employer's language, and the PDF itself (font, pages).

PDF text extraction loses positioned Lao marks, so the texts are checked where they are built
(``receipt_content``) and the PDF by its bytes and by rasterizing it with poppler's pdftoppm.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import subprocess
import zlib
from decimal import Decimal as D
from pathlib import Path

import pytest

from contributions.declarations import Declaration, DeclarationLine
from contributions.filing import amount_charged_by
from contributions.ledger import Posting, post
from contributions.parameters import rules_on
from contributions.rules.calculation import compute_line
from contributions.rules.references import body_of, format_numeric, numeric_reference, reference_body
from employers.employers import Employer
from employers.persons import Employment
from employers.workers import register_hire
from notifications.documents.receipt import (
    CEILING_MARK,
    FLOOR_MARK,
    receipt_content,
    receipt_pdf,
)
from tests import factories
from tests.conftest import ARTIFACTS
from tests.factories import ACTOR, NOW, employment_values, person_values

PERIOD = "2026-10"
DUE = dt.date(2026, 11, 20)
LAO_WAGES = ("3500000", "1000000", "5000000")  # one plain, one under the floor, one over the ceiling


def _workers(db, employer, count: int) -> list:
    country = employer.scheme.country
    names = {} if country == "LA" else {"given_name": "Фарҳод", "family_name": "Раҳимов",
                                         "given_name_latin": "Farhod"}
    return [register_hire(db, employer, person=person_values(document_country=country, nationality=country, **names),
                          employment=employment_values(), actor=ACTOR, now=NOW).employment for _ in range(count)]


def _file(db, employer, wages=LAO_WAGES, *, workers=None, kind="original", version=1, previous=None,
          nil_reason="", is_late=False, status="submitted") -> Declaration:
    """A filed declaration version with its lines, computed with the parameters of the period, and its
    ledger charges (the difference from ``previous`` for a later version)."""
    scheme = employer.scheme
    rules = rules_on(db, employer.scheme_code, employer.category, dt.date(2026, 10, 1))
    workers = workers or _workers(db, employer, len(wages))
    declaration = Declaration(
        employer_id=employer.id, scheme_code=employer.scheme_code, period=PERIOD, kind=kind, status="draft",
        previous_id=previous.id if previous else None, is_nil=bool(nil_reason), nil_reason=nil_reason,
        category=employer.category, currency=scheme.currency, rate_employee=rules.rates().employee,
        rate_employer=rules.rates().employer, base_floor=rules.limits().floor, base_ceiling=rules.limits().ceiling,
        due_date=DUE, is_late=is_late, created_at=NOW, created_by=ACTOR.label)
    for wage, employment in zip(wages, workers, strict=False):
        line = compute_line(D(wage), rates=rules.rates(), limits=rules.limits(), rounding=rules.rounding())
        declaration.lines.append(DeclarationLine(
            person_id=employment.person_id, employment_id=employment.id, gross_wage=line.gross, base=line.base,
            employee_share=line.employee, employer_share=line.employer, floor_applied=line.floor_applied,
            ceiling_applied=line.ceiling_applied))
    lines = declaration.lines
    declaration.line_count = len(lines)
    declaration.total_gross = sum((line.gross_wage for line in lines), D(0))
    declaration.total_base = sum((line.base for line in lines), D(0))
    declaration.total_employee = sum((line.employee_share for line in lines), D(0))
    declaration.total_employer = sum((line.employer_share for line in lines), D(0))
    db.add(declaration)
    db.flush()
    if status != "draft":
        declaration.status, declaration.version = status, version
        declaration.receipt_number = f"{scheme.country}-2026-{declaration.id:07d}"
        declaration.payment_reference = numeric_reference(reference_body(PERIOD, declaration.id))
        declaration.filed_at, declaration.filed_by = NOW, "Admin (admin@employer.test)"
        before = (previous.total_employee, previous.total_employer) if previous else (D(0), D(0))
        post(db, [Posting(employer_id=employer.id, period=PERIOD, component=component, amount=amount - earlier,
                          currency=scheme.currency, due_date=DUE, declaration_id=declaration.id,
                          posting_key=f"declaration:{declaration.id}:{component}")
                  for component, amount, earlier in (("employee_share", declaration.total_employee, before[0]),
                                                     ("employer_share", declaration.total_employer, before[1]))],
             posted_by=ACTOR.label, now=NOW)
        db.flush()
    return declaration


def _content(db, declaration, language=None, previous_receipt=None):
    employer = db.get(Employer, declaration.employer_id)
    return receipt_content(declaration, employer, charged=amount_charged_by(db, declaration.id),
                           language=language or employer.preferred_language, previous_receipt=previous_receipt)


def _streams(pdf: bytes) -> list[bytes]:
    """The PDF's streams, decoded (reportlab writes page contents ASCII85- and Flate-encoded)."""
    streams = []
    for match in re.finditer(rb"<<([^>]*)>>\s*stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        filters, data = match.group(1), match.group(2)
        if b"/ASCII85Decode" in filters:
            data = data.strip()
        if b"/ASCII85Decode" in filters:
            data = base64.a85decode(data.removesuffix(b"~>"))
        if b"/FlateDecode" in filters:  # what follows the compressed data (an end of line) is left unused
            data = zlib.decompressobj().decompress(data)
        streams.append(data)
    return streams


def _fonts_showing_text(pdf: bytes) -> set[bytes]:
    """The fonts selected (``Tf``) when text is shown (``Tj``, ``TJ``), in content-stream order."""
    shown, current = set(), None
    for stream in _streams(pdf):
        for match in re.finditer(rb"(/F\d+)\S* [\d.]+ Tf|\)\s*Tj|\]\s*TJ", stream):
            if match.group(1):
                current = match.group(1)
            else:
                shown.add(current)
    return shown


def _rasterize(pdf: bytes, directory: Path, dpi: int = 60) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("page*.png"):
        stale.unlink()
    source = directory / "receipt.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(directory / "page")], check=True)
    return sorted(directory.glob("page*.png"))


def test_a_lao_receipt_is_a_one_page_pdf_in_the_merged_font(db, tmp_path) -> None:
    declaration = _file(db, factories.employer(db))
    pdf = receipt_pdf(db, declaration)
    assert pdf.startswith(b"%PDF")
    assert b"NotoSansLaoLatin" in pdf
    # reportlab selects Helvetica (/F1) in every PDF out of habit; no text may be shown in it (it has no Lao).
    fonts = {name: base for base, name in re.findall(rb"/BaseFont /(\S+) .*?/Name (/F\d+)", pdf)}
    assert {fonts[name] for name in _fonts_showing_text(pdf)} == {
        b"AAAAAA+NotoSansLaoLatin-Regular", b"AAAAAA+NotoSansLaoLatin-Bold"}
    assert len(_rasterize(pdf, tmp_path)) == 1


def test_lao_texts_are_the_declared_amounts_in_lao_formats(db) -> None:
    declaration = _file(db, factories.employer(db))
    content = _content(db, declaration)
    assert content.language == "lo"
    # 3,500,000 + 1,000,000 + 5,000,000; bases 3,500,000 + floor 1,250,000 + ceiling 4,500,000.
    assert content.value("total_gross") == "₭9.500.000"
    assert content.value("total_base") == "₭9.250.000"
    assert content.value("total_employee") == "₭508.750"  # 5.5 %
    assert content.value("total_employer") == "₭555.000"  # 6 %
    assert content.value("total") == content.value("amount_due") == content.value("amount_to_pay") == "₭1.063.750"
    assert content.value("period") == "ຕຸລາ 2026"
    assert content.value("due_date") == "20 ພະຈິກ 2026"
    assert content.value("filed_at") == "20 ພະຈິກ 2026, 16:30 (UTC+07:00)"  # 09:30 UTC in Vientiane
    assert content.value("rates").count("%") == 2 and "5,5%" in content.value("rates")
    assert [line[-1] for line in content.lines] == ["", FLOOR_MARK, CEILING_MARK]
    assert FLOOR_MARK in content.legend and CEILING_MARK in content.legend
    assert content.lines[1][3:7] == ("1.000.000", "1.250.000", "68.750", "75.000")
    assert content.value("reference") == format_numeric(declaration.payment_reference)
    assert content.value("reference_rf").startswith("RF")
    assert body_of(content.value("reference_rf")) == body_of(declaration.payment_reference)
    assert content.barcode == declaration.payment_reference


def test_tajik_amounts_have_two_decimals_and_no_limits(db) -> None:
    employer = factories.employer(db, scheme_code="TJ-SOCTAX")
    declaration = _file(db, employer, ("2500.50", "1800"))
    content = _content(db, declaration)
    assert content.language == "tg"
    assert content.value("total_gross") == "4\xa0300,50\xa0TJS"
    assert content.value("total_employee") == "86,01\xa0TJS"  # 2 % of 2,500.50 = 50.01, of 1,800 = 36.00
    assert content.value("total_employer") == "860,10\xa0TJS"  # 20 %
    assert content.lines[0][2:4] == ("Фарҳод Раҳимов", "2\xa0500,50")
    assert content.legend == ""  # no floor, no ceiling, nothing to explain
    with pytest.raises(KeyError):
        content.value("base_ceiling")
    assert content.value("filed_at").endswith("14:30 (UTC+05:00)")


@pytest.mark.parametrize("language", ["lo", "tg", "ru", "en"])
def test_every_language_renders_without_zero_width_spaces(db, tmp_path, language) -> None:
    # Lao typed text often carries U+200B between syllables; so do Babel's Lao names (of the TJS, say).
    employer = factories.employer(db, legal_name="ບໍລິ\u200bສັດ ທົດ\u200bລອງ", address="ບ້ານ\u200bສີສະເກດ")
    declaration = _file(db, employer)
    content = _content(db, declaration, language)
    assert all("\u200b" not in text for text in content.strings())
    assert content.value("legal_name") == "ບໍລິສັດ ທົດລອງ"
    pdf = receipt_pdf(db, declaration, language)
    assert pdf.startswith(b"%PDF") and b"NotoSansLaoLatin" in pdf
    assert len(_rasterize(pdf, tmp_path)) == 1


def test_english_texts_label_the_values(db) -> None:
    declaration = _file(db, factories.employer(db), is_late=True)
    content = _content(db, declaration, "en")
    labels = {item.key: item.label for item in content.items()}
    assert (labels["total_gross"], labels["amount_due"], labels["reference"]) == (
        "Total gross wages", "Amount due for this version", "Payment reference")
    assert content.title == "Declaration receipt"
    assert content.value("kind") == "Original" and content.value("version") == "1"
    assert content.value("total") == "LAK1,063,750"
    assert content.value("due_date") == "November 20, 2026"
    assert content.notes == ["Filed late, after the due date of November 20, 2026."]
    assert content.lines[0][2] == declaration.lines[0].person.full_name_latin


def test_a_replacement_charges_only_the_difference(db) -> None:
    employer = factories.employer(db)
    original = _file(db, employer, ("3500000",))
    original.status = "superseded"
    workers = [db.get(Employment, original.lines[0].employment_id)] + _workers(db, employer, 1)
    replacement = _file(db, employer, ("3500000", "2000000"), workers=workers, kind="replacement", version=2,
                        previous=original)
    content = _content(db, replacement, "en", previous_receipt=original.receipt_number)
    assert content.value("kind") == "Replacement"
    assert content.value("previous") == original.receipt_number
    # 2,000,000 more insurable base: 110,000 + 120,000, out of 5,500,000 declared in all (11.5 %).
    assert content.value("amount_due") == content.value("amount_to_pay") == "LAK230,000"
    assert content.value("total") == "LAK632,500"


def test_a_nil_declaration_says_so_and_asks_for_nothing(db, tmp_path) -> None:
    declaration = _file(db, factories.employer(db), (), nil_reason="ປິດກິດຈະການຊົ່ວຄາວ")
    content = _content(db, declaration, "en")
    assert content.notes == ["Nil declaration: no wages were paid for this period.",
                             "Reason given: ປິດກິດຈະການຊົ່ວຄາວ"]
    assert content.value("amount_to_pay") == "LAK0"
    assert content.slip_notes[0] == "Nothing to pay for this version."
    assert content.lines == []
    assert len(_rasterize(receipt_pdf(db, declaration), tmp_path)) == 1


def test_more_than_300_workers_are_summarised_instead_of_listed(db, tmp_path) -> None:
    declaration = _file(db, factories.employer(db), ("3500000",) * 301)
    content = _content(db, declaration, "en")
    assert content.lines is None
    assert "(301)" in content.lines_summary and "portal" in content.lines_summary
    assert content.value("line_count") == "301"
    assert len(_rasterize(receipt_pdf(db, declaration), tmp_path)) == 1


def test_a_long_list_runs_over_pages_with_the_slip_on_the_last(db, tmp_path) -> None:
    declaration = _file(db, factories.employer(db), ("3500000",) * 120)
    pages = _rasterize(receipt_pdf(db, declaration), tmp_path)
    assert len(pages) >= 3


def test_a_draft_has_no_receipt(db) -> None:
    declaration = _file(db, factories.employer(db), status="draft")
    with pytest.raises(ValueError):
        receipt_pdf(db, declaration)


def test_sample_receipts_for_review(db) -> None:
    """Writes a Lao and a Tajik receipt (PDF and 100 dpi PNG) to test-artifacts/receipts for people to look at."""
    lao = _file(db, factories.employer(db))
    tajik = _file(db, factories.employer(db, scheme_code="TJ-SOCTAX"), ("2500.50", "1800", "0"))
    for name, declaration in (("lo", lao), ("tg", tajik)):
        pages = _rasterize(receipt_pdf(db, declaration), ARTIFACTS / "receipts" / name, dpi=100)
        assert len(pages) == 1
