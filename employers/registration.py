"""Registering employers: self-service applications reviewed by staff, or direct registration by staff.

An application creates a pending employer, its first profile version and an inactive administrator
account.  Staff approve it (the employer gets its number and the administrator can log in), ask for rework
with a comment (the applicant edits through an e-mailed link and resubmits), or reject it with a reason.
Each step is audited; telling the applicant is the caller's job (through the outbox).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.audit import Actor, record_audit
from common.errors import DomainError
from common.schemes import Scheme
from employers import tokens
from employers.accounts import Role, User, create_user, find_user_by_email
from employers.employers import (
    LANGUAGES,
    PROFILE_FIELDS,
    Employer,
    EmployerProfile,
    add_profile_version,
    profile_values,
)
from employers.numbers import allocate_number
from employers.regions import Region, Sector
from employers.rules import application_problems, normalise_number
from employers.team import issue_invitation

APPLICATION_EDIT_TTL = dt.timedelta(days=30)


@dataclass(frozen=True)
class ApplicantAccount:
    full_name: str
    email: str
    password: str | None  # None when staff register the employer: the administrator is invited instead


class ApplicationInvalid(DomainError):
    """The profile breaks rules; ``problems`` lists (field, code) for every one of them."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("employer.application_invalid", count=len(problems))
        self.problems = problems


def local_today(scheme: Scheme, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(scheme.time_zone)).date()


def _scheme(session: Session, code: str) -> Scheme:
    scheme = session.get(Scheme, code)
    if scheme is None:
        raise DomainError("employer.scheme_unknown", scheme=code)
    return scheme


def validate_profile(
    session: Session, scheme: Scheme, values: dict[str, object], *, tax_number: str | None = None
) -> dict[str, object]:
    """Normalise and check a profile (and the tax number of an application); raises ``ApplicationInvalid``
    listing every problem at once."""
    cleaned = {field: (str(values.get(field) or "").strip()) for field in PROFILE_FIELDS}
    cleaned["sector_code"] = cleaned["sector_code"] or None
    cleaned["email"] = cleaned["email"].lower()
    regions = set(session.scalars(select(Region.code).where(Region.country == scheme.country)))
    checked = cleaned if tax_number is None else {**cleaned, "tax_number": tax_number}
    problems = application_problems(
        checked, categories={c["code"] for c in scheme.employer_categories}, regions=regions,
        sectors=set(session.scalars(select(Sector.code))), languages=set(LANGUAGES),
    )
    if problems:
        raise ApplicationInvalid(problems)
    return cleaned


def _refuse_duplicate_tax_number(
    session: Session, scheme_code: str, tax_number: str, *, but: int | None = None
) -> None:
    query = select(func.count()).select_from(Employer).where(
        Employer.scheme_code == scheme_code, Employer.tax_number == tax_number, Employer.status != "rejected")
    if but is not None:
        query = query.where(Employer.id != but)
    if session.scalar(query):
        raise DomainError("employer.tax_number_taken", tax_number=tax_number)


def _create(
    session: Session, *, scheme: Scheme, profile: dict[str, object], tax_number: str, registration_number: str,
    status: str, actor: Actor, now: dt.datetime,
) -> Employer:
    cleaned = validate_profile(session, scheme, profile, tax_number=tax_number)
    tax_number = normalise_number(tax_number)
    _refuse_duplicate_tax_number(session, scheme.code, tax_number)
    employer = Employer(scheme_code=scheme.code, tax_number=tax_number,
                        registration_number=registration_number.strip(), status=status, created_at=now,
                        review_note="", **cleaned)
    session.add(employer)
    session.flush()
    session.add(EmployerProfile(employer_id=employer.id, valid_from=local_today(scheme, now), recorded_at=now,
                                recorded_by=actor.label, note="registration", **cleaned))
    return employer


def apply_for_registration(
    session: Session, *, scheme_code: str, profile: dict[str, object], tax_number: str,
    registration_number: str, applicant: ApplicantAccount, actor: Actor, now: dt.datetime,
) -> tuple[Employer, User]:
    """A prospective employer applies; nothing is active until staff approve."""
    scheme = _scheme(session, scheme_code)
    if applicant.password is None:
        raise DomainError("password.too_short")
    if find_user_by_email(session, applicant.email) is not None:
        raise DomainError("user.email_taken", email=applicant.email)
    employer = _create(session, scheme=scheme, profile=profile, tax_number=tax_number,
                       registration_number=registration_number, status="pending", actor=actor, now=now)
    user = create_user(session, email=applicant.email, full_name=applicant.full_name, role=Role.EMPLOYER_ADMIN,
                       password=applicant.password, employer_id=employer.id,
                       locale=str(profile.get("preferred_language") or "") or None, active=False, actor=actor,
                       now=now)
    record_audit(session, actor=actor, action="employer.applied", now=now, object_type="employer",
                 object_id=employer.id, summary=f"{employer.legal_name_latin}, tax number {employer.tax_number}")
    return employer, user


def _administrator(session: Session, employer: Employer) -> User:
    return session.scalars(select(User).where(User.employer_id == employer.id,
                                              User.role == Role.EMPLOYER_ADMIN.value).order_by(User.id)).first()


