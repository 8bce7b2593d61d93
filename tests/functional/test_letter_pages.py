"""Letters for post on the staff pages: the batches, a new batch for a scheme (with CSRF), the PDF download,
and who may use them (supervisors and system administrators only)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from sqlalchemy import select

from notifications.notices import LetterBatch, Notice, notify
from tests import factories
from tests.factories import ACTOR
from tests.functional.conftest import TOKEN, csrf_client, log_in

EN = {"Accept-Language": "en"}
NOW = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)


def _flash(response) -> str:
    return " ".join(" ".join(re.findall(r'<p class="flash[^"]*" role="status">(.*?)</p>',
                                        response.get_data(as_text=True), re.DOTALL)).split())


def _rows(response, table: str) -> list[str]:
    page = response.get_data(as_text=True)
    body = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', page, re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split())
            for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.DOTALL)] if body else []


@pytest.fixture
def notices(db) -> list[Notice]:
    """Two overdue notices of Lao employers and one of a Tajik employer, and a reminder (not posted)."""
    written, employers = [], []
    for minutes, scheme in enumerate(("LA-LSSO", "LA-LSSO", "TJ-SOCTAX")):
        employers.append(factories.employer(db, scheme_code=scheme, address=f"Street {minutes + 1}"))
        written.append(notify(db, employers[-1], "overdue", period="2026-09", params={
            "period": "2026-09", "due": "2026-10-20", "as_of": "2026-11-20", "amount": "345000", "days": 31,
            "stage": 0, "components": [["employee_share", "165000"], ["employer_share", "180000"]]},
            actor=ACTOR, now=NOW + dt.timedelta(minutes=minutes), link="http://portal.test/employer/"))
    assert notify(db, employers[0], "filing_reminder", period="2026-11",
                  params={"period": "2026-11", "due": "2026-12-20"}, actor=ACTOR, now=NOW,
                  link="http://portal.test/employer/")
    db.commit()
    return written


def test_a_supervisor_makes_a_batch_and_downloads_its_letters(app_config, session_factory, instance_path, db, users,
                                                              notices, tmp_path) -> None:
    client = csrf_client(app_config, session_factory, users["supervisor"])
    page = client.get("/staff/letters", headers=EN)
    assert page.status_code == 200
    assert _rows(page, "waiting") == ["Social security for enterprise employees (LA-LSSO) 2",
                                      "Social tax (TJ-SOCTAX) 1"]
    assert "No batch of letters has been made yet." in page.get_data(as_text=True)
    assert client.post("/staff/letters", data={"scheme": "LA-LSSO"}, headers=EN).status_code == 400  # no token
    assert db.scalars(select(LetterBatch)).all() == []

    token = TOKEN.search(page.get_data(as_text=True)).group(1)
    made = client.post("/staff/letters", data={"scheme": "LA-LSSO", "csrf_token": token}, headers=EN,
                       follow_redirects=True)
    batch = db.scalars(select(LetterBatch)).one()
    assert _flash(made) == f"Batch {batch.id} is ready: 2 letters to print."
    assert batch.scheme_code == "LA-LSSO" and batch.letters == 2 and batch.created_by == users["supervisor"].email
    assert _rows(made, "waiting")[0].endswith(" 0")
    [row] = _rows(made, "batches")
    assert row.startswith(f"{batch.id} Social security for enterprise employees (LA-LSSO)")
    assert users["supervisor"].email in row and " 2 Download the letters" in row
    assert f'href="/staff/letters/{batch.id}.pdf"' in made.get_data(as_text=True)

    again = client.post("/staff/letters", data={"scheme": "LA-LSSO", "csrf_token": token}, headers=EN,
                        follow_redirects=True)
    assert _flash(again) == "No notice of this scheme is waiting for a letter."
    assert len(db.scalars(select(LetterBatch)).all()) == 1

    pdf = client.get(f"/staff/letters/{batch.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="letters-{batch.id}-LA-LSSO.pdf"'
    source = tmp_path / "letters.pdf"
    source.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(source), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) == 2
    for page_text, notice in zip(pages, notices[:2], strict=True):
        assert f"N-{notice.id}" in page_text and f"Street {notices.index(notice) + 1}" in page_text


def test_an_unknown_scheme_is_refused_and_an_unknown_batch_is_not_found(app, users, notices) -> None:
    client = app.test_client()
    log_in(client, users["sysadmin"].email)
    refused = client.post("/staff/letters", data={"scheme": "XX-NONE"}, headers=EN)
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    assert client.get("/staff/letters/999999.pdf").status_code == 404


@pytest.mark.parametrize("who, status", [("inspector", 403), ("employer_admin", 403), ("employer_clerk", 403),
                                         ("worker", 403), ("supervisor", 200), ("sysadmin", 200)])
def test_only_supervisors_and_administrators_see_the_letters(app, db, users, notices, who, status) -> None:
    batch = LetterBatch(scheme_code="LA-LSSO", created_at=NOW, created_by="test", letters=0)
    db.add(batch)
    db.flush()
    db.query(Notice).filter(Notice.id == notices[0].id).update({"letter_batch_id": batch.id})
    batch.letters = 1
    db.commit()
    client = app.test_client()
    log_in(client, users[who].email)
    assert client.get("/staff/letters").status_code == status
    assert client.get(f"/staff/letters/{batch.id}.pdf").status_code == status
    assert client.post("/staff/letters", data={"scheme": "TJ-SOCTAX"}).status_code == (302 if status == 200 else 403)
    made = db.scalars(select(LetterBatch).where(LetterBatch.scheme_code == "TJ-SOCTAX")).all()
    assert len(made) == (1 if status == 200 else 0)


def test_anonymous_visitors_are_sent_to_the_login(client) -> None:
    for path in ("/staff/letters", "/staff/letters/1.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/staff/letters", data={"scheme": "LA-LSSO"}).status_code == 302
