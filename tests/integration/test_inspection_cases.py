"""Inspection cases: opening (and what is refused), notes and visit findings, attached files, reassigning, an
assessment filed as a corrective declaration, closing; every step a case event and an audit record.

The employer is Tajik (non-budget, 22 % of wages): two workers at 2,000.00 TJS, February 2026 declared on time
with only the first of them (440.00).  Cases are worked on Monday 20 April 2026.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from common.audit import Actor, AuditEvent
from common.errors import DomainError, NotFound
from common.period import Period
from contributions.assessments import Assessment, assess_non_filers
from contributions.declarations import Declaration, DeclarationLine, draft_of
from contributions.drafts import LineChange, LinesInvalid, open_draft, update_lines
from contributions.filing import submit_declaration
from contributions.ledger import LedgerEntry
from employers.accounts import Role
from employers.persons import Employment, Person
from inspections.cases import (
    MAX_ATTACHMENT,
    MAX_NOTE,
    AssessedLine,
    add_note,
    attach_file,
    attachment_of,
    cases_of_employer,
    close_case,
    events_of,
    open_case,
    reassign,
    record_assessment,
)
from inspections.reports import WorkerReport
from notifications.notices import Notice
from notifications.outbox import OutboxMessage
from tests import factories
from tests.integration.test_compliance_facts import at, file, tajik

NOW = at("2026-04-20")
TODAY = dt.date(2026, 4, 20)
FEBRUARY = Period(2026, 2)
PDF = b"%PDF-1.7\n" + b"x" * 100
LINK = "http://portal.test/notices"


@pytest.fixture
def inspector(db):
    return factories.user(db, Role.INSPECTOR)


@pytest.fixture
def actor(inspector) -> Actor:
    return Actor(user_id=inspector.id, label=inspector.email)


@pytest.fixture
def employer(db):
    """February declared on 10 March with the first worker only; the second is on the register."""
    employer = tajik(db, "2025-12-01", "2000.00", "2000.00")
    draft = open_draft(db, employer, FEBRUARY, actor=factories.ACTOR, now=at("2026-03-10"))
    lines = db.scalars(select(DeclarationLine).where(DeclarationLine.declaration_id == draft.id)
                       .order_by(DeclarationLine.id)).all()
    update_lines(db, employer, draft.id, [LineChange(lines[0].id, "2000.00"),
                                          LineChange(lines[1].id, "0", remove=True)],
                 revision=None, actor=factories.ACTOR, now=at("2026-03-10"))
    submit_declaration(db, employer, draft.id, revision=None, actor=factories.ACTOR, now=at("2026-03-10"))
    return employer


def numbers(db, employer) -> list[str]:
    """The social security numbers of the employer's workers, in the order they were hired."""
    return list(db.scalars(select(Person.social_security_number).join(Employment, Employment.person_id == Person.id)
                           .where(Employment.employer_id == employer.id).order_by(Employment.id)))


def opened(db, employer, inspector, actor, **fields):
    values = {"reason": "risk", "note": "High score", "assignee_id": inspector.id, "due_on": TODAY}
    values.update(fields)
    return open_case(db, employer, actor=actor, now=NOW, **values)


def refused(code: str, action, *args, **kwargs) -> dict:
    with pytest.raises(DomainError) as raised:
        action(*args, **kwargs)
    assert raised.value.code == code
    return raised.value.params


def trail(db, case) -> tuple[list[str], list[str]]:
    """The case's event kinds and the audit actions recorded on it, oldest first."""
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "inspection_case",
                                                         AuditEvent.object_id == str(case.id))
                         .order_by(AuditEvent.id))
    return [event.kind for event in events_of(db, case.id)], list(actions)


def ledger_total(db, employer) -> D:
    return D(db.scalar(select(func.coalesce(func.sum(LedgerEntry.debit - LedgerEntry.credit), 0))
                       .where(LedgerEntry.employer_id == employer.id)))


