"""What officers do with payments: import a bank statement, record money received at the counter, assign an
unmatched payment, undo a match, reverse a bounced payment, refund a credit.  Every action is audited and
every change of money is new ledger entries."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from babel.numbers import get_currency_precision
from sqlalchemy import func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from common.audit import Actor, record_audit
from common.errors import DomainError, NotFound
from contributions.allocation import (
    ZERO,
    allocation_postings,
    apply_credit,
    load_accounts,
    policy_of,
    reversal_postings,
)
from contributions.declarations import Declaration
from contributions.ledger import LedgerEntry, Posting, insert_rows, lock_account, post
from contributions.payments import Bank, BankStatement, Payment
from employers.employers import Employer
from employers.numbers import next_value
from employers.registration import local_today

BATCH = 1_000


def import_statement(session: Session, bank: Bank, filename: str, data: bytes, *, actor: Actor, now: dt.datetime,
                     source: str = "upload") -> BankStatement:
    """Record the transactions of a statement file; each bank transaction once, whatever files it appears
    in.  A file already imported is refused (``bank.statement_already_imported``); a file with any bad line
    imports nothing (``bank_files.StatementInvalid`` lists them)."""
    from contributions.bank_files import parse_statement

    digest = hashlib.sha256(data).hexdigest()
    earlier = session.scalar(select(BankStatement).where(BankStatement.bank_code == bank.code,
                                                         BankStatement.sha256 == digest))
    if earlier is not None:
        raise DomainError("bank.statement_already_imported", date=earlier.imported_at.date().isoformat(),
                          statement=earlier.id)
    scheme = bank.scheme
    parsed = parse_statement(filename, data, currency=scheme.currency, csv_mapping=bank.csv_mapping)
    statement = BankStatement(bank_code=bank.code, filename=filename[:255], sha256=digest, format=parsed.format,
                              statement_id=parsed.statement_id[:100], source=source, line_count=len(parsed.lines),
                              new_count=0, total=sum((line.amount for line in parsed.lines), ZERO),
                              imported_at=now, imported_by=actor.label)
    session.add(statement)
    session.flush()
    rows = [{"scheme_code": scheme.code, "bank_code": bank.code, "transaction_id": line.transaction_id[:100],
             "statement_id": statement.id, "channel": "bank", "booking_date": line.booking_date,
             "value_date": line.value_date, "amount": line.amount, "currency": line.currency,
             "payer_name": line.payer_name[:255], "payer_account": line.payer_account[:100],
             "remittance": line.remittance, "status": "new", "matches": 0, "note": "", "received_at": now,
             "recorded_by": actor.label} for line in parsed.lines]
    if session.get_bind().dialect.name == "postgresql":
        insert_rows(session, Payment.__table__, rows, conflict=("bank_code", "transaction_id"))
    else:
        statement_sql = sqlite_insert(Payment).on_conflict_do_nothing(index_elements=["bank_code", "transaction_id"])
        for start in range(0, len(rows), BATCH):
            session.execute(statement_sql, rows[start:start + BATCH])
    statement.new_count = session.scalar(select(func.count()).select_from(Payment)
                                         .where(Payment.statement_id == statement.id)) or 0
    record_audit(session, actor=actor, action="payments.statement_imported", now=now, object_type="bank_statement",
                 object_id=statement.id, summary=f"{bank.code} {parsed.format} {filename[:100]}: {len(rows)} "
                 f"transaction(s), {statement.new_count} new, total {statement.total}")
    return statement


def payment_of(session: Session, payment_id: int, *, lock: bool = False) -> Payment:
    payment = session.get(Payment, payment_id, with_for_update={"of": Payment} if lock else None,
                          populate_existing=lock)
    if payment is None:
        raise NotFound("payment.not_found")
    return payment


def _allocate(session: Session, payment: Payment, employer: Employer, designated: str | None, *, rule: str,
              actor: Actor, now: dt.datetime) -> None:
    lock_account(session, [employer.id])
    account = load_accounts(session, [employer.id], {employer.id: payment.currency})[employer.id]
    postings = allocation_postings(account, payment_id=payment.id, match=payment.matches + 1, amount=payment.amount,
                                   value_date=payment.value_date, designated_period=designated,
                                   policy=policy_of(session, payment.scheme_code, payment.value_date))
    post(session, postings, posted_by=actor.label, now=now)
    payment.status, payment.employer_id, payment.match_rule = "matched", employer.id, rule
    payment.matched_at, payment.matched_by, payment.matches = now, actor.label, payment.matches + 1


def assign_payment(session: Session, payment_id: int, employer: Employer, *, declaration_id: int | None, note: str,
                   actor: Actor, now: dt.datetime) -> Payment:
    """An officer assigns an unmatched payment to an employer (and optionally one of its declarations)."""
    payment = payment_of(session, payment_id, lock=True)
    if payment.status != "unmatched":
        raise DomainError("payment.not_unmatched")
    if employer.scheme_code != payment.scheme_code or employer.employer_number is None:
        raise DomainError("payment.employer_other_scheme")
    note = " ".join((note or "").split())
    if not note:
        raise DomainError("payment.note_required")
    designated = None
    if declaration_id is not None:
        declaration = session.get(Declaration, declaration_id)
        if declaration is None or declaration.employer_id != employer.id or declaration.status == "draft":
            raise DomainError("payment.declaration_not_found")
        designated = declaration.period
    payment.declaration_id = declaration_id
    payment.note = note[:2000]
    _allocate(session, payment, employer, designated, rule="manual", actor=actor, now=now)
    record_audit(session, actor=actor, action="payment.assigned", now=now, object_type="payment", object_id=payment.id,
                 summary=f"{payment.amount} {payment.currency} to {employer.employer_number}"
                 + (f" declaration {declaration_id}" if declaration_id else "") + f": {note[:200]}")
    return payment


def _undo(session: Session, payment: Payment, *, status: str, actor: Actor, now: dt.datetime) -> None:
    employer_id = payment.employer_id
    lock_account(session, [employer_id])
    refunded = session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.payment_id == payment.id, LedgerEntry.kind == "refund"))
    if refunded:
        # The money was partly paid back to the employer: undoing the payment would lose track of it.
        raise DomainError("payment.credit_refunded")
    post(session, reversal_postings(session, payment.id, payment.matches), posted_by=actor.label, now=now)
    payment.status = status
    if status == "unmatched":  # back to the queue; a reversed payment stays in its employer's history
        payment.employer_id, payment.declaration_id = None, None
        payment.match_rule, payment.matched_at, payment.matched_by = None, None, None
    employer = session.get(Employer, employer_id)
    # What the payment had settled is owed again; credit the employer holds from other payments covers it.
    apply_credit(session, employer.id, employer.scheme_code, payment.currency, posted_by=actor.label, now=now,
                 today=local_today(employer.scheme, now))


def undo_match(session: Session, payment_id: int, *, note: str, actor: Actor, now: dt.datetime) -> Payment:
    """Take a payment back from the employer it was matched to (a wrong match): its allocations are
    reversed and it returns to the unmatched queue."""
    payment = payment_of(session, payment_id, lock=True)
    if payment.status != "matched":
        raise DomainError("payment.not_matched")
    note = " ".join((note or "").split())
    if not note:
        raise DomainError("payment.note_required")
    employer_number = session.get(Employer, payment.employer_id).employer_number
    _undo(session, payment, status="unmatched", actor=actor, now=now)
    payment.note = note[:2000]
    record_audit(session, actor=actor, action="payment.match_undone", now=now, object_type="payment",
                 object_id=payment.id, summary=f"from {employer_number}: {note[:200]}")
    return payment


def reverse_payment(session: Session, payment_id: int, *, reason: str, actor: Actor, now: dt.datetime) -> Payment:
    """A payment that bounced or was recalled by the bank: whatever it settled is owed again."""
    payment = payment_of(session, payment_id, lock=True)
    if payment.status == "reversed":
        raise DomainError("payment.already_reversed")
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("payment.note_required")
    if payment.status == "matched":
        _undo(session, payment, status="reversed", actor=actor, now=now)
    else:
        payment.status = "reversed"
    payment.note = reason[:2000]
    record_audit(session, actor=actor, action="payment.reversed", now=now, object_type="payment",
                 object_id=payment.id, summary=f"{payment.amount} {payment.currency}: {reason[:200]}")
    return payment


def record_counter_receipt(session: Session, employer: Employer, *, amount: Decimal, value_date: dt.date,
                           channel: str, payer_name: str, reference: str, declaration_id: int | None,
                           actor: Actor, now: dt.datetime) -> Payment:
    """Money received at the institution's counter (cash or cheque), with a receipt number; allocated to the
    employer at once."""
    if channel not in ("cash", "cheque"):
        raise DomainError("payment.channel_unknown")
    quantum = Decimal(1).scaleb(-get_currency_precision(employer.scheme.currency))
    if amount is None or amount <= ZERO or amount != amount.quantize(quantum):
        raise DomainError("payment.amount_invalid")
    today = local_today(employer.scheme, now)
    if value_date > today:
        raise DomainError("payment.value_date_future")
    designated = None
    if declaration_id is not None:
        declaration = session.get(Declaration, declaration_id)
        if declaration is None or declaration.employer_id != employer.id or declaration.status == "draft":
            raise DomainError("payment.declaration_not_found")
        designated = declaration.period
    number = next_value(session, f"counter-receipt:{employer.scheme_code}:{today.year}")
    payment = Payment(scheme_code=employer.scheme_code, bank_code=None,
                      transaction_id=f"{employer.scheme.country}-C-{today.year}-{number:07d}", statement_id=None,
                      channel=channel, booking_date=today, value_date=value_date, amount=amount,
                      currency=employer.scheme.currency, payer_name=(payer_name or "")[:255], payer_account="",
                      remittance=(reference or "")[:500], status="new", matches=0, declaration_id=declaration_id,
                      note="", received_at=now, recorded_by=actor.label)
    session.add(payment)
    session.flush()
    _allocate(session, payment, employer, designated, rule="manual", actor=actor, now=now)
    record_audit(session, actor=actor, action="payment.counter_receipt", now=now, object_type="payment",
                 object_id=payment.id, summary=f"{payment.transaction_id}: {amount} {payment.currency} {channel} "
                 f"from {employer.employer_number}")
    return payment


def refund_credit(session: Session, employer: Employer, amount: Decimal, *, note: str, actor: Actor,
                  now: dt.datetime) -> Decimal:
    """Pay back part or all of the employer's credit (oldest payment's credit first); returns the amount."""
    note = " ".join((note or "").split())
    if not note:
        raise DomainError("payment.note_required")
    lock_account(session, [employer.id])
    account = load_accounts(session, [employer.id], {employer.id: employer.scheme.currency})[employer.id]
    available = sum(account.credits.values(), ZERO)
    quantum = Decimal(1).scaleb(-get_currency_precision(employer.scheme.currency))
    if amount is None or amount <= ZERO or amount != amount.quantize(quantum):
        raise DomainError("payment.amount_invalid")
    if amount > available:
        raise DomainError("payment.refund_too_large", available=str(available))
    left, postings = amount, []
    today = local_today(employer.scheme, now)
    for (payment_id, period), held in sorted(account.credits.items()):
        part = min(left, held)
        if part <= ZERO:
            continue
        postings.append(Posting(employer_id=employer.id, period=period, component="credit", amount=part,
                                currency=employer.scheme.currency, kind="refund", payment_id=payment_id,
                                due_date=today, posting_key=f"refund:{employer.id}:{now.isoformat()}:{payment_id}:"
                                f"{period}"))
        left -= part
        if left == ZERO:
            break
    post(session, postings, posted_by=actor.label, now=now)
    record_audit(session, actor=actor, action="payment.credit_refunded", now=now, object_type="employer",
                 object_id=employer.id, summary=f"{amount} {employer.scheme.currency}: {note[:200]}")
    return amount

