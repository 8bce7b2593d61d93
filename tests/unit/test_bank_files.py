"""Bank statements (camt.053, camt.054, CSV per bank) read into plain records, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.errors import DomainError
from contributions.bank_files import (
    BankLine,
    StatementInvalid,
    check_csv_mapping,
    parse_amount,
    parse_statement,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "bank"
BANKS = {bank["code"]: bank for bank in json.loads(
    resources.files("contributions.reference").joinpath("banks.json").read_text("utf-8"))["banks"]}
BCEL = BANKS["BCEL"]["csv"]
AMONATBONK = BANKS["AMONATBONK"]["csv"]
ORIENBANK = BANKS["ORIENBANK"]["csv"]
CURRENCY = {"LA-LSSO": "LAK", "TJ-SOCTAX": "TJS"}
PLACES = {"LAK": 0, "TJS": 2}


# --- Builders of small documents ---------------------------------------------------------------------------

def camt(entries: str, *, kind: str = "053", version: str = "08", account: str = "LA0101000012345678") -> bytes:
    message, block = ("BkToCstmrStmt", "Stmt") if kind == "053" else ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.{kind}.001.{version}">'
        f"<{message}><GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-03-16T18:00:00+07:00</CreDtTm></GrpHdr>"
        f"<{block}><Id>DOC-1</Id><Acct><Id><IBAN>{account}</IBAN></Id><Ccy>LAK</Ccy></Acct>"
        f"{entries}</{block}></{message}></Document>"
    ).encode()


def entry(ref: str = "FT1", amount: str = "1000000", *, ccy: str = "LAK", cd: str = "CRDT",
          booking: str | None = "<Dt>2026-03-16</Dt>", value: str | None = "<Dt>2026-03-16</Dt>",
          status: str = "<Sts><Cd>BOOK</Cd></Sts>", extra: str = "", details: str = "") -> str:
    return (
        f'<Ntry>{f"<NtryRef>{ref}</NtryRef>" if ref else ""}<Amt Ccy="{ccy}">{amount}</Amt>'
        f"<CdtDbtInd>{cd}</CdtDbtInd>{extra}{status}"
        f'{f"<BookgDt>{booking}</BookgDt>" if booking is not None else ""}'
        f'{f"<ValDt>{value}</ValDt>" if value is not None else ""}'
        f'{f"<NtryDtls>{details}</NtryDtls>" if details else ""}</Ntry>'
    )


def tx(*, refs: str = "", amount: str = "", name: str = "Payer", ustrd: str = "RF962026030000042") -> str:
    return (f"<TxDtls>{f'<Refs>{refs}</Refs>' if refs else ''}{amount}"
            f"<RltdPties><Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr></RltdPties>"
            f"<RmtInf><Ustrd>{ustrd}</Ustrd></RmtInf></TxDtls>")


def csv_bytes(mapping: dict, rows: list[list[str]], header: list[str] | None = None) -> bytes:
    columns = mapping["columns"]
    header = header or [columns[key] for key in ("booking_date", "value_date", "transaction_id", "payer_name",
                                                 "payer_account", "remittance", "amount", "currency")
                        if columns.get(key)]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=mapping["delimiter"])
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(mapping["encoding"])


def bcel_row(ref: str = "FT1", amount: str = "1,000,000", *, date: str = "16/03/2026", value: str = "",
             currency: str = "LAK") -> list[str]:
    return [date, value, ref, "ບໍລິສັດ ສີສະຫວາດ", "0101000098765432", "RF96 2026 0300 0004 2", amount, currency]


def problems_of(data: bytes, currency: str = "LAK", **kwargs) -> list[tuple[int, str, str, dict]]:
    with pytest.raises(StatementInvalid) as caught:
        parse_statement(kwargs.pop("filename", "statement"), data, currency=currency, **kwargs)
    assert caught.value.code == "bank.statement_invalid"
    assert caught.value.params == {"count": len(caught.value.problems)}
    return caught.value.problems


def refused(data: bytes, currency: str = "LAK", **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        parse_statement(kwargs.pop("filename", "statement"), data, currency=currency, **kwargs)
    assert not isinstance(caught.value, StatementInvalid)
    return caught.value


# --- The realistic samples -----------------------------------------------------------------------------------

def test_camt053_statement_of_a_lao_bank() -> None:
    statement = parse_statement("BCEL_20260316.xml", (DATA / "camt053_bcel_lak.xml").read_bytes(), currency="LAK")
    assert (statement.format, statement.statement_id, statement.account) == (
        "camt.053", "STMT-0101000012345678-20260316", "0101000012345678")
    rf, numeric, employer_only, batch_1, batch_2 = statement.lines
    assert rf == BankLine(1, "FT2607500123", dt.date(2026, 3, 16), dt.date(2026, 3, 16), Decimal("1006250"), "LAK",
                          "ບໍລິສັດ ສີສະຫວາດ ກໍ່ສ້າງ ຈຳກັດ", "0101000098765432", "RF962026030000042")
    assert numeric.amount == Decimal("2450000") and isinstance(numeric.amount, Decimal)
    assert (numeric.booking_date, numeric.value_date) == (dt.date(2026, 3, 16), dt.date(2026, 3, 17))
    assert numeric.remittance == "LSSO 2026 0300 0005 774 MARCH CONTRIBUTIONS INWARD TRANSFER"
    # No entry reference: the bank's reference of the transaction; no ValDt: the booking date.
    assert (employer_only.transaction_id, employer_only.value_date) == ("CD2607500007", dt.date(2026, 3, 16))
    assert "LA00003186" in employer_only.remittance and employer_only.payer_account == ""
    assert [(line.row, line.transaction_id, line.amount) for line in (batch_1, batch_2)] == [
        (4, "FT2607500126/1", Decimal("1500000")), (4, "FT2607500126/2", Decimal("2000000"))]
    assert batch_1.remittance == "RF652026040001203 BATCH CREDIT 2 ITEMS"
    assert batch_2.payer_name == "Mekong Logistics Sole Co., Ltd"
    assert sum(line.amount for line in statement.lines) == Decimal("8656250")


def test_camt054_notification_of_a_tajik_bank() -> None:
    statement = parse_statement("ntf.xml", (DATA / "camt054_amonatbonk_tjs.xml").read_bytes(), currency="TJS")
    assert (statement.format, statement.statement_id, statement.account) == (
        "camt.054", "NTF-20260415-000318", "20202972100010000123")
    # NtryRef alone is unique only within the notification: it is qualified by it, the date and the amount.
    assert statement.lines[0].transaction_id == "NTF-20260415-000318/2026-04-15/1234.56/AMB2604150001"
    assert [(line.row, line.transaction_id.rsplit("/", 1)[-1], line.amount) for line in statement.lines] == [
        (1, "AMB2604150001", Decimal("1234.56")), (2, "AMB2604150002", Decimal("15000.00")),
        (3, "AMB2604150003", Decimal("980.40")), (4, "AMB2604150004-A", Decimal("5000.25")),
        (4, "AMB2604150004-B", Decimal("250.50"))]
    first = statement.lines[0]
    assert first.booking_date == dt.date(2026, 4, 15)  # from DtTm, as the bank wrote it
    assert first.remittance == "RF79 2026 0300 0005 7" and first.payer_name == "ҶДММ «Сомон Сохтмон»"
    assert statement.lines[1].value_date == dt.date(2026, 4, 16)
    assert statement.lines[2].value_date == dt.date(2026, 4, 15)
    assert str(statement.lines[2].amount) == "980.4"  # exactly as written
    assert "0026044173" in statement.lines[2].remittance


def test_csv_of_a_lao_bank() -> None:
    statement = parse_statement("bcel.csv", (DATA / "bcel_lak.csv").read_bytes(), currency="LAK", csv_mapping=BCEL)
    assert (statement.format, statement.statement_id, statement.account) == ("csv", "", "")
    assert [(line.row, line.transaction_id, line.amount, line.value_date) for line in statement.lines] == [
        (2, "FT2607500123", Decimal("1006250"), dt.date(2026, 3, 16)),
        (3, "FT2607500124", Decimal("2450000.00"), dt.date(2026, 3, 17)),
        (5, "CD2607500007", Decimal("1700000"), dt.date(2026, 3, 16)),  # the blank row 4 is counted
    ]
    assert statement.lines[1].payer_name == "Vientiane Garment Factory Co., Ltd"
    assert statement.lines[2].payer_account == ""


def test_csv_of_a_tajik_bank() -> None:
    data = (DATA / "amonatbonk_tjs.csv").read_bytes()
    statement = parse_statement("amonatbonk.csv", data, currency="TJS", csv_mapping=AMONATBONK)
    assert [(line.transaction_id, line.amount, line.value_date) for line in statement.lines] == [
        ("451", Decimal("1234.56"), dt.date(2026, 4, 15)),
        ("452", Decimal("15000.00"), dt.date(2026, 4, 16)),
        ("453", Decimal("980.40"), dt.date(2026, 4, 15)),
    ]
    assert statement.lines[1].remittance == "Андози иҷтимоӣ; 2026 0300 0004 222"
    assert {line.currency for line in statement.lines} == {"TJS"}


def test_csv_mapping_without_value_date_or_currency_columns() -> None:
    header = ["Дата", "Референс", "Наименование плательщика", "Счёт плательщика", "Назначение", "Сумма"]
    data = csv_bytes(ORIENBANK, [["15.04.2026", "OB-1", "ЯК Каримов", "", "RF79 2026 0300 0005 7", "1 000,50"]],
                     header)
    (line,) = parse_statement("orienbank.csv", data, currency="TJS", csv_mapping=ORIENBANK).lines
    assert (line.value_date, line.currency, line.amount) == (dt.date(2026, 4, 15), "TJS", Decimal("1000.50"))


# --- camt versions and namespaces ----------------------------------------------------------------------------

def test_older_versions_with_their_own_element_shapes() -> None:
    # 001.02: <Sts>BOOK</Sts>, Dbtr/Nm without Pty, the payer's account as an IBAN, amounts in AmtDtls.
    old_tx = ("<TxDtls><Refs><EndToEndId>E2E-1</EndToEndId></Refs>"
              '<AmtDtls><TxAmt><Amt Ccy="LAK">500000</Amt></TxAmt></AmtDtls>'
              "<RltdPties><Dbtr><Nm>Old Style Co</Nm></Dbtr><DbtrAcct><Id><IBAN>LA12345</IBAN></Id></DbtrAcct>"
              "</RltdPties><RmtInf><Ustrd>LA00003186</Ustrd></RmtInf></TxDtls>")
    data = camt(entry(ref="", amount="500000", status="<Sts>BOOK</Sts>", details=old_tx), version="02")
    statement = parse_statement("old.xml", data, currency="LAK")
    (line,) = statement.lines
    assert (line.transaction_id, line.payer_name, line.payer_account) == (
        "DOC-1/2026-03-16/500000/E2E-1", "Old Style Co", "LA12345")  # the payer's id, qualified
    assert statement.account == "LA0101000012345678"


@pytest.mark.parametrize("version", ["02", "04", "08", "10", "13"])
def test_every_supported_version(version: str) -> None:
    for kind in ("053", "054"):
        statement = parse_statement("x.xml", camt(entry(), kind=kind, version=version), currency="LAK")
        assert statement.format == f"camt.{kind}" and len(statement.lines) == 1


def test_namespace_prefix_and_missing_namespace() -> None:
    body = entry().replace("<", "<c:").replace("<c:/", "</c:")
    document = (f'<c:Document xmlns:c="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><c:BkToCstmrDbtCdtNtfctn>'
                f"<c:Ntfctn><c:Id>N-1</c:Id>{body}</c:Ntfctn></c:BkToCstmrDbtCdtNtfctn></c:Document>").encode()
    assert parse_statement("p.xml", document, currency="LAK").statement_id == "N-1"
    bare = camt(entry()).replace(b' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"', b"")
    assert parse_statement("bare.xml", bare, currency="LAK").format == "camt.053"


@pytest.mark.parametrize("namespace", [
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.01",
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.14",
    "urn:iso:std:iso:20022:tech:xsd:camt.052.001.08",
    "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09",
])
def test_other_messages_and_versions_are_unknown(namespace: str) -> None:
    data = camt(entry()).replace(b"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08", namespace.encode())
    assert refused(data).code == "bank.format_unknown"


# --- Hostile and broken XML -----------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt><Id>&lol9;</Id>
</Stmt></BkToCstmrStmt></Document>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt><Id>&xxe;</Id>
</Stmt></BkToCstmrStmt></Document>"""


