from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from employers.imports import COLUMNS, ImportBatch
from employers.persons import Employment, Person
from employers.workers import register_hire
from tests import factories
from tests.factories import ACTOR, NOW, employment_values, person_values
from tests.functional.conftest import log_in


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
