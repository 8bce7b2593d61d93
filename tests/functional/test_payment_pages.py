"""Staff payment pages: importing statements (once, all or nothing), reconciliation, the unmatched queue,
assigning, undoing and reversing a payment, and an employer's account with counter receipts and refunds."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from common.period import Period
from contributions.account import account_periods, credit_held
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.payments import BankStatement, Payment, ReconciliationRun
from tests import factories
from tests.factories import ACTOR, NOW
from tests.functional.conftest import log_in

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "bank" / "camt053_bcel_lak.xml"
# The sample's transactions (one entry is a batch of two); their references name March and April 2026
# declarations, so the declarations here are for other months and nothing in the sample matches them.
SAMPLE_TRANSACTIONS = 5
MONTHLY = Decimal("345000")  # 3,000,000 kip: 165,000 employee + 180,000 employer share


def _file(db, employer, period: Period):
    draft = open_draft(db, employer, period, actor=ACTOR, now=NOW)
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=NOW).declaration


@pytest.fixture
def lao(db):
    employer = factories.employer_since(db, dt.date(2025, 1, 2))
    factories.hire(db, employer, wage="3000000")
    may, june = (_file(db, employer, Period(2026, month)) for month in (5, 6))
    people = {role: factories.user(db, role) for role in ("supervisor", "sysadmin", "inspector")}
    db.commit()
    return employer, may, june, people


@pytest.fixture
def officer(app, lao):
    client = app.test_client()
    log_in(client, lao[3]["supervisor"].email)
    return client


@pytest.fixture
def inspector(app, lao):
    client = app.test_client()
    log_in(client, lao[3]["inspector"].email)
    return client


def _upload(client, data: bytes, filename: str = "statement.xml", bank: str = "BCEL"):
    return client.post("/staff/payments/statements", data={"bank": bank, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _camt(*entries: tuple[str, str, str]) -> bytes:
    """A camt.053 with one booked credit per (bank reference, amount, remittance text)."""
    body = "".join(
        f'<Ntry><Amt Ccy="LAK">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
        f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-07-10</Dt></BookgDt><ValDt><Dt>2026-07-10</Dt></ValDt>"
        f"<AcctSvcrRef>{ref}</AcctSvcrRef>"
        f"<NtryDtls><TxDtls><RltdPties><Dbtr><Pty><Nm>Payer {ref}</Nm></Pty></Dbtr></RltdPties>"
        f"<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for ref, amount, text in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
            "<GrpHdr><MsgId>MSG-T</MsgId><CreDtTm>2026-07-10T18:00:00+07:00</CreDtTm></GrpHdr>"
            "<Stmt><Id>STMT-T</Id><Acct><Id><Othr><Id>0101000012345678</Id></Othr></Id><Ccy>LAK</Ccy></Acct>"
            f"{body}</Stmt></BkToCstmrStmt></Document>").encode()


def _count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def _reconcile(client) -> str:
    response = client.post("/staff/payments/reconcile", follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _unmatched_id(db, transaction_id: str) -> int:
    db.expire_all()
    payment = db.scalar(select(Payment).where(Payment.transaction_id == transaction_id))
    assert payment.status == "unmatched"
    return payment.id


def _status(db, employer_id: int) -> dict[str, str]:
    db.expire_all()
    return {row.period: row.status for row in account_periods(db, employer_id)}


# --- Statements ---------------------------------------------------------------------------------------------

def test_a_statement_is_imported_once_and_its_payments_wait_for_reconciliation(officer, db) -> None:
    data = SAMPLE.read_bytes()
    response = _upload(officer, data, "camt053_bcel_lak.xml")
    assert response.status_code == 302
    page = officer.get("/staff/payments/statements").get_data(as_text=True)
    assert f"Statement imported: {SAMPLE_TRANSACTIONS} transactions, {SAMPLE_TRANSACTIONS} new" in page
    assert "camt053_bcel_lak.xml" in page and "camt.053" in page and "LAK8,656,250" in page.replace("\xa0", "")
    assert _count(db, Payment) == SAMPLE_TRANSACTIONS
    assert f"{SAMPLE_TRANSACTIONS} payments are not reconciled yet." in \
        officer.get("/staff/payments/unmatched").get_data(as_text=True)

    again = _upload(officer, data, "renamed.xml")
    assert again.status_code == 422
    assert "This statement was already imported on" in again.get_data(as_text=True)
    assert (_count(db, Payment), _count(db, BankStatement)) == (SAMPLE_TRANSACTIONS, 1)

    page = _reconcile(officer)
    assert f"Reconciliation finished: {SAMPLE_TRANSACTIONS} payments examined" in page
    assert f"{SAMPLE_TRANSACTIONS} left unmatched" in page
    queue = officer.get("/staff/payments/unmatched").get_data(as_text=True)
    assert "Vientiane Garment Factory Co., Ltd" in queue and "Mekong Logistics Sole Co., Ltd" in queue
    assert f"{SAMPLE_TRANSACTIONS} payments" in queue and "Finished" in queue
    run = db.scalar(select(ReconciliationRun))
    assert (run.status, run.examined, run.unmatched, run.finished_at is not None) == \
        ("finished", SAMPLE_TRANSACTIONS, SAMPLE_TRANSACTIONS, True)


def test_the_unmatched_queue_is_searched_by_payer_text_or_amount(officer, db) -> None:
    assert _upload(officer, SAMPLE.read_bytes()).status_code == 302
    _reconcile(officer)
    by_payer = officer.get("/staff/payments/unmatched?q=garment").get_data(as_text=True)
    assert "1 payment" in by_payer and "Vientiane Garment" in by_payer and "Mekong" not in by_payer
    by_amount = officer.get("/staff/payments/unmatched?q=2,000,000").get_data(as_text=True)
    assert "Mekong Logistics" in by_amount and "Vientiane Garment" not in by_amount
    by_text = officer.get("/staff/payments/unmatched?q=LA00003186").get_data(as_text=True)
    assert "SOCIAL SECURITY LA00003186" in by_text
    assert "No payment is waiting." in officer.get("/staff/payments/unmatched?q=100%25").get_data(as_text=True)


@pytest.mark.parametrize("data", [b"<Document>", b"", b"not a statement at all"])
def test_a_broken_file_imports_nothing(officer, db, data) -> None:
    response = _upload(officer, data)
    assert response.status_code == 422
    assert 'class="alert"' in response.get_data(as_text=True)
    assert (_count(db, Payment), _count(db, BankStatement)) == (0, 0)


def test_every_bad_transaction_is_listed_and_none_is_imported(officer, db) -> None:
    data = _camt(("FT1", "1000", "fine"), ("FT2", "12,5", "bad amount"), ("FT1", "2000", "same reference"))
    response = _upload(officer, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "2 transactions have problems; nothing was imported from this file." in page
    assert "<td>2</td><td>Amount</td><td>Row 2: the amount is not a valid amount.</td>" in page
    assert "<td>3</td><td>Bank transaction</td><td>Row 3 repeats the transaction of row 1.</td>" in page
    assert _count(db, Payment) == 0


def test_a_file_above_the_size_limit_is_refused(app, officer, db) -> None:
    app.config["MAX_IMPORT_BYTES"] = 2**20
    response = _upload(officer, b" " * (2**20 + 1))
    assert response.status_code == 422
    assert "The file is larger than 1 MB." in response.get_data(as_text=True)


def test_a_bank_must_be_chosen(officer, db) -> None:
    response = _upload(officer, SAMPLE.read_bytes(), bank="NOBANK")
    assert response.status_code == 422
    assert "Choose a bank from the list." in response.get_data(as_text=True)
    assert _count(db, BankStatement) == 0


def test_a_reference_in_the_text_is_matched_by_the_reconciliation(officer, db, lao) -> None:
    employer, may, _, _ = lao
    assert _upload(officer, _camt(("FT9", "345000", f"May {may.payment_reference}"))).status_code == 302
    page = _reconcile(officer)
    assert "1 payment examined, 1 matched by payment reference" in page
    assert _status(db, employer.id)["2026-05"] == "paid"


# --- One payment --------------------------------------------------------------------------------------------

def test_assign_an_unmatched_payment_then_undo_it(officer, db, lao) -> None:
    employer, may, june, _ = lao
    _upload(officer, _camt(("FT1", "1000000", "contributions"), ("FT2", "500", "other")))
    _reconcile(officer)
    payment_id = _unmatched_id(db, "FT1")
    page = officer.get(f"/staff/payments/{payment_id}").get_data(as_text=True)
    assert "Assign to this employer" in page and "Reverse the payment" in page and "Undo the match" not in page

    response = officer.post(f"/staff/payments/{payment_id}/assign", data={
        "assign-employer_number": employer.employer_number.lower(), "assign-receipt_number": june.receipt_number,
        "assign-note": "Employer phoned: June and the rest as credit"})
    assert response.status_code == 302
    page = officer.get(f"/staff/payments/{payment_id}").get_data(as_text=True)
    assert f"The payment is assigned to {employer.legal_name}." in page
    assert "By an officer" in page and june.receipt_number in page and "Undo the match" in page
    assert "Employee share" in page and "Employer share" in page
    # June is designated; the rest settles May (the oldest debt) and 310,000 is left as credit.
    assert _status(db, employer.id) == {"2026-06": "paid", "2026-05": "paid"}
    assert credit_held(db, employer.id) == Decimal("1000000") - 2 * MONTHLY

    account = officer.get(f"/staff/employers/{employer.id}/account").get_data(as_text=True)
    assert "Paid" in account and "FT1" in account and "LAK310,000" in account.replace("\xa0", "")

    response = officer.post(f"/staff/payments/{payment_id}/undo", data={"undo-note": "Wrong employer"})
    assert response.status_code == 302
    assert _status(db, employer.id) == {"2026-06": "unpaid", "2026-05": "unpaid"}
    assert credit_held(db, employer.id) == 0
    queue = officer.get("/staff/payments/unmatched").get_data(as_text=True)
    assert f"/staff/payments/{payment_id}" in queue
    assert "Wrong employer" in officer.get(f"/staff/payments/{payment_id}").get_data(as_text=True)


def test_assigning_names_what_is_wrong(officer, db, lao) -> None:
    employer, _, _, _ = lao
    other = factories.employer(db, scheme_code="TJ-SOCTAX")
    db.commit()
    _upload(officer, _camt(("FT1", "345000", "contributions")))
    _reconcile(officer)
    payment_id = _unmatched_id(db, "FT1")
    for number, receipt, note, message in [
        ("LA99999999", "", "x", "This employer does not exist."),
        (other.employer_number, "", "x", "This employer does not exist."),  # another scheme's employer
        (employer.employer_number, "NO-SUCH-RECEIPT", "x", "This employer has no filed declaration with this"),
        (employer.employer_number, "", "   ", "Write a note saying why."),
    ]:
        response = officer.post(f"/staff/payments/{payment_id}/assign", data={
            "assign-employer_number": number, "assign-receipt_number": receipt, "assign-note": note})
        assert response.status_code == 422, number
        assert message in response.get_data(as_text=True)
    assert _unmatched_id(db, "FT1") == payment_id


def test_reverse_a_matched_payment(officer, db, lao) -> None:
    employer, may, _, _ = lao
    _upload(officer, _camt(("FT1", "345000", f"{may.payment_reference}")))
    _reconcile(officer)
    payment = db.scalar(select(Payment).where(Payment.transaction_id == "FT1"))
    assert officer.post(f"/staff/payments/{payment.id}/reverse", data={"reverse-reason": ""}).status_code == 422
    response = officer.post(f"/staff/payments/{payment.id}/reverse", data={"reverse-reason": "Bounced"})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Payment, payment.id).status == "reversed"
    assert _status(db, employer.id)["2026-05"] == "unpaid"
    page = officer.get(f"/staff/payments/{payment.id}").get_data(as_text=True)
    assert "Reversed" in page and "Reverse the payment" not in page and "Undo the match" not in page


def test_the_inspector_reads_but_cannot_act(inspector, officer, db, lao) -> None:
    employer, _, _, _ = lao
    _upload(officer, _camt(("FT1", "345000", "contributions")))
    _reconcile(officer)
    payment_id = _unmatched_id(db, "FT1")
    statements = inspector.get("/staff/payments/statements")
    assert statements.status_code == 200 and "Import the statement" not in statements.get_data(as_text=True)
    queue = inspector.get("/staff/payments/unmatched").get_data(as_text=True)
    assert "Run reconciliation now" not in queue and f"/staff/payments/{payment_id}" in queue
    page = inspector.get(f"/staff/payments/{payment_id}").get_data(as_text=True)
    assert "Assign to this employer" not in page and "Reverse the payment" not in page
    account = inspector.get(f"/staff/employers/{employer.id}/account").get_data(as_text=True)
    assert "Record the receipt" not in account and "Refund credit" not in account
    for path, data in [
        (f"/staff/payments/{payment_id}/assign", {"assign-employer_number": employer.employer_number,
                                                  "assign-note": "x"}),
        (f"/staff/payments/{payment_id}/undo", {"undo-note": "x"}),
        (f"/staff/payments/{payment_id}/reverse", {"reverse-reason": "x"}),
        ("/staff/payments/reconcile", {}),
        (f"/staff/employers/{employer.id}/account/receipt", {"receipt-amount": "345000"}),
        (f"/staff/employers/{employer.id}/account/refund", {"refund-amount": "1", "refund-note": "x"}),
    ]:
        assert inspector.post(path, data=data).status_code == 403, path
    assert _upload(inspector, SAMPLE.read_bytes()).status_code == 403
    assert _unmatched_id(db, "FT1") == payment_id and _count(db, BankStatement) == 1


# --- The employer's account ---------------------------------------------------------------------------------

def _receipt(client, employer_id: int, **fields: str):
    data = {"receipt-amount": "345000", "receipt-value_date": "2026-07-01", "receipt-channel": "cash",
            "receipt-payer_name": "Ms Vongsa", "receipt-reference": "Counter slip 12", "receipt-receipt_number": ""}
    data.update({f"receipt-{name}": value for name, value in fields.items()})
    return client.post(f"/staff/employers/{employer_id}/account/receipt", data=data)


def test_a_counter_receipt_pays_the_period_and_shows_on_the_account(officer, db, lao) -> None:
    employer, may, june, _ = lao
    page = officer.get(f"/staff/employers/{employer.id}/account").get_data(as_text=True)
    assert "Unpaid" in page and "Money received at the counter" in page
    response = _receipt(officer, employer.id, receipt_number=june.receipt_number, channel="cheque")
    assert response.status_code == 302
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"Receipt LA-C-\d{4}-\d{7} is recorded", page)
    assert _status(db, employer.id) == {"2026-06": "paid", "2026-05": "unpaid"}
    assert "Cheque" in page and "By an officer" in page
    payment = db.scalar(select(Payment).where(Payment.employer_id == employer.id))
    assert (payment.channel, payment.declaration_id, payment.payer_name) == ("cheque", june.id, "Ms Vongsa")
    # The employer gets a receipt notice in its language, with what the money paid.
    from notifications.notices import Notice

    receipt = db.scalars(select(Notice).where(Notice.employer_id == employer.id,
                                              Notice.kind == "payment_received")).one()
    assert receipt.language == "lo" and Decimal(receipt.params["amount"]) == payment.amount


@pytest.mark.parametrize(("fields", "message"), [
    ({"amount": "abc"}, "Write a positive amount, with no more decimals than the currency has."),
    ({"amount": "-345000"}, "Write a positive amount, with no more decimals than the currency has."),
    ({"amount": "345000.5"}, "Write a positive amount, with no more decimals than the currency has."),
    ({"amount": ""}, "This field is required."),
    ({"value_date": "2099-01-01"}, "The date the money was received cannot be in the future."),
    ({"value_date": "01/07/2026"}, "Not a valid date value."),
    ({"receipt_number": "NOPE"}, "This employer has no filed declaration with this number."),
])
def test_a_counter_receipt_is_checked(officer, db, lao, fields, message) -> None:
    employer, _, _, _ = lao
    response = _receipt(officer, employer.id, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(db, Payment) == 0


def test_refund_part_of_the_credit(officer, db, lao) -> None:
    employer, _, _, _ = lao
    assert _receipt(officer, employer.id, amount="1000000").status_code == 302
    assert credit_held(db, employer.id) == Decimal("1000000") - 2 * MONTHLY  # both months paid, 310,000 left
    url = f"/staff/employers/{employer.id}/account/refund"
    too_much = officer.post(url, data={"refund-amount": "400000", "refund-note": "Asked by letter"})
    assert too_much.status_code == 422
    assert "The refund cannot be more than the employer&#39;s credit (LAK310,000)." in \
        too_much.get_data(as_text=True).replace("\xa0", "")
    no_note = officer.post(url, data={"refund-amount": "10000", "refund-note": ""})
    assert no_note.status_code == 422 and "Write a note saying why." in no_note.get_data(as_text=True)
    assert officer.post(url, data={"refund-amount": "0", "refund-note": "x"}).status_code == 422
    response = officer.post(url, data={"refund-amount": "300,000", "refund-note": "Asked by letter"})
    assert response.status_code == 302
    assert "A refund of LAK300,000 is recorded." in \
        officer.get(response.headers["Location"]).get_data(as_text=True).replace("\xa0", "")
    db.expire_all()
    assert credit_held(db, employer.id) == Decimal("10000")


def test_an_unknown_payment_or_employer_is_not_found(officer) -> None:
    assert officer.get("/staff/payments/2147483647").status_code == 404
    assert officer.get("/staff/employers/2147483647/account").status_code == 404
    assert officer.get("/staff/payments/2147483648").status_code == 404


def test_the_pages_are_linked_from_the_workspaces(app, lao) -> None:
    employer, _, _, people = lao
    for role, home in [("supervisor", "/supervisor"), ("sysadmin", "/admin"), ("inspector", "/inspector")]:
        client = app.test_client()
        log_in(client, people[role].email)
        page = client.get(home).get_data(as_text=True)
        assert "/staff/payments/statements" in page and "/staff/payments/unmatched" in page, role
    client = app.test_client()
    log_in(client, people["inspector"].email)
    assert f"/staff/employers/{employer.id}/account" in \
        client.get(f"/staff/employers/{employer.id}").get_data(as_text=True)


@pytest.mark.parametrize("language", ["lo", "tg", "ru"])
def test_the_pages_render_in_every_language(officer, db, lao, language) -> None:
    employer, _, _, _ = lao
    _upload(officer, _camt(("FT1", "345000", "contributions")))
    _reconcile(officer)
    payment_id = _unmatched_id(db, "FT1")
    for path in ["/staff/payments/statements", "/staff/payments/unmatched", f"/staff/payments/{payment_id}",
                 f"/staff/employers/{employer.id}/account"]:
        response = officer.get(path, headers={"Accept-Language": language})
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in response.get_data(as_text=True)


def test_a_counter_receipt_prints_in_the_employers_language(officer, db, lao) -> None:
    from decimal import Decimal

    from contributions.payment_actions import record_counter_receipt

    employer, may, _june, _ = lao
    receipt = record_counter_receipt(db, employer, amount=Decimal(may.total), value_date=may.due_date,
                                     channel="cash", payer_name="ສົມພອນ", reference="May", declaration_id=may.id,
                                     actor=factories.ACTOR, now=NOW)
    db.commit()
    response = officer.get(f"/staff/payments/{receipt.id}/receipt.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and b"NotoSansLaoLatin" in response.data
    bank = officer.get(f"/staff/payments/{receipt.id}/receipt.pdf?lang=xx")
    assert bank.status_code == 200  # an unknown language falls back to the employer's