@pytest.mark.parametrize("data", [
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    EXTERNAL_ENTITY.replace(b"file:///etc/passwd", b"http://127.0.0.1:9/evil.dtd"),
    # A DTD alone, even a harmless one, and an external DTD.
    camt(entry()).replace(b"<Document", b"<!DOCTYPE Document [<!ELEMENT Document ANY>]><Document", 1),
    camt(entry()).replace(b"<Document", b'<!DOCTYPE Document SYSTEM "http://127.0.0.1:9/camt.dtd"><Document', 1),
], ids=["billion_laughs", "external_file", "external_url", "dtd", "external_dtd"])
def test_hostile_xml_is_refused_quickly_without_expansion(data: bytes) -> None:
    started = time.perf_counter()
    assert refused(data).code == "bank.xml_forbidden"
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("data,filename", [
    (camt(entry())[:-20], "cut.xml"),
    (b"<Document><Unclosed></Document>", "x"),
    (b"this is not XML at all", "statement.xml"),
])
def test_malformed_xml_is_unreadable(data: bytes, filename: str) -> None:
    assert refused(data, filename=filename).code == "bank.file_unreadable"


# --- camt refusals, each naming its row -----------------------------------------------------------------------

def test_camt053_in_the_wrong_currency() -> None:
    data = camt(entry("A") + entry("B", ccy="USD") + entry("C"))
    assert problems_of(data) == [(2, "currency", "bank.currency_mismatch", {"row": 2, "currency": "USD"})]
    # The same file for the other scheme: every line is wrong.
    assert [problem[0] for problem in problems_of(data, currency="TJS")] == [1, 2, 3]


