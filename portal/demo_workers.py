"""The workers' part of the demo: the demo worker's account is a worker of Pomir Textile (the one who
reported a wage declared lower than paid), so ``worker@demo.example`` sees a year of declared months, the
last one not yet paid; and a Lao worker of the construction company has a phone on record and no account yet,
for trying the activation by SMS (``make run`` writes the code to the terminal)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    lao = session.scalars(select(Person).join(Employment, Employment.person_id == Person.id)
                          .where(Employment.employer_id == employers["lao"].id, Employment.ended_on.is_(None))
                          .order_by(Employment.id)).first()
    if lao is not None:
        lao.phone = LAO_WORKER_PHONE
    session.flush()
