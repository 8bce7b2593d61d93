"""Reading uploaded worker files (CSV or XLSX) safely into rows of text.

Limits are enforced before any work: size by the caller, rows here.  Workbooks are read in read-only mode
(openpyxl parses their XML with defusedxml); macro-enabled workbooks, formulas and anything that is not a
readable file are refused with a code, never an exception of the parser.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Mapping

from common.errors import DomainError

MAX_ROWS = 50_000
XLSX_MAGIC = b"PK\x03\x04"


def _normalise_header(text: object) -> str:
    return " ".join(str(text or "").replace("*", "").split()).casefold()


def map_headers(headers: list[object], aliases: Mapping[str, str]) -> list[str | None]:
    """The field key of each column (None for a column we do not know), from its title in any language."""
    folded = {_normalise_header(label): key for label, key in aliases.items()}
    return [folded.get(_normalise_header(header)) for header in headers]


def read_table(filename: str, data: bytes, *, max_rows: int = MAX_ROWS) -> tuple[list[object], list[list[object]]]:
    """(header row, data rows) of the first sheet or of the CSV; blank rows are dropped but counted, so row
    numbers in reports match what the user sees (the header is row 1)."""
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, max_rows)
    return _read_csv(data, max_rows)


def _read_csv(data: bytes, max_rows: int) -> tuple[list[object], list[list[object]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError("import.encoding") from exc
    if "\x00" in text:
        raise DomainError("import.file_unreadable")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = [row for row in reader]
    except csv.Error as exc:
        raise DomainError("import.file_unreadable") from exc
    return _split(rows, max_rows)


def _read_xlsx(data: bytes, max_rows: int) -> tuple[list[object], list[list[object]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise DomainError("import.file_unreadable") from exc
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise DomainError("import.macros_not_allowed")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for damaged or hostile files
        raise DomainError("import.file_unreadable") from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[object]] = []
        for index, row in enumerate(sheet.iter_rows(), start=1):
            values = []
            for column, cell in enumerate(row, start=1):
                if cell.data_type == "f":
                    raise DomainError("import.formula_not_allowed", row=index, column=column)
                values.append(cell.value)
            rows.append(values)
            if len(rows) > max_rows + 1:
                raise DomainError("import.too_many_rows", limit=max_rows)
    except DomainError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise DomainError("import.file_unreadable") from exc
    finally:
        workbook.close()
    return _split(rows, max_rows)


def _split(rows: list[list[object]], max_rows: int) -> tuple[list[object], list[list[object]]]:
    if not rows or not any(_present(v) for v in rows[0]):
        raise DomainError("import.empty")
    header, body = rows[0], rows[1:]
    if sum(1 for row in body if any(_present(v) for v in row)) > max_rows:
        raise DomainError("import.too_many_rows", limit=max_rows)
    return header, body


def _present(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def cell_text(value: object) -> object:
    """Cells as the rules read them: dates stay dates, whole numbers lose a spurious '.0', text is stripped,
    and a leading apostrophe (what ``safe_cell`` and spreadsheet users put before text such as +856...) is
    dropped."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    if isinstance(value, dt.date | int | float):
        return value
    text = str(value).strip()
    return text[1:] if text.startswith("'") else text


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A value for an exported spreadsheet cell: text that a spreadsheet would run as a formula (starting
    with = + - @, a tab or a carriage return) gets a leading apostrophe, so it stays text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([[safe_cell(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet programs read UTF-8


def write_xlsx(sheets: list[tuple[str, list[str], list[list[object]]]]) -> bytes:
    """A workbook with one sheet per (title, header, rows); written in streaming mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([safe_cell(h) for h in header])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
