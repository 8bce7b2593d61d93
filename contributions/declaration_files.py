"""A period's lines from an uploaded CSV or XLSX file: one row per worker (social security number, gross
wage, days worked, absence reason).  The file is read with the registry's safe reader (size and row limits,
no macros, no formulas); the lines are then checked and stored by ``drafts.replace_lines``, all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from common.errors import DomainError
from contributions.rules.declaration_lines import LINE_FIELDS
from employers.import_files import cell_text, map_headers, read_table

REQUIRED_COLUMNS = ("social_security_number", "gross_wage")


def read_declaration_file(filename: str, data: bytes, aliases: Mapping[str, str], *,
                          max_rows: int) -> tuple[list[int], list[dict[str, object]]]:
    """(row numbers as the user sees them, values of each row); blank rows are skipped but counted.  Columns
    the portal does not know (a name column, for the employer's own reading) are ignored."""
    header, body = read_table(filename, data, max_rows=max_rows)
    keys = map_headers(header, aliases)
    missing = [column for column in REQUIRED_COLUMNS if column not in keys]
    if missing:
        raise DomainError("import.columns_missing", columns=", ".join(missing))
    numbers, rows = [], []
    for number, cells in enumerate(body, start=2):
        values = {key: cell_text(cell) for key, cell in zip(keys, cells, strict=False) if key in LINE_FIELDS}
        if not any(str(value).strip() for value in values.values()):
            continue
        numbers.append(number)
        rows.append(values)
    if not rows:
        raise DomainError("import.empty")
    return numbers, rows
