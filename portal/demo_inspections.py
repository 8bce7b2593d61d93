"""The inspectors' part of the demo: a worker of Pomir Textile reported a wage declared lower than paid, and
an inspector opened a case on it and recorded a visit; then the night's risk job scores every employer, so
the dashboard, the worklist (the bakery that stopped filing on top) and each employer's risk factors show at
once.  The bakery has no case yet: opening one and recording an assessment is left to the demo user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.audit import Actor
from common.schemes import Scheme
from contributions.declarations import Declaration, DeclarationLine
from contributions.jobs import JobRun
from employers.accounts import find_user_by_email
from employers.employers import Employer
from employers.registration import local_today
from inspections.cases import add_note, open_case
from inspections.reports import WorkerReport
from inspections.risk import compute_risk, risk_of


def seed_inspections(session: Session, employers: dict[str, Employer], *, now: dt.datetime) -> None:
    textile = employers["tajik"]
    declaration = session.scalars(select(Declaration).where(
        Declaration.employer_id == textile.id, Declaration.status == "submitted", Declaration.is_nil.is_(False))
        .order_by(Declaration.period.desc()).limit(1)).one()
    line = session.scalars(select(DeclarationLine).where(DeclarationLine.declaration_id == declaration.id)
                           .order_by(DeclarationLine.gross_wage).limit(1)).one()
    report = WorkerReport(employer_id=textile.id, person_id=line.person_id, period=declaration.period,
                          kind="wrong_wage", claimed_wage=(line.gross_wage * Decimal("1.4")).quantize(Decimal(1)),
                          note="Музди ман дар шартнома зиёдтар аст; корфармо қисми онро нақд медиҳад.",
                          status="open", created_at=now - dt.timedelta(days=6))
    session.add(report)
    session.flush()
    _score(session, now=now - dt.timedelta(days=5))
    inspector = find_user_by_email(session, "inspector@demo.example")
    actor = inspector.as_actor()
    opened = now - dt.timedelta(days=4)
    case = open_case(session, textile, reason="worker_report", note="Шикояти корманд оид ба музди пинҳонӣ.",
                     assignee_id=inspector.id, due_on=local_today(textile.scheme, now) + dt.timedelta(days=21),
                     actor=actor, now=opened, report_ids=[report.id], risk_score=_score_of(session, textile))
    add_note(session, case, "Боздид 2 нафар кормандро муайян кард, ки музди воқеии онҳо аз музди эълоншуда зиёд "
             "аст. Корфармо ведомостҳои музди меҳнатро то 10 рӯз пешниҳод мекунад.", kind="visit", actor=actor,
             now=opened + dt.timedelta(days=1))
    _score(session, now=now)


def _score_of(session: Session, employer: Employer) -> Decimal | None:
    score = risk_of(session, employer.id)
    return score.score if score is not None else None


def _score(session: Session, *, now: dt.datetime) -> None:
    """The night's risk job in each scheme, recorded as a run like the scheduler's."""
    for scheme in session.scalars(select(Scheme).order_by(Scheme.code)):
        today = local_today(scheme, now)
        done = compute_risk(session, scheme.code, as_of=today, actor=Actor.system("scheduler"), now=now)
        session.add(JobRun(job="compute_risk", as_of=today, started_at=now, finished_at=now, status="finished",
                           started_by="system:seed-demo", counts={scheme.code: vars(done)}, error=""))
    session.flush()
