"""Scheduled jobs for the system administrator: the latest runs with their outcome, and a form to run a job
now for a given date (the scheduler runs them on its own; this is for catching up or checking)."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms import DateField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from common.clock import utcnow
from common.errors import DomainError
from contributions.jobs import recent_runs
from employers.accounts import Role
from portal.access import allow
from portal.admin import bp
from portal.database import db_session, session_factory
from portal.forms import PortalForm
from portal.jobs import JOBS, run_job
from portal.messages import message_for
from portal.web import current_actor

log = logging.getLogger("portal.jobs")


class RunJobForm(PortalForm):
    job = SelectField(choices=[SelectChoice(name, name) for name in sorted(JOBS)])
    as_of = DateField(validators=[InputRequired()])
    submit = SubmitField()


@bp.route("/jobs", methods=["GET", "POST"])
@allow(Role.SYSADMIN)
def jobs():
    form = RunJobForm()
    if form.validate_on_submit():
        # The job commits step by step in sessions of its own; the request's transaction (it only read the
        # user) is ended first so it holds no lock against them.
        db_session().rollback()
        try:
            run = run_job(session_factory(), form.job.data, as_of=form.as_of.data, actor=current_actor(),
                          now=utcnow)
        except DomainError as refused:
            flash(message_for(refused), "error")
        except Exception:  # noqa: BLE001 - recorded on the run as failed, with its error
            log.exception("job %s started by hand failed", form.job.data)
            flash(_("The job stopped on an error; it is recorded below."), "error")
        else:
            flash(_("The job %(job)s ran for %(date)s.", job=run.job, date=run.as_of.isoformat()), "success")
        return redirect(url_for("admin.jobs"))
    if not form.is_submitted():
        form.as_of.data = utcnow().date()
    return render_template("admin/jobs.html", form=form, runs=recent_runs(db_session())), 200 if not form.errors \
        else 422
