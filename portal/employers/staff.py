"""Staff pages of the registry: every employer, direct registration, status and profile changes with
effective dates, and the review of likely duplicate persons."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from employers.accounts import Role
from employers.employers import (
    PROFILE_FIELDS,
    Employer,
    add_profile_version,
    change_status,
    check_valid_from,
    profile_history,
)
from employers.persons import Person, PossibleDuplicate
from employers.regions import in_provinces
from employers.registration import ApplicantAccount, local_today, register_employer, validate_profile
from employers.workers import review_duplicate, worker_query
from inspections.areas import provinces_of
from notifications.account_messages import queue_email
from portal.access import allow
from portal.database import db_session
from portal.employers import bp
from portal.employers.choices import fill_choices, show_problems
from portal.employers.staff_forms import DirectRegistrationForm, DuplicateForm, StaffProfileForm, StatusForm
from portal.mail import deliver_after_commit
from portal.web import UseCaseFailed, attempt, current_actor, now

STAFF = (Role.INSPECTOR, Role.SUPERVISOR, Role.SYSADMIN)
OFFICERS = (Role.INSPECTOR, Role.SUPERVISOR)
PAGE_SIZE = 50


@bp.route("/staff/employers")
@allow(*STAFF)
def staff_employers():
    search = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") or ""
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    query = select(Employer)
    provinces = provinces_of(db_session(), current_user)
    if provinces is not None:
        query = query.where(in_provinces(provinces))
    if status:
        query = query.where(Employer.status == status)
    if search:
        like = f"%{search.lower()}%"
        query = query.where(or_(func.lower(Employer.legal_name).like(like),
                                func.lower(Employer.legal_name_latin).like(like),
                                Employer.employer_number == search.upper(), Employer.tax_number == search))
    db = db_session()
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(Employer.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return render_template("employers/staff_employers.html", rows=rows, total=total, q=search, status=status,
                           page=page, pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1))


def _employer(employer_id: int) -> Employer:
    employer = db_session().get(Employer, employer_id)
    if employer is None:
        abort(404)
    return employer


@bp.route("/staff/employers/<int(max=2147483647):employer_id>")
@allow(*STAFF)
def staff_employer(employer_id: int):
    employer = _employer(employer_id)
    db = db_session()
    jobs = db.scalars(worker_query(employer.id, current_on=local_today(employer.scheme, now())).limit(50)).all()
    return render_template("employers/staff_employer.html", employer=employer,
                           history=profile_history(db, employer.id), jobs=jobs, status_form=StatusForm())


@bp.route("/staff/employers/<int(max=2147483647):employer_id>/status", methods=["POST"])
@allow(*OFFICERS)
def staff_status(employer_id: int):
    employer = _employer(employer_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            with attempt():
                change_status(db_session(), employer, form.status.data, ceased_on=form.ceased_on.data,
                              reason=form.reason.data or "", actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            flash(failed.message, "error")
        else:
            flash(_("The status is changed."), "success")
    else:
        flash(_("Some fields need correcting; see the messages below."), "error")
    return redirect(url_for("employers.staff_employer", employer_id=employer.id))


@bp.route("/staff/employers/<int(max=2147483647):employer_id>/profile", methods=["GET", "POST"])
@allow(*OFFICERS)
def staff_profile(employer_id: int):
    employer = _employer(employer_id)
    db = db_session()
    form = StaffProfileForm()
    fill_choices(form, db, schemes=[employer.scheme])
    if not form.is_submitted():
        for field in PROFILE_FIELDS:
            getattr(form, field).data = getattr(employer, field)
        form.valid_from.data = local_today(employer.scheme, now())
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                check_valid_from(employer, form.valid_from.data, today=None)
                cleaned = validate_profile(db, employer.scheme, {f: getattr(form, f).data for f in PROFILE_FIELDS})
                add_profile_version(db, employer, cleaned, valid_from=form.valid_from.data, actor=current_actor(),
                                    now=now(), note=form.note.data or "changed by staff")
        except UseCaseFailed as failed:
            error = show_problems(form, failed.error)
        else:
            flash(_("The change is recorded."), "success")
            return redirect(url_for("employers.staff_employer", employer_id=employer.id))
    return render_template("employers/staff_profile.html", form=form, error=error, employer=employer), \
        200 if error is None and not form.errors else 422


@bp.route("/staff/employers/new", methods=["GET", "POST"])
@allow(*OFFICERS)
def staff_register():
    db = db_session()
    form = DirectRegistrationForm()
    fill_choices(form, db)
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                employer, admin, token = register_employer(
                    db, scheme_code=form.scheme_code.data, profile={f: getattr(form, f).data for f in PROFILE_FIELDS},
                    tax_number=form.tax_number.data, registration_number=form.registration_number.data or "",
                    administrator=ApplicantAccount(form.admin_name.data, form.admin_email.data, None),
                    actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            error = show_problems(form, failed.error)
        else:
            link = current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for("employers.accept", token=token)
            message = queue_email(db, "account.invitation", recipient=admin.email,
                                  language=employer.preferred_language,
                                  params={"name": admin.full_name, "inviter": employer.scheme.institution_in(
                                      employer.preferred_language), "employer": employer.legal_name, "link": link},
                                  now=now(), user_id=admin.id, employer_id=employer.id)
            deliver_after_commit([message.id])
            flash(_("Registered: employer number %(number)s. The administrator is invited by e-mail.",
                    number=employer.employer_number), "success")
            return redirect(url_for("employers.staff_employer", employer_id=employer.id))
    return render_template("employers/staff_register.html", form=form, error=error), \
        200 if error is None and not form.errors else 422


@bp.route("/staff/duplicates", methods=["GET", "POST"])
@allow(*OFFICERS)
def duplicates():
    db = db_session()
    form = DuplicateForm()
    if form.validate_on_submit():
        try:
            with attempt():
                review_duplicate(db, form.flag_id.data, form.decision.data, note=form.note.data or "",
                                 actor=current_actor(), now=now())
        except UseCaseFailed:
            abort(404)
        flash(_("The decision is recorded."), "success")
        return redirect(url_for("employers.duplicates"))
    flags = db.scalars(select(PossibleDuplicate).where(PossibleDuplicate.status == "open")
                       .order_by(PossibleDuplicate.id).limit(100)).all()
    persons = {p.id: p for p in db.scalars(select(Person).where(
        Person.id.in_({f.person_id for f in flags} | {f.similar_person_id for f in flags})))}
    return render_template("employers/duplicates.html", flags=flags, persons=persons)
