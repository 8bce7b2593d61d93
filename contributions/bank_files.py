"""Bank statements of the contributions collection account, read into plain records.

Banks send ISO 20022 camt.053 statements and camt.054 notifications (read by ``bank_camt``), or CSV files
whose columns differ per bank; a bank's CSV layout is configuration (``reference/banks.json``), checked by
``check_csv_mapping``.  The format is recognised by the content, not by the file name.

A statement is imported whole or not at all: every wrong line is reported (row, field, code, params) in one
``StatementInvalid``, so the page can list them all and the bank or the cashier can correct the file.  Amounts
are read as written into ``Decimal``, never through a float.  Nothing here touches the database or the clock.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import get_currency_precision

from common.errors import DomainError
from contributions import bank_camt

FORMATS = ("camt.053", "camt.054", "csv")
REQUIRED_COLUMNS = ("transaction_id", "booking_date", "amount", "payer_name", "remittance")
OPTIONAL_COLUMNS = ("value_date", "currency", "payer_account")
# Spreadsheets and Russian-language exports group thousands with a no-break or narrow no-break space.
_SPACES = " \u00a0\u202f"
_ISO_DATE = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?$")


@dataclass(frozen=True)
class BankLine:
    """One credit to the collection account.  ``row`` is where it is in the file: the CSV row as the user
    sees it (the header is row 1), or the entry's position (from 1) in a camt document, which the lines of
    a batch-booked entry share."""

    row: int
    transaction_id: str
    booking_date: dt.date
    value_date: dt.date
    amount: Decimal
    currency: str
    payer_name: str
    payer_account: str
    remittance: str


@dataclass(frozen=True)
class ParsedStatement:
    format: str
    statement_id: str
    account: str
    lines: list[BankLine]


Problem = tuple[int, str, str, dict]


class StatementInvalid(DomainError):
    """Some lines are wrong, so none is imported.  ``problems`` holds every one: (row, field, code, params),
    the params always including the row."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("bank.statement_invalid", count=len(problems))
        self.problems = problems


def parse_statement(filename: str, data: bytes, *, currency: str, csv_mapping: dict | None = None,
                    max_lines: int = 200_000) -> ParsedStatement:
    """The credits of a camt.053/camt.054 document, or of a CSV file read with ``csv_mapping``.

    ``currency`` is the scheme's (LAK or TJS): a line in another currency is refused.  File-level problems
    raise ``DomainError``; line problems raise one ``StatementInvalid`` listing them all."""
    if not data.strip(b" \t\r\n\x00").removeprefix(b"\xef\xbb\xbf").strip():
        raise DomainError("bank.empty")
    if bank_camt.looks_like_xml(data) or filename.lower().endswith(".xml"):
        document = bank_camt.read_camt(data, max_lines=max_lines)
        if not document.lines:
            raise DomainError("bank.empty")
        lines = _check_camt(document.lines, currency, document.statement_id)
        return ParsedStatement(document.format, document.statement_id, document.account, lines)
    if csv_mapping is None:
        raise DomainError("bank.format_unknown")
    return ParsedStatement("csv", "", "", _read_csv(data, csv_mapping, currency, max_lines))


MAX_ID_LENGTH = 100  # the width of payment.transaction_id: a longer id is refused, never cut
MAX_AMOUNT = Decimal("1000000000000000")  # beyond any real transfer, and within Numeric(18, 2)


# --- Checks shared by both formats -----------------------------------------------------------------------