def test_a_debit_entry_is_refused_with_its_row() -> None:
    data = camt(entry("A") + entry("B", cd="DBIT"))
    assert problems_of(data) == [(2, "credit_debit", "bank.amount_negative", {"row": 2})]


def test_reversal_and_unbooked_entries() -> None:
    data = camt(entry("A", extra="<RvslInd>true</RvslInd>") + entry("B", status="<Sts><Cd>PDNG</Cd></Sts>"))
    assert problems_of(data) == [(1, "reversal", "bank.reversal_entry", {"row": 1}),
                                 (2, "status", "bank.entry_not_booked", {"row": 2, "status": "PDNG"})]


@pytest.mark.parametrize("amount,code", [
    ("0", "bank.amount_invalid"), ("0.00", "bank.amount_invalid"), ("1,000", "bank.amount_invalid"),
    ("", "bank.amount_invalid"), ("1e6", "bank.amount_invalid"), ("abc", "bank.amount_invalid"),
    ("-5000", "bank.amount_negative"),
])
def test_camt_amount_must_be_an_exact_positive_decimal(amount: str, code: str) -> None:
    assert problems_of(camt(entry("A", amount))) == [(1, "amount", code, {"row": 1})]


def test_exact_decimals() -> None:
    data = camt(entry("A", "0.10", ccy="TJS") + entry("B", "0.20", ccy="TJS") + entry("C", "1006250.00"),
                kind="054")
    lines = parse_statement("x.xml", data.replace(b'Ccy="LAK"', b'Ccy="TJS"'), currency="TJS").lines
    assert all(type(line.amount) is Decimal for line in lines)
    assert lines[0].amount + lines[1].amount == Decimal("0.30")
    assert lines[2].amount == Decimal("1006250") and str(lines[2].amount) == "1006250.00"
    assert parse_amount("12345678901234567.89") == (Decimal("12345678901234567.89"), None)