def _register(session: Session, employer: Employer, *, now: dt.datetime) -> None:
    scheme = employer.scheme
    employer.employer_number = allocate_number(session, f"employer:{scheme.code}",
                                               scheme.registry_settings["employer_number"])
    employer.status = "active"
    employer.registered_on = local_today(scheme, now)


def _pending(session: Session, employer_id: int, *, for_update: bool = True) -> Employer:
    employer = session.get(Employer, employer_id, with_for_update={"of": Employer} if for_update else None,
                           populate_existing=True)
    if employer is None:
        raise DomainError("employer.not_found")
    if employer.status != "pending":
        raise DomainError("employer.not_pending", status=employer.status)
    return employer


def approve_application(session: Session, employer_id: int, *, actor: Actor, now: dt.datetime) -> Employer:
    employer = _pending(session, employer_id)
    _register(session, employer, now=now)
    admin = _administrator(session, employer)
    if admin is not None:
        admin.is_active = True
    employer.review_note = ""
    record_audit(session, actor=actor, action="employer.approved", now=now, object_type="employer",
                 object_id=employer.id, summary=f"number {employer.employer_number}")
    return employer


def request_rework(session: Session, employer_id: int, comment: str, *, actor: Actor, now: dt.datetime) -> str:
    """Send the application back with ``comment``; returns the token of the applicant's edit link."""
    comment = comment.strip()
    if not comment:
        raise DomainError("review.comment_required")
    employer = _pending(session, employer_id)
    employer.status = "rework"
    employer.review_note = comment
    record_audit(session, actor=actor, action="employer.rework_requested", now=now, object_type="employer",
                 object_id=employer.id, summary=comment)
    return tokens.issue_token(session, purpose="application_edit", subject_id=employer.id, now=now,
                              ttl=APPLICATION_EDIT_TTL)


def reject_application(session: Session, employer_id: int, reason: str, *, actor: Actor, now: dt.datetime) -> Employer:
    reason = reason.strip()
    if not reason:
        raise DomainError("review.reason_required")
    employer = _pending(session, employer_id)
    employer.status = "rejected"
    employer.review_note = reason
    tokens.spend_tokens(session, purpose="application_edit", subject_id=employer.id, now=now)
    record_audit(session, actor=actor, action="employer.rejected", now=now, object_type="employer",
                 object_id=employer.id, summary=reason)
    return employer


def application_for_edit(session: Session, token: str, *, now: dt.datetime) -> Employer:
    row = tokens.valid_token(session, purpose="application_edit", token=token, now=now)
    employer = session.get(Employer, row.subject_id)
    if employer is None or employer.status != "rework":
        raise DomainError("token.invalid")
    return employer


def resubmit_application(
    session: Session, *, token: str, profile: dict[str, object], tax_number: str, registration_number: str,
    actor: Actor, now: dt.datetime,
) -> Employer:
    """The applicant corrects the application and sends it back for review (the link is then spent)."""
    employer = application_for_edit(session, token, now=now)
    cleaned = validate_profile(session, employer.scheme, profile, tax_number=tax_number)
    tax_number = normalise_number(tax_number)
    _refuse_duplicate_tax_number(session, employer.scheme_code, tax_number, but=employer.id)
    before = {**profile_values(employer), "tax_number": employer.tax_number}
    employer.tax_number = tax_number
    employer.registration_number = registration_number.strip()
    employer.status = "pending"
    add_profile_version(session, employer, cleaned, valid_from=local_today(employer.scheme, now), actor=actor,
                        now=now, note="application corrected")
    tokens.spend_tokens(session, purpose="application_edit", subject_id=employer.id, now=now)
    changed = sorted(k for k, v in before.items() if v != {**cleaned, "tax_number": tax_number}.get(k))
    record_audit(session, actor=actor, action="employer.resubmitted", now=now, object_type="employer",
                 object_id=employer.id, summary="changed: " + ", ".join(changed) if changed else "no change")
    return employer


def register_employer(
    session: Session, *, scheme_code: str, profile: dict[str, object], tax_number: str, registration_number: str,
    administrator: ApplicantAccount, actor: Actor, now: dt.datetime,
) -> tuple[Employer, User, str]:
    """Staff register an employer directly: it is active at once, and its administrator is invited by
    e-mail to choose a password.  Returns (employer, administrator, invitation token)."""
    scheme = _scheme(session, scheme_code)
    if find_user_by_email(session, administrator.email) is not None:
        raise DomainError("user.email_taken", email=administrator.email)
    employer = _create(session, scheme=scheme, profile=profile, tax_number=tax_number,
                       registration_number=registration_number, status="pending", actor=actor, now=now)
    _register(session, employer, now=now)
    user = create_user(session, email=administrator.email, full_name=administrator.full_name,
                       role=Role.EMPLOYER_ADMIN, password=secrets.token_urlsafe(24), employer_id=employer.id,
                       locale=employer.preferred_language, active=False, actor=actor, now=now)
    token = issue_invitation(session, user, now=now)
    record_audit(session, actor=actor, action="employer.registered", now=now, object_type="employer",
                 object_id=employer.id, summary=f"number {employer.employer_number}, by staff")
    return employer, user, token
