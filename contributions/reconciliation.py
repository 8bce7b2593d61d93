"""Matching payments to employers and declarations, then allocating them.

The rules, in order:
1. a **payment reference** anywhere in the remittance text (numeric or RF form; spaces, dashes and lower
   case tolerated) whose check digits are right and which belongs to a filed declaration;
2. otherwise an **employer number** in the text, and the amount equal to what is still owed for one period;
3. otherwise the payment waits in the **unmatched** queue for an officer.

A run takes new payments in batches; each batch is claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so
two runs at once never take the same payment, and the accounts it touches are locked while it allocates.
The caller commits after each batch: a crash leaves every batch either fully done or untouched.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from stdnum.iso7064 import mod_97_10

from common.audit import Actor
from contributions.allocation import Policy, allocation_postings, credit_postings, load_accounts, policy_of
from contributions.declarations import Declaration
from contributions.ledger import DEBT_COMPONENTS, LedgerEntry, as_arrays, lock_account, post
from contributions.payments import Payment, ReconciliationRun
from employers.employers import Employer

BATCH = 1_000
_RF = re.compile(r"R\s*F\s*\d\s*\d(?:[\s\-./]*[0-9A-Z]){1,21}", re.IGNORECASE)
_DIGITS = re.compile(r"\d(?:[\s\-./]?\d)+")
_WORD = re.compile(r"[A-Z0-9]+")
REFERENCE_LENGTHS = range(15, 25)  # YYYYMM + at least 7 digits + 2 check digits, and room to grow


def reference_candidates(text: str) -> set[str]:
    """Numeric payment references (body + check digits) that could be meant in ``text``: every RF reference
    with right check digits, as its numeric form, and every run of digits of a reference's length whose mod
    97-10 check digits are right.  Only candidates that belong to a filed declaration are then used."""
    found: set[str] = set()
    upper = text.upper()
    for match in _RF.finditer(upper):
        compact = re.sub(r"[\s\-./]", "", match.group(0))
        digits_end = 4  # only a body of digits is a payment reference: longer prefixes are not looked at
        while digits_end < len(compact) and compact[digits_end].isdigit():
            digits_end += 1
        # A prefix is a valid ISO 11649 reference (5 to 25 characters, as the pattern ensures) when body +
        # "RF" + check digits, letters counted as numbers (R = 27, F = 15), is 1 modulo 97.
        rf_check = "2715" + compact[2:4]
        for end in range(digits_end, 4, -1):  # every valid prefix: text may follow the reference
            body = compact[4:end]
            if int(body + rf_check) % 97 == 1:
                found.add(body + mod_97_10.calc_check_digits(body))
    for match in _DIGITS.finditer(upper):
        digits = re.sub(r"\D", "", match.group(0))
        for length in REFERENCE_LENGTHS:
            for start in range(0, len(digits) - length + 1):
                window = digits[start:start + length]
                if int(window) % 97 == 1:  # mod_97_10.is_valid for a string of digits, without its overhead
                    found.add(window)
    return found


def employer_number_candidates(text: str) -> set[str]:
    """Strings that could be an employer number in ``text``: each word of letters and digits, and two to
    four neighbouring words joined (numbers are often written in groups: ``LA 0000 0018``)."""
    words = _WORD.findall(text.upper())
    found = set()
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + 4) + 1):
            joined = "".join(words[start:end])
            if 5 <= len(joined) <= 20 and any(ch.isdigit() for ch in joined):
                found.add(joined)
    return found


@dataclass
class Counts:
    examined: int = 0
    matched_by_reference: int = 0
    matched_by_employer: int = 0
    unmatched: int = 0

    def add(self, other: Counts) -> None:
        for name in ("examined", "matched_by_reference", "matched_by_employer", "unmatched"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Match:
    employer_id: int | None = None
    declaration_id: int | None = None
    period: str | None = None
    rule: str | None = None
    notes: list[str] = field(default_factory=list)


def _claim(session: Session, limit: int) -> list[Payment]:
    query = select(Payment).where(Payment.status == "new").order_by(Payment.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _by_reference(session: Session, payments: list[Payment]) -> dict[int, _Match]:
    candidates = {payment.id: reference_candidates(payment.remittance) for payment in payments}
    wanted = sorted(set().union(*candidates.values())) if candidates else []
    declarations: dict[str, tuple[int, int, str, str]] = {}
    for start in range(0, len(wanted), BATCH):
        for reference, declaration_id, employer_id, period, scheme in session.execute(
            select(Declaration.payment_reference, Declaration.id, Declaration.employer_id, Declaration.period,
                   Declaration.scheme_code).where(Declaration.payment_reference.in_(wanted[start:start + BATCH]))
        ):
            declarations[reference] = (declaration_id, employer_id, period, scheme)
    matches = {}
    for payment in payments:
        hits = {declarations[c] for c in candidates[payment.id] if c in declarations
                and declarations[c][3] == payment.scheme_code}
        employers = {hit[1] for hit in hits}
        if len(employers) == 1:
            # Several references of one employer: the oldest period is designated.
            declaration_id, employer_id, period, _ = min(hits, key=lambda hit: hit[2])
            matches[payment.id] = _Match(employer_id, declaration_id, period, "reference")
    return matches


def _by_employer_and_amount(session: Session, payments: list[Payment]) -> dict[int, _Match]:
    candidates = {payment.id: employer_number_candidates(payment.remittance) for payment in payments}
    wanted = sorted(set().union(*candidates.values())) if candidates else []
    employers: dict[tuple[str, str], int] = {}
    for start in range(0, len(wanted), BATCH):
        for number, employer_id, scheme in session.execute(
            select(Employer.employer_number, Employer.id, Employer.scheme_code)
            .where(Employer.employer_number.in_(wanted[start:start + BATCH]))
        ):
            employers[(number, scheme)] = employer_id
    named = {payment.id: {employers[(c, payment.scheme_code)] for c in candidates[payment.id]
                          if (c, payment.scheme_code) in employers} for payment in payments}
    ids = sorted({next(iter(found)) for found in named.values() if len(found) == 1})
    owed: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for start in range(0, len(ids), BATCH):
        for employer_id, period, amount in session.execute(
            select(LedgerEntry.employer_id, LedgerEntry.period, func.sum(LedgerEntry.debit - LedgerEntry.credit))
            .where(LedgerEntry.employer_id.in_(ids[start:start + BATCH]),
                   LedgerEntry.component.in_(DEBT_COMPONENTS))
            .group_by(LedgerEntry.employer_id, LedgerEntry.period)
        ):
            if Decimal(amount) > 0:
                owed[employer_id][period] = Decimal(amount)
    matches = {}
    for payment in payments:
        found = named[payment.id]
        if len(found) != 1:
            continue
        employer_id = next(iter(found))
        periods = sorted(period for period, amount in owed[employer_id].items() if amount == payment.amount)
        if periods:
            matches[payment.id] = _Match(employer_id, None, periods[0], "employer_amount")
    return matches


def reconcile_batch(session: Session, *, actor: Actor, now: dt.datetime, limit: int = BATCH) -> Counts:
    """Match and allocate up to ``limit`` new payments; returns what was done (examined 0: nothing left).
    Flushes; the caller commits."""
    payments = _claim(session, limit)
    counts = Counts(examined=len(payments))
    if not payments:
        return counts
    matches = _by_reference(session, payments)
    rest = [payment for payment in payments if payment.id not in matches]
    matches.update(_by_employer_and_amount(session, rest))
    matched = [payment for payment in payments if payment.id in matches]
    employer_ids = sorted({matches[payment.id].employer_id for payment in matched})
    lock_account(session, employer_ids)
    currencies = {payment_employer: currency for payment_employer, currency in (
        (matches[payment.id].employer_id, payment.currency) for payment in matched)}
    accounts = load_accounts(session, employer_ids, currencies)
    policies: dict[tuple[str, dt.date], Policy] = {}
    postings = []
    updates = []
    for payment in sorted(matched, key=lambda p: (p.value_date, p.id)):
        match = matches[payment.id]
        key = (payment.scheme_code, payment.value_date)
        if key not in policies:
            policies[key] = policy_of(session, *key)
        postings += allocation_postings(accounts[match.employer_id], payment_id=payment.id, match=payment.matches + 1,
                                        amount=payment.amount, value_date=payment.value_date, policy=policies[key],
                                        designated_period=match.period)
        updates.append({"id": payment.id, "status": "matched", "employer_id": match.employer_id,
                        "declaration_id": match.declaration_id, "match_rule": match.rule, "matched_at": now,
                        "matched_by": actor.label, "matches": payment.matches + 1})
        if match.rule == "reference":
            counts.matched_by_reference += 1
        else:
            counts.matched_by_employer += 1
    updates += [{"id": payment.id, "status": "unmatched", "employer_id": None, "declaration_id": None,
                 "match_rule": None, "matched_at": None, "matched_by": None, "matches": payment.matches}
                for payment in payments if payment.id not in matches]
    counts.unmatched = len(payments) - len(matched)
    for employer_id, account in accounts.items():  # credit held from earlier payments, carried to what is left
        if account.credits and account.due_list():
            scheme = next(p.scheme_code for p in matched if matches[p.id].employer_id == employer_id)
            postings += credit_postings(account, policy=policy_of(session, scheme, now.date()), today=now.date(),
                                        key=f"batch:{payments[0].id}:{employer_id}")
    post(session, postings, posted_by=actor.label, now=now)
    _update_payments(session, updates)
    session.expire_all()
    return counts


_UPDATED = ("status", "employer_id", "declaration_id", "match_rule", "matched_at", "matched_by", "matches")


def _update_payments(session: Session, updates: list[dict]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        session.execute(update(Payment), updates)
        return
    # PostgreSQL: a thousand payments per statement rather than a statement per payment.
    if session.autoflush:  # pending changes first, as the ORM's UPDATE would do
        session.flush()
    matched = 0
    for start in range(0, len(updates), BATCH):
        relation, params = as_arrays(session, Payment.__table__, updates[start:start + BATCH], ("id", *_UPDATED))
        matched += session.execute(text(
            f"UPDATE payment SET {', '.join(f'{name} = batch.{name}' for name in _UPDATED)} FROM {relation} "
            "WHERE payment.id = batch.id"), params).rowcount
    if matched != len(updates):  # as the ORM's own UPDATE by primary key checks
        raise StaleDataError(f"UPDATE statement on table 'payment' expected to update {len(updates)} row(s); "
                             f"{matched} were matched.")


def start_run(session: Session, *, actor: Actor, now: dt.datetime) -> ReconciliationRun:
    run = ReconciliationRun(started_at=now, status="running", started_by=actor.label)
    session.add(run)
    session.flush()
    return run


def finish_run(run: ReconciliationRun, counts: Counts, *, now: dt.datetime, error: str = "") -> None:
    run.examined, run.matched_by_reference = counts.examined, counts.matched_by_reference
    run.matched_by_employer, run.unmatched = counts.matched_by_employer, counts.unmatched
    run.finished_at, run.status, run.error = now, "failed" if error else "finished", error[:2000]

