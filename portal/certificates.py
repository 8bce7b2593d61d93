"""Statements of arrears and certificates of compliance.

The employer downloads its statement of arrears as of a date and asks for a certificate of compliance from
its account page; staff download an employer's statement of arrears and see its certificates on the staff
account page, where supervisors and system administrators issue and revoke them.  Anyone, signed in or
not, checks a certificate by its code on the public verification page, which says only whether the
certificate is valid (and whose it is), expired, revoked or unknown.

The account pages include the partials in ``templates/certificates/``; the partials read what they show
through the template globals registered here, so the account views need not know about certificates.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from common.errors import DomainError
from contributions.certificates import (
    ComplianceCertificate,
    certificate_state,
    certificates_of,
    issue_certificate,
    missing_declarations,
    normalize_code,
    revoke_certificate,
    verify_certificate,
)
from employers.accounts import Role
from employers.employers import Employer
from employers.registration import local_today
from portal.access import EMPLOYER, allow, public
from portal.database import db_session
from portal.i18n import period_label
from portal.messages import message_for
from portal.web import UseCaseFailed, attempt, current_actor, now, read_as_of

bp = Blueprint("certificates", __name__)

VIEWERS = (Role.INSPECTOR, Role.SUPERVISOR, Role.SYSADMIN)
OFFICERS = (Role.SUPERVISOR, Role.SYSADMIN)
CERTIFICATES_SHOWN = 20
CODE_FIELD_LENGTH = 64
# The problems ``compliance_problems`` names, in words; "missing_declaration" also names the periods.
PROBLEM_WORDS = {
    "not_registered": _l("the employer is not registered"),
    "overdue_debt": _l("contributions, interest or fines are overdue (see Overdue, by age)"),
    "missing_declaration": _l("a declaration is missing for %(periods)s"),
}


def is_officer() -> bool:
    return current_user.is_authenticated and current_user.role in {role.value for role in OFFICERS}


def _verify_url(code: str) -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for("certificates.verify_code", code=code)


def _pdf(content: bytes, filename: str, *, attachment: bool = False) -> Response:
    disposition = "attachment" if attachment else "inline"
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


def _bad_request(message: str):
    return render_template("errors/error.html", code=400, message=message), 400


# --- Template globals for the partials ----------------------------------------------------------------------


@bp.app_template_global("compliance_certificates")
def _certificates_for(employer: Employer) -> list[tuple[ComplianceCertificate, str]]:
    """The employer's latest certificates with their state today (valid, expired or revoked)."""
    today = local_today(employer.scheme, now())
    return [(certificate, certificate_state(certificate, today))
            for certificate in certificates_of(db_session(), employer.id, limit=CERTIFICATES_SHOWN, today=today)]


@bp.app_template_global("local_today_of")
def _local_today_of(employer: Employer) -> dt.date:
    return local_today(employer.scheme, now())


@bp.app_template_global("may_manage_certificates")
def _may_manage_certificates() -> bool:
    return is_officer()


# --- Statements of arrears ----------------------------------------------------------------------------------


def _as_of(employer: Employer) -> dt.date | str:
    """The ``as_of`` query argument (default: today in the scheme's time zone), or what is wrong with it."""
    return read_as_of(request.args.get("as_of", ""), local_today(employer.scheme, now()))


def _arrears_pdf(employer: Employer):
    from notifications.documents.arrears_statement import arrears_statement_pdf

    as_of = _as_of(employer)
    if isinstance(as_of, str):
        return _bad_request(as_of)
    pdf = arrears_statement_pdf(db_session(), employer, as_of=as_of, language=employer.preferred_language,
                                today=local_today(employer.scheme, now()))
    return _pdf(pdf, f"arrears-{employer.employer_number or employer.id}-{as_of.isoformat()}.pdf")


@bp.route("/employer/account/arrears.pdf")
@allow(EMPLOYER)
def employer_arrears():
    """The employer's statement of arrears as of ``as_of`` (``YYYY-MM-DD``, default today), in its language."""
    return _arrears_pdf(current_user.employer)


def _staff_employer(employer_id: int) -> Employer:
    employer = db_session().get(Employer, employer_id)
    if employer is None:
        abort(404)
    return employer


@bp.route("/staff/employers/<int(max=2147483647):employer_id>/account/arrears.pdf")
@allow(*VIEWERS)
def staff_arrears(employer_id: int):
    return _arrears_pdf(_staff_employer(employer_id))


# --- Certificates: issuing and downloading ------------------------------------------------------------------


def _refusal(employer: Employer, error: DomainError) -> str:
    """The refusal in words: the problems named in the page's language."""
    if error.code != "certificate.not_compliant":
        return message_for(error)
    words = []
    for problem in str(error.params.get("problems", "")).split(","):
        if problem == "missing_declaration":
            periods = missing_declarations(db_session(), employer, local_today(employer.scheme, now()))
            words.append(str(PROBLEM_WORDS[problem]) % {"periods": ", ".join(period_label(p) for p in periods)})
        elif problem in PROBLEM_WORDS:
            words.append(str(PROBLEM_WORDS[problem]))
    return message_for(DomainError(error.code, problems="; ".join(words)))


