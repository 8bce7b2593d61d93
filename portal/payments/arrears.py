"""Arrears across employers, for staff: a scheme's debts overdue on a date, in aging buckets, then the
employers who owe them, the largest total first, each linked to its account."""

from __future__ import annotations

import datetime as dt

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from common.schemes import Scheme
from contributions.arrears import SchemeArrears, arrears_by_employer
from contributions.rules.aging import BUCKETS
from employers.regions import in_provinces
from employers.registration import local_today
from inspections.areas import provinces_of
from portal.access import allow
from portal.database import db_session
from portal.payments import VIEWERS, bp, page_number
from portal.web import now, read_as_of

PAGE_SIZE = 50
def _page(as_of: dt.date, scheme_code: str, page: int) -> SchemeArrears:
    provinces = provinces_of(db_session(), current_user)
    return arrears_by_employer(db_session(), as_of=as_of, scheme_code=scheme_code, limit=PAGE_SIZE,
                               offset=(page - 1) * PAGE_SIZE,
                               employers_where=None if provinces is None else in_provinces(provinces))


@bp.route("/staff/arrears")
@allow(*VIEWERS)
def arrears():
    """``?scheme=CODE&as_of=YYYY-MM-DD&page=N``: by default the first scheme, as of today in its time zone.
    An unknown scheme or a date that cannot be read is answered 400, with the form and the reason."""
    db = db_session()
    schemes = list(db.scalars(select(Scheme).order_by(Scheme.code)))
    code = (request.args.get("scheme") or "").strip()[:20] or (schemes[0].code if schemes else "")
    scheme = next((s for s in schemes if s.code == code), None)
    as_of_text = (request.args.get("as_of") or "").strip()[:20]
    error = None
    as_of: dt.date | None = None
    if scheme is None:
        error = _("Choose a scheme from the list.")
    else:
        read = read_as_of(as_of_text, local_today(scheme, now()))
        as_of, error = (read, None) if isinstance(read, dt.date) else (None, read)
    if error is not None:
        return render_template("payments/arrears.html", schemes=schemes, scheme=scheme, code=code,
                               as_of_text=as_of_text, error=error, result=None, page=1, pages=1,
                               labels=[label for label, _, _ in BUCKETS]), 400
    page = page_number()
    result = _page(as_of, scheme.code, page)
    pages = max((result.employer_count + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if page > pages:  # past the end (the list got shorter, or a hand-made link): the last page
        page = pages
        result = _page(as_of, scheme.code, page)
    return render_template("payments/arrears.html", schemes=schemes, scheme=scheme, code=scheme.code,
                           as_of=as_of, as_of_text=as_of.isoformat(), error=None, result=result, page=page,
                           pages=pages, labels=[label for label, _, _ in BUCKETS])
