"""Preparing a declaration: the draft of a period, pre-filled from the register, edited line by line or
replaced by the lines of an uploaded file.

Every change is checked whole before anything is written: a draft is never left half-changed.  Lines are
computed with the parameters in force on the period's first day each time the draft changes, so the
employer sees the amounts before filing; filing computes them once more (see ``filing.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import get_currency_precision
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload

from common.audit import Actor, record_audit
from common.errors import DomainError
from common.period import Period
from contributions.calendar import period_due_date
from contributions.declarations import Declaration, DeclarationLine, current_version, draft_of, lock_period
from contributions.parameters import SchemeRules, rules_on
from contributions.rules.calculation import BaseLimits, Rates, Rounding, compute_line
from contributions.rules.declaration_lines import LineInput, mark_duplicates, read_line
from employers.employers import Employer, profile_on
from employers.persons import Employment, Person
from employers.registration import ApplicationInvalid, local_today
from employers.workers import end_employment

BATCH = 1_000
FILING_STATUSES = ("active", "suspended", "ceased")


class LinesInvalid(DomainError):
    """Some lines cannot be taken; ``lines`` holds every line with its problems, nothing was written."""

    def __init__(self, lines: list[LineInput]) -> None:
        super().__init__("declaration.lines_invalid", count=sum(1 for line in lines if line.problems))
        self.lines = lines


@dataclass(frozen=True)
class PeriodRules:
    """What a period of an employer is computed with: the employer's category then, its rules, due date."""

    period: Period
    category: str
    rules: SchemeRules
    due_date: dt.date
    places: int
    # Read once from ``rules``: a declaration computes thousands of lines with them.
    rates: Rates
    limits: BaseLimits
    rounding: Rounding


def period_rules(session: Session, employer: Employer, period: Period) -> PeriodRules:
    profile = profile_on(session, employer.id, period.first_day)
    category = profile.category if profile is not None else employer.category
    scheme = employer.scheme
    rules = rules_on(session, scheme.code, category, period.first_day)
    return PeriodRules(period, category, rules, period_due_date(session, scheme.code, scheme.country, category, period),
                       get_currency_precision(scheme.currency), rules.rates(), rules.limits(), rules.rounding())


def check_period(employer: Employer, period: Period, today: dt.date) -> None:
    """A period can be declared from the employer's registration month to the current month, and not after
    the month it ceased."""
    if employer.status not in FILING_STATUSES or employer.registered_on is None:
        raise DomainError("employer.not_active")
    if period > Period.of(today):
        raise DomainError("declaration.period_future", period=str(period))
    if period < Period.of(employer.registered_on):
        raise DomainError("declaration.period_before_registration", period=str(period),
                          registered=str(Period.of(employer.registered_on)))
    if employer.ceased_on is not None and period > Period.of(employer.ceased_on):
        raise DomainError("declaration.period_after_cessation", period=str(period))


def employments_in(session: Session, employer_id: int, period: Period,
                   person_ids: Iterable[int] | None = None) -> dict[int, Employment]:
    """The employment of each person with the employer that runs on some day of the period (the latest one
    when a person left and was rehired within the month)."""
    query = select(Employment).options(lazyload(Employment.person)).where(
        Employment.employer_id == employer_id, Employment.hired_on <= period.last_day,
        (Employment.ended_on.is_(None)) | (Employment.ended_on >= period.first_day))
    found: dict[int, Employment] = {}
    if person_ids is None:
        chunks = [query]
    else:
        ids = sorted(set(person_ids))
        chunks = [query.where(Employment.person_id.in_(ids[i:i + BATCH])) for i in range(0, len(ids), BATCH)]
    for chunk in chunks:
        for job in session.scalars(chunk.order_by(Employment.hired_on)):
            found[job.person_id] = job
    return found


def persons_by_number(session: Session, numbers: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(numbers))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start:start + BATCH]
        for person_id, number in session.execute(select(Person.id, Person.social_security_number)
                                                 .where(Person.social_security_number.in_(chunk))):
            found[number] = person_id
    return found


