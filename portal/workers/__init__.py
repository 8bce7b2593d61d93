"""The worker's own pages ("My contributions"): their record month by month, reporting a month that is wrong,
and the reports they sent.  A worker sees only the person their account is linked to."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("workers", __name__)

# The routes: the record and reports, activation and its reset by staff, the statement of contributions.
from portal.workers import activation, staff, statements, views  # noqa: E402,F401