def test_opening_a_case(db, employer, inspector, actor) -> None:
    sysadmin = factories.user(db, Role.SYSADMIN)
    gone = factories.user(db, Role.INSPECTOR)
    gone.is_active = False
    refused("case.reason_invalid", opened, db, employer, inspector, actor, reason="hunch")
    refused("case.due_in_past", opened, db, employer, inspector, actor, due_on=TODAY - dt.timedelta(days=1))
    for assignee_id in (sysadmin.id, gone.id, 999_999):
        refused("case.assignee_invalid", opened, db, employer, inspector, actor, assignee_id=assignee_id)
    case = opened(db, employer, inspector, actor, risk_score=D("64.50"))  # due today is not in the past
    assert (case.status, case.reason, case.reason_note, case.assigned_to_id, case.risk_score, case.opened_by) == \
        ("open", "risk", "High score", inspector.id, D("64.50"), inspector.email)
    assert case.number == f"C-{case.id:06d}"
    assert trail(db, case) == (["opened"], ["case.opened"])
    assert events_of(db, case.id)[0].created_by == inspector.email
    # One case at a time per employer; the refusal names the open one, even once it is being worked.
    add_note(db, case, "Called the employer", actor=actor, now=NOW)
    supervisor = factories.user(db, Role.SUPERVISOR)
    assert refused("case.already_open", opened, db, employer, supervisor, actor) == {"number": case.number}
    close_case(db, case, "no_breach", "Nothing found", actor=actor, now=NOW)
    second = opened(db, employer, supervisor, actor, reason="other", note="")
    assert [c.id for c in cases_of_employer(db, employer.id)] == [second.id, case.id]


def test_a_case_is_only_for_a_registered_employer(db, inspector, actor) -> None:
    employer = tajik(db, "2025-12-01")
    employer.status, employer.employer_number = "pending", None
    db.flush()
    refused("employer.not_active", opened, db, employer, inspector, actor)


def test_worker_reports_are_taken_into_the_case_and_resolved_with_it(db, employer, inspector, actor) -> None:
    other = tajik(db, "2025-12-01")
    person_id = factories.hire(db, other, wage="2000.00", hired_on="2025-12-01", document_type="passport").person_id

    def report(owner, status: str) -> WorkerReport:
        row = WorkerReport(employer_id=owner.id, person_id=person_id, period="2026-02", kind="wrong_wage",
                           claimed_wage=D("2500.00"), status=status, note="", created_at=at("2026-04-01"))
        db.add(row)
        db.flush()
        return row

    first, second, dismissed, elsewhere = (report(employer, "open"), report(employer, "open"),
                                           report(employer, "dismissed"), report(other, "open"))
    case = opened(db, employer, inspector, actor, reason="worker_report",
                  report_ids=[first.id, dismissed.id, elsewhere.id])
    db.expire_all()
    assert [(r.status, r.case_id) for r in (first, second, dismissed, elsewhere)] == [
        ("in_case", case.id), ("open", None), ("dismissed", None), ("open", None)]
    assert (first.decided_at, first.decided_by) == (NOW, inspector.email)
    close_case(db, case, "warning", "Wage corrected after the visit", actor=actor, now=NOW)
    db.expire_all()
    assert [r.status for r in (first, second, dismissed, elsewhere)] == ["resolved", "open", "dismissed", "open"]


def test_notes_and_visit_findings(db, employer, inspector, actor) -> None:
    case = opened(db, employer, inspector, actor)
    refused("case.text_required", add_note, db, case, "  \n ", actor=actor, now=NOW)
    refused("field.too_long", add_note, db, case, "x" * (MAX_NOTE + 1), actor=actor, now=NOW)
    refused("case.note_kind_invalid", add_note, db, case, "Seen", kind="opened", actor=actor, now=NOW)
    assert case.status == "open"
    note = add_note(db, case, "  Called the manager  ", actor=actor, now=NOW)
    assert (case.status, note.kind, note.body) == ("in_progress", "note", "Called the manager")
    visit = add_note(db, case, "x" * MAX_NOTE, kind="visit", actor=actor, now=NOW)
    assert visit.kind == "visit" and len(visit.body) == MAX_NOTE
    assert trail(db, case) == (["opened", "note", "visit"], ["case.opened", "case.note", "case.visit"])
    close_case(db, case, "no_breach", "Nothing found", actor=actor, now=NOW)
    assert refused("case.closed", add_note, db, case, "Late thought", actor=actor, now=NOW) == {"number": case.number}


