"""Certificates of compliance: proof, for a tender or a licence, that an employer owes nothing overdue.

A certificate is issued only to an employer with nothing overdue and no missing declaration on the day; it
is valid for the scheme's ``certificate.valid_days`` and carries a random verification code that anyone can
check on the public verification page, which says whether it is valid, expired or revoked.  Staff can
revoke a certificate with a reason.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from zoneinfo import ZoneInfo

from sqlalchemy import Date, ForeignKey, Index, String, Text, and_, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.audit import Actor, record_audit
from common.db import Base
from common.errors import DomainError, NotFound
from contributions.arrears import arrears_lines
from contributions.ledger import lock_account
from contributions.parameters import rules_on
from contributions.periods import period_overview
from employers.employers import LANGUAGES, Employer
from employers.registration import local_today


class ComplianceCertificate(Base):
    __tablename__ = "compliance_certificate"
    __table_args__ = (Index("ix_compliance_certificate_employer_id", "employer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    code: Mapped[str] = mapped_column(String(24), unique=True)
    issued_at: Mapped[dt.datetime]
    issued_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(2))
    issued_by: Mapped[str] = mapped_column(String(255))
    issued_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(255))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")


# --- Issuing, verifying and revoking ---------------------------------------------------------------------

# Letters and digits that cannot be mistaken for one another when read aloud or retyped: no 0/O, no 1/I.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
CODE_GROUP = 4
DEFAULT_VALID_DAYS = 30
DECLARATION_MONTHS = 24  # how far back a missing declaration is looked for
REASON_LENGTH = 1000
PROBLEMS = ("not_registered", "overdue_debt", "missing_declaration")
STATES = ("valid", "expired", "revoked", "unknown")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")  # spaces, hyphens and dashes people type or paste


def format_code(raw: str) -> str:
    """``ABCDEFGHJKLMNPQR`` written in groups of four: ``ABCD-EFGH-JKLM-NPQR``."""
    return "-".join(raw[i:i + CODE_GROUP] for i in range(0, len(raw), CODE_GROUP))


def new_code() -> str:
    """A random code of 16 characters (80 bits) from the unambiguous alphabet, grouped."""
    return format_code("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))


def normalize_code(text: str | None) -> str | None:
    """The stored form of a code typed with or without dashes or spaces, in any case; None when it cannot be
    a code (wrong length or a character outside the alphabet)."""
    if not isinstance(text, str):
        return None
    raw = _SEPARATORS.sub("", text[:64]).upper()
    if len(raw) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in raw):
        return None
    return format_code(raw)


def _as_of(employer: Employer, today: dt.date) -> dt.datetime:
    """Noon of ``today`` in the scheme's time zone: a moment whose local date is ``today``."""
    return dt.datetime.combine(today, dt.time(12), tzinfo=ZoneInfo(employer.scheme.time_zone))


def missing_declarations(session: Session, employer: Employer, today: dt.date) -> list[str]:
    """The periods since registration (at most the last 24 months) whose due date has passed by ``today``
    with no declaration filed (none, or only a draft), oldest first."""
    if employer.registered_on is None:
        return []
    rows = period_overview(session, employer, now=_as_of(employer, today), months=DECLARATION_MONTHS)
    return sorted(str(row.period) for row in rows if row.versions == 0 and today > row.due_date)


def compliance_problems(session: Session, employer: Employer, today: dt.date) -> list[str]:
    """Why ``employer`` could not have a certificate on ``today`` (the scheme's local date), as codes in the
    order of ``PROBLEMS``; empty when it is compliant."""
    problems = []
    if not employer.employer_number:
        problems.append("not_registered")
    if arrears_lines(session, as_of=today, employer_id=employer.id):
        problems.append("overdue_debt")
    if missing_declarations(session, employer, today):
        problems.append("missing_declaration")
    return problems


def unused_code(session: Session, column) -> str:
    """A new code that ``column`` (the code column of a document that has one) does not hold yet."""
    for _attempt in range(5):
        code = new_code()
        if session.scalar(select(column).where(column == code).limit(1)) is None:
            return code
    raise RuntimeError("no unused code after 5 attempts")  # 80 random bits: never in practice