def resolve_lines(session: Session, employer: Employer, period: Period,
                  lines: list[LineInput]) -> dict[int, tuple[int, int]]:
    """For each valid line (by row): (person id, employment id); lines whose worker is unknown or was not
    employed by the employer in the period get a problem instead."""
    def checkable(line: LineInput) -> bool:  # every problem is listed, also on lines with other problems
        return bool(line.social_security_number) and not any(p[0] == "social_security_number" for p in line.problems)

    persons = persons_by_number(session, (line.social_security_number for line in lines if checkable(line)))
    jobs = employments_in(session, employer.id, period, persons.values())
    resolved = {}
    for line in lines:
        if not checkable(line):
            continue
        person_id = persons.get(line.social_security_number)
        if person_id is None:
            line.problems.append(("social_security_number", "declaration.ssn_unknown", {}))
        elif person_id not in jobs:
            line.problems.append(("social_security_number", "declaration.not_employed", {"period": str(period)}))
        elif line.valid:
            resolved[line.row] = (person_id, jobs[person_id].id)
    return resolved


def computed_values(gross: Decimal, setting: PeriodRules) -> dict[str, object]:
    result = compute_line(gross, rates=setting.rates, limits=setting.limits, rounding=setting.rounding)
    return {"base": result.base, "employee_share": result.employee, "employer_share": result.employer,
            "floor_applied": result.floor_applied, "ceiling_applied": result.ceiling_applied}


def note_floor(lines: list[LineInput], setting: PeriodRules) -> None:
    floor = setting.limits.floor
    for line in lines:
        if line.valid and floor is not None and line.gross_wage is not None and Decimal(0) < line.gross_wage < floor:
            line.notes.append(("gross_wage", "declaration.below_floor", {"floor": floor}))


def refresh_totals(session: Session, declaration: Declaration) -> None:
    """Totals of the declaration from its lines, in one aggregate query."""
    from sqlalchemy import func

    count, gross, base, employee, employer = session.execute(
        select(func.count(), func.coalesce(func.sum(DeclarationLine.gross_wage), 0),
               func.coalesce(func.sum(DeclarationLine.base), 0),
               func.coalesce(func.sum(DeclarationLine.employee_share), 0),
               func.coalesce(func.sum(DeclarationLine.employer_share), 0))
        .where(DeclarationLine.declaration_id == declaration.id)).one()
    declaration.line_count = count
    declaration.total_gross, declaration.total_base = Decimal(gross), Decimal(base)
    declaration.total_employee, declaration.total_employer = Decimal(employee), Decimal(employer)


def _lock_draft(session: Session, employer: Employer, declaration_id: int, revision: int | None) -> Declaration:
    declaration = session.get(Declaration, declaration_id, with_for_update={"of": Declaration},
                              populate_existing=True)
    if declaration is None or declaration.employer_id != employer.id:
        from common.errors import NotFound

        raise NotFound("declaration.not_found")
    if declaration.status != "draft":
        raise DomainError("declaration.already_filed", receipt=declaration.receipt_number or "")
    if revision is not None and revision != declaration.revision:
        raise DomainError("declaration.changed")
    return declaration


def open_draft(session: Session, employer: Employer, period: Period, *, actor: Actor,
               now: dt.datetime, prefill: bool = True) -> Declaration:
    """The period's draft, created if there is none: a copy of the filed version when there is one (an
    amendment), else one line per worker employed in the period with last month's declared wage (or the
    agreed wage for a worker not declared last month); with ``prefill`` False, a new draft has no line (its
    lines are about to be replaced).  Two requests opening the same period get the same draft."""
    check_period(employer, period, local_today(employer.scheme, now))
    lock_period(session, employer.id, period)
    existing = draft_of(session, employer.id, period)
    if existing is not None:
        return existing
    setting = period_rules(session, employer, period)
    filed = current_version(session, employer.id, period)
    draft = Declaration(employer_id=employer.id, scheme_code=employer.scheme_code, period=str(period), version=None,
                        kind="original" if filed is None else "replacement", status="draft",
                        previous_id=filed.id if filed else None, is_nil=False, nil_reason="",
                        category=setting.category, currency=employer.scheme.currency, revision=0,
                        due_date=setting.due_date, created_at=now, created_by=actor.label)
    try:
        with session.begin_nested():
            session.add(draft)
            session.flush()
    except IntegrityError:
        # Another request created it first: use that one; if it has been filed already, say so.
        existing = draft_of(session, employer.id, period)
        if existing is None:
            raise DomainError("declaration.changed") from None
        return existing
    if not prefill:
        rows = []
    elif filed is not None:
        draft.is_nil, draft.nil_reason = filed.is_nil, filed.nil_reason
        rows = [{"person_id": line.person_id, "employment_id": line.employment_id, "gross_wage": line.gross_wage,
                 "days_worked": line.days_worked, "absence_reason": line.absence_reason}
                for line in session.scalars(select(DeclarationLine).where(DeclarationLine.declaration_id == filed.id))]
    else:
        rows = _prefill(session, employer, period, setting)
    _insert_lines(session, draft, rows, setting)
    refresh_totals(session, draft)
    record_audit(session, actor=actor, action="declaration.draft_opened", now=now, object_type="declaration",
                 object_id=draft.id, summary=f"{employer.employer_number} {period}: {len(rows)} line(s)"
                 + (f", amending version {filed.version}" if filed else ""))
    return draft


