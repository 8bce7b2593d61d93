"""Staff reset a worker's access: the person's account is unlinked and deactivated, and the person activates
again (with the details of their record and a code sent to the phone on it).  For when the account's e-mail
is lost or someone else holds it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from employers.accounts import Role
from employers.activation import reset_worker_access, worker_account_of
from employers.persons import Person
from portal.access import allow
from portal.database import db_session
from portal.declarations.forms import PlainForm
from portal.web import UseCaseFailed, attempt, current_actor, now
from portal.workers import bp

RESETTERS = (Role.SUPERVISOR, Role.SYSADMIN)


def _person(person_id: int) -> Person:
    person = db_session().get(Person, person_id)
    if person is None:
        abort(404)
    return person


def _show(person: Person, *, error: str | None = None, status: int = 200):
    return render_template("workers/staff_access.html", person=person, form=PlainForm(), error=error,
                           account=worker_account_of(db_session(), person.id)), status


@bp.route("/staff/persons/<int(max=2147483647):person_id>/worker-access")
@allow(*RESETTERS)
def staff_access(person_id: int):
    return _show(_person(person_id))


@bp.route("/staff/persons/<int(max=2147483647):person_id>/worker-access/reset", methods=["POST"])
@allow(*RESETTERS)
def staff_reset_access(person_id: int):
    person = _person(person_id)
    if PlainForm().validate_on_submit():
        try:
            with attempt():
                reset_worker_access(db_session(), person.id, actor=current_actor(), now=now())
        except UseCaseFailed as failed:
            return _show(person, error=failed.message, status=422)
        flash(_("The worker's account is closed. The worker can activate a new one."), "success")
    return redirect(url_for("workers.staff_access", person_id=person.id))