def _issue(employer: Employer) -> ComplianceCertificate | None:
    """Issue a certificate; on a refusal, flash why and return None."""
    try:
        with attempt():
            return issue_certificate(db_session(), employer, actor=current_actor(), now=now())
    except UseCaseFailed as failed:
        flash(_refusal(employer, failed.error), "error")
        return None


@bp.route("/employer/account/certificate", methods=["POST"])
@allow(EMPLOYER)
def employer_issue():
    """The employer asks for a certificate: issued, it is downloaded; refused, the account page says why."""
    employer = current_user.employer
    certificate = _issue(employer)
    if certificate is None:
        return redirect(url_for("account.overview"))
    return redirect(url_for("certificates.employer_certificate", certificate_id=certificate.id))


def _certificate_pdf(certificate: ComplianceCertificate, *, attachment: bool = False) -> Response:
    from notifications.documents.certificate import certificate_pdf

    pdf = certificate_pdf(db_session(), certificate, verify_url=_verify_url(certificate.code))
    return _pdf(pdf, f"certificate-{certificate.code}.pdf", attachment=attachment)


@bp.route("/employer/account/certificates/<int(max=2147483647):certificate_id>.pdf")
@allow(EMPLOYER)
def employer_certificate(certificate_id: int):
    certificate = db_session().get(ComplianceCertificate, certificate_id)
    employer = current_user.employer
    if certificate is None or certificate.employer_id != employer.id:
        abort(404)
    if certificate_state(certificate, local_today(employer.scheme, now())) != "valid":
        abort(404)  # a revoked or expired certificate is not handed out again as if it still held
    return _certificate_pdf(certificate, attachment=True)


def _staff_certificate(employer_id: int, certificate_id: int) -> ComplianceCertificate:
    certificate = db_session().get(ComplianceCertificate, certificate_id)
    if certificate is None or certificate.employer_id != employer_id:
        abort(404)
    return certificate


@bp.route("/staff/employers/<int(max=2147483647):employer_id>/certificates/"
          "<int(max=2147483647):certificate_id>.pdf")
@allow(*VIEWERS)
def staff_certificate(employer_id: int, certificate_id: int):
    return _certificate_pdf(_staff_certificate(employer_id, certificate_id))


def _back_to_account(employer_id: int):
    return redirect(url_for("payments.employer_account", employer_id=employer_id))


@bp.route("/staff/employers/<int(max=2147483647):employer_id>/certificates", methods=["POST"])
@allow(*OFFICERS)
def staff_issue(employer_id: int):
    employer = _staff_employer(employer_id)
    certificate = _issue(employer)
    if certificate is not None:
        flash(_("Certificate %(code)s is issued, valid until %(date)s.", code=certificate.code,
                date=format_date(certificate.valid_until)), "success")
    return _back_to_account(employer.id)


@bp.route("/staff/employers/<int(max=2147483647):employer_id>/certificates/"
          "<int(max=2147483647):certificate_id>/revoke", methods=["POST"])
@allow(*OFFICERS)
def staff_revoke(employer_id: int, certificate_id: int):
    certificate = _staff_certificate(employer_id, certificate_id)
    try:
        with attempt():
            revoke_certificate(db_session(), certificate.id, reason=request.form.get("reason", "")[:5000],
                               actor=current_actor(), now=now())
    except UseCaseFailed as failed:
        flash(failed.message, "error")
    else:
        flash(_("Certificate %(code)s is revoked.", code=certificate.code), "success")
    return _back_to_account(employer_id)


# --- Public verification ------------------------------------------------------------------------------------


def _verification(code: str | None):
    """The answer for ``code`` (None: the empty form).  Only a valid certificate shows whose it is; a revoked
    one shows the day it was revoked; nothing else is ever shown."""
    certificate, state = verify_certificate(db_session(), code, now=now())
    shown = {"certificate": None, "employer": None, "revoked_on": None}
    if state == "valid":
        shown.update(certificate=certificate, employer=db_session().get(Employer, certificate.employer_id))
    elif state == "revoked":
        employer = db_session().get(Employer, certificate.employer_id)
        shown["revoked_on"] = local_today(employer.scheme, certificate.revoked_at)
    typed = normalize_code(code) or (code or "")[:CODE_FIELD_LENGTH]
    response = Response(render_template("certificates/verify.html", asked=code is not None, code=typed,
                                        state=state, **shown))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/verify")
@public
def verify():
    """The verification form; with ``?code=`` it answers at once."""
    code = request.args.get("code")
    return _verification(code if code is not None and code.strip() else None)


@bp.route("/verify/<code>")
@public
def verify_code(code: str):
    """The address printed on a certificate and in its QR code."""
    return _verification(code)