def test_attached_files(db, employer, inspector, actor) -> None:
    case = opened(db, employer, inspector, actor)
    refused("case.file_empty", attach_file, db, case, "scan.pdf", b"", actor=actor, now=NOW)
    refused("case.file_too_large", attach_file, db, case, "scan.pdf", PDF + b"x" * MAX_ATTACHMENT, actor=actor,
            now=NOW)
    png = b"\x89PNG\r\n\x1a\n" + b"x" * 20
    for name, content in (("scan.pdf", png), ("photo.png", PDF), ("run.exe", b"MZ" + b"x" * 20),
                          ("scan", PDF), ("notes.txt", b"plain text")):
        refused("case.file_type", attach_file, db, case, name, content, actor=actor, now=NOW)
    assert case.status == "open" and trail(db, case)[0] == ["opened"]
    # Paths and control characters are dropped from the name; the extension is told in any case.
    kept = attach_file(db, case, "C:\\Users\\visit/../findings\r\n\x00 March.PDF", PDF, actor=actor, now=NOW)
    assert (kept.filename, kept.content_type, kept.size, kept.content) == ("findings March.PDF", "application/pdf",
                                                                          len(PDF), PDF)
    assert len(kept.sha256) == 64 and case.status == "in_progress"
    # C1 controls and bidirectional overrides (which would show the name reversed) go too.
    photo = attach_file(db, case, "../../etc/pho\x85to\u202egpj.jpeg", b"\xff\xd8\xff\xe0" + b"x" * 20, actor=actor,
                        now=NOW)
    assert (photo.filename, photo.content_type) == ("photogpj.jpeg", "image/jpeg")
    sheet = attach_file(db, case, "payroll.xlsx", b"PK\x03\x04" + b"x" * 20, actor=actor, now=NOW)
    assert sheet.content_type.endswith("spreadsheetml.sheet")
    events = events_of(db, case.id)
    assert [(e.kind, e.attachment_id) for e in events[1:]] == [("attachment", kept.id), ("attachment", photo.id),
                                                                ("attachment", sheet.id)]
    assert attachment_of(db, case, kept.id) is kept
    other = opened(db, tajik(db, "2025-12-01"), inspector, actor)
    with pytest.raises(NotFound):
        attachment_of(db, other, kept.id)


def test_reassigning(db, employer, inspector, actor) -> None:
    supervisor = factories.user(db, Role.SUPERVISOR)
    boss = Actor(user_id=supervisor.id, label=supervisor.email)
    colleague = factories.user(db, Role.INSPECTOR)
    case = opened(db, employer, inspector, actor)
    refused("case.assignee_invalid", reassign, db, case, factories.user(db, Role.SYSADMIN).id, actor=boss, now=NOW)
    reassign(db, case, colleague.id, actor=boss, now=NOW)
    assert (case.assigned_to_id, case.assigned_to.email) == (colleague.id, colleague.email)
    reassign(db, case, colleague.id, actor=boss, now=NOW)  # to whom it is assigned already: nothing happens
    assert trail(db, case) == (["opened", "reassigned"], ["case.opened", "case.reassigned"])
    assert events_of(db, case.id)[1].body == f"{inspector.email} -> {colleague.email}"
    assert events_of(db, case.id)[1].created_by == supervisor.email
    close_case(db, case, "no_breach", "Nothing found", actor=boss, now=NOW)
    assert refused("case.closed", reassign, db, case, inspector.id, actor=boss, now=NOW) == {"number": case.number}