@pytest.mark.parametrize("booking,value,field", [
    ("<Dt>2026-02-30</Dt>", "<Dt>2026-03-16</Dt>", "booking_date"),
    (None, "<Dt>2026-03-16</Dt>", "booking_date"),
    ("<Dt>16/03/2026</Dt>", None, "booking_date"),
    ("<Dt>2026-03-16</Dt>", "<DtTm>2026-03-16T25:00:00</DtTm>", "value_date"),
])
def test_camt_dates(booking: str | None, value: str | None, field: str) -> None:
    assert problems_of(camt(entry("A", booking=booking, value=value))) == [
        (1, field, "bank.date_invalid", {"row": 1, "field": field})]


def test_value_date_falls_back_to_the_booking_date() -> None:
    (line,) = parse_statement("x", camt(entry("A", booking="<DtTm>2026-03-16T23:59:00Z</DtTm>", value=None)),
                              currency="LAK").lines
    assert line.booking_date == line.value_date == dt.date(2026, 3, 16)


def test_transaction_id_chain_and_missing_id() -> None:
    not_provided = tx(refs="<EndToEndId>NOTPROVIDED</EndToEndId>")
    data = camt(entry("", extra="<AcctSvcrRef>ENTRY-BANK-REF</AcctSvcrRef>", details=not_provided)
                + entry("", details=tx(refs="<AcctSvcrRef>TX-BANK-REF</AcctSvcrRef><EndToEndId>E1</EndToEndId>"))
                + entry("", details=tx(refs="<EndToEndId>E2E-77</EndToEndId>")))
    assert [line.transaction_id for line in parse_statement("x", data, currency="LAK").lines] == [
        "ENTRY-BANK-REF", "TX-BANK-REF", "DOC-1/2026-03-16/1000000/E2E-77"]
    missing = camt(entry("A") + entry("", details=not_provided) + entry(""))
    assert problems_of(missing) == [(2, "transaction_id", "bank.transaction_id_missing", {"row": 2}),
                                    (3, "transaction_id", "bank.transaction_id_missing", {"row": 3})]


