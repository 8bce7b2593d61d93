from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from common.errors import DomainError
from common.period import Period
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.payment_actions import record_counter_receipt
from employers.imports import COLUMNS, ImportBatch
from employers.persons import Employment, Person
from employers.workers import end_employment, register_hire
from inspections.reports import WorkerReport
from portal.messages import message_for
from tests import factories
from tests.factories import ACTOR, NOW, employment_values, person_values
from tests.functional.conftest import TOKEN, csrf_client, log_in


def _hire_form(**fields) -> dict[str, str]:
    data = {k: str(v) for k, v in person_values().items()} | {k: str(v) for k, v in employment_values().items()}
    data.update(fields)
    return data


@pytest.fixture
def admin_client(app, users):
    client = app.test_client()
    log_in(client, users["employer_admin"].email)
    return client


def test_register_a_worker_through_the_form(admin_client, users, db) -> None:
    response = admin_client.post("/employer/workers/new", data=_hire_form(document_number="LA-7654-3210"))
    assert response.status_code == 302
    job = db.scalars(select(Employment).where(Employment.employer_id == users["employer_admin"].employer_id)).one()
    assert job.person.document_number == "LA76543210"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert job.person.social_security_number in page
    listing = admin_client.get("/employer/workers").get_data(as_text=True)
    assert job.person.social_security_number in listing