class _Collector:
    """Gathers the checked lines and every problem found on the way."""

    def __init__(self, currency: str, statement_id: str = "") -> None:
        self.currency = currency.strip().upper()
        self.statement_id = statement_id
        self.quantum = Decimal(1).scaleb(-get_currency_precision(self.currency)) if len(self.currency) == 3 \
            else Decimal("0.01")
        self.lines: list[BankLine] = []
        self.problems: list[Problem] = []
        self._seen_problems: set[tuple] = set()
        self._first_row: dict[str, int] = {}

    def problem(self, row: int, field: str, code: str, /, **params: object) -> None:
        key = (row, field, code, tuple(sorted(params.items())))
        if key not in self._seen_problems:  # the lines of one batch entry share its entry-level faults
            self._seen_problems.add(key)
            self.problems.append((row, field, code, {"row": row, **params}))

    def amount(self, row: int, text: str, *, decimal: str = ".", thousands: str = "") -> Decimal | None:
        value, code = parse_amount(text, decimal=decimal, thousands=thousands)
        if code is None and value is not None and (value != value.quantize(self.quantum) or value > MAX_AMOUNT):
            code, value = "bank.amount_invalid", None  # fractions of a kip, or beyond any real transfer
        if code is not None:
            self.problem(row, "amount", code)
        return value

    def add(self, row: int, *, transaction_id: str, booking_date: dt.date | None, value_date: dt.date | None,
            amount: Decimal | None, currency: str, payer_name: str, payer_account: str, remittance: str) -> None:
        """Checks what is common to every format.  A value is None when the caller found it wrong (and said
        so); the lines only matter when no problem at all was found."""
        raw = transaction_id.removeprefix(bank_camt.WEAK_ID)
        if raw != transaction_id:
            # Unique only within this statement: qualified by the statement, the date and the amount.
            transaction_id = "/".join((self.statement_id, str(booking_date), str(amount), raw))
        if not raw:
            self.problem(row, "transaction_id", "bank.transaction_id_missing")
        elif len(transaction_id) > MAX_ID_LENGTH:
            self.problem(row, "transaction_id", "bank.transaction_id_too_long", limit=MAX_ID_LENGTH)
        elif raw in self._first_row:  # the same reference twice in one file, whatever the amounts
            self.problem(row, "transaction_id", "bank.duplicate_in_file", first_row=self._first_row[raw])
        else:
            self._first_row[raw] = row
        if currency != self.currency and (currency or amount is not None):  # no amount at all: said already
            self.problem(row, "currency", "bank.currency_mismatch", currency=currency)
        if None not in (booking_date, value_date, amount):
            self.lines.append(BankLine(row, transaction_id, booking_date, value_date, amount, currency,
                                       payer_name, payer_account, remittance))

    def result(self) -> list[BankLine]:
        if self.problems:
            raise StatementInvalid(self.problems)
        return self.lines


def parse_amount(text: str, *, decimal: str = ".", thousands: str = "") -> tuple[Decimal | None, str | None]:
    """(amount, None) for an exact positive decimal as written, e.g. ``1 006 250,50`` with ``,`` and `` ``;
    otherwise (None, ``bank.amount_negative`` or ``bank.amount_invalid``).  A minus sign, before or after,
    or parentheses mark a negative amount.  Thousands must be grouped by three, so ``1,5`` is never read as
    fifteen when ``,`` separates thousands.  The decimals are kept as written (``1006250.00``)."""
    text = text.strip()
    negative = False
    if len(text) > 2 and text[0] == "(" and text[-1] == ")":
        negative, text = True, text[1:-1].strip()
    if text[:1] == "-" or text[-1:] == "-":
        negative, text = True, text.removeprefix("-").removesuffix("-").strip()
    elif text[:1] == "+":
        text = text[1:]
    group = f"[{re.escape(_SPACES)}]" if thousands and thousands in _SPACES else re.escape(thousands)
    whole = rf"[0-9]{{1,3}}(?:{group}[0-9]{{3}})+|[0-9]+" if thousands else "[0-9]+"
    match = re.fullmatch(rf"({whole})(?:{re.escape(decimal)}([0-9]+))?", text)
    if match is None:
        return None, "bank.amount_invalid"
    digits = re.sub("[^0-9]", "", match.group(1))
    value = Decimal(digits + "." + match.group(2) if match.group(2) else digits)
    if not value:
        return None, "bank.amount_invalid"
    if negative:
        return None, "bank.amount_negative"
    return value, None


# --- camt ------------------------------------------------------------------------------------------------

def _check_camt(lines: list[bank_camt.CamtLine], currency: str, statement_id: str = "") -> list[BankLine]:
    collector = _Collector(currency, statement_id)
    batches: dict[int, tuple[str, list[Decimal | None]]] = {}
    for line in lines:
        row = line.row
        if line.reversal:
            collector.problem(row, "reversal", "bank.reversal_entry")
        if line.status not in ("", "BOOK"):
            collector.problem(row, "status", "bank.entry_not_booked", status=line.status)
        if line.credit_debit == "DBIT":
            collector.problem(row, "credit_debit", "bank.amount_negative")
        elif line.credit_debit != "CRDT":
            collector.problem(row, "credit_debit", "bank.amount_invalid")
        amount = collector.amount(row, line.amount)
        booking = _iso_date(collector, row, "booking_date", line.booking_date)
        value = _iso_date(collector, row, "value_date", line.value_date) if line.value_date else booking
        if line.entry_amount is not None:
            batches.setdefault(row, (line.entry_amount, []))[1].append(amount)
        collector.add(row, transaction_id=line.transaction_id, booking_date=booking, value_date=value,
                      amount=amount, currency=line.currency, payer_name=line.payer_name,
                      payer_account=line.payer_account, remittance=line.remittance)
    for row, (entry_text, amounts) in batches.items():
        entry_amount = collector.amount(row, entry_text)
        if entry_amount is not None and None not in amounts and sum(amounts) != entry_amount:
            collector.problem(row, "amount", "bank.batch_total_mismatch", amount=str(entry_amount),
                              total=str(sum(amounts)))
    return collector.result()