def test_duplicate_ids_in_one_camt_file() -> None:
    data = camt(entry("A") + entry("B") + entry("A"))
    assert problems_of(data) == [(3, "transaction_id", "bank.duplicate_in_file", {"row": 3, "first_row": 1})]


def test_batch_entries() -> None:
    own_ids = (tx(refs="<AcctSvcrRef>T-1</AcctSvcrRef>", amount='<Amt Ccy="LAK">400000</Amt>')
               + tx(refs="<AcctSvcrRef>T-2</AcctSvcrRef>", amount='<Amt Ccy="LAK">600000</Amt>'))
    lines = parse_statement("x", camt(entry("B1", details=own_ids)), currency="LAK").lines
    assert [(line.row, line.transaction_id, line.amount) for line in lines] == [
        (1, "T-1", Decimal("400000")), (1, "T-2", Decimal("600000"))]
    wrong_total = own_ids.replace("600000", "500000")
    assert problems_of(camt(entry("B1", details=wrong_total))) == [
        (1, "amount", "bank.batch_total_mismatch", {"row": 1, "amount": "1000000", "total": "900000"})]
    no_amount = tx(amount='<Amt Ccy="LAK">400000</Amt>') + tx()
    assert problems_of(camt(entry("B1", details=no_amount))) == [(1, "amount", "bank.amount_invalid", {"row": 1})]
    debit_batch = camt(entry("B1", cd="DBIT", details=own_ids))
    assert problems_of(debit_batch) == [(1, "credit_debit", "bank.amount_negative", {"row": 1})]


def test_every_problem_is_listed_and_nothing_is_returned() -> None:
    data = camt(entry("A") + entry("B", ccy="USD") + entry("C", cd="DBIT") + entry("A", "-1")
                + entry("D", booking="<Dt>x</Dt>"))
    assert [(row, code) for row, _field, code, _params in problems_of(data)] == [
        (2, "bank.currency_mismatch"), (3, "bank.amount_negative"), (4, "bank.amount_negative"),
        (4, "bank.duplicate_in_file"), (5, "bank.date_invalid")]


# --- File-level refusals ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("data,mapping", [
    (b"", None), (b"\xef\xbb\xbf \r\n", BCEL), (camt(""), None), (camt("", kind="054"), None),
    (csv_bytes(BCEL, []), BCEL), (csv_bytes(BCEL, [[""] * 8, []]), BCEL),
])
def test_empty(data: bytes, mapping: dict | None) -> None:
    assert refused(data, csv_mapping=mapping).code == "bank.empty"


