"""The worker's statement of contributions through the portal: the form and its default range, issuing and
downloading (only one's own), and the public verification page, which shows the person with the social
security number masked, the range and the day of issue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from common.errors import DomainError
from contributions.worker_statements import WorkerStatement, issue_statement
from employers.persons import Person
from portal.messages import message_for
from portal.workers.statements import default_range, masked
from tests import factories
from tests.factories import ACTOR
from tests.functional.conftest import ROLES, TOKEN, csrf_client, log_in
from tests.integration.test_certificates import _pdf_text
from tests.integration.test_compliance_facts import file, pay_at_counter

EN = {"Accept-Language": "en"}
# Months long past whatever the day the tests run.
RANGE = {"first": "2025-11", "last": "2026-01"}


@pytest.fixture
def insured(db) -> dict:
    """A Lao worker hired on 3 November 2025, with November and December declared and November paid; the
    worker's account is linked to the person."""
    employer = factories.employer_since(db, dt.date(2025, 10, 1))
    person_id = factories.hire(db, employer, wage="3000000", hired_on="2025-11-03").person_id
    file(db, employer, "2025-11", "2025-12-05")
    file(db, employer, "2025-12", "2026-01-05")
    pay_at_counter(db, employer, "345000", "2025-12-10")
    worker = factories.user(db, "worker")
    worker.person_id = person_id
    db.commit()
    return {"worker": worker, "person": db.get(Person, person_id), "employer": employer}


@pytest.fixture
def worker_client(app, insured):
    client = app.test_client()
    assert log_in(client, insured["worker"].email).status_code == 302
    return client


def _another_workers_statement(db) -> WorkerStatement:
    employer = factories.employer_since(db, dt.date(2025, 10, 1))
    person_id = factories.hire(db, employer, hired_on="2025-11-03").person_id
    statement = issue_statement(db, person_id, first="2025-11", last="2025-12", language="en", actor=ACTOR,
                                now=dt.datetime.now(dt.UTC))
    db.commit()
    return statement


def _message(app, error: DomainError) -> str:
    with app.test_request_context(headers=EN):
        return message_for(error)


@pytest.mark.parametrize(("today", "first", "last"), [
    (dt.date(2027, 1, 31), "2026-01", "2026-12"),  # in January: the whole of last year
    (dt.date(2026, 2, 1), "2026-01", "2026-02"),
    (dt.date(2026, 11, 20), "2026-01", "2026-11"),  # otherwise this year so far
])
def test_the_default_range(today: dt.date, first: str, last: str) -> None:
    assert tuple(map(str, default_range(today))) == (first, last)


def test_the_form_offers_the_default_range_and_the_record_links_it(worker_client) -> None:
    page = worker_client.get("/worker/statement", headers=EN)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    first, last = default_range(dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).date())
    assert f'value="{first}"' in text and f'value="{last}"' in text and 'type="month"' in text
    assert 'href="/worker/statement"' in worker_client.get("/worker/record", headers=EN).get_data(as_text=True)


def test_a_statement_is_issued_and_downloaded_in_the_pages_language(app_config, session_factory, db, insured,
                                                                    tmp_path) -> None:
    client = csrf_client(app_config, session_factory, insured["worker"])
    token = TOKEN.search(client.get("/worker/statement", headers=EN).get_data(as_text=True)).group(1)
    response = client.post("/worker/statement", headers=EN, data={"csrf_token": token, **RANGE})
    statement = db.scalars(select(WorkerStatement)).one()
    assert response.status_code == 302 and response.headers["Location"] == f"/worker/statements/{statement.id}.pdf"
    assert (statement.person_id, statement.first_period, statement.last_period, statement.language) == \
        (insured["person"].id, "2025-11", "2026-01", "en")
    pdf = client.get(response.headers["Location"], headers=EN)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert statement.code in pdf.headers["Content-Disposition"]
    text = " ".join(_pdf_text(pdf.get_data(), tmp_path).split())
    for expected in ("November 2025", "December 2025", "January 2026", "6,000,000", statement.code,
                     f"http://portal.test/verify/statement/{statement.code}"):
        assert expected in text
    listing = client.get("/worker/statement", headers=EN).get_data(as_text=True)
    assert f'id="statement-{statement.id}"' in listing and statement.code in listing
    # The document the code vouches for is kept: a later download is the same bytes, even on another day.
    db.expire_all()
    assert db.get(WorkerStatement, statement.id).pdf == pdf.get_data()
    assert client.get(response.headers["Location"], headers=EN).get_data() == pdf.get_data()


def test_the_statement_is_in_lao_when_the_page_is(worker_client, db) -> None:
    assert worker_client.post("/worker/statement", headers={"Accept-Language": "lo"}, data=RANGE).status_code == 302
    assert db.scalars(select(WorkerStatement.language)).one() == "lo"


@pytest.mark.parametrize(("first", "last"), [("2026-01", "2025-11"), ("2015-01", "2025-12"), ("2025-11", "2099-01")])
def test_a_wrong_range_is_refused_on_the_form(app, worker_client, db, first: str, last: str) -> None:
    response = worker_client.post("/worker/statement", headers=EN, data={"first": first, "last": last})
    assert response.status_code == 422
    assert _message(app, DomainError("statement.range_invalid", years=10)) in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(WorkerStatement)) == 0