def _iso_date(collector: _Collector, row: int, field: str, text: str) -> dt.date | None:
    """A camt ``Dt`` (``2026-03-16``) or ``DtTm`` (``2026-03-16T09:30:00+07:00``): the date as the bank
    wrote it, not converted to another time zone."""
    try:
        match = _ISO_DATE.match(text)
        return dt.date.fromisoformat(match.group(1)) if match else dt.datetime.fromisoformat(text).date()
    except ValueError:
        collector.problem(row, field, "bank.date_invalid", field=field)
        return None


# --- CSV -------------------------------------------------------------------------------------------------

def check_csv_mapping(mapping: dict) -> None:
    """Raises ``ValueError`` when a bank's CSV layout (configuration, not user data) is unusable."""
    columns = mapping.get("columns")
    if not isinstance(columns, dict):
        raise ValueError("a CSV mapping needs a 'columns' object")
    missing = [key for key in REQUIRED_COLUMNS if not str(columns.get(key) or "").strip()]
    unknown = sorted(set(columns) - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS))
    if missing or unknown:
        raise ValueError(f"CSV mapping: columns missing {missing}, unknown {unknown}")
    if len(mapping.get("delimiter", ",")) != 1:
        raise ValueError("CSV mapping: the delimiter is one character")
    decimal, thousands = mapping.get("decimal_separator", "."), mapping.get("thousands_separator", "")
    if len(decimal) != 1 or decimal.isdigit() or len(thousands) > 1 or thousands == decimal or thousands.isdigit():
        raise ValueError("CSV mapping: the decimal separator is one character, the thousands one at most one "
                         "other character")
    try:
        codecs.lookup(mapping.get("encoding", "utf-8-sig"))
        dt.datetime.strptime(dt.date(2026, 12, 31).strftime(mapping["date_format"]), mapping["date_format"])
    except (KeyError, LookupError, ValueError, TypeError) as exc:
        raise ValueError("CSV mapping: unknown encoding, or no usable date_format") from exc


def _read_csv(data: bytes, mapping: dict, currency: str, max_lines: int) -> list[BankLine]:
    check_csv_mapping(mapping)
    encoding = mapping.get("encoding", "utf-8-sig")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DomainError("bank.encoding", encoding=encoding) from exc
    if "\x00" in text:
        raise DomainError("bank.file_unreadable")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=mapping.get("delimiter", ","))
    try:
        header = next(reader, [])
        index = _column_index(header, mapping["columns"])
        collector = _Collector(currency)
        count = 0
        for row, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank rows are skipped, but counted, so the row numbers match the user's view
            count += 1
            if count > max_lines:
                raise DomainError("bank.too_many_lines", limit=max_lines)
            _csv_line(collector, row, {key: cells[i].strip() if i < len(cells) else ""
                                       for key, i in index.items()}, mapping)
    except csv.Error as exc:
        raise DomainError("bank.file_unreadable") from exc
    if count == 0:
        raise DomainError("bank.empty")
    return collector.result()


def _column_index(header: list[str], columns: dict[str, str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for position, title in enumerate(header):
        positions.setdefault(_fold(title), position)
    missing = [title for title in columns.values() if title and _fold(title) not in positions]
    if missing:
        raise DomainError("bank.columns_missing", columns=", ".join(missing))
    return {key: positions[_fold(title)] for key, title in columns.items() if title}


def _fold(title: str) -> str:
    """Headers match whatever their case and spacing: ``Value date`` = ``VALUE  DATE`` = ``valuedate``."""
    return "".join(title.replace("\ufeff", "").split()).casefold()


def _csv_line(collector: _Collector, row: int, cells: dict[str, str], mapping: dict) -> None:
    date_format = mapping["date_format"]
    amount = collector.amount(row, cells["amount"], decimal=mapping.get("decimal_separator", "."),
                              thousands=mapping.get("thousands_separator", ""))
    booking = _csv_date(collector, row, "booking_date", cells["booking_date"], date_format)
    value_text = cells.get("value_date", "")
    value = _csv_date(collector, row, "value_date", value_text, date_format) if value_text else booking
    currency = cells.get("currency") or str(mapping.get("default_currency") or collector.currency)
    collector.add(row, transaction_id=cells["transaction_id"], booking_date=booking, value_date=value,
                  amount=amount, currency=currency.strip().upper(), payer_name=" ".join(cells["payer_name"].split()),
                  payer_account=cells.get("payer_account", ""), remittance=" ".join(cells["remittance"].split()))


def _csv_date(collector: _Collector, row: int, field: str, text: str, date_format: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, date_format).date()
    except ValueError:
        collector.problem(row, field, "bank.date_invalid", field=field)
        return None