def test_an_assessment_files_a_corrective_declaration(db, employer, inspector, actor) -> None:
    case = opened(db, employer, inspector, actor)
    before = ledger_total(db, employer)
    declared, undeclared = numbers(db, employer)
    refused("case.assessment_no_lines", record_assessment, db, case, FEBRUARY, [], note="x", actor=actor, now=NOW,
            link=LINK)
    refused("case.text_required", record_assessment, db, case, FEBRUARY, [AssessedLine(declared, "3000.00")],
            note=" ", actor=actor, now=NOW, link=LINK)
    # Found: the declared worker earns 3,000.00, and the second worker, on the register, 1,500.00.
    result = record_assessment(db, case, FEBRUARY, [AssessedLine(declared, "3000.00"),
                                                     AssessedLine(f" {undeclared} ", "1500.00")],
                               note="Payroll seen on site", actor=actor, now=NOW, link=LINK)
    # 22 % of 4,500.00 is 990.00, of which 440.00 was declared.
    assert (result.period, result.charged) == ("2026-02", D("550.00"))
    assert ledger_total(db, employer) - before == D("550.00")
    filed = db.get(Declaration, result.declaration_id)
    assert (filed.kind, filed.version, filed.status, filed.line_count, filed.total_gross, filed.total) == (
        "corrective", 2, "submitted", 2, D("4500.00"), D("990.00"))
    assert draft_of(db, employer.id, FEBRUARY) is None and case.status == "in_progress"
    event = events_of(db, case.id)[-1]
    assert (event.kind, event.declaration_id) == ("assessment", filed.id)
    assert "550.00" in event.body and "Payroll seen on site" in event.body
    # The employer is told once, by e-mail (and SMS), with what was added and the payment reference.
    notices = db.scalars(select(Notice).where(Notice.employer_id == employer.id)).all()
    assert [(n.kind, n.period) for n in notices] == [("inspection_assessment", "2026-02")]
    assert result.notice is notices[0]
    assert notices[0].params["amount"] == "550.00" and notices[0].params["case"] == case.number
    assert notices[0].params["reference"] == filed.payment_reference
    emails = db.scalars(select(OutboxMessage).where(OutboxMessage.notice_id == notices[0].id,
                                                    OutboxMessage.channel == "email")).all()
    assert [(m.recipient, m.kind, m.status) for m in emails] == [(employer.email, "notice.inspection_assessment",
                                                                  "pending")]
    assert trail(db, case) == (["opened", "assessment"], ["case.opened", "case.assessment"])


def test_an_assessment_replaces_the_estimate_of_a_missing_month(db, inspector, actor) -> None:
    employer = tajik(db, "2025-12-01", "2000.00")
    file(db, employer, "2025-12", "2026-01-10")
    # January was never declared: estimated at December's 440.00 plus 25 %.
    assess_non_filers(db, "TJ-SOCTAX", as_of=dt.date(2026, 3, 19), actor=factories.ACTOR, now=at("2026-03-19"))
    before = ledger_total(db, employer)
    case = opened(db, employer, inspector, actor, reason="non_filer")
    (number,) = numbers(db, employer)
    result = record_assessment(db, case, Period(2026, 1), [AssessedLine(number, "3000.00")], note="Visited",
                               actor=actor, now=NOW, link=LINK)
    filed = db.get(Declaration, result.declaration_id)
    assert (filed.kind, filed.is_late, filed.total) == ("original", True, D("660.00"))
    estimate = db.scalars(select(Assessment).where(Assessment.employer_id == employer.id)).one()
    assert (estimate.period, estimate.status, estimate.replaced_by_declaration_id) == ("2026-01", "replaced",
                                                                                       filed.id)
    # The inspection declares 660.00 and the 550.00 estimate is withdrawn: the month owes 110.00 more.
    assert result.charged == D("660.00") and ledger_total(db, employer) - before == D("110.00")


