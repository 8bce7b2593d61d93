"""What a valid declaration line is, as typed in a form or a file: pure checks, no database, no clock.

A line names a worker by social security number and gives the gross wage paid for the month, optionally the
days worked and, when the wage is reduced or nil, the reason of the absence.  Checks that need the register
(is the number known, was the person employed by this employer in the period) are made by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from contributions.rules.calculation import ZERO

LINE_FIELDS = ("social_security_number", "gross_wage", "days_worked", "absence_reason")
ABSENCE_REASONS = ("sick", "maternity", "unpaid_leave", "work_injury", "strike", "other")
MAX_WAGE = Decimal("1000000000000")


@dataclass
class LineInput:
    row: int  # as the user sees it: a file row (header is row 1) or the line's position on the form
    social_security_number: str
    gross_wage: Decimal | None
    days_worked: int | None
    absence_reason: str | None
    problems: list[tuple[str, str, dict]] = field(default_factory=list)
    notes: list[tuple[str, str, dict]] = field(default_factory=list)  # accepted, but worth telling the user

    @property
    def valid(self) -> bool:
        return not self.problems


def parse_wage(value: object, places: int) -> Decimal | None:
    """A wage as text or a spreadsheet number: digits, an optional sign and decimal point; spaces, no-break
    spaces and ``,`` thousands separators are ignored.  Decimals beyond the currency's are accepted only when
    they are zeros (``4500000.00`` kip).  None when it cannot be read as an exact amount."""
    if isinstance(value, bool) or value is None:
        return None
    text = repr(value) if isinstance(value, float) else str(value)
    text = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount.adjusted() > 15:  # beyond any wage; also keeps quantize in range
        return None
    quantum = Decimal(1).scaleb(-places)
    if amount != amount.quantize(quantum):
        return None
    return amount.quantize(quantum)


def parse_days(value: object) -> int | None | str:
    """Days worked: None when blank, an int when it reads as a whole number, else the text (invalid)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if len(text) > 6:  # "31", "31.0": anything longer is not a number of days (and "1e999999" is never expanded)
        return text
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite() or number.adjusted() > 2 or number != number.to_integral_value():
        return text
    return int(number)


def read_line(row: int, values: Mapping[str, object], *, places: int, days_in_month: int) -> LineInput:
    """Read and check one line; every problem of the line is listed, not only the first."""
    ssn = "".join(str(values.get("social_security_number") or "").split()).upper()
    problems: list[tuple[str, str, dict]] = []
    if not ssn:
        problems.append(("social_security_number", "field.required", {}))
    raw_wage = values.get("gross_wage")
    wage = parse_wage(raw_wage, places)
    if raw_wage is None or str(raw_wage).strip() == "":
        problems.append(("gross_wage", "field.required", {}))
    elif wage is None or wage > MAX_WAGE:
        problems.append(("gross_wage", "declaration.wage_invalid", {}))
        wage = None
    elif wage < ZERO:
        problems.append(("gross_wage", "declaration.wage_negative", {}))
        wage = None
    days = parse_days(values.get("days_worked"))
    if isinstance(days, str) or (isinstance(days, int) and not 0 <= days <= days_in_month):
        problems.append(("days_worked", "declaration.days_invalid", {"days": days_in_month}))
        days = None
    reason = str(values.get("absence_reason") or "").strip().lower() or None
    if reason is not None and reason not in ABSENCE_REASONS:
        problems.append(("absence_reason", "declaration.absence_reason_unknown", {}))
        reason = None
    elif reason is None and wage is not None and wage == ZERO:
        problems.append(("absence_reason", "declaration.absence_reason_required", {}))
    return LineInput(row, ssn, wage, days, reason, problems)


def mark_duplicates(lines: list[LineInput]) -> None:
    """A worker may appear once per declaration: later lines for the same number are problems."""
    first: dict[str, int] = {}
    for line in lines:
        if not line.social_security_number:
            continue
        seen = first.setdefault(line.social_security_number, line.row)
        if seen != line.row:
            line.problems.append(("social_security_number", "declaration.duplicate_line", {"row": seen}))
