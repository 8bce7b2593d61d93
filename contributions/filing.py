"""Filing a declaration: the draft becomes an immutable version with a receipt number and a payment
reference, and its charges are posted to the employer account.

* The first filed version of a period is the **original**; filed after the due date it is recorded as late.
* A later version filed on or before the due date is a **replacement**: the version before it is superseded.
* A later version filed after the due date is a **corrective**: the version before it stays filed.
In every case the account receives only the difference between what the period's versions charged so far and
what this version declares, as new entries due on the period's due date (charges are never edited).

Filing is idempotent: submitting a draft that was filed in the meantime (a double click, a second tab)
returns the filed version and posts nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from common.audit import Actor, record_audit
from common.errors import DomainError, NotFound
from common.period import Period
from contributions.allocation import apply_credit, release_overpaid
from contributions.assessments import replace_assessment
from contributions.declarations import Declaration, DeclarationLine, current_version, draft_of, lock_period
from contributions.drafts import (
    PeriodRules,
    check_period,
    computed_values,
    employments_in,
    open_draft,
    period_rules,
    refresh_totals,
)
from contributions.ledger import LedgerEntry, Posting, lock_account, post
from contributions.rules.references import numeric_reference, reference_body, rf_reference
from employers.employers import Employer
from employers.numbers import next_value
from employers.registration import local_today

SHARE_COMPONENTS = ("employee_share", "employer_share")


@dataclass(frozen=True)
class Filed:
    declaration: Declaration
    created: bool  # False: it had been filed already, nothing was written now


def submit_declaration(session: Session, employer: Employer, declaration_id: int, *, revision: int | None,
                       actor: Actor, now: dt.datetime, user_id: int | None = None) -> Filed:
    """File the draft ``declaration_id`` of ``employer``.  ``revision`` is the draft revision the user
    confirmed (None: whatever it is now); a draft changed since is refused with ``declaration.changed``."""
    declaration = session.get(Declaration, declaration_id)
    if declaration is None or declaration.employer_id != employer.id:
        raise NotFound("declaration.not_found")
    lock_period(session, employer.id, declaration.period_value)
    declaration = session.get(Declaration, declaration_id, with_for_update={"of": Declaration},
                              populate_existing=True)
    if declaration.status != "draft":
        return Filed(declaration, False)
    if revision is not None and revision != declaration.revision:
        raise DomainError("declaration.changed")
    period = declaration.period_value
    today = local_today(employer.scheme, now)
    check_period(employer, period, today)
    setting = period_rules(session, employer, period)
    _recompute(session, employer, declaration, setting)
    if declaration.line_count == 0 and not declaration.is_nil:
        raise DomainError("declaration.no_lines")
    previous = current_version(session, employer.id, period)
    last_version = session.scalar(select(func.max(Declaration.version)).where(
        Declaration.employer_id == employer.id, Declaration.period == str(period))) or 0
    if previous is None:
        declaration.kind = "original"
    else:
        declaration.kind = "replacement" if today <= previous.due_date else "corrective"
    declaration.previous_id = previous.id if previous else None
    declaration.version = last_version + 1
    declaration.category = setting.category
    declaration.rate_employee, declaration.rate_employer = setting.rates.employee, setting.rates.employer
    declaration.base_floor, declaration.base_ceiling = setting.limits.floor, setting.limits.ceiling
    declaration.due_date = setting.due_date
    # Late filing is a fact about the original: a corrective comes after the due date by definition.
    declaration.is_late = declaration.kind == "original" and today > setting.due_date
    declaration.receipt_number = _receipt_number(session, employer, now)
    declaration.payment_reference = numeric_reference(reference_body(str(period), declaration.id))
    declaration.filed_at, declaration.filed_by, declaration.filed_by_user_id = now, actor.label, user_id
    declaration.status = "submitted"
    session.flush()
    if previous is not None and declaration.kind == "replacement":
        session.execute(update(Declaration).where(Declaration.id == previous.id).values(status="superseded"))
        session.expire(previous, ["status"])
    posted = _post_differences(session, employer, declaration, actor=actor, now=now)
    lock_account(session, [employer.id])
    # An estimate made while the period was missing gives way to what is declared; what was paid towards it
    # is released below and pays the real charges.
    replace_assessment(session, employer.id, declaration.period, declaration.id, actor=actor, now=now, today=today)
    # Credit the employer holds (an earlier overpayment) pays the new charges at once.
    release_overpaid(session, employer.id, declaration.period, cause=f"declaration:{declaration.id}",
                     posted_by=actor.label, now=now, today=today)
    apply_credit(session, employer.id, employer.scheme_code, declaration.currency, posted_by=actor.label, now=now,
                 today=today)
    record_audit(session, actor=actor, action="declaration.filed", now=now, object_type="declaration",
                 object_id=declaration.id,
                 summary=f"{employer.employer_number} {period} v{declaration.version} {declaration.kind}"
                 f"{' nil' if declaration.is_nil else ''}{' late' if declaration.is_late else ''}: "
                 f"{declaration.line_count} line(s), total {declaration.total}, charged {posted}, "
                 f"receipt {declaration.receipt_number}")
    return Filed(declaration, True)


def _recompute(session: Session, employer: Employer, declaration: Declaration, setting: PeriodRules) -> None:
    """Compute every line again with the rules in force for the period, and check that each worker was
    still employed in the period (the register may have been corrected since the draft was written)."""
    lines = list(session.execute(select(DeclarationLine.id, DeclarationLine.person_id, DeclarationLine.gross_wage,
                                        DeclarationLine.base, DeclarationLine.employee_share,
                                        DeclarationLine.employer_share, DeclarationLine.floor_applied,
                                        DeclarationLine.ceiling_applied)
                                 .where(DeclarationLine.declaration_id == declaration.id)))
    if declaration.is_nil and lines:
        raise DomainError("declaration.nil_with_lines")
    employed = employments_in(session, employer.id, declaration.period_value, (line.person_id for line in lines))
    if any(line.person_id not in employed for line in lines):
        raise DomainError("declaration.worker_not_employed_any_more")
    changed = []
    for line in lines:
        values = computed_values(line.gross_wage, setting)
        if (line.base, line.employee_share, line.employer_share, line.floor_applied, line.ceiling_applied) != \
                tuple(values.values()):
            changed.append({"id": line.id, **values})
    if changed:
        session.execute(update(DeclarationLine), changed)
    refresh_totals(session, declaration)


def _receipt_number(session: Session, employer: Employer, now: dt.datetime) -> str:
    year = local_today(employer.scheme, now).year
    value = next_value(session, f"receipt:{employer.scheme_code}:{year}")
    return f"{employer.scheme.country}-{year}-{value:07d}"


def _post_differences(session: Session, employer: Employer, declaration: Declaration, *, actor: Actor,
                      now: dt.datetime) -> Decimal:
    charged = dict(session.execute(
        select(LedgerEntry.component, func.sum(LedgerEntry.debit - LedgerEntry.credit))
        .where(LedgerEntry.employer_id == employer.id, LedgerEntry.period == declaration.period,
               LedgerEntry.component.in_(SHARE_COMPONENTS), LedgerEntry.declaration_id.is_not(None))
        .group_by(LedgerEntry.component)).all())
    declared = {"employee_share": declaration.total_employee, "employer_share": declaration.total_employer}
    postings = [Posting(employer_id=employer.id, period=declaration.period, component=component,
                        amount=declared[component] - Decimal(charged.get(component) or 0),
                        currency=declaration.currency, due_date=declaration.due_date,
                        posting_key=f"declaration:{declaration.id}:{component}", declaration_id=declaration.id)
                for component in SHARE_COMPONENTS]
    post(session, postings, posted_by=actor.label, now=now)
    return sum((p.amount for p in postings), Decimal(0))


def file_nil(session: Session, employer: Employer, period: Period, reason: str, *, actor: Actor,
             now: dt.datetime, user_id: int | None = None) -> Filed:
    """File a nil declaration (no wages paid in the period) with its reason, in one step."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("declaration.nil_reason_required")
    if len(reason) > 500:
        raise DomainError("field.too_long")
    lock_period(session, employer.id, period)
    current = current_version(session, employer.id, period)
    if current is not None and current.is_nil and current.nil_reason == reason:
        return Filed(current, False)  # the same nil declaration sent twice (a double click): filed once
    draft = draft_of(session, employer.id, period)
    if draft is not None:
        draft = session.get(Declaration, draft.id, with_for_update={"of": Declaration}, populate_existing=True)
        if draft.status != "draft":  # filed from another window in the meantime
            raise DomainError("declaration.already_filed", receipt=draft.receipt_number or "")
        if draft.revision > 0:
            # Someone has been working on this period's draft: never throw their lines away silently.
            raise DomainError("declaration.draft_in_progress")
    draft = open_draft(session, employer, period, actor=actor, now=now)
    session.execute(delete(DeclarationLine).where(DeclarationLine.declaration_id == draft.id))
    draft.is_nil, draft.nil_reason = True, reason
    draft.revision += 1
    session.flush()
    return submit_declaration(session, employer, draft.id, revision=None, actor=actor, now=now, user_id=user_id)


def amount_charged_by(session: Session, declaration_id: int) -> Decimal:
    """What filing this version added to (or, negative, removed from) the account."""
    return amounts_charged_by(session, [declaration_id])[declaration_id]


def amounts_charged_by(session: Session, declaration_ids: Sequence[int]) -> dict[int, Decimal]:
    """``amount_charged_by`` for several versions in one query (0 for one that charged nothing)."""
    found = dict(session.execute(select(LedgerEntry.declaration_id, func.sum(LedgerEntry.debit - LedgerEntry.credit))
                                 .where(LedgerEntry.declaration_id.in_(declaration_ids))
                                 .group_by(LedgerEntry.declaration_id)).all())
    return {declaration_id: Decimal(found.get(declaration_id) or 0) for declaration_id in declaration_ids}


def rf_of(declaration: Declaration) -> str:
    return rf_reference(reference_body(declaration.period, declaration.id))


__all__ = ["Filed", "amount_charged_by", "amounts_charged_by", "draft_of", "file_nil", "rf_of", "submit_declaration"]
