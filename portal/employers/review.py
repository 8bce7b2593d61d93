"""Staff review of employer applications: approve, ask for rework with a comment, or reject with a reason."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from employers.accounts import Role, User
from employers.employers import Employer
from employers.registration import approve_application, reject_application, request_rework
from notifications.account_messages import queue_email
from portal.access import allow
from portal.database import db_session
from portal.employers import bp
from portal.employers.apply import login_link
from portal.employers.forms import ReviewForm
from portal.mail import deliver_after_commit
from portal.web import UseCaseFailed, attempt, current_actor, now

REVIEWERS = (Role.INSPECTOR, Role.SUPERVISOR)


@bp.route("/staff/applications")
@allow(*REVIEWERS)
def applications():
    waiting = db_session().scalars(
        select(Employer).where(Employer.status.in_(("pending", "rework"))).order_by(Employer.created_at)
    ).all()
    return render_template("employers/applications.html", applications=waiting)


def _application(employer_id: int) -> tuple[Employer, User | None]:
    db = db_session()
    employer = db.get(Employer, employer_id)
    if employer is None:
        abort(404)
    admin = db.scalars(select(User).where(User.employer_id == employer.id, User.role == Role.EMPLOYER_ADMIN.value)
                       .order_by(User.id)).first()
    return employer, admin


@bp.route("/staff/applications/<int(max=2147483647):employer_id>")
@allow(*REVIEWERS)
def application(employer_id: int):
    employer, admin = _application(employer_id)
    return render_template("employers/application.html", employer=employer, admin=admin, form=ReviewForm())


def _tell(employer: Employer, admin: User | None, kind: str, **params: object) -> None:
    recipient = admin.email if admin else employer.email
    name = admin.full_name if admin else employer.contact_name
    message = queue_email(db_session(), kind, recipient=recipient, language=employer.preferred_language,
                          params={"name": name, "employer": employer.legal_name, **params}, now=now(),
                          user_id=admin.id if admin else None, employer_id=employer.id)
    deliver_after_commit([message.id])


@bp.route("/staff/applications/<int(max=2147483647):employer_id>/<decision>", methods=["POST"])
@allow(*REVIEWERS)
def decide(employer_id: int, decision: str):
    employer, admin = _application(employer_id)
    form = ReviewForm()
    text = (form.text.data or "").strip()
    db = db_session()
    try:
        with attempt():
            if decision == "approve":
                approve_application(db, employer.id, actor=current_actor(), now=now())
                _tell(employer, admin, "registration.approved", number=employer.employer_number, link=login_link())
                flash(_("Approved: employer number %(number)s.", number=employer.employer_number), "success")
            elif decision == "rework":
                token = request_rework(db, employer.id, text, actor=current_actor(), now=now())
                link = current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for("employers.correct_application",
                                                                                     token=token)
                _tell(employer, admin, "registration.rework", comment=text, link=link)
                flash(_("The application was sent back to the applicant."), "success")
            elif decision == "reject":
                reject_application(db, employer.id, text, actor=current_actor(), now=now())
                _tell(employer, admin, "registration.rejected", reason=text)
                flash(_("The application was rejected."), "success")
            else:
                abort(404)
    except UseCaseFailed as failed:
        return render_template("employers/application.html", employer=employer, admin=admin, form=form,
                               error=failed.message), 422
    return redirect(url_for("employers.applications"))
