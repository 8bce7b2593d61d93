"""Inspection cases: opened for an employer with a reason, an inspector and a due date; worked with notes,
visit findings and attached files; closed with an outcome.  An inspection that finds undeclared workers or
wages records an **assessment**: a corrective declaration filed for the employer through the declarations'
own path (it posts the difference to the account, replaces an estimate, and earns interest from the
period's due date), and the employer is notified.

Status: ``open`` -> ``in_progress`` (the first note, finding, file or assessment) -> ``closed``.  Every step
is a case event and an audit record; a supervisor reassigns.  Employers never see a case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    func,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from common.audit import Actor, record_audit
from common.db import Base
from common.errors import DomainError, NotFound
from common.period import Period
from contributions.assessments import SHARE_COMPONENTS
from contributions.declarations import DeclarationLine, current_version, draft_of, lock_period
from contributions.drafts import LineChange, LinesInvalid, add_worker, open_draft, update_lines
from contributions.filing import submit_declaration
from contributions.ledger import CHARGE_KINDS, LedgerEntry
from contributions.rules.declaration_lines import LineInput, mark_duplicates
from employers.accounts import Role, User
from employers.employers import Employer
from employers.registration import ApplicationInvalid, local_today
from inspections.areas import may_see
from inspections.reports import WorkerReport
from notifications.notices import Notice, notify

REASONS = ("risk", "non_filer", "arrears", "worker_report", "other")
STATUSES = ("open", "in_progress", "closed")
OUTCOMES = ("no_breach", "assessed", "warning", "referred")
EVENT_KINDS = ("opened", "note", "visit", "attachment", "assessment", "reassigned", "closed")
CASE_ROLES = (Role.INSPECTOR.value, Role.SUPERVISOR.value)
MAX_NOTE = 5_000
MAX_ATTACHMENT = 5 * 1024 * 1024
# Accepted files, told by their first bytes (the name's extension must agree): what inspectors bring back
# from a visit (scans, photos, spreadsheets, letters).
SIGNATURES = {".pdf": (b"%PDF-",), ".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",),
              ".jpeg": (b"\xff\xd8\xff",), ".xlsx": (b"PK\x03\x04",), ".docx": (b"PK\x03\x04",)}
CONTENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class InspectionCase(Base):
    __tablename__ = "inspection_case"
    __table_args__ = (
        CheckConstraint(f"reason IN {REASONS!r}", name="reason_known"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status_known"),
        CheckConstraint(f"outcome IS NULL OR outcome IN {OUTCOMES!r}", name="outcome_known"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL AND outcome IS NOT NULL)",
                        name="closed_has_outcome"),
        Index("ix_inspection_case_employer_id", "employer_id"),
        Index("ux_inspection_case_one_open", "employer_id", unique=True,
              sqlite_where=text("status != 'closed'"), postgresql_where=text("status != 'closed'")),
        Index("ix_inspection_case_assigned_to_id_status", "assigned_to_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    reason: Mapped[str] = mapped_column(String(20))
    reason_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="open")
    assigned_to_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    risk_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # the score when it was opened
    opened_at: Mapped[dt.datetime]
    opened_by: Mapped[str] = mapped_column(String(255))
    closed_at: Mapped[dt.datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(12))
    outcome_note: Mapped[str] = mapped_column(Text, default="")

    employer: Mapped[Employer] = relationship(lazy="joined", innerjoin=True)
    assigned_to: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    @property
    def number(self) -> str:
        return f"C-{self.id:06d}"


class CaseEvent(Base):
    __tablename__ = "case_event"
    __table_args__ = (CheckConstraint(f"kind IN {EVENT_KINDS!r}", name="kind_known"),
                      Index("ix_case_event_case_id", "case_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inspection_case.id"))
    kind: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text, default="")
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declaration.id"))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("case_attachment.id"))
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(255))


class CaseAttachment(Base):
    __tablename__ = "case_attachment"
    __table_args__ = (CheckConstraint(f"size > 0 AND size <= {MAX_ATTACHMENT}", name="size_limited"),
                      Index("ix_case_attachment_case_id", "case_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inspection_case.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(255))


def _text(value: str, *, required: bool, field: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError("case.text_required", field=field)
    if len(value) > MAX_NOTE:
        raise DomainError("field.too_long", field=field)
    return value


def _event(session: Session, case: InspectionCase, kind: str, body: str, *, actor: Actor, now: dt.datetime,
           declaration_id: int | None = None, attachment_id: int | None = None) -> CaseEvent:
    event = CaseEvent(case_id=case.id, kind=kind, body=body, declaration_id=declaration_id,
                      attachment_id=attachment_id, created_at=now, created_by=actor.label)
    session.add(event)
    session.flush()
    record_audit(session, actor=actor, action=f"case.{kind}", now=now, object_type="inspection_case",
                 object_id=case.id, summary=f"{case.number} {case.employer.employer_number}: {body}"[:2000])
    return event


def _assignee(session: Session, user_id: int, employer: Employer) -> User:
    user = session.get(User, user_id)
    if user is None or user.role not in CASE_ROLES or not user.is_active:
        raise DomainError("case.assignee_invalid")
    if not may_see(session, user, employer):
        raise DomainError("case.assignee_outside_area")
    return user


def _working(case: InspectionCase) -> None:
    if case.status == "closed":
        raise DomainError("case.closed", number=case.number)
    case.status = "in_progress"


def open_case(session: Session, employer: Employer, *, reason: str, note: str, assignee_id: int, due_on: dt.date,
              actor: Actor, now: dt.datetime, report_ids: list[int] = (), risk_score: Decimal | None = None,
              ) -> InspectionCase:
    """Open a case for a registered employer; a second open case for the same employer is refused (it names
    the first).  Worker reports named are taken into the case."""
    if reason not in REASONS:
        raise DomainError("case.reason_invalid")
    if not employer.is_registered:
        raise DomainError("employer.not_active")
    if due_on < local_today(employer.scheme, now):
        raise DomainError("case.due_in_past")
    assignee = _assignee(session, assignee_id, employer)
    case = InspectionCase(employer_id=employer.id, reason=reason, reason_note=_text(note, required=False,
                          field="note"), status="open", assigned_to_id=assignee.id, due_on=due_on,
                          risk_score=risk_score, opened_at=now, opened_by=actor.label, outcome_note="")
    try:
        with session.begin_nested():  # one open case per employer: a unique index, even for two at once
            session.add(case)
            session.flush()
    except IntegrityError:
        existing = session.scalar(select(InspectionCase).where(InspectionCase.employer_id == employer.id,
                                                               InspectionCase.status != "closed"))
        raise DomainError("case.already_open", number=existing.number if existing else "") from None
    taken = []
    if report_ids:
        taken = list(session.scalars(
            update(WorkerReport).where(WorkerReport.id.in_(list(report_ids)), WorkerReport.employer_id == employer.id,
                                       WorkerReport.status == "open")
            .values(status="in_case", case_id=case.id, decided_at=now, decided_by=actor.label)
            .returning(WorkerReport.id)))
    _event(session, case, "opened", f"{reason}; {assignee.email}; due {due_on.isoformat()}"
           + (f"; worker reports {', '.join(map(str, sorted(taken)))}" if taken else "")
           + (f"; {case.reason_note}" if case.reason_note else ""), actor=actor, now=now)
    return case


def case_of(session: Session, case_id: int) -> InspectionCase:
    case = session.get(InspectionCase, case_id)
    if case is None:
        raise NotFound("case.not_found")
    return case


def add_note(session: Session, case: InspectionCase, body: str, *, kind: str = "note", actor: Actor,
             now: dt.datetime) -> CaseEvent:
    """A note, or a visit's findings (``kind="visit"``)."""
    if kind not in ("note", "visit"):
        raise DomainError("case.note_kind_invalid")
    body = _text(body, required=True, field="body")
    _working(case)
    return _event(session, case, kind, body, actor=actor, now=now)