def test_an_unknown_worker_leaves_nothing_behind(db, employer, inspector, actor) -> None:
    case = opened(db, employer, inspector, actor)
    before = ledger_total(db, employer)
    declared, _undeclared = numbers(db, employer)
    with pytest.raises(LinesInvalid) as raised:
        with db.begin_nested():  # as the portal's request wrapper does
            record_assessment(db, case, FEBRUARY, [AssessedLine("TJ-000000000", "1000.00"),
                                                   AssessedLine(declared, "3000.00")],
                              note="Payroll seen on site", actor=actor, now=NOW, link=LINK)
    assert [(line.row, [problem[:2] for problem in line.problems]) for line in raised.value.lines] == [
        (1, [("social_security_number", "declaration.ssn_unknown")]), (2, [])]
    assert draft_of(db, employer.id, FEBRUARY) is None
    assert ledger_total(db, employer) == before
    assert db.scalar(select(func.count()).select_from(Notice).where(Notice.employer_id == employer.id)) == 0
    assert trail(db, case)[0] == ["opened"]


def test_a_wrong_line_is_named_and_nothing_is_kept(db, employer, inspector, actor) -> None:
    case = opened(db, employer, inspector, actor)
    declared, undeclared = numbers(db, employer)
    for lines, expected in (
            ([AssessedLine(declared, "3000.00"), AssessedLine(undeclared, "lots")], (2, "gross_wage")),
            ([AssessedLine(undeclared, "-5")], (1, "gross_wage")),
            ([AssessedLine(declared, "3000.00"), AssessedLine(declared, "3500.00")], (2, "social_security_number"))):
        with pytest.raises(LinesInvalid) as raised:
            with db.begin_nested():
                record_assessment(db, case, FEBRUARY, lines, note="Seen", actor=actor, now=NOW, link=LINK)
        assert [(line.row, problem[0]) for line in raised.value.lines for problem in line.problems] == [expected]
        assert draft_of(db, employer.id, FEBRUARY) is None


def test_refused_while_the_employer_has_a_draft(db, employer, inspector, actor) -> None:
    case = opened(db, employer, inspector, actor)
    draft = open_draft(db, employer, FEBRUARY, actor=factories.ACTOR, now=NOW)
    declared, _undeclared = numbers(db, employer)
    assert refused("case.employer_draft_open", record_assessment, db, case, FEBRUARY,
                   [AssessedLine(declared, "3000.00")], note="Seen", actor=actor, now=NOW, link=LINK) == \
        {"period": "2026-02"}
    assert draft_of(db, employer.id, FEBRUARY).id == draft.id


def test_closing(db, employer, inspector, actor) -> None:
    case = opened(db, employer, inspector, actor)
    refused("case.outcome_invalid", close_case, db, case, "forgiven", "Done", actor=actor, now=NOW)
    refused("case.text_required", close_case, db, case, "warning", "", actor=actor, now=NOW)
    refused("case.no_assessment", close_case, db, case, "assessed", "Assessed", actor=actor, now=NOW)
    assert case.status == "open"
    declared, _undeclared = numbers(db, employer)
    record_assessment(db, case, FEBRUARY, [AssessedLine(declared, "2500.00")], note="Seen", actor=actor, now=NOW,
                      link=LINK)
    close_case(db, case, "assessed", " 110.00 assessed ", actor=actor, now=NOW)
    assert (case.status, case.outcome, case.outcome_note, case.closed_at is not None) == (
        "closed", "assessed", "110.00 assessed", True)
    assert refused("case.closed", close_case, db, case, "warning", "Again", actor=actor, now=NOW) == \
        {"number": case.number}
    assert trail(db, case) == (["opened", "assessment", "closed"],
                               ["case.opened", "case.assessment", "case.closed"])
    assert events_of(db, case.id)[-1].body == "assessed: 110.00 assessed"


