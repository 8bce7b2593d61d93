"""The compliance dashboard: a scheme's month at a glance, for the user's provinces, optionally one province
and one sector.  Every figure links to the list of employers behind it; the charts are drawn here as inline
SVG, so they need no JavaScript and print as they show."""

from __future__ import annotations

from flask import render_template, request

from employers.registration import local_today
from inspections.dashboard import Scope, latest_due_period
from inspections.dashboard import dashboard as compliance_dashboard
from inspections.scoring import BANDS
from portal.access import allow
from portal.database import db_session
from portal.inspections import INSPECTORS, bp, user_provinces
from portal.inspections.employers import (
    BadArgument,
    period_arg,
    province_arg,
    provinces,
    scheme_arg,
    schemes,
    sector_arg,
    sectors,
    text_arg,
)
from portal.inspections.labels import BAND_LABELS
from portal.web import now


@bp.route("/inspections/dashboard")
@allow(*INSPECTORS)
def dashboard():
    """``?scheme=CODE&period=YYYY-MM&province=CODE&sector=CODE``: by default the first scheme, its latest month
    whose due date has passed, every province and sector the user sees."""
    db = db_session()
    offered, offered_sectors = schemes(), sectors()
    # The scheme the form shows, even when an unknown one is refused below.
    scheme = next((s for s in offered if s.code == text_arg(request.args, "scheme")), offered[0])
    offered_provinces = provinces({scheme.country})
    page = {"schemes": offered, "scheme": scheme, "provinces": offered_provinces, "sectors": offered_sectors,
            "args": request.args, "band_labels": BAND_LABELS, "bands": BANDS}
    try:
        scheme_arg(request.args, offered)
        province = province_arg(request.args, offered_provinces)
        sector = sector_arg(request.args, offered_sectors)
        period = period_arg(request.args) or latest_due_period(db, scheme.code, local_today(scheme, now()))
    except BadArgument as bad:
        return render_template("inspections/dashboard.html", error=bad.message, figures=None, **page), 400
    figures = compliance_dashboard(db, Scope(scheme.code, province, sector, provinces=user_provinces()), period)
    scope = {"scheme": scheme.code, "province": province, "sector": sector}
    return render_template("inspections/dashboard.html", error=None, figures=figures, scope=scope, **page)