def clean_filename(name: str) -> str:
    name = re.split(r"[\\/]", name or "")[-1]
    # Every control and format character, not only the ASCII ones: C1 controls too, and the bidirectional
    # overrides that make a name display other than it is.
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    return name[-200:]


def attach_file(session: Session, case: InspectionCase, filename: str, content: bytes, *, actor: Actor,
                now: dt.datetime) -> CaseAttachment:
    """Keep a file with the case: at most 5 MB, of a kind ``SIGNATURES`` knows, whose first bytes agree with
    its name."""
    name = clean_filename(filename)
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if not content:
        raise DomainError("case.file_empty")
    if len(content) > MAX_ATTACHMENT:
        raise DomainError("case.file_too_large", limit="5 MB")
    if extension not in SIGNATURES or not content.startswith(SIGNATURES[extension]):
        raise DomainError("case.file_type", accepted=", ".join(sorted(SIGNATURES)))
    _working(case)
    attachment = CaseAttachment(case_id=case.id, filename=name, content_type=CONTENT_TYPES[extension],
                                size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
                                created_at=now, created_by=actor.label)
    session.add(attachment)
    session.flush()
    _event(session, case, "attachment", f"{name} ({len(content)} bytes, sha256 {attachment.sha256[:12]})",
           actor=actor, now=now, attachment_id=attachment.id)
    return attachment


