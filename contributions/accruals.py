"""Charges that accrue with time (late-payment interest, late-filing fines): post only the difference
between what is owed as of a date and what was charged before.

The jobs compute, from the facts alone, the total owed per employer and period as of ``as_of`` (the
*target*); this module compares it with the component's charges already in the ledger and posts the
difference.  Waivers granted by staff (``waivers.py``, entries keyed ``waiver:...``) are not part of what
was "charged before": they lower what the employer owes, and the next run must not charge it again.  So
the charges (waivers left out) are brought to ``max(target, waived)`` and the employer owes ``max(target -
waived, 0)``: a waiver is never undone by a later run, and never turns into a credit when the target falls
(a back-dated payment) below what was waived.

Each posting's key names the state it starts from (the last entry of the component) and the figure it
reaches, so two runs from the same state, at once or one after the other, post one entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Numeric, case, func, select, type_coerce
from sqlalchemy.orm import Session

from common.schemes import Scheme
from contributions.allocation import apply_credit, release_overpaid
from contributions.ledger import CHARGE_KINDS, LedgerEntry, Posting, lock_account, post
from employers.employers import Employer

ZERO = Decimal(0)
WAIVER_KEY = "waiver:%"
MONEY = Numeric(18, 2)  # a CASE would otherwise lose the column type (SQLite would answer a float)


def charged_so_far(session: Session, scheme_code: str, component: str, employer_ids: Iterable[int] | None = None
                   ) -> dict[tuple[int, str], tuple[Decimal, Decimal, int]]:
    """Per (employer, period): the component's charges without waivers, the amount waived, and the id of
    the last entry of the component (0 when none); for the scheme's employers, or only these."""
    waiver = LedgerEntry.posting_key.like(WAIVER_KEY)
    rows = session.execute(
        select(LedgerEntry.employer_id, LedgerEntry.period,
               type_coerce(func.sum(case((waiver, 0), else_=LedgerEntry.debit - LedgerEntry.credit)), MONEY),
               type_coerce(func.sum(case((waiver, LedgerEntry.credit - LedgerEntry.debit), else_=0)), MONEY),
               func.max(LedgerEntry.id))
        .where(LedgerEntry.employer_id.in_(select(Employer.id).where(Employer.scheme_code == scheme_code))
               if employer_ids is None else LedgerEntry.employer_id.in_(sorted(set(employer_ids))),
               LedgerEntry.component == component, LedgerEntry.kind.in_(CHARGE_KINDS))
        .group_by(LedgerEntry.employer_id, LedgerEntry.period))
    return {(employer_id, period): (Decimal(charged), Decimal(waived), last)
            for employer_id, period, charged, waived, last in rows}


@dataclass
class Accrued:
    postings: list[Posting]
    # Employers whose credit was carried to debts afterwards: their contributions may have been paid by it,
    # which changes their interest.
    credited: set[int] = field(default_factory=set)


def post_accruals(session: Session, scheme_code: str, component: str, targets: Mapping[tuple[int, str], Decimal],
                  *, as_of: dt.date, posted_by: str, now: dt.datetime, only: Set[tuple[int, str]] | None = None,
                  employer_ids: Iterable[int] | None = None) -> Accrued:
    """Bring ``component`` of every (employer, period) of the scheme (or of these employers, or ``only``
    these periods) to its target as of ``as_of``; a period with charges and no target is brought to zero.
    Then credit the employers hold pays what was charged, and what had been paid towards an amount that fell
    is credit again.  Flushes, never commits."""
    currency = session.get(Scheme, scheme_code).currency
    if only is not None:
        employer_ids = {employer_id for employer_id, _period in only}
    before = charged_so_far(session, scheme_code, component, employer_ids)
    keys = set(targets) | {k for k, (charged, _w, _l) in before.items() if charged}
    postings = []
    for key in sorted(keys if only is None else keys & only):
        charged, waived, last = before.get(key, (ZERO, ZERO, 0))
        target = max(targets.get(key, ZERO), waived)
        if target == charged:
            continue
        employer_id, period = key
        postings.append(Posting(employer_id=employer_id, period=period, component=component,
                                amount=target - charged, currency=currency, due_date=as_of,
                                posting_key=f"{component}:{employer_id}:{period}:{as_of.isoformat()}:{last}:{target}"))
    post(session, postings, posted_by=posted_by, now=now)
    result = Accrued(postings)
    if not postings:
        return result
    lowered = [p for p in postings if p.amount < ZERO]
    raised = {p.employer_id for p in postings if p.amount > ZERO}
    holding = set(session.scalars(
        select(LedgerEntry.employer_id).where(LedgerEntry.employer_id.in_(sorted(raised)),
                                              LedgerEntry.component == "credit")
        .group_by(LedgerEntry.employer_id).having(func.sum(LedgerEntry.credit - LedgerEntry.debit) > 0))) \
        if raised else set()
    lock_account(session, {p.employer_id for p in lowered} | holding)
    for item in lowered:
        # What had been paid towards an amount that fell (a back-dated payment lowered the interest) is the
        # employer's credit again, and pays whatever else it owes.
        cause = f"{component}:{item.posting_key.rsplit(':', 2)[-2]}"  # the state it started from
        if release_overpaid(session, item.employer_id, item.period, cause=cause, posted_by=posted_by, now=now,
                            today=as_of):
            holding.add(item.employer_id)
    for employer_id in sorted(holding):  # credit held pays the new charge at once, as it pays a declaration
        if apply_credit(session, employer_id, scheme_code, currency, posted_by=posted_by, now=now, today=as_of):
            result.credited.add(employer_id)
    return result