def issue_certificate(session: Session, employer: Employer, *, actor: Actor, now: dt.datetime,
                      language: str | None = None) -> ComplianceCertificate:
    """Issue a certificate to a compliant employer, valid from today (the scheme's local date) for the scheme's
    ``certificate.valid_days``; ``language`` (default: the employer's preferred one) is the certificate's.
    Raises ``certificate.not_compliant`` with the problem codes joined by commas."""
    today = local_today(employer.scheme, now)
    problems = compliance_problems(session, employer, today)
    if problems:
        raise DomainError("certificate.not_compliant", problems=",".join(problems))
    language = language or employer.preferred_language
    if language not in LANGUAGES:
        raise DomainError("user.locale_unknown")
    # Asked for twice on one day (a double click, a second tab): the same certificate, not a second one
    # that staff would have to find and revoke too.
    lock_account(session, [employer.id])
    same_day = session.scalar(select(ComplianceCertificate).where(
        ComplianceCertificate.employer_id == employer.id, ComplianceCertificate.issued_on == today,
        ComplianceCertificate.language == language, ComplianceCertificate.revoked_at.is_(None))
        .order_by(ComplianceCertificate.id.desc()).limit(1))
    if same_day is not None:
        return same_day
    days = rules_on(session, employer.scheme_code, employer.category, today).get("certificate.valid_days",
                                                                                  DEFAULT_VALID_DAYS)
    certificate = ComplianceCertificate(
        employer_id=employer.id, code=unused_code(session, ComplianceCertificate.code), issued_at=now, issued_on=today,
        valid_until=today + dt.timedelta(days=int(days)), language=language, issued_by=actor.label[:255],
        issued_by_user_id=actor.user_id, revoke_reason="")
    session.add(certificate)
    session.flush()
    record_audit(session, actor=actor, action="certificate.issued", now=now, object_type="compliance_certificate",
                 object_id=certificate.id, summary=f"{employer.employer_number} {certificate.code} "
                 f"valid {certificate.issued_on.isoformat()} to {certificate.valid_until.isoformat()}")
    return certificate


def certificate_state(certificate: ComplianceCertificate, today: dt.date) -> str:
    """``revoked``, ``expired`` (after its last valid day) or ``valid``, on ``today``."""
    if certificate.revoked_at is not None:
        return "revoked"
    if today > certificate.valid_until:
        return "expired"
    return "valid"


def verify_certificate(session: Session, code: str | None, *,
                       now: dt.datetime) -> tuple[ComplianceCertificate | None, str]:
    """What the public verification page says about ``code`` at ``now``: the certificate and its state, or
    (None, "unknown").  One indexed lookup whatever was typed, so that the answer's time does not depend on
    how close the code came to a real one."""
    normalized = normalize_code(code) or ""
    found = session.execute(select(ComplianceCertificate, Employer)
                            .join(Employer, Employer.id == ComplianceCertificate.employer_id)
                            .where(ComplianceCertificate.code == normalized)).first()
    if found is None or not hmac.compare_digest(found[0].code, normalized):
        return None, "unknown"
    certificate, employer = found
    return certificate, certificate_state(certificate, local_today(employer.scheme, now))


def revoke_certificate(session: Session, certificate_id: int, *, reason: str, actor: Actor,
                       now: dt.datetime) -> ComplianceCertificate:
    """Revoke a certificate, with a reason; it says "revoked" on the verification page from then on."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("certificate.reason_required")
    if len(reason) > REASON_LENGTH:
        raise DomainError("field.too_long")
    certificate = session.scalars(select(ComplianceCertificate).where(ComplianceCertificate.id == certificate_id)
                                  .with_for_update()).first()
    if certificate is None:
        raise NotFound("certificate.not_found")
    if certificate.revoked_at is not None:
        raise DomainError("certificate.already_revoked")
    certificate.revoked_at, certificate.revoked_by, certificate.revoke_reason = now, actor.label[:255], reason
    session.flush()
    record_audit(session, actor=actor, action="certificate.revoked", now=now, object_type="compliance_certificate",
                 object_id=certificate.id, summary=f"{certificate.code}: {reason}"[:500])
    return certificate


def certificates_of(session: Session, employer_id: int, *, limit: int = 50,
                    today: dt.date | None = None) -> list[ComplianceCertificate]:
    """The employer's certificates, the latest first: the latest ``limit``, and with ``today`` every one
    still valid that day however many there are (so that staff can always revoke them)."""
    latest = select(ComplianceCertificate).where(ComplianceCertificate.employer_id == employer_id)
    if today is not None:
        latest = latest.where(or_(ComplianceCertificate.id.in_(
            select(ComplianceCertificate.id).where(ComplianceCertificate.employer_id == employer_id)
            .order_by(ComplianceCertificate.issued_at.desc(), ComplianceCertificate.id.desc()).limit(limit)),
            and_(ComplianceCertificate.revoked_at.is_(None), ComplianceCertificate.valid_until >= today)))
        return list(session.scalars(latest.order_by(ComplianceCertificate.issued_at.desc(),
                                                    ComplianceCertificate.id.desc())))
    return list(session.scalars(latest.order_by(ComplianceCertificate.issued_at.desc(),
                                                ComplianceCertificate.id.desc()).limit(limit)))