def _prefill(session: Session, employer: Employer, period: Period, setting: PeriodRules) -> list[dict]:
    """One line per worker employed in the period: last month's declared wage when last month was a full,
    ordinary month for the worker (no absence, employed from its first day); otherwise the agreed wage, so a
    sick month or a first part-month is not carried forward as if it were the usual pay."""
    jobs = employments_in(session, employer.id, period)
    last = current_version(session, employer.id, period.previous())
    last_wages: dict[int, Decimal] = {}
    if last is not None:
        last_wages = {person_id: wage for person_id, wage, absence in session.execute(
            select(DeclarationLine.person_id, DeclarationLine.gross_wage, DeclarationLine.absence_reason)
            .where(DeclarationLine.declaration_id == last.id)) if absence is None}
    quantum = Decimal(1).scaleb(-setting.places)
    rows = []
    for person_id, job in sorted(jobs.items(), key=lambda item: item[1].hired_on):
        usual = last_wages.get(person_id) if job.hired_on <= period.previous().first_day else None
        rows.append({"person_id": person_id, "employment_id": job.id,
                     "gross_wage": (usual if usual is not None else job.monthly_wage).quantize(quantum),
                     "days_worked": None, "absence_reason": None})
    return rows


def _insert_lines(session: Session, declaration: Declaration, rows: list[dict], setting: PeriodRules) -> None:
    payload = [{**row, "declaration_id": declaration.id, **computed_values(Decimal(row["gross_wage"]), setting)}
               for row in rows]
    for start in range(0, len(payload), BATCH):
        session.execute(insert(DeclarationLine), payload[start:start + BATCH])


def replace_lines(session: Session, employer: Employer, declaration_id: int, values: list[Mapping[str, object]],
                  *, revision: int | None, actor: Actor, now: dt.datetime, source: str = "form",
                  first_row: int = 1, row_numbers: list[int] | None = None) -> list[LineInput]:
    """Replace all the lines of a draft with ``values`` (one mapping per line: social security number, gross
    wage, days worked, absence reason).  Raises ``LinesInvalid`` with every line's problems and writes
    nothing when any line is wrong; returns the lines (with notes such as "below the floor") otherwise."""
    draft = _lock_draft(session, employer, declaration_id, revision)
    period = draft.period_value
    setting = period_rules(session, employer, period)
    days = period.last_day.day
    numbers = row_numbers or [first_row + i for i in range(len(values))]
    lines = [read_line(number, row, places=setting.places, days_in_month=days)
             for number, row in zip(numbers, values, strict=True)]
    mark_duplicates(lines)
    resolved = resolve_lines(session, employer, period, lines)
    if not lines:
        raise DomainError("declaration.no_lines")
    if any(not line.valid for line in lines):
        raise LinesInvalid(lines)
    note_floor(lines, setting)
    session.execute(delete(DeclarationLine).where(DeclarationLine.declaration_id == draft.id))
    rows = [{"person_id": resolved[line.row][0], "employment_id": resolved[line.row][1],
             "gross_wage": line.gross_wage, "days_worked": line.days_worked, "absence_reason": line.absence_reason}
            for line in lines]
    _insert_lines(session, draft, rows, setting)
    draft.is_nil, draft.nil_reason = False, ""
    draft.revision += 1
    refresh_totals(session, draft)
    record_audit(session, actor=actor, action="declaration.lines_replaced", now=now, object_type="declaration",
                 object_id=draft.id, summary=f"{len(rows)} line(s) from {source}")
    return lines


@dataclass
class LineChange:
    line_id: int
    gross_wage: object
    days_worked: object = None
    absence_reason: object = None
    remove: bool = False
    left_on: object = None  # the worker left: the employment ends on this date
    end_reason: str | None = None


