"""Inspection cases through the pages, with CSRF on: opening a case from the employer's 360, notes, visit
findings, files, an assessment filed as a corrective declaration, reassignment and closing; the 360 page; and
what employers and inspectors of other provinces may not see."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import func, select

from common.audit import AuditEvent
from common.period import Period
from contributions.declarations import Declaration
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.ledger import LedgerEntry
from employers.accounts import Role
from employers.registration import local_today
from inspections.areas import set_provinces
from inspections.cases import CaseAttachment, CaseEvent, InspectionCase, add_note, open_case
from inspections.reports import WorkerReport
from inspections.risk import RiskScore, compute_risk
from inspections.scoring import FACTORS
from notifications.notices import Notice
from tests import factories
from tests.factories import ACTOR, NOW
from tests.functional.conftest import TOKEN, csrf_client

EN = {"Accept-Language": "en"}
NOTE = "Night shift workers seen on site, not on the register"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _file(db, employer, period: Period) -> Declaration:
    when = dt.datetime.combine(period.next().first_day + dt.timedelta(days=4), dt.time(5), tzinfo=dt.UTC)
    draft = open_draft(db, employer, period, actor=ACTOR, now=when)
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=when).declaration


@pytest.fixture
def world(db):
    """A Lao employer in Vientiane with two workers at 3,500,000 LAK, January to September 2026 declared but
    May (October is not declared either); a worker's report about August; its risk score; an inspector, a
    supervisor and its administrator and clerk."""
    employer = factories.employer_since(db, dt.date(2025, 12, 1))
    jobs = [factories.hire(db, employer, hired_on="2025-12-01") for _ in range(2)]
    for month in (1, 2, 3, 4, 6, 7, 8, 9):
        _file(db, employer, Period(2026, month))
    report = WorkerReport(employer_id=employer.id, person_id=jobs[0].person_id, period="2026-08", kind="wrong_wage",
                          claimed_wage=Decimal(5_000_000), note="Paid 5,000,000 in cash", status="open",
                          created_at=NOW)
    db.add(report)
    db.flush()
    compute_risk(db, "LA-LSSO", as_of=NOW.date(), actor=ACTOR, now=NOW)
    people = {"inspector": factories.user(db, Role.INSPECTOR), "supervisor": factories.user(db, Role.SUPERVISOR),
              "admin": factories.user(db, Role.EMPLOYER_ADMIN, employer_id=employer.id),
              "clerk": factories.user(db, Role.EMPLOYER_CLERK, employer_id=employer.id)}
    db.commit()
    return {"employer": employer, "jobs": jobs, "report": report, "people": people}


def _client(app_config, session_factory, user):
    client = csrf_client(app_config, session_factory, user)
    client.token = TOKEN.search(client.get("/inspector").get_data(as_text=True)
                                if user.role in ("inspector", "supervisor")
                                else client.get("/employer").get_data(as_text=True)).group(1)
    return client


def _post(client, path: str, prefix: str, data: dict, **kwargs):
    """Post one of the case page's forms (its fields carry the form's prefix)."""
    fields = {f"{prefix}-{name}": value for name, value in data.items()}
    return client.post(path, data={**fields, f"{prefix}-csrf_token": client.token}, headers=EN, **kwargs)


def _open(client, world) -> InspectionCase:
    employer = world["employer"]
    page = client.get(f"/inspections/employers/{employer.id}/cases/new", headers=EN)
    assert page.status_code == 200
    due = re.search(r'name="due_on"[^>]* value="([0-9-]+)"', page.get_data(as_text=True)).group(1)
    response = client.post(f"/inspections/employers/{employer.id}/cases/new", headers=EN, data={
        "csrf_token": client.token, "reason": "worker_report", "note": "Report of cash wages",
        "assignee": world["people"]["inspector"].id, "due_on": due, "reports": [world["report"].id]})
    assert response.status_code == 302
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert response.headers["Location"].endswith(f"/inspections/cases/{case_id}")
    return case_id


def _case(db, case_id: int) -> InspectionCase:
    return db.scalars(select(InspectionCase).where(InspectionCase.id == case_id)
                      .execution_options(populate_existing=True)).one()


def _kinds(db, case_id: int) -> list[str]:
    return list(db.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)))


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def inspector(app_config, session_factory, world):
    return _client(app_config, session_factory, world["people"]["inspector"])


def test_a_case_is_opened_worked_and_files_come_back_identical(db, inspector, world) -> None:
    case_id = _open(inspector, world)
    case = _case(db, case_id)
    assert case.status == "open" and case.reason == "worker_report"
    assert case.risk_score == db.get(RiskScore, world["employer"].id).score
    today = local_today(world["employer"].scheme, dt.datetime.now(dt.UTC))
    assert case.due_on == today + dt.timedelta(days=30) and case.assigned_to_id == world["people"]["inspector"].id
    assert _kinds(db, case_id) == ["opened"]
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "inspection_case",
                                                     AuditEvent.object_id == str(case_id))) == "case.opened"
    db.refresh(world["report"])
    assert world["report"].status == "in_case" and world["report"].case_id == case_id
    second = inspector.post(f"/inspections/employers/{world['employer'].id}/cases/new", headers=EN, data={
        "csrf_token": inspector.token, "reason": "other", "assignee": world["people"]["inspector"].id,
        "due_on": case.due_on.isoformat()})
    assert second.status_code == 422
    assert f"This employer already has an open case ({case.number})" in second.get_data(as_text=True)

    base = f"/inspections/cases/{case_id}"
    assert _post(inspector, f"{base}/notes", "note", {"kind": "note", "body": NOTE}).status_code == 302
    assert _case(db, case_id).status == "in_progress"
    assert _post(inspector, f"{base}/notes", "note", {"kind": "visit", "body": "Visited on 20 November"}
                 ).status_code == 302
    response = _post(inspector, f"{base}/files", "attach", {"file": (BytesIO(PDF), "visit report.pdf")},
                     content_type="multipart/form-data")
    assert response.status_code == 302
    assert _kinds(db, case_id) == ["opened", "note", "visit", "attachment"]
    attachment = db.scalar(select(CaseAttachment).where(CaseAttachment.case_id == case_id))
    download = inspector.get(f"{base}/files/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "visit report.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    page = _text(inspector.get(base, headers=EN).get_data(as_text=True))
    assert NOTE in page and "Visit finding Visited on 20 November" in page and "visit report.pdf" in page
    assert inspector.get(f"{base}/files/{attachment.id + 1000}").status_code == 404


def test_files_of_the_wrong_kind_or_too_large_are_refused(db, inspector, world) -> None:
    base = f"/inspections/cases/{_open(inspector, world)}"
    disguised = _post(inspector, f"{base}/files", "attach", {"file": (BytesIO(PNG), "scan.pdf")},
                      content_type="multipart/form-data")
    assert disguised.status_code == 422
    assert "its content does not match its name" in disguised.get_data(as_text=True)
    large = _post(inspector, f"{base}/files", "attach",
                  {"file": (BytesIO(b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024)), "big.pdf")},
                  content_type="multipart/form-data")
    assert large.status_code == 422 and "The file is larger than 5 MB." in large.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(CaseAttachment)) == 0


def _ledger(db, employer_id: int) -> Decimal:
    return Decimal(db.scalar(select(func.coalesce(func.sum(LedgerEntry.debit - LedgerEntry.credit), 0))
                             .where(LedgerEntry.employer_id == employer_id)))


def _versions(db, employer_id: int, period: str) -> list[Declaration]:
    return list(db.scalars(select(Declaration).where(Declaration.employer_id == employer_id,
                                                     Declaration.period == period)
                           .order_by(Declaration.id).execution_options(populate_existing=True)))


def _assessment(number: str, wage: str, *, period: str = "2026-08") -> dict:
    return {"period": period, "rows-0-social_security_number": number, "rows-0-gross_wage": wage,
            "rows-1-social_security_number": "", "rows-1-gross_wage": "", "note": "Cash wages found on visit"}


def test_an_assessment_files_a_corrective_declaration_and_notifies(db, inspector, world) -> None:
    employer, worker = world["employer"], world["jobs"][0].person
    base = f"/inspections/cases/{_open(inspector, world)}"
    before = _ledger(db, employer.id)
    refused = _post(inspector, f"{base}/close", "close", {"outcome": "assessed", "note": "Assessed"})
    assert refused.status_code == 422
    assert "Record an assessment in the case before closing it as assessed." in refused.get_data(as_text=True)

    response = _post(inspector, f"{base}/assessments", "assess", _assessment(worker.social_security_number, "5000000"))
    assert response.status_code == 302
    versions = _versions(db, employer.id, "2026-08")
    assert [(v.version, v.kind, v.status) for v in versions] == [(1, "original", "submitted"),
                                                                  (2, "corrective", "submitted")]
    assert versions[1].total_gross == Decimal(8_500_000)
    charged = Decimal(db.scalar(select(func.sum(LedgerEntry.debit - LedgerEntry.credit))
                                .where(LedgerEntry.declaration_id == versions[1].id)))
    assert charged > 0 and _ledger(db, employer.id) == before + charged
    notice = db.scalar(select(Notice).where(Notice.employer_id == employer.id, Notice.kind == "inspection_assessment"))
    assert notice is not None and notice.period == "2026-08"
    assert "assessment" in _kinds(db, int(base.rsplit("/", 1)[1]))

    assert _post(inspector, f"{base}/close", "close", {"outcome": "assessed", "note": "Assessed"}).status_code == 302
    assert _case(db, int(base.rsplit("/", 1)[1])).status == "closed"
    db.refresh(world["report"])
    assert world["report"].status == "resolved"
    closed = _post(inspector, f"{base}/notes", "note", {"kind": "note", "body": "Too late"})
    assert closed.status_code == 422 and "is closed and can no longer be changed" in closed.get_data(as_text=True)
    assert 'id="note"' not in inspector.get(base).get_data(as_text=True)  # a closed case shows no forms


def test_an_assessment_with_an_unknown_worker_writes_nothing(db, inspector, world) -> None:
    employer = world["employer"]
    base = f"/inspections/cases/{_open(inspector, world)}"
    before = _ledger(db, employer.id)
    response = _post(inspector, f"{base}/assessments", "assess", _assessment("99999999999", "5000000"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    problems = _text(re.search(r"<h2>Problems</h2>(.*?)</section>", page, re.S).group(1))
    assert problems.startswith("Row Column Problem 1 Social security number")
    assert 'value="99999999999"' in page  # the rows come back as typed
    assert [v.version for v in _versions(db, employer.id, "2026-08")] == [1]
    assert _ledger(db, employer.id) == before
    assert _kinds(db, int(base.rsplit("/", 1)[1])) == ["opened"]


def test_only_a_supervisor_reassigns(db, app_config, session_factory, inspector, world) -> None:
    case_id = _open(inspector, world)
    base = f"/inspections/cases/{case_id}"
    supervisor = world["people"]["supervisor"]
    assert 'id="reassign"' not in inspector.get(base).get_data(as_text=True)
    assert _post(inspector, f"{base}/assignee", "reassign", {"assignee": supervisor.id}).status_code == 403
    boss = _client(app_config, session_factory, supervisor)
    assert 'id="reassign"' in boss.get(base).get_data(as_text=True)
    assert _post(boss, f"{base}/assignee", "reassign", {"assignee": supervisor.id}).status_code == 302
    assert _case(db, case_id).assigned_to_id == supervisor.id
    assert _kinds(db, case_id) == ["opened", "reassigned"]


def test_the_360_shows_every_section_and_the_score_explained(db, inspector, world) -> None:
    employer = world["employer"]
    response = inspector.get(f"/inspections/employers/{employer.id}", headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == ["Profile", "Risk score", "Workers", "Declarations", "Account and arrears", "Payments",
                        "Notices", "Inspection cases", "Worker reports", "Audit trail"]
    risk = db.get(RiskScore, employer.id)
    assert [part["factor"] for part in risk.factors] == [*FACTORS, "sector"]
    for part in risk.factors:
        row = _text(re.search(rf'<tr id="factor-{part["factor"]}">(.*?)</tr>', page, re.S).group(1))
        assert part["points"] in row and part["weight"] in row
    # May and October (due on 15 November) were not filed.
    assert "2 months" in _text(re.search(r'<tr id="factor-months_not_filed">(.*?)</tr>', page, re.S).group(1))
    assert Decimal(next(p for p in risk.factors if p["factor"] == "months_not_filed")["points"]) > 0
    assert "Open a case" in page and "Paid 5,000,000 in cash" in page
    assert world["jobs"][0].person.social_security_number in page
    assert page.count("August 2026") >= 2  # a declaration and an account period


def test_my_cases_lists_open_cases_by_due_date_and_flags_the_overdue(db, app_config, session_factory, inspector,
                                                                     world) -> None:
    case_id = _open(inspector, world)
    mine = _text(inspector.get("/inspections/cases", headers=EN).get_data(as_text=True))
    assert f"C-{case_id:06d}" in mine and "Overdue" not in mine
    db.execute(InspectionCase.__table__.update().where(InspectionCase.id == case_id)
               .values(due_on=dt.date(2026, 1, 5)))
    db.commit()
    assert "Overdue" in inspector.get("/inspections/cases", headers=EN).get_data(as_text=True)
    boss = _client(app_config, session_factory, world["people"]["supervisor"])
    assert f"C-{case_id:06d}" not in boss.get("/inspections/cases").get_data(as_text=True)
    assert f"C-{case_id:06d}" in boss.get("/inspections/cases?all=1").get_data(as_text=True)


def test_an_inspector_of_another_province_sees_nothing(db, app_config, session_factory, inspector, world) -> None:
    case_id = _open(inspector, world)
    attachment = _post(inspector, f"/inspections/cases/{case_id}/files", "attach",
                       {"file": (BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    assert attachment.status_code == 302
    file_id = db.scalar(select(CaseAttachment.id).where(CaseAttachment.case_id == case_id))
    elsewhere = factories.user(db, Role.INSPECTOR)
    set_provinces(db, elsewhere, ["LA-AT"], actor=ACTOR, now=NOW)
    db.commit()
    other = _client(app_config, session_factory, elsewhere)
    employer_id = world["employer"].id
    for path in (f"/inspections/employers/{employer_id}", f"/inspections/employers/{employer_id}/cases/new",
                 f"/inspections/cases/{case_id}", f"/inspections/cases/{case_id}/files/{file_id}"):
        assert other.get(path).status_code == 404, path
    assert _post(other, f"/inspections/cases/{case_id}/notes", "note", {"kind": "note", "body": "x"}).status_code == 404
    assert f"C-{case_id:06d}" not in other.get("/inspections/cases?all=1").get_data(as_text=True)
    # The same inspector limited to the employer's province sees it.
    set_provinces(db, elsewhere, ["LA-VT"], actor=ACTOR, now=NOW)
    db.commit()
    assert other.get(f"/inspections/cases/{case_id}").status_code == 200
    assert f"C-{case_id:06d}" in other.get("/inspections/cases?all=1").get_data(as_text=True)


def test_employers_never_see_scores_cases_or_reports(db, app_config, session_factory, world) -> None:
    employer, inspector = world["employer"], world["people"]["inspector"]
    case = open_case(db, employer, reason="risk", note="Opened on the score", assignee_id=inspector.id,
                     due_on=NOW.date() + dt.timedelta(days=30), actor=ACTOR, now=NOW,
                     risk_score=db.get(RiskScore, employer.id).score)
    add_note(db, case, NOTE, actor=ACTOR, now=NOW)
    db.commit()
    for who in ("admin", "clerk"):
        client = _client(app_config, session_factory, world["people"][who])
        for path in (f"/inspections/employers/{employer.id}", f"/inspections/employers/{employer.id}/cases/new",
                     f"/inspections/cases/{case.id}", "/inspections/cases"):
            assert client.get(path).status_code == 403, path
        for path in ("/employer", "/employer/account/", "/employer/declarations/", "/employer/notices",
                     "/employer/profile", "/employer/workers"):
            response = client.get(path, headers=EN)
            assert response.status_code == 200, path
            page = response.get_data(as_text=True)
            for secret in (NOTE, "Opened on the score", case.number, "Risk score", "risk", "Paid 5,000,000 in cash",
                           "Worker report"):
                assert secret not in page, (path, secret)