def test_every_step_is_a_case_event_and_an_audit_record(db, employer, inspector, actor) -> None:
    colleague = factories.user(db, Role.INSPECTOR)
    case = opened(db, employer, inspector, actor)
    add_note(db, case, "Called", actor=actor, now=NOW)
    add_note(db, case, "Visited", kind="visit", actor=actor, now=NOW)
    attach_file(db, case, "scan.pdf", PDF, actor=actor, now=NOW)
    reassign(db, case, colleague.id, actor=actor, now=NOW)
    declared, _undeclared = numbers(db, employer)
    record_assessment(db, case, FEBRUARY, [AssessedLine(declared, "2500.00")], note="Seen", actor=actor, now=NOW,
                      link=LINK)
    close_case(db, case, "assessed", "Done", actor=actor, now=NOW)
    kinds = ["opened", "note", "visit", "attachment", "reassigned", "assessment", "closed"]
    assert trail(db, case) == (kinds, [f"case.{kind}" for kind in kinds])
    audits = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "inspection_case",
                                                 AuditEvent.object_id == str(case.id))).all()
    assert {(a.actor_user_id, a.actor_label) for a in audits} == {(inspector.id, inspector.email)}
    assert all(a.summary.startswith(f"{case.number} {employer.employer_number}: ") for a in audits)


def test_a_month_never_declared_is_assessed_with_the_workers_named_only(db, inspector, actor) -> None:
    """The draft of a month never filed is pre-filled from the register: only what the inspection found is
    declared, not every worker on the register at the agreed wage."""
    employer = tajik(db, "2025-12-01", "2000.00", "2000.00")
    case = opened(db, employer, inspector, actor, reason="non_filer")
    first, _second = numbers(db, employer)
    result = record_assessment(db, case, Period(2026, 1), [AssessedLine(first, "3000.00")], note="Payroll seen",
                               actor=actor, now=NOW, link=LINK)
    filed = db.get(Declaration, result.declaration_id)
    assert (filed.line_count, filed.total_gross, filed.total) == (1, D("3000.00"), D("660.00"))
    assert result.charged == D("660.00")


def test_an_assessment_that_adds_nothing_is_refused(db, employer, inspector, actor) -> None:
    case = opened(db, employer, inspector, actor)
    declared, _undeclared = numbers(db, employer)
    savepoint = db.begin_nested()  # as the portal runs a use case: what it wrote goes with the refusal
    refused("case.assessment_adds_nothing", record_assessment, db, case, FEBRUARY,
            [AssessedLine(declared, "1500.00")], note="Lower than declared", actor=actor, now=NOW, link=LINK)
    savepoint.rollback()
    assert db.scalar(select(func.count()).select_from(Declaration).where(
        Declaration.employer_id == employer.id, Declaration.period == "2026-02")) == 1


def test_a_case_goes_only_to_someone_who_works_on_the_employer(db, employer, inspector, actor) -> None:
    from inspections.areas import set_provinces

    elsewhere = factories.user(db, Role.INSPECTOR)
    province = "TJ-SU" if not (employer.region_code or "").startswith("TJ-SU") else "TJ-DU"
    set_provinces(db, elsewhere, [province], actor=factories.ACTOR, now=NOW)
    refused("case.assignee_outside_area", opened, db, employer, inspector, actor, assignee_id=elsewhere.id)
    case = opened(db, employer, inspector, actor)
    refused("case.assignee_outside_area", reassign, db, case, elsewhere.id, actor=actor, now=NOW)


def test_a_report_the_inspection_did_not_bear_out_no_longer_counts(db, employer, inspector, actor) -> None:
    (number, _other) = numbers(db, employer)
    person_id = db.scalar(select(Person.id).where(Person.social_security_number == number))
    report = WorkerReport(employer_id=employer.id, person_id=person_id, period="2026-02", kind="wrong_wage",
                          claimed_wage=D("2500.00"), status="open", note="", created_at=at("2026-04-01"))
    db.add(report)
    db.flush()
    case = opened(db, employer, inspector, actor, reason="worker_report", report_ids=[report.id])
    assert f"worker reports {report.id}" in events_of(db, case.id)[0].body
    close_case(db, case, "no_breach", "Payslips match the declaration", actor=actor, now=NOW)
    db.expire_all()
    assert report.status == "dismissed"