def update_lines(session: Session, employer: Employer, declaration_id: int, changes: list[LineChange], *,
                 revision: int | None, actor: Actor, now: dt.datetime) -> list[LineInput]:
    """Apply the form's edits to a draft's lines: new wages, days and absence reasons, removed lines, and
    leavers (whose employment is ended).  All or nothing: ``LinesInvalid`` lists every problem by line."""
    draft = _lock_draft(session, employer, declaration_id, revision)
    setting = period_rules(session, employer, draft.period_value)
    current = {line.id: line for line in session.scalars(
        select(DeclarationLine).where(DeclarationLine.declaration_id == draft.id))}
    days = draft.period_value.last_day.day
    lines: list[LineInput] = []
    updates, removed, leavers = [], [], []
    for position, change in enumerate(changes, start=1):
        line = current.get(change.line_id)
        if line is None:
            raise DomainError("declaration.changed")
        if change.remove:
            removed.append(line.id)
            continue
        checked = read_line(position, {"social_security_number": line.person.social_security_number,
                                       "gross_wage": change.gross_wage, "days_worked": change.days_worked,
                                       "absence_reason": change.absence_reason},
                            places=setting.places, days_in_month=days)
        lines.append(checked)
        if checked.valid:
            updates.append({"id": line.id, "gross_wage": checked.gross_wage, "days_worked": checked.days_worked,
                            "absence_reason": checked.absence_reason, **computed_values(checked.gross_wage, setting)})
        if change.left_on not in (None, ""):
            leavers.append((checked, line, change))
    if any(not line.valid for line in lines):
        raise LinesInvalid(lines)
    for checked, line, change in leavers:
        try:
            with session.begin_nested():
                if line.employment_id is None:
                    raise DomainError("employment.not_found")
                end_employment(session, employer, line.employment_id, ended_on=change.left_on,
                               reason=change.end_reason or "", actor=actor, now=now)
        except ApplicationInvalid as invalid:
            checked.problems.extend(("left_on" if field == "ended_on" else field, code, {})
                                    for field, code in invalid.problems)
        except DomainError as error:
            checked.problems.append(("left_on", error.code, dict(error.params)))
    if any(not line.valid for line in lines):
        raise LinesInvalid(lines)
    note_floor(lines, setting)
    if updates:
        session.execute(update(DeclarationLine), updates)
    if removed:
        session.execute(delete(DeclarationLine).where(DeclarationLine.id.in_(removed)))
    draft.revision += 1
    session.flush()
    refresh_totals(session, draft)
    record_audit(session, actor=actor, action="declaration.lines_updated", now=now, object_type="declaration",
                 object_id=draft.id, summary=f"{len(updates)} line(s) updated, {len(removed)} removed, "
                 f"{len(leavers)} leaver(s)")
    return lines


def add_worker(session: Session, employer: Employer, declaration_id: int, social_security_number: str, *,
               gross_wage: object = None, revision: int | None, actor: Actor, now: dt.datetime) -> DeclarationLine:
    """Add a line for a worker employed in the period (a new hire registered since the draft was opened),
    with the agreed monthly wage unless a wage is given."""
    draft = _lock_draft(session, employer, declaration_id, revision)
    period = draft.period_value
    setting = period_rules(session, employer, period)
    line = read_line(1, {"social_security_number": social_security_number, "gross_wage": gross_wage or "0"},
                     places=setting.places, days_in_month=period.last_day.day)
    line.problems = [p for p in line.problems if p[0] == "social_security_number"]
    resolved = resolve_lines(session, employer, period, [line])
    if line.problems:
        raise ApplicationInvalid([(field, code) for field, code, _ in line.problems])
    person_id, employment_id = resolved[line.row]
    if session.scalar(select(DeclarationLine.id).where(DeclarationLine.declaration_id == draft.id,
                                                       DeclarationLine.person_id == person_id)):
        raise ApplicationInvalid([("social_security_number", "declaration.worker_already_on")])
    wage = line.gross_wage if gross_wage not in (None, "") else session.get(Employment, employment_id).monthly_wage
    record = DeclarationLine(declaration_id=draft.id, person_id=person_id, employment_id=employment_id,
                             gross_wage=wage, days_worked=None, absence_reason=None,
                             **computed_values(Decimal(wage), setting))
    session.add(record)
    draft.is_nil, draft.nil_reason = False, ""
    draft.revision += 1
    session.flush()
    refresh_totals(session, draft)
    record_audit(session, actor=actor, action="declaration.line_added", now=now, object_type="declaration",
                 object_id=draft.id, summary=f"SSN {line.social_security_number}")
    return record


def discard_draft(session: Session, employer: Employer, declaration_id: int, *, actor: Actor,
                  now: dt.datetime) -> None:
    draft = _lock_draft(session, employer, declaration_id, None)
    record_audit(session, actor=actor, action="declaration.draft_discarded", now=now, object_type="declaration",
                 object_id=draft.id, summary=f"{draft.period}, {draft.line_count} line(s)")
    session.delete(draft)
    session.flush()