def test_bad_worker_form_shows_errors_and_writes_nothing(admin_client, db) -> None:
    before = db.scalar(select(func.count()).select_from(Person))
    response = admin_client.post("/employer/workers/new", data=_hire_form(birth_date="2040-01-01", monthly_wage="x"),
                                 headers={"Accept-Language": "lo"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="birth_date-errors"' in page and 'id="monthly_wage-errors"' in page
    assert db.scalar(select(func.count()).select_from(Person)) == before


def test_another_employers_worker_is_unreachable_by_any_route(admin_client, db) -> None:
    other = factories.employer(db)
    job = register_hire(db, other, person=person_values(), employment=employment_values(), actor=ACTOR,
                        now=NOW).employment
    db.commit()
    assert admin_client.get(f"/employer/workers/{job.id}").status_code == 404
    assert admin_client.post(f"/employer/workers/{job.id}/end",
                             data={"ended_on": "2026-12-31", "end_reason": "resignation"}).status_code == 404
    assert admin_client.post(f"/employer/workers/{job.id}/correct",
                             data={"hired_on": "2026-11-21"}).status_code == 404
    ssn = job.person.social_security_number
    assert f">{ssn}</a>" not in admin_client.get(f"/employer/workers?show=all&q={ssn}").get_data(as_text=True)
    assert job.person.social_security_number not in admin_client.get("/employer/workers/export.csv").get_data(
        as_text=True)
    db.refresh(job)
    assert job.ended_on is None and str(job.hired_on) == "2026-11-20"


def test_another_employers_upload_cannot_be_imported(admin_client, db) -> None:
    other = factories.employer(db)
    batch = ImportBatch(employer_id=other.id, filename="x.csv", sha256="0" * 64, content=b"", status="validated",
                        uploaded_by="x", created_at=NOW)
    db.add(batch)
    db.commit()
    assert admin_client.post(f"/employer/workers/import/{batch.id}/import").status_code == 404


def test_end_and_correct_an_employment(admin_client, db, users) -> None:
    employer = users["employer_admin"].employer
    job = register_hire(db, employer, person=person_values(), employment=employment_values(), actor=ACTOR,
                        now=NOW).employment
    db.commit()
    bad = admin_client.post(f"/employer/workers/{job.id}/end", data={"ended_on": "2026-01-01",
                                                                    "end_reason": "resignation"})
    assert bad.status_code == 422 and 'id="ended_on-errors"' in bad.get_data(as_text=True)
    assert admin_client.post(f"/employer/workers/{job.id}/end",
                             data={"ended_on": "2026-12-31", "end_reason": "resignation"}).status_code == 302
    db.refresh(job)
    assert str(job.ended_on) == "2026-12-31"


def _template_csv(client) -> list[list[str]]:
    content = client.get("/employer/workers/template.csv", headers={"Accept-Language": "lo"}).get_data()
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_template_in_the_users_language_round_trips_through_the_upload(admin_client, db, users) -> None:
    header, example = _template_csv(admin_client)
    assert header[COLUMNS.index("document_number")] != "document_number"  # translated titles
    rows = [header, example]
    for n in range(3):
        row = list(example)
        row[COLUMNS.index("document_number")] = f"UP{n:06d}"
        row[COLUMNS.index("family_name_latin")] = f"Phommavong{n}"
        row[COLUMNS.index("hired_on")] = "2026-11-25"
        rows.append(row)
    rows[1][COLUMNS.index("monthly_wage")] = "lots"  # one bad row
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode("utf-8")
    response = admin_client.post("/employer/workers/import", data={"file": (io.BytesIO(data), "workers.csv")},
                                 content_type="multipart/form-data", headers={"Accept-Language": "lo"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # Only the bad row is reported, by its row number in the file and the column's title.
    assert re.findall(r"<tr><td>(\d+)</td>", page) == ["2"]
    batch_id = int(re.search(r"/employer/workers/import/(\d+)/import", page).group(1))
    assert admin_client.post(f"/employer/workers/import/{batch_id}/import").status_code == 302
    employer_id = users["employer_admin"].employer_id
    assert db.scalar(select(func.count()).select_from(Employment).where(Employment.employer_id == employer_id)) == 3
    # The same file again: nothing new.
    response = admin_client.post("/employer/workers/import", data={"file": (io.BytesIO(data), "workers.csv")},
                                 content_type="multipart/form-data")
    batch_id = int(re.search(r"/employer/workers/import/(\d+)/import", response.get_data(as_text=True)).group(1))
    admin_client.post(f"/employer/workers/import/{batch_id}/import")
    assert db.scalar(select(func.count()).select_from(Employment).where(Employment.employer_id == employer_id)) == 3
    # A decided upload cannot be imported again.
    admin_client.post(f"/employer/workers/import/{batch_id}/import")
    assert db.scalar(select(func.count()).select_from(Employment).where(Employment.employer_id == employer_id)) == 3


def test_unreadable_upload_is_refused_with_a_translated_reason(admin_client) -> None:
    response = admin_client.post("/employer/workers/import",
                                 data={"file": (io.BytesIO(b"PK\x03\x04broken"), "workers.xlsx")},
                                 content_type="multipart/form-data", headers={"Accept-Language": "ru"})
    assert response.status_code == 422
    from notifications.i18n import translations_for

    assert translations_for("ru").gettext(
        "The file cannot be read. Use the template, saved as CSV UTF-8 or .xlsx.") in response.get_data(as_text=True)


def test_exports_neutralise_formulas(admin_client, db, users) -> None:
    employer = users["employer_admin"].employer
    register_hire(db, employer, person=person_values(given_name="=HYPERLINK(\"http://evil\")"),
                  employment=employment_values(job_title="+cmd"), actor=ACTOR, now=NOW)
    db.commit()
    text = admin_client.get("/employer/workers/export.csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+cmd" in text
    workbook = load_workbook(io.BytesIO(admin_client.get("/employer/workers/export.xlsx").get_data()))
    values = [cell.value for row in workbook.active.iter_rows() for cell in row]
    assert "'=HYPERLINK(\"http://evil\")" in values and not any(str(v).startswith("=") for v in values if v)


# --- The worker's own pages ("My contributions") ------------------------------------------------------------

EN = {"Accept-Language": "en"}


def _declare(db, employer, period: Period):
    when = dt.datetime.combine(period.next().first_day + dt.timedelta(days=4), dt.time(5), tzinfo=dt.UTC)
    draft = open_draft(db, employer, period, actor=ACTOR, now=when)
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=when).declaration


@pytest.fixture
def insured(db):
    """A Lao worker hired on 1 June 2026 at 3,500,000 LAK who left on 31 August: June declared and paid, July
    declared and not paid, August not declared.  Another employer, with another worker, declared July too."""
    employer = factories.employer_since(db, dt.date(2026, 6, 1))
    job = factories.hire(db, employer, hired_on="2026-06-01")
    june = _declare(db, employer, Period(2026, 6))
    _declare(db, employer, Period(2026, 7))
    record_counter_receipt(db, employer, amount=june.total, value_date=dt.date(2026, 7, 5), channel="cash",
                           payer_name="", reference="", declaration_id=june.id, actor=ACTOR, now=NOW)
    end_employment(db, employer, job.id, ended_on="2026-08-31", reason="resignation", actor=ACTOR, now=NOW)
    other = factories.employer_since(db, dt.date(2026, 6, 1))
    factories.hire(db, other, hired_on="2026-06-01")
    _declare(db, other, Period(2026, 7))
    worker = factories.user(db, "worker")
    worker.person_id = job.person_id
    db.commit()
    return {"employer": employer, "other": other, "worker": worker, "person_id": job.person_id}


@pytest.fixture
def worker_client(app, insured):
    client = app.test_client()
    assert log_in(client, insured["worker"].email).status_code == 302
    return client


def _row(page: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, f"no row {row_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def _message(app, code: str) -> str:
    with app.test_request_context(headers=EN):
        return message_for(DomainError(code))


def test_the_record_shows_each_month_with_its_status_and_the_totals(worker_client, insured) -> None:
    response = worker_client.get("/worker/record", headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    employer_id = insured["employer"].id
    june, july, august = (_row(page, f"month-{employer_id}-2026-{m:02d}") for m in (6, 7, 8))
    assert "June 2026" in june and "3,500,000" in june and "Declared and paid" in june
    assert "Declared, unpaid" in july and "Employed but not declared" in august and "—" in august
    assert f'id="month-{employer_id}-2026-06">' in page  # paid: not highlighted
    assert f'id="month-{employer_id}-2026-07" class="gap"' in page
    assert f'id="month-{employer_id}-2026-08" class="gap"' in page
    assert "2 months have a gap." in page
    assert page.count(f"/worker/record/{employer_id}/2026-0") == 3  # each month can be reported
    career = re.search(r'<table id="career-totals">(.*?)</table>', page, re.S).group(1)
    assert "7,000,000" in career  # June and July declared
    assert f"/worker/record/{insured['other'].id}/" not in page


def test_a_month_not_declared_is_reported(app_config, session_factory, db, insured) -> None:
    client = csrf_client(app_config, session_factory, insured["worker"])
    path = f"/worker/record/{insured['employer'].id}/2026-08/report"
    form = client.get(path, headers=EN)
    assert form.status_code == 200 and "Not declared" in form.get_data(as_text=True)
    token = TOKEN.search(form.get_data(as_text=True)).group(1)
    response = client.post(path, headers=EN, data={"csrf_token": token, "kind": "not_declared",
                                                    "claimed_wage": "", "note": "Worked every day in August"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/worker/reports")
    report = db.scalars(select(WorkerReport).where(WorkerReport.person_id == insured["person_id"])).one()
    assert (report.employer_id, report.period, report.kind, report.status) == \
        (insured["employer"].id, "2026-08", "not_declared", "open")
    page = client.get("/worker/reports", headers=EN).get_data(as_text=True)
    assert "your employer is not told who reported" in page
    row = _row(page, f"report-{report.id}")
    assert "August 2026" in row and "I worked this month but it is not declared" in row and "Sent" in row


def test_a_wrong_wage_needs_the_right_wage(app, worker_client, db, insured) -> None:
    path = f"/worker/record/{insured['employer'].id}/2026-06/report"
    response = worker_client.post(path, headers=EN, data={"kind": "wrong_wage", "claimed_wage": "", "note": ""})
    assert response.status_code == 422
    assert _message(app, "report.wage_invalid") in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(WorkerReport)) == 0
    response = worker_client.post(path, headers=EN, data={"kind": "wrong_wage", "claimed_wage": "4,200,000"})
    assert response.status_code == 302
    report = db.scalars(select(WorkerReport)).one()
    row = _row(worker_client.get("/worker/reports", headers=EN).get_data(as_text=True), f"report-{report.id}")
    assert "My wage is wrong" in row and "4,200,000" in row


@pytest.mark.parametrize("month", ["other", "2026-05", "2026-13", "2026-7", "202607"])
def test_a_month_that_is_not_the_workers_is_not_found(worker_client, db, insured, month: str) -> None:
    employer_id, period = (insured["other"].id, "2026-07") if month == "other" else (insured["employer"].id, month)
    path = f"/worker/record/{employer_id}/{period}/report"
    assert worker_client.get(path).status_code == 404
    assert worker_client.post(path, data={"kind": "not_declared"}).status_code == 404
    assert db.scalar(select(func.count()).select_from(WorkerReport)) == 0


def test_a_worker_without_a_person_is_told_to_activate(app, db) -> None:
    worker = factories.user(db, "worker")
    db.commit()
    client = app.test_client()
    log_in(client, worker.email)
    for path in ("/worker", "/worker/record", "/worker/reports"):
        response = client.get(path, headers=EN)
        assert response.status_code == 200
        assert "not yet linked to your social-security record" in response.get_data(as_text=True)
    assert client.get("/worker/record/1/2026-07/report").status_code == 404


def test_the_home_page_links_the_record_and_the_reports(worker_client) -> None:
    page = worker_client.get("/worker", headers=EN).get_data(as_text=True)
    assert 'href="/worker/record"' in page and 'href="/worker/reports"' in page
    assert "not yet linked" not in page