def test_too_many_lines() -> None:
    assert len(parse_statement("x", camt(entry("A") + entry("B") + entry("C")), currency="LAK",
                               max_lines=3).lines) == 3
    error = refused(camt(entry("A") + entry("B") + entry("C") + entry("D")), max_lines=3)
    assert (error.code, error.params) == ("bank.too_many_lines", {"limit": 3})
    batch = tx(refs="<AcctSvcrRef>1</AcctSvcrRef>") + tx(refs="<AcctSvcrRef>2</AcctSvcrRef>")
    assert refused(camt(entry("A") + entry("B", details=batch)), max_lines=2).code == "bank.too_many_lines"
    rows = [bcel_row(f"FT{number}") for number in range(4)]
    assert len(parse_statement("x.csv", csv_bytes(BCEL, rows[:3]), currency="LAK", csv_mapping=BCEL,
                               max_lines=3).lines) == 3
    error = refused(csv_bytes(BCEL, rows), csv_mapping=BCEL, max_lines=3)
    assert (error.code, error.params) == ("bank.too_many_lines", {"limit": 3})


def test_format_unknown_without_a_mapping() -> None:
    assert refused((DATA / "bcel_lak.csv").read_bytes(), filename="bcel.csv").code == "bank.format_unknown"
    assert refused(b"%PDF-1.7 binary", filename="statement.pdf").code == "bank.format_unknown"


def test_columns_missing() -> None:
    header = ["Date", "Value date", "Reference", "Payer", "Payer account", "Description", "Currency"]
    error = refused(csv_bytes(BCEL, [], header), csv_mapping=BCEL)
    assert (error.code, error.params) == ("bank.columns_missing", {"columns": "Credit"})


def test_encoding() -> None:
    data = "Дата;Референс\n15.04.2026;Перевод\n".encode("cp1251")
    error = refused(data, currency="TJS", csv_mapping=AMONATBONK)
    assert (error.code, error.params) == ("bank.encoding", {"encoding": "utf-8-sig"})
    assert refused(b"Date,Reference\x00\n", csv_mapping=BCEL).code == "bank.file_unreadable"


# --- CSV lines ---------------------------------------------------------------------------------------------------

def test_csv_headers_match_whatever_their_case_and_spacing() -> None:
    header = ["DATE", " value  date ", "reference", "PAYER", "Payer Account", "description", "credit", "currency"]
    (line,) = parse_statement("x.csv", csv_bytes(BCEL, [bcel_row()], header), currency="LAK",
                              csv_mapping=BCEL).lines
    assert line.amount == Decimal("1000000")


def test_csv_currency_defaults_when_the_cell_is_empty() -> None:
    (line,) = parse_statement("x.csv", csv_bytes(BCEL, [bcel_row(currency="")]), currency="LAK",
                              csv_mapping=BCEL).lines
    assert line.currency == "LAK"


def test_csv_refusals_name_row_and_field() -> None:
    rows = [
        bcel_row("FT1"),                                  # row 2: fine
        bcel_row("FT2", "-1,000"),                        # row 3
        bcel_row("FT3", "(2,000)"),                       # row 4
        bcel_row("FT4", "1,5"),                           # row 5: not a thousands grouping
        bcel_row("FT5", ""),                              # row 6: a debit row has no credit
        bcel_row("FT6", date="31/02/2026"),               # row 7
        bcel_row("FT7", value="2026-03-16"),              # row 8
        bcel_row("FT8", currency="USD"),                  # row 9
        bcel_row(""),                                     # row 10
        bcel_row("FT1"),                                  # row 11
    ]
    assert problems_of(csv_bytes(BCEL, rows), csv_mapping=BCEL) == [
        (3, "amount", "bank.amount_negative", {"row": 3}),
        (4, "amount", "bank.amount_negative", {"row": 4}),
        (5, "amount", "bank.amount_invalid", {"row": 5}),
        (6, "amount", "bank.amount_invalid", {"row": 6}),
        (7, "booking_date", "bank.date_invalid", {"row": 7, "field": "booking_date"}),
        (8, "value_date", "bank.date_invalid", {"row": 8, "field": "value_date"}),
        (9, "currency", "bank.currency_mismatch", {"row": 9, "currency": "USD"}),
        (10, "transaction_id", "bank.transaction_id_missing", {"row": 10}),
        (11, "transaction_id", "bank.duplicate_in_file", {"row": 11, "first_row": 2}),
    ]


