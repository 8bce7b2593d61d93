"""The workers' part of the demo: the demo worker's account is a worker of Pomir Textile (the one who
reported a wage declared lower than paid), so ``worker@demo.example`` sees a year of declared months, the
last one not yet paid.  And a Lao worker of the construction company has a phone on record and no account
yet, for trying the activation by SMS (``make run`` writes the code to the terminal): hired by the company
last, they had worked there before for three months the company never declared, so their record has months
employed but not declared, declared months, and the last one declared but not paid."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.period import Period
from employers.accounts import find_user_by_email
from employers.employers import Employer
from employers.persons import Employment, Person
from inspections.reports import WorkerReport

# The Lao worker who can activate an account (the README lists the details to type).
LAO_WORKER_PHONE = "+856 20 5555 0101"


def seed_workers(session: Session, employers: dict[str, Employer]) -> None:
    report = session.scalars(select(WorkerReport).where(WorkerReport.employer_id == employers["tajik"].id)).first()
    worker = find_user_by_email(session, "worker@demo.example")
    if report is not None and worker is not None:
        person = session.get(Person, report.person_id)
        worker.person_id = person.id
        worker.full_name = f"{person.given_name} {person.family_name}"
    company = employers["lao"]
    latest = session.scalars(select(Employment).where(Employment.employer_id == company.id,
                                                      Employment.ended_on.is_(None))
                             .order_by(Employment.hired_on.desc(), Employment.id.desc())).first()
    hired = Period.of(latest.hired_on)
    earlier = (hired.shift(-5), hired.shift(-3))  # three months, ended two months before the hire
    if earlier[0].first_day < company.registered_on:
        return
    latest.person.phone = LAO_WORKER_PHONE
    # Recorded as staff record a past employment they learn of (the company had not declared it).
    session.add(Employment(employer_id=company.id, person_id=latest.person_id, hired_on=earlier[0].first_day,
                           ended_on=earlier[1].last_day, end_reason="end_of_contract", job_title="",
                           contract_type="fixed_term", monthly_wage=latest.monthly_wage,
                           created_at=latest.created_at))
    session.flush()
