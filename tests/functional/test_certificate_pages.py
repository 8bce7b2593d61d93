"""Statements of arrears and certificates of compliance on the pages: the employer's downloads and requests,
staff issuing and revoking (with CSRF), and the public verification page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from common.period import Period
from contributions.certificates import ComplianceCertificate, issue_certificate, revoke_certificate
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from employers.registration import local_today
from tests import factories
from tests.factories import ACTOR
from tests.functional.conftest import TOKEN, csrf_client, log_in

EN = {"Accept-Language": "en"}
FILED = dt.datetime(2026, 6, 25, 3, 0, tzinfo=dt.UTC)


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _flash(response) -> str:
    return " ".join(" ".join(re.findall(r'<p class="flash[^"]*" role="status">(.*?)</p>',
                                        response.get_data(as_text=True), re.DOTALL)).split())


def _file(db, employer, period: Period):
    draft = open_draft(db, employer, period, actor=ACTOR, now=FILED)
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=FILED).declaration


def _today(employer) -> dt.date:
    return local_today(employer.scheme, dt.datetime.now(dt.UTC))


@pytest.fixture
def in_debt(db):
    """Registered in January 2025, March to May 2026 declared and unpaid, every other month missing."""
    employer = factories.employer_since(db, dt.date(2025, 1, 2))
    factories.hire(db, employer, wage="3000000")
    for month in (3, 4, 5):
        _file(db, employer, Period(2026, month))
    admin = factories.user(db, "employer_admin", employer_id=employer.id)
    db.commit()
    return employer, admin


@pytest.fixture
def compliant(db):
    """Registered today: nothing is due yet, whatever day the tests run."""
    employer = factories.employer(db)
    employer.registered_on = _today(employer)
    clerk = factories.user(db, "employer_clerk", employer_id=employer.id)
    db.commit()
    return employer, clerk


@pytest.fixture
def staff(db):
    people = {role: factories.user(db, role) for role in ("supervisor", "sysadmin", "inspector")}
    db.commit()
    return people


def _client(app, user):
    client = app.test_client()
    assert log_in(client, user.email).status_code == 302
    return client


# --- The statement of arrears -------------------------------------------------------------------------------


def test_the_employer_downloads_its_statement_of_arrears_in_its_language(app, in_debt) -> None:
    employer, admin = in_debt
    client = _client(app, admin)
    page = client.get("/employer/account/", headers=EN).get_data(as_text=True)
    assert 'action="/employer/account/arrears.pdf"' in page and 'name="as_of"' in page
    for query in ("", "?as_of=2026-07-01", f"?as_of={_today(employer).isoformat()}"):
        response = client.get(f"/employer/account/arrears.pdf{query}", headers=EN)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        pdf = response.get_data()
        assert pdf.startswith(b"%PDF") and b"/Lang (lo)" in pdf  # the employer's language, not the page's
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith(f'inline; filename="arrears-{employer.employer_number}-')
    dated = client.get("/employer/account/arrears.pdf?as_of=2026-07-01")
    expected = f'inline; filename="arrears-{employer.employer_number}-2026-07-01.pdf"'
    assert dated.headers["Content-Disposition"] == expected


@pytest.mark.parametrize("as_of", ["2026-13-01", "2026-02-30", "abc", "2026-1-1", "20260101", "2026-01-01T00:00",
                                   "2999-01-01", "1999-12-31", "%00", "9" * 500])
def test_a_bad_date_is_a_translated_400(app, in_debt, as_of) -> None:
    client = _client(app, in_debt[1])
    response = client.get(f"/employer/account/arrears.pdf?as_of={as_of}", headers=EN)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert ("Write the date as year-month-day" in _text(response)
            or "Choose a date between 2000-01-01 and today." in _text(response)
            or "not allowed (NUL)" in _text(response))


def test_staff_viewers_download_an_employers_statement_of_arrears(app, db, in_debt, staff) -> None:
    employer = in_debt[0]
    for role in ("inspector", "supervisor", "sysadmin"):
        client = _client(app, staff[role])
        page = client.get(f"/staff/employers/{employer.id}/account", headers=EN).get_data(as_text=True)
        assert f'action="/staff/employers/{employer.id}/account/arrears.pdf"' in page
        response = client.get(f"/staff/employers/{employer.id}/account/arrears.pdf?as_of=2026-07-01")
        assert response.status_code == 200 and b"/Lang (lo)" in response.get_data()
        assert client.get(f"/staff/employers/{employer.id}/account/arrears.pdf?as_of=2026-7-1").status_code == 400


# --- The employer's certificate -----------------------------------------------------------------------------


def test_a_compliant_employer_gets_its_certificate_as_a_pdf(app, db, compliant) -> None:
    employer, clerk = compliant
    client = _client(app, clerk)
    page = client.get("/employer/account/", headers=EN).get_data(as_text=True)
    assert 'action="/employer/account/certificate"' in page and "Certificate of compliance" in page
    response = client.post("/employer/account/certificate", headers=EN)
    assert response.status_code == 302
    certificate = db.scalars(select(ComplianceCertificate).where(
        ComplianceCertificate.employer_id == employer.id)).one()
    assert response.headers["Location"].endswith(f"/employer/account/certificates/{certificate.id}.pdf")
    download = client.get(response.headers["Location"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == f'attachment; filename="certificate-{certificate.code}.pdf"'
    assert b"/Lang (lo)" in download.get_data()
    assert certificate.issued_by == clerk.email and certificate.issued_by_user_id == clerk.id
    listed = client.get("/employer/account/", headers=EN)
    assert f'id="certificate-{certificate.id}"' in listed.get_data(as_text=True) and certificate.code in _text(listed)
    # Asked for again the same day (a double click): the same certificate.
    again = client.post("/employer/account/certificate", headers=EN)
    assert again.headers["Location"] == response.headers["Location"]
    assert db.scalar(select(func.count()).select_from(ComplianceCertificate)) == 1
    # Revoked, it is no longer handed out to the employer.
    revoke_certificate(db, certificate.id, reason="Issued by mistake", actor=ACTOR, now=dt.datetime.now(dt.UTC))
    db.commit()
    assert client.get(response.headers["Location"]).status_code == 404


def test_a_refused_certificate_says_why_in_words(app, in_debt) -> None:
    employer, admin = in_debt
    client = _client(app, admin)
    response = client.post("/employer/account/certificate", headers=EN, follow_redirects=True)
    assert response.status_code == 200 and response.request.path == "/employer/account/"
    message = _flash(response)
    assert message.startswith("A certificate of compliance cannot be issued: contributions, interest or fines are "
                              "overdue (see Overdue, by age); a declaration is missing for January 2025, "
                              "February 2025,")
    assert "February 2026, June 2026" in message  # March to May are filed
    assert "overdue_debt" not in message and "missing_declaration" not in message


def test_another_employers_certificate_is_not_found(app, db, compliant, in_debt) -> None:
    certificate = issue_certificate(db, compliant[0], actor=ACTOR, now=dt.datetime.now(dt.UTC))
    db.commit()
    client = _client(app, in_debt[1])
    assert client.get(f"/employer/account/certificates/{certificate.id}.pdf").status_code == 404


# --- Staff ----------------------------------------------------------------------------------------------------


def test_staff_issue_and_revoke_with_csrf(app_config, session_factory, instance_path, db, compliant, staff) -> None:
    employer = compliant[0]
    client = csrf_client(app_config, session_factory, staff["supervisor"])
    account = f"/staff/employers/{employer.id}/account"
    page = client.get(account, headers=EN).get_data(as_text=True)
    assert "No certificate has been issued." in page
    assert client.post(f"/staff/employers/{employer.id}/certificates", headers=EN).status_code == 400  # no token
    assert db.scalars(select(ComplianceCertificate).where(ComplianceCertificate.employer_id == employer.id)).all() == []
    token = TOKEN.search(page).group(1)
    issued = client.post(f"/staff/employers/{employer.id}/certificates", data={"csrf_token": token}, headers=EN,
                         follow_redirects=True)
    certificate = db.scalars(select(ComplianceCertificate).where(
        ComplianceCertificate.employer_id == employer.id)).one()
    valid_until = f"{certificate.valid_until:%b} {certificate.valid_until.day}, {certificate.valid_until.year}"
    assert _flash(issued) == f"Certificate {certificate.code} is issued, valid until {valid_until}."
    assert certificate.language == employer.preferred_language == "lo"
    row = re.search(rf'<tr id="certificate-{certificate.id}"[^>]*>(.*?)</tr>', issued.get_data(as_text=True),
                    re.DOTALL).group(1)
    assert "Valid" in row and "Revoke" in row and staff["supervisor"].email in row
    pdf = client.get(f"/staff/employers/{employer.id}/certificates/{certificate.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"

    revoke = f"/staff/employers/{employer.id}/certificates/{certificate.id}/revoke"
    assert client.post(revoke, data={"reason": "no token"}).status_code == 400
    blank = client.post(revoke, data={"csrf_token": token, "reason": "   "}, headers=EN, follow_redirects=True)
    assert _flash(blank) == "Give the reason for revoking the certificate."
    done = client.post(revoke, data={"csrf_token": token, "reason": "The bank reversed the payment"}, headers=EN,
                       follow_redirects=True)
    assert _flash(done) == f"Certificate {certificate.code} is revoked."
    db.expire_all()
    assert db.get(ComplianceCertificate, certificate.id).revoke_reason == "The bank reversed the payment"
    row = re.search(rf'<tr id="certificate-{certificate.id}"[^>]*>(.*?)</tr>', done.get_data(as_text=True),
                    re.DOTALL).group(1)
    assert "Revoked" in row and "The bank reversed the payment" in row and "Revoke the certificate" not in row
    again = client.post(revoke, data={"csrf_token": token, "reason": "twice"}, headers=EN, follow_redirects=True)
    assert _flash(again) == "This certificate has already been revoked."


def test_staff_are_refused_a_certificate_for_an_employer_in_debt(app, in_debt, staff) -> None:
    employer = in_debt[0]
    client = _client(app, staff["sysadmin"])
    response = client.post(f"/staff/employers/{employer.id}/certificates", headers=EN, follow_redirects=True)
    assert response.request.path == f"/staff/employers/{employer.id}/account"
    assert _flash(response).startswith("A certificate of compliance cannot be issued: contributions")


def test_inspectors_see_the_certificates_but_neither_issue_nor_revoke(app, db, compliant, staff) -> None:
    employer = compliant[0]
    certificate = issue_certificate(db, employer, actor=ACTOR, now=dt.datetime.now(dt.UTC))
    db.commit()
    client = _client(app, staff["inspector"])
    page = client.get(f"/staff/employers/{employer.id}/account", headers=EN).get_data(as_text=True)
    assert certificate.code in page and "Issue a certificate of compliance" not in page and "Revoke" not in page
    assert client.get(f"/staff/employers/{employer.id}/certificates/{certificate.id}.pdf").status_code == 200
    assert client.post(f"/staff/employers/{employer.id}/certificates").status_code == 403
    assert client.post(f"/staff/employers/{employer.id}/certificates/{certificate.id}/revoke",
                       data={"reason": "x"}).status_code == 403
    other = factories.employer(db)
    db.commit()
    assert client.get(f"/staff/employers/{other.id}/certificates/{certificate.id}.pdf").status_code == 404


# --- The public verification page ---------------------------------------------------------------------------


@pytest.fixture
def certificates(db, compliant):
    """A valid, an expired and a revoked certificate of the same employer."""
    employer = compliant[0]
    now = dt.datetime.now(dt.UTC)
    # Issued on three days: asked for twice on one day, the certificate would be the same one.
    valid, expired, revoked = (issue_certificate(db, employer, actor=ACTOR, now=now - dt.timedelta(days=days))
                               for days in (0, 1, 2))
    expired.issued_on, expired.valid_until = dt.date(2025, 1, 2), dt.date(2025, 2, 1)
    revoke_certificate(db, revoked.id, reason="Issued by mistake", actor=ACTOR,
                       now=dt.datetime(2026, 11, 26, 20, 0, tzinfo=dt.UTC))  # 27 November in Vientiane
    db.commit()
    return employer, valid, expired, revoked


def test_the_verification_page_says_valid_with_whose_certificate(client, certificates) -> None:
    employer, valid, _expired, _revoked = certificates
    response = client.get(f"/verify/{valid.code}", headers=EN)
    assert response.status_code == 200 and response.headers["X-Robots-Tag"] == "noindex, nofollow"
    text = _text(response)
    assert "This certificate is valid." in text
    assert employer.legal_name in text and employer.employer_number in text
    assert f"Valid until {valid.valid_until.strftime('%b')}" in text
    for typed in (valid.code.replace("-", "").lower(), valid.code.replace("-", " ")):
        assert "This certificate is valid." in _text(client.get("/verify", query_string={"code": typed}, headers=EN))


def test_expired_revoked_and_unknown_say_no_more(client, certificates) -> None:
    employer, _valid, expired, revoked = certificates
    answers = {
        expired.code: "This certificate has expired.",
        revoked.code: "This certificate was revoked on Nov 27, 2026.",
        "ABCD-EFGH-JKLM-NPQR": "No certificate has this code.",
        "not a code <script>": "No certificate has this code.",
        "x" * 300: "No certificate has this code.",
    }
    for code, answer in answers.items():
        response = client.get("/verify", query_string={"code": code}, headers=EN)
        assert response.status_code == 200
        text = _text(response)
        assert answer in text
        assert employer.legal_name not in text and employer.employer_number not in text
        assert "Issued by mistake" not in text and "<script>" not in response.get_data(as_text=True).split(
            "</header>")[1]
    assert "No certificate has this code." in _text(client.get("/verify/ABCDEFGH", headers=EN))


def test_the_empty_form_asks_for_a_code_without_an_answer(client) -> None:
    for path in ("/verify", "/verify?code=", "/verify?code=%20"):
        response = client.get(path, headers=EN)
        assert response.status_code == 200
        text = _text(response)
        assert "Verify a certificate of compliance" in text and 'name="code"' in response.get_data(as_text=True)
        assert 'id="result"' not in response.get_data(as_text=True)


def test_the_verification_page_speaks_lao_and_needs_no_login(client, certificates) -> None:
    response = client.get(f"/verify/{certificates[1].code}", headers={"Accept-Language": "lo"})
    assert response.status_code == 200 and '<html lang="lo">' in response.get_data(as_text=True)