def attachment_of(session: Session, case: InspectionCase, attachment_id: int) -> CaseAttachment:
    attachment = session.get(CaseAttachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        raise NotFound("case.not_found")
    return attachment


def reassign(session: Session, case: InspectionCase, assignee_id: int, *, actor: Actor,
             now: dt.datetime) -> None:
    if case.status == "closed":
        raise DomainError("case.closed", number=case.number)
    assignee = _assignee(session, assignee_id, case.employer)
    if assignee.id == case.assigned_to_id:
        return
    before = case.assigned_to.email
    case.assigned_to_id = assignee.id
    session.flush()
    session.expire(case, ["assigned_to"])
    _event(session, case, "reassigned", f"{before} -> {assignee.email}", actor=actor, now=now)


@dataclass(frozen=True)
class AssessedLine:
    social_security_number: str
    gross_wage: str  # as typed: checked by the declaration's own rules


@dataclass(frozen=True)
class CaseAssessment:
    declaration_id: int
    period: str
    charged: Decimal  # what the contributions declared for the month rose by
    notice: Notice | None


def _declared(session: Session, employer_id: int, period: Period) -> Decimal:
    """The contributions declared for ``period`` (both shares, net of reductions): what an inspection adds
    to.  An estimate standing for a month never declared is not declared: it is withdrawn when the month is."""
    return Decimal(session.scalar(select(func.coalesce(func.sum(LedgerEntry.debit - LedgerEntry.credit), 0)).where(
        LedgerEntry.employer_id == employer_id, LedgerEntry.period == str(period),
        LedgerEntry.kind.in_(CHARGE_KINDS), LedgerEntry.component.in_(SHARE_COMPONENTS))) or 0)


def record_assessment(session: Session, case: InspectionCase, period: Period, lines: list[AssessedLine], *,
                      note: str, actor: Actor, now: dt.datetime, link: str) -> CaseAssessment:
    """File a declaration for ``period`` on the employer's behalf (a corrective one, or the original of a month
    never declared): each worker's wage as found by the inspection (a worker on the register but not
    declared is added).  Workers not named keep what was declared; a month never declared has only the
    workers named.  An assessment that would not raise the month's contributions is refused.  The
    declarations' checks apply and name the line and field at fault; nothing is written when one fails (the
    caller rolls back: the draft opened here goes too).  Refused while the employer has a draft of its own
    for the period."""
    if not lines:
        raise DomainError("case.assessment_no_lines")
    note = _text(note, required=True, field="note")
    if case.status == "closed":
        raise DomainError("case.closed", number=case.number)
    employer = case.employer
    lock_period(session, employer.id, period)  # before looking for the employer's draft: none can start now
    if draft_of(session, employer.id, period) is not None:
        raise DomainError("case.employer_draft_open", period=str(period))
    never_filed = current_version(session, employer.id, period) is None
    before = _declared(session, employer.id, period)
    draft = open_draft(session, employer, period, actor=actor, now=now)
    on_draft = {line.person.social_security_number: line for line in session.scalars(
        select(DeclarationLine).where(DeclarationLine.declaration_id == draft.id))}
    # Numbers read as declarations read them; a worker named twice is refused, not silently the last wage.
    checked = [LineInput(row, "".join(line.social_security_number.split()).upper(), None, None, None)
               for row, line in enumerate(lines, start=1)]
    mark_duplicates(checked)
    changes = []
    for line, check in zip(lines, checked, strict=True):
        if check.problems:
            continue
        existing = on_draft.get(check.social_security_number)
        if existing is None:
            try:  # at the agreed wage: the wage found is checked with the others by ``update_lines``
                existing = add_worker(session, employer, draft.id, check.social_security_number, revision=None,
                                      actor=actor, now=now)
            except ApplicationInvalid as invalid:  # not on the register for the period, or unknown
                check.problems.extend((field, code, {}) for field, code in invalid.problems)
                continue
        changes.append(LineChange(existing.id, line.gross_wage, existing.days_worked, existing.absence_reason))
    if any(line.problems for line in checked):
        raise LinesInvalid(checked)  # the request's transaction is rolled back: nothing is kept
    # Workers not named keep what was declared; a month never declared has only the workers named (the draft's
    # pre-filled lines are the employer's register, not a finding).
    named = {change.line_id for change in changes}
    kept = [LineChange(other.id, str(other.gross_wage), other.days_worked, other.absence_reason,
                       remove=never_filed) for other in on_draft.values() if other.id not in named]
    update_lines(session, employer, draft.id, changes + kept, revision=None, actor=actor, now=now)
    filed = submit_declaration(session, employer, draft.id, revision=None, actor=actor, now=now).declaration
    # What the inspection adds to the contributions declared for the month, which the employer is told (an
    # estimate the declaration replaces is withdrawn by the declarations' own path).
    charged = _declared(session, employer.id, period) - before
    if charged <= 0:  # rolled back by the caller: an assessment only ever adds what was not declared
        raise DomainError("case.assessment_adds_nothing")
    _working(case)
    _event(session, case, "assessment", f"{period}: {len(lines)} line(s), {charged} charged; {note}",
           actor=actor, now=now, declaration_id=filed.id)
    notice = notify(session, employer, "inspection_assessment", period=str(period), stage=filed.version,
                    params={"period": str(period), "case": case.number, "receipt": filed.receipt_number,
                            "amount": str(charged), "due": filed.due_date.isoformat(),
                            "reference": filed.payment_reference},
                    actor=actor, now=now, link=link)
    return CaseAssessment(filed.id, str(period), charged, notice)


def close_case(session: Session, case: InspectionCase, outcome: str, note: str, *, actor: Actor,
               now: dt.datetime) -> None:
    """Close with an outcome; ``assessed`` needs an assessment recorded in the case."""
    if outcome not in OUTCOMES:
        raise DomainError("case.outcome_invalid")
    if case.status == "closed":
        raise DomainError("case.closed", number=case.number)
    note = _text(note, required=True, field="note")
    if outcome == "assessed" and session.scalar(select(CaseEvent.id).where(
            CaseEvent.case_id == case.id, CaseEvent.kind == "assessment").limit(1)) is None:
        raise DomainError("case.no_assessment")
    case.status, case.outcome, case.outcome_note, case.closed_at = "closed", outcome, note, now
    # A report the inspection did not bear out no longer counts against the employer (risk.COUNTED).
    session.execute(update(WorkerReport).where(WorkerReport.case_id == case.id, WorkerReport.status == "in_case")
                    .values(status="dismissed" if outcome == "no_breach" else "resolved", decided_at=now,
                            decided_by=actor.label))
    session.flush()
    _event(session, case, "closed", f"{outcome}: {note}", actor=actor, now=now)


def events_of(session: Session, case_id: int) -> list[CaseEvent]:
    return list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                .order_by(CaseEvent.created_at, CaseEvent.id)))


def cases_of_employer(session: Session, employer_id: int) -> list[InspectionCase]:
    return list(session.scalars(select(InspectionCase).where(InspectionCase.employer_id == employer_id)
                                .order_by(InspectionCase.opened_at.desc(), InspectionCase.id.desc())))
