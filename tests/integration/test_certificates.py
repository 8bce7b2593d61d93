"""Certificates of compliance: issued only to a compliant employer, refused for each problem, verified by
their code (valid, expired, revoked, unknown), revoked once with a reason; and the certificate's PDF."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from common.audit import Actor, AuditEvent
from common.errors import DomainError, NotFound
from common.period import Period
from contributions.certificates import (
    CODE_ALPHABET,
    certificates_of,
    compliance_problems,
    issue_certificate,
    missing_declarations,
    new_code,
    normalize_code,
    revoke_certificate,
    verify_certificate,
)
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.parameters import SchemeParameter
from contributions.payments import Payment
from contributions.reconciliation import reconcile_batch
from employers.registration import ApplicantAccount, apply_for_registration
from notifications.documents.certificate import certificate_content, certificate_pdf
from tests import factories
from tests.conftest import ARTIFACTS
from tests.factories import ACTOR

NOW = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)  # 10:00 in Vientiane and 08:00 in Dushanbe
TODAY = dt.date(2026, 11, 25)
OFFICER = Actor(user_id=None, label="officer@lsso.test", ip="192.0.2.1")
CODE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")
URL = "https://portal.test/verify/"
_ids = itertools.count(1)


def _file(db, employer, period: Period, when: dt.datetime):
    draft = open_draft(db, employer, period, actor=ACTOR, now=when)
    return submit_declaration(db, employer, draft.id, revision=None, actor=ACTOR, now=when).declaration


def _pay(db, employer, declaration, value_date: dt.date) -> None:
    lao = employer.scheme_code == "LA-LSSO"
    db.add(Payment(scheme_code=employer.scheme_code, bank_code="BCEL" if lao else "AMONATBONK",
                   transaction_id=f"C{next(_ids):08d}", channel="bank", booking_date=value_date,
                   value_date=value_date, amount=declaration.total, currency=employer.scheme.currency, payer_name="",
                   payer_account="", remittance=declaration.payment_reference, status="new", matches=0, note="",
                   received_at=NOW, recorded_by="test"))
    db.flush()
    reconcile_batch(db, actor=ACTOR, now=NOW)
    db.expire_all()


def _registered_in_september(db, scheme_code: str = "LA-LSSO", **fields):
    employer = factories.employer_since(db, dt.date(2026, 9, 1), scheme_code=scheme_code, **fields)
    factories.hire(db, employer, wage="3000000" if scheme_code == "LA-LSSO" else "2500.50", hired_on="2026-09-01")
    return employer


@pytest.fixture
def compliant(db):
    """Registered in September 2026; September and October filed on time and paid (October was due on
    20 November); November is not due yet."""
    employer = _registered_in_september(db)
    for month, filed_at, paid_on in ((9, dt.datetime(2026, 10, 5, 3, tzinfo=dt.UTC), dt.date(2026, 10, 10)),
                                     (10, dt.datetime(2026, 11, 5, 3, tzinfo=dt.UTC), dt.date(2026, 11, 10))):
        declaration = _file(db, employer, Period(2026, month), filed_at)
        _pay(db, employer, declaration, paid_on)
    return employer


def test_a_compliant_employer_has_no_problem_and_gets_a_certificate(db, compliant) -> None:
    assert compliance_problems(db, compliant, TODAY) == []
    certificate = issue_certificate(db, compliant, actor=OFFICER, now=NOW)
    assert CODE.match(certificate.code)
    assert (certificate.issued_on, certificate.valid_until) == (TODAY, TODAY + dt.timedelta(days=30))
    assert certificate.language == "lo" and certificate.issued_by == "officer@lsso.test"
    assert certificate.revoked_at is None and certificate.employer_id == compliant.id
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "certificate.issued",
                                                AuditEvent.object_id == str(certificate.id))).one()
    assert certificate.code in event.summary and event.ip_address == "192.0.2.1"
    assert certificates_of(db, compliant.id) == [certificate]


def test_a_new_employer_with_nothing_due_yet_is_compliant(db) -> None:
    employer = factories.employer(db)  # registered on 20 November: November is due in December
    certificate = issue_certificate(db, employer, actor=OFFICER, now=NOW, language="en")
    assert certificate.language == "en"


def test_the_validity_is_the_schemes_parameter(db, compliant) -> None:
    db.add(SchemeParameter(scheme_code="LA-LSSO", name="certificate.valid_days", category=None,
                           valid_from=dt.date(2026, 11, 1), value="90", source="test", confidence="confirmed",
                           recorded_at=NOW, recorded_by="test"))
    db.flush()
    certificate = issue_certificate(db, compliant, actor=OFFICER, now=NOW)
    assert certificate.valid_until == dt.date(2027, 2, 23)


def _refusal(db, employer) -> str:
    with pytest.raises(DomainError) as refused:
        issue_certificate(db, employer, actor=OFFICER, now=NOW)
    assert refused.value.code == "certificate.not_compliant"
    return refused.value.params["problems"]


def test_an_overdue_debt_refuses_the_certificate(db) -> None:
    employer = _registered_in_september(db)
    _file(db, employer, Period(2026, 9), dt.datetime(2026, 10, 5, 3, tzinfo=dt.UTC))
    october = _file(db, employer, Period(2026, 10), dt.datetime(2026, 11, 5, 3, tzinfo=dt.UTC))
    _pay(db, employer, october, dt.date(2026, 11, 10))  # September stays unpaid
    assert compliance_problems(db, employer, TODAY) == ["overdue_debt"]
    assert _refusal(db, employer) == "overdue_debt"
    # Before September's due date nothing was overdue.
    assert compliance_problems(db, employer, dt.date(2026, 10, 15)) == []


def test_a_missing_declaration_refuses_the_certificate(db) -> None:
    employer = _registered_in_september(db)
    september = _file(db, employer, Period(2026, 9), dt.datetime(2026, 10, 5, 3, tzinfo=dt.UTC))
    _pay(db, employer, september, dt.date(2026, 10, 10))
    open_draft(db, employer, Period(2026, 10), actor=ACTOR, now=NOW)  # a draft is not a declaration
    assert missing_declarations(db, employer, TODAY) == ["2026-10"]
    assert compliance_problems(db, employer, TODAY) == ["missing_declaration"]
    assert _refusal(db, employer) == "missing_declaration"
    assert compliance_problems(db, employer, dt.date(2026, 11, 15)) == []  # October was due on 20 November


def test_every_problem_at_once(db) -> None:
    employer = _registered_in_september(db, scheme_code="TJ-SOCTAX")
    _file(db, employer, Period(2026, 9), dt.datetime(2026, 10, 5, 3, tzinfo=dt.UTC))
    assert compliance_problems(db, employer, TODAY) == ["overdue_debt", "missing_declaration"]


def test_an_applicant_is_not_registered(db) -> None:
    applicant, _user = apply_for_registration(
        db, scheme_code="LA-LSSO", profile=factories.profile(), tax_number=factories.tax_number(),
        registration_number="R-X", applicant=ApplicantAccount("Applicant", "applicant.cert@employer.test",
                                                              factories.PASSWORD), actor=ACTOR, now=NOW)
    assert compliance_problems(db, applicant, TODAY) == ["not_registered"]
    assert _refusal(db, applicant) == "not_registered"


def test_a_refusal_writes_nothing(db, compliant) -> None:
    employer = _registered_in_september(db)
    with pytest.raises(DomainError):
        issue_certificate(db, employer, actor=OFFICER, now=NOW)
    assert certificates_of(db, employer.id) == []


def test_codes_are_sixteen_unambiguous_characters_in_groups() -> None:
    assert not set("0O1I") & set(CODE_ALPHABET) and len(CODE_ALPHABET) == 32
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500 and all(CODE.match(code) for code in codes)
    assert normalize_code("abcd efgh jkmn pqrs") == "ABCD-EFGH-JKMN-PQRS"
    assert normalize_code(" ABCDEFGHJKMNPQRS ") == "ABCD-EFGH-JKMN-PQRS"
    assert normalize_code("abcd–efgh-jkmn—pqrs") == "ABCD-EFGH-JKMN-PQRS"  # dashes pasted from a document
    for wrong in ("", None, "ABCD-EFGH-JKMN-PQR", "ABCD-EFGH-JKMN-PQRST", "ABCD-EFGH-JKMN-PQR0",
                  "ABCD-EFGH-JKMN-PQRI", "ABCD'EFGH-JKMN-PQRS", "A" * 10_000):
        assert normalize_code(wrong) is None


def test_verification_says_valid_expired_revoked_or_unknown(db, compliant) -> None:
    certificate = issue_certificate(db, compliant, actor=OFFICER, now=NOW)
    code = certificate.code
    assert verify_certificate(db, code, now=NOW) == (certificate, "valid")
    assert verify_certificate(db, code.replace("-", "").lower(), now=NOW) == (certificate, "valid")
    assert verify_certificate(db, " ".join(code.split("-")), now=NOW) == (certificate, "valid")
    # Valid through its last day, in the scheme's time zone (16:59 UTC is 23:59 in Vientiane).
    last = dt.datetime.combine(certificate.valid_until, dt.time(16, 59), tzinfo=dt.UTC)
    assert verify_certificate(db, code, now=last)[1] == "valid"
    assert verify_certificate(db, code, now=last + dt.timedelta(minutes=1))[1] == "expired"
    assert verify_certificate(db, code, now=NOW + dt.timedelta(days=365)) == (certificate, "expired")
    for unknown in (new_code(), "", None, "not a code", "'; DROP TABLE compliance_certificate; --", "x" * 5000):
        assert verify_certificate(db, unknown, now=NOW) == (None, "unknown")
    revoke_certificate(db, certificate.id, reason="Payment reversed by the bank", actor=OFFICER,
                       now=NOW + dt.timedelta(days=2))
    assert verify_certificate(db, code, now=NOW + dt.timedelta(days=3)) == (certificate, "revoked")
    assert verify_certificate(db, code, now=NOW + dt.timedelta(days=365))[1] == "revoked"


def test_revoking_needs_a_reason_and_happens_once(db, compliant) -> None:
    certificate = issue_certificate(db, compliant, actor=OFFICER, now=NOW)
    with pytest.raises(DomainError) as blank:
        revoke_certificate(db, certificate.id, reason="  \n ", actor=OFFICER, now=NOW)
    assert blank.value.code == "certificate.reason_required" and certificate.revoked_at is None
    revoked = revoke_certificate(db, certificate.id, reason="  Issued   by mistake ", actor=OFFICER, now=NOW)
    assert (revoked.revoked_at, revoked.revoked_by, revoked.revoke_reason) == (NOW, "officer@lsso.test",
                                                                              "Issued by mistake")
    with pytest.raises(DomainError) as twice:
        revoke_certificate(db, certificate.id, reason="again", actor=OFFICER, now=NOW)
    assert twice.value.code == "certificate.already_revoked"
    with pytest.raises(NotFound):
        revoke_certificate(db, 999_999, reason="no such certificate", actor=OFFICER, now=NOW)
    events = db.scalars(select(AuditEvent.summary).where(AuditEvent.action == "certificate.revoked",
                                                         AuditEvent.object_id == str(certificate.id))).all()
    assert events == [f"{certificate.code}: Issued by mistake"]


# --- The PDF ------------------------------------------------------------------------------------------------


def _pdf_text(pdf: bytes, directory: Path) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    source = directory / "certificate.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True,
                          text=True).stdout


def _pages(pdf: bytes, directory: Path, dpi: int = 60) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("page*.png"):
        stale.unlink()
    source = directory / "certificate.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(directory / "page")], check=True)
    return sorted(directory.glob("page*.png"))


def test_the_english_certificate_says_who_until_when_and_how_to_check(db, compliant, tmp_path) -> None:
    certificate = issue_certificate(db, compliant, actor=OFFICER, now=NOW, language="en")
    content = certificate_content(certificate, compliant, verify_url=URL + certificate.code)
    assert content.title == "Certificate of compliance"
    assert content.value("employer_number") == compliant.employer_number
    assert content.value("issued_on") == "November 25, 2026"
    assert content.value("valid_until") == "December 25, 2026"
    assert "had no overdue contributions, interest or fines, and no missing declarations" in content.attestation
    assert content.revoked == ""
    text = _pdf_text(certificate_pdf(db, certificate, verify_url=URL + certificate.code), tmp_path)
    flat = " ".join(text.split())
    for expected in (certificate.code, compliant.employer_number, URL + certificate.code, "December 25, 2026",
                     compliant.legal_name_latin):
        assert expected in flat


def test_a_copy_of_a_revoked_certificate_says_so(db, compliant) -> None:
    certificate = issue_certificate(db, compliant, actor=OFFICER, now=NOW, language="en")
    revoke_certificate(db, certificate.id, reason="test", actor=OFFICER, now=NOW + dt.timedelta(days=1))
    content = certificate_content(certificate, compliant, verify_url=URL + certificate.code)
    assert content.revoked == "This certificate was revoked on November 26, 2026 and is no longer valid."


@pytest.mark.parametrize("language", ["lo", "tg", "ru", "en"])
def test_every_language_renders_one_page(db, compliant, tmp_path, language) -> None:
    certificate = issue_certificate(db, compliant, actor=OFFICER, now=NOW, language=language)
    content = certificate_content(certificate, compliant, verify_url=URL + certificate.code)
    assert all("\u200b" not in text for text in content.strings())
    pdf = certificate_pdf(db, certificate, verify_url=URL + certificate.code)
    assert pdf.startswith(b"%PDF") and b"NotoSansLaoLatin" in pdf and f"/Lang ({language})".encode() in pdf
    assert len(_pages(pdf, tmp_path)) == 1
    assert certificate.code in _pdf_text(pdf, tmp_path)


def test_an_unknown_language_is_refused(db, compliant) -> None:
    certificate = issue_certificate(db, compliant, actor=OFFICER, now=NOW)
    with pytest.raises(ValueError):
        certificate_content(certificate, compliant, verify_url=URL, language="fr")
    with pytest.raises(DomainError):
        issue_certificate(db, compliant, actor=OFFICER, now=NOW, language="fr")


def test_sample_certificates_for_review(db, compliant) -> None:
    """Writes a Lao and a Tajik certificate (PDF and 60 dpi PNG) to test-artifacts/certificates."""
    tajik = _registered_in_september(db, scheme_code="TJ-SOCTAX")
    for month, filed_at, paid_on in ((9, dt.datetime(2026, 10, 5, 3, tzinfo=dt.UTC), dt.date(2026, 10, 10)),
                                     (10, dt.datetime(2026, 11, 5, 3, tzinfo=dt.UTC), dt.date(2026, 11, 10))):
        _pay(db, tajik, _file(db, tajik, Period(2026, month), filed_at), paid_on)
    for name, employer in (("lo", compliant), ("tg", tajik)):
        certificate = issue_certificate(db, employer, actor=OFFICER, now=NOW)
        assert certificate.language == name
        pdf = certificate_pdf(db, certificate, verify_url=URL + certificate.code)
        assert len(_pages(pdf, ARTIFACTS / "certificates" / name)) == 1