def test_a_month_not_written_as_a_month_is_refused(worker_client, db) -> None:
    response = worker_client.post("/worker/statement", headers=EN, data={"first": "11/2025", "last": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="first-errors"' in page and 'id="last-errors"' in page
    assert db.scalar(select(func.count()).select_from(WorkerStatement)) == 0


def test_another_workers_statement_is_not_found(worker_client, db) -> None:
    other = _another_workers_statement(db)
    assert worker_client.get(f"/worker/statements/{other.id}.pdf").status_code == 404
    assert worker_client.get("/worker/statements/999999.pdf").status_code == 404


def test_a_worker_without_a_person_has_no_statement(app, db, insured) -> None:
    statement = issue_statement(db, insured["person"].id, first="2025-11", last="2025-12", language="en",
                                actor=ACTOR, now=dt.datetime.now(dt.UTC))
    worker = factories.user(db, "worker")
    db.commit()
    client = app.test_client()
    log_in(client, worker.email)
    page = client.get("/worker/statement", headers=EN)
    assert page.status_code == 200 and "not yet linked" in page.get_data(as_text=True)
    assert client.post("/worker/statement", data=RANGE).status_code == 404
    assert client.get(f"/worker/statements/{statement.id}.pdf").status_code == 404


# --- Public verification ------------------------------------------------------------------------------------


def test_the_verification_page_shows_whose_statement_it_is_and_nothing_else(client, db, insured) -> None:
    statement = issue_statement(db, insured["person"].id, first="2025-11", last="2026-01", language="lo",
                                actor=ACTOR, now=dt.datetime(2026, 11, 20, 18, 0, tzinfo=dt.UTC))
    db.commit()
    ssn = insured["person"].social_security_number
    raw = statement.code.replace("-", "")
    for path in (f"/verify/statement/{statement.code}", f"/verify/statement/{raw.lower()}",
                 f"/verify/statement?code={raw.lower()}", f"/verify/statement?code={statement.code.lower()}"):
        response = client.get(path, headers=EN)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert "This statement is genuine." in page
        assert insured["person"].full_name in page and insured["person"].full_name_latin in page
        assert masked(ssn) in page and ssn[-4:] in page and ssn not in page
        assert "November 2025 – January 2026" in page
        assert "Nov 21, 2026" in page  # 01:00 on 21 November in Vientiane
        assert insured["employer"].legal_name not in page and "3,000,000" not in page
        assert f'value="{statement.code}"' in page


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKLM-NPQR", "not-a-code", "x" * 200])
def test_an_unknown_code_is_unknown(client, db, insured, code: str) -> None:
    issue_statement(db, insured["person"].id, first="2025-11", last="2025-12", language="en", actor=ACTOR,
                    now=dt.datetime.now(dt.UTC))
    db.commit()
    for response in (client.get(f"/verify/statement/{code}", headers=EN),
                     client.get("/verify/statement", query_string={"code": code}, headers=EN)):
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "No statement has this code." in page
        assert "This statement is genuine." not in page and insured["person"].full_name not in page


def test_the_empty_form_asks_for_a_code_and_is_not_the_certificates(client) -> None:
    page = client.get("/verify/statement", headers=EN).get_data(as_text=True)
    assert "Verify a statement of contributions" in page and 'id="result"' not in page
    assert 'action="/verify/statement"' in page


def test_masking_keeps_the_last_four_characters() -> None:
    assert masked("0000000013") == "••••••0013"
    assert masked("123") == "123"


@pytest.mark.parametrize("who", ROLES)
def test_only_workers_reach_the_worker_pages_and_everyone_the_verification(app, db, users, insured, who) -> None:
    statement = issue_statement(db, insured["person"].id, first="2025-11", last="2025-12", language="en",
                                actor=ACTOR, now=dt.datetime.now(dt.UTC))
    db.commit()
    client = app.test_client()
    account = insured["worker"] if who == "worker" else users[who]
    assert log_in(client, account.email).status_code == 302
    expected = 200 if who == "worker" else 403
    assert client.get("/worker/statement").status_code == expected
    assert client.get(f"/worker/statements/{statement.id}.pdf").status_code == expected
    assert client.post("/worker/statement", data=RANGE).status_code == (302 if who == "worker" else 403)
    assert client.get(f"/verify/statement/{statement.code}").status_code == 200
    assert client.get("/verify/statement").status_code == 200


def test_anonymous_visitors_are_sent_to_log_in_but_may_verify(client, db, insured) -> None:
    statement = issue_statement(db, insured["person"].id, first="2025-11", last="2025-12", language="en",
                                actor=ACTOR, now=dt.datetime.now(dt.UTC))
    db.commit()
    for path in ("/worker/statement", f"/worker/statements/{statement.id}.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and re.search(r"/login\?next=", response.headers["Location"])
    assert client.get(f"/verify/statement/{statement.code}").status_code == 200