def test_tajik_csv_with_no_break_spaces_and_a_short_row() -> None:
    data = csv_bytes(AMONATBONK, [["15.04.2026", "", "1", "ЯК", "", "RF", "1\u00a0234\u00a0567,89", "TJS"],
                                  ["15.04.2026", "", "2"]])
    assert problems_of(data, currency="TJS", csv_mapping=AMONATBONK) == [
        (3, "amount", "bank.amount_invalid", {"row": 3})]
    (line,) = parse_statement("x.csv", data.rsplit(b"\r\n", 2)[0], currency="TJS", csv_mapping=AMONATBONK).lines
    assert line.amount == Decimal("1234567.89")


# --- Property: what a CSV writer writes reads back equal --------------------------------------------------------

def _written(amount: Decimal, places: int, decimal: str, thousands: str) -> str:
    whole, _, fraction = f"{amount:.{places}f}".partition(".")
    return f"{int(whole):,}".replace(",", thousands) + (decimal + fraction if places else "")


@pytest.mark.parametrize("code", sorted(BANKS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_written_amount_reads_back_equal(code: str, data: st.DataObject) -> None:
    bank = BANKS[code]
    mapping, currency = bank["csv"], CURRENCY[bank["scheme"]]
    places = PLACES[currency]
    amounts = data.draw(st.lists(st.decimals(min_value=Decimal(1).scaleb(-places), max_value=Decimal(10) ** 13,
                                             places=places, allow_nan=False, allow_infinity=False),
                                 min_size=1, max_size=5))
    columns = mapping["columns"]
    header = [title for title in columns.values() if title]
    rows = []
    for number, amount in enumerate(amounts):
        cells = {"transaction_id": f"T{number}", "booking_date": dt.date(2026, 4, 15).strftime(mapping["date_format"]),
                 "value_date": "", "payer_name": "Payer", "payer_account": "", "remittance": "RF",
                 "currency": currency,
                 "amount": _written(amount, places, mapping["decimal_separator"], mapping["thousands_separator"])}
        rows.append([cells[key] for key, title in columns.items() if title])
    lines = parse_statement("x.csv", csv_bytes(mapping, rows, header), currency=currency, csv_mapping=mapping).lines
    assert [line.amount for line in lines] == amounts


# --- Reference data ------------------------------------------------------------------------------------------------

def test_reference_banks() -> None:
    document = json.loads(resources.files("contributions.reference").joinpath("banks.json").read_text("utf-8"))
    assert "placeholder" in document["source"] and "unconfirmed" in document["source"]
    assert {(bank["code"], bank["scheme"]) for bank in document["banks"]} == {
        ("BCEL", "LA-LSSO"), ("LDB", "LA-LSSO"), ("AMONATBONK", "TJ-SOCTAX"), ("ORIENBANK", "TJ-SOCTAX")}
    for bank in document["banks"]:
        assert set(bank["names"]) == {"en", "lo", "tg", "ru"} and all(bank["names"].values())
        check_csv_mapping(bank["csv"])
        expected = (("%d/%m/%Y", ".", ",") if bank["scheme"] == "LA-LSSO" else ("%d.%m.%Y", ",", " "))
        csv_layout = bank["csv"]
        assert (csv_layout["date_format"], csv_layout["decimal_separator"],
                csv_layout["thousands_separator"]) == expected
        assert csv_layout["default_currency"] == CURRENCY[bank["scheme"]]


@pytest.mark.parametrize("change", [
    {"columns": {"transaction_id": "Ref", "booking_date": "Date", "payer_name": "P", "remittance": "D"}},
    {"delimiter": ";;"}, {"decimal_separator": ",", "thousands_separator": ","}, {"encoding": "no-such-codec"},
    {"date_format": None}, {"columns": {**BCEL["columns"], "colour": "Colour"}},
])
def test_unusable_mappings_are_configuration_errors(change: dict) -> None:
    with pytest.raises(ValueError):
        check_csv_mapping({**BCEL, **change})


def test_ids_are_never_cut_and_amounts_keep_to_the_currency() -> None:
    long_id = "X" * 101
    assert problems_of(camt(entry(long_id)))[0][2] == "bank.transaction_id_too_long"
    assert problems_of(camt(entry("A", "1000.50"))) == [(1, "amount", "bank.amount_invalid", {"row": 1})]  # kip
    assert problems_of(camt(entry("A", "10000000000000000"))) == [(1, "amount", "bank.amount_invalid", {"row": 1})]
