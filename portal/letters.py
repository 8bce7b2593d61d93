"""Letters for post, for supervisors and system administrators: the batches printed so far, a form that puts
a scheme's notices waiting for a letter into a new batch, and each batch's PDF (one letter a notice) to print
and post."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_number, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from common.schemes import Scheme
from employers.accounts import Role
from notifications.letters import create_letter_batch, letter_batches, letters_waiting
from notifications.notices import LetterBatch
from portal.access import allow
from portal.database import db_session
from portal.forms import PortalForm
from portal.web import current_actor, now

bp = Blueprint("letters", __name__)

OFFICERS = (Role.SUPERVISOR, Role.SYSADMIN)
# Letters a batch made here takes at most: its PDF is made while the download waits, and a thousand letters
# take well under the server's two minutes (a bigger backlog is printed in several batches).
LETTERS_PER_BATCH = 1_000
PAGE_SIZE = 50


class LetterBatchForm(PortalForm):
    scheme = SelectField(_l("Scheme"), validators=[InputRequired()])
    submit = SubmitField(_l("Create the batch"))


def _schemes() -> list[Scheme]:
    return list(db_session().scalars(select(Scheme).order_by(Scheme.code)))


def _form() -> LetterBatchForm:
    locale = str(get_locale() or "en")
    form = LetterBatchForm()
    form.scheme.choices = [SelectChoice(scheme.code, f"{scheme.name_in(locale)} ({scheme.code})")
                           for scheme in _schemes()]
    return form


def _page(form: LetterBatchForm, status: int = 200):
    db = db_session()
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    total = db.scalar(select(func.count()).select_from(LetterBatch)) or 0
    schemes = {scheme.code: scheme for scheme in _schemes()}
    waiting = [(scheme, letters_waiting(db, code)) for code, scheme in schemes.items()]
    return render_template("letters/batches.html", form=form, waiting=waiting, schemes=schemes,
                           batches=letter_batches(db, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE),
                           total=total, page=page, pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
                           limit=format_number(LETTERS_PER_BATCH)), status


@bp.route("/staff/letters")
@allow(*OFFICERS)
def batches():
    return _page(_form())


@bp.route("/staff/letters", methods=["POST"])
@allow(*OFFICERS)
def create_batch():
    form = _form()
    if not form.validate_on_submit():
        return _page(form, 422)
    batch = create_letter_batch(db_session(), form.scheme.data, actor=current_actor(), now=now(),
                                limit=LETTERS_PER_BATCH)
    if batch is None:
        flash(_("No notice of this scheme is waiting for a letter."), "info")
    else:
        flash(ngettext("Batch %(batch)s is ready: %(num)d letter to print.",
                       "Batch %(batch)s is ready: %(num)d letters to print.", batch.letters, batch=batch.id),
              "success")
    return redirect(url_for("letters.batches"))


@bp.route("/staff/letters/<int(max=2147483647):batch_id>.pdf")
@allow(*OFFICERS)
def batch_pdf(batch_id: int):
    from notifications.documents.letter import letter_batch_pdf

    batch = db_session().get(LetterBatch, batch_id)
    if batch is None or not batch.letters:
        abort(404)
    pdf = letter_batch_pdf(db_session(), batch)
    filename = f"letters-{batch.id}-{batch.scheme_code}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})
