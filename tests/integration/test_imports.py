from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from common.errors import DomainError
from employers.imports import COLUMNS, import_valid_rows, parse_file, validate
from employers.persons import Employment, Person
from tests import factories
from tests.factories import ACTOR, NOW

ALIASES = {column: column for column in COLUMNS}


def _row(n: int, **fields) -> dict[str, str]:
    values = {"action": "hire", "document_type": "national_id", "document_country": "LA",
              "document_number": f"LA{n:08d}", "given_name": "ບຸນມີ", "family_name": "ສີສຸວັນ",
              "given_name_latin": "Bounmy", "family_name_latin": f"Sisouvanh{n}", "birth_date": "1988-03-02",
              "sex": "M", "nationality": "LA", "phone": "", "hired_on": "2026-11-20", "job_title": "ຊ່າງ",
              "contract_type": "permanent", "monthly_wage": "2500000", "ended_on": "", "end_reason": ""}
    values.update(fields)
    return values


def _csv(rows: list[dict[str, str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _run(db, employer, data: bytes, filename: str = "workers.csv"):
    rows = parse_file(filename, data, ALIASES, max_rows=1000)
    return validate(db, employer, rows, now=NOW)


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_valid_csv_imports_every_row_and_a_reupload_creates_nothing(db) -> None:
    employer = factories.employer(db)
    data = _csv([_row(i) for i in range(1, 6)], delimiter=";")
    report = _run(db, employer, data)
    assert [r.status for r in report.rows] == ["valid"] * 5
    counts = import_valid_rows(db, employer, report, actor=ACTOR, now=NOW)
    assert counts["persons_created"] == 5 and counts["hires"] == 5
    persons, jobs = _count(db, Person), _count(db, Employment)
    again = _run(db, employer, data)
    assert [r.status for r in again.rows] == ["already"] * 5
    import_valid_rows(db, employer, again, actor=ACTOR, now=NOW)
    assert (_count(db, Person), _count(db, Employment)) == (persons, jobs)


def test_every_bad_row_is_reported_with_row_column_and_reason(db) -> None:
    employer = factories.employer(db)
    rows = [_row(1), _row(2, birth_date="2031-01-01"), _row(3, monthly_wage="lots"), _row(1),
            _row(4, hired_on="2019-01-01"), _row(5, document_type="driving_licence"), _row(6, action="fire")]
    report = _run(db, employer, _csv(rows))
    problems = {(r.row, column, code) for r in report.rows for column, code, _ in r.problems}
    assert problems == {
        (3, "birth_date", "person.born_in_future"), (4, "monthly_wage", "employment.wage_invalid"),
        (5, "document_number", "import.duplicate_row"), (6, "hired_on", "employment.before_registration"),
        (7, "document_type", "person.document_type_unknown"), (8, "action", "import.action_unknown"),
    }
    before = (_count(db, Person), _count(db, Employment))
    counts = import_valid_rows(db, employer, report, actor=ACTOR, now=NOW)
    assert counts["hires"] == 1
    assert (_count(db, Person), _count(db, Employment)) == (before[0] + 1, before[1] + 1)


def test_leavers_close_the_open_employment(db) -> None:
    employer = factories.employer(db)
    import_valid_rows(db, employer, _run(db, employer, _csv([_row(1), _row(2)])), actor=ACTOR, now=NOW)
    leave = [_row(1, action="leave", ended_on="2026-12-31", end_reason="resignation"),
             _row(9, action="leave", ended_on="2026-12-31", end_reason="resignation")]
    report = _run(db, employer, _csv(leave))
    assert [r.status for r in report.rows] == ["valid", "invalid"]
    assert report.rows[1].problems[0][1] == "import.no_open_employment"
    import_valid_rows(db, employer, report, actor=ACTOR, now=NOW)
    ended = db.scalars(select(Employment).join(Person).where(Person.document_number == "LA00000001")).one()
    assert ended.ended_on.isoformat() == "2026-12-31" and ended.end_reason == "resignation"


def test_xlsx_with_dates_and_numbers_as_cells(db) -> None:
    import datetime as dt

    employer = factories.employer(db, scheme_code="TJ-SOCTAX")
    row = list(_row(1, document_country="TJ", nationality="TJ", monthly_wage="").values())
    row[COLUMNS.index("birth_date")] = dt.datetime(1990, 1, 31)
    row[COLUMNS.index("hired_on")] = dt.date(2026, 11, 20)
    row[COLUMNS.index("monthly_wage")] = 2450.5
    report = _run(db, employer, _xlsx([row]), "workers.xlsx")
    assert report.rows[0].status == "valid", report.rows[0].problems
    import_valid_rows(db, employer, report, actor=ACTOR, now=NOW)
    assert str(db.scalars(select(Employment.monthly_wage)).one()) == "2450.50"


@pytest.mark.parametrize(("make", "code"), [
    (lambda: b"\xff\xfe\x00garbage", "import.encoding"),
    (lambda: b"PK\x03\x04 not really a zip", "import.file_unreadable"),
    (lambda: b"", "import.empty"),
    (lambda: b"name;surname\nx;y\n", "import.columns_missing"),
])
def test_unusable_files_are_refused_with_a_reason(make, code) -> None:
    with pytest.raises(DomainError) as caught:
        parse_file("upload.csv", make(), ALIASES, max_rows=10)
    assert caught.value.code == code


def test_too_many_rows_is_refused_before_any_work() -> None:
    with pytest.raises(DomainError, match="import.too_many_rows"):
        parse_file("big.csv", _csv([_row(i) for i in range(12)]), ALIASES, max_rows=10)


def test_formulas_are_refused_with_their_cell() -> None:
    row = list(_row(1).values())
    row[COLUMNS.index("monthly_wage")] = "=1000*2500"
    with pytest.raises(DomainError) as caught:
        parse_file("w.xlsx", _xlsx([row]), ALIASES, max_rows=10)
    assert caught.value.code == "import.formula_not_allowed"
    assert caught.value.params == {"row": 2, "column": COLUMNS.index("monthly_wage") + 1}


def test_macro_enabled_workbooks_are_refused() -> None:
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_xlsx([])), "r") as source, zipfile.ZipFile(data, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    with pytest.raises(DomainError, match="import.macros_not_allowed"):
        parse_file("w.xlsm", data.getvalue(), ALIASES, max_rows=10)


def test_xml_entity_bombs_are_refused() -> None:
    data = io.BytesIO()
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    with zipfile.ZipFile(io.BytesIO(_xlsx([])), "r") as source, zipfile.ZipFile(data, "w") as target:
        for item in source.infolist():
            content = bomb.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item, content)
    with pytest.raises(DomainError, match="import.file_unreadable"):
        parse_file("w.xlsx", data.getvalue(), ALIASES, max_rows=10)
