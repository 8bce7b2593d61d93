"""Checking a draft as filing would, without filing it: the row-level report a payroll program asks for
before it submits.

A draft's lines were valid when they were written; since then the register may have changed (an employment
ended or corrected) and the period may have closed for the employer.  The report lists, by line (1-based,
in the order the lines were given), every problem filing would refuse, and the notes (wages below the
minimum base).  Nothing is written.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import DomainError
from contributions.declarations import Declaration, DeclarationLine
from contributions.drafts import check_period, note_floor, period_rules, resolve_lines
from contributions.rules.declaration_lines import LineInput, read_line
from employers.employers import Employer
from employers.persons import Person
from employers.registration import local_today


def check_draft(session: Session, employer: Employer, declaration: Declaration, *,
                now: dt.datetime) -> list[LineInput]:
    """Every line of the draft with the problems filing would find and its notes.  Raises
    ``declaration.already_filed`` for a filed version, and the period's own refusals (``check_period``)."""
    if declaration.status != "draft":
        raise DomainError("declaration.already_filed", receipt=declaration.receipt_number or "")
    period = declaration.period_value
    check_period(employer, period, local_today(employer.scheme, now))
    setting = period_rules(session, employer, period)
    rows = session.execute(select(Person.social_security_number, DeclarationLine.gross_wage,
                                  DeclarationLine.days_worked, DeclarationLine.absence_reason)
                           .join(Person, Person.id == DeclarationLine.person_id)
                           .where(DeclarationLine.declaration_id == declaration.id).order_by(DeclarationLine.id))
    lines = [read_line(position, {"social_security_number": ssn, "gross_wage": wage, "days_worked": days,
                                  "absence_reason": absence},
                       places=setting.places, days_in_month=period.last_day.day)
             for position, (ssn, wage, days, absence) in enumerate(rows, start=1)]
    resolve_lines(session, employer, period, lines)
    note_floor(lines, setting)
    return lines
