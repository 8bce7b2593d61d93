"""Monthly declarations for employers: periods, drafts, uploads, filing, versions and receipts."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("declarations", __name__, url_prefix="/employer/declarations")

from portal.declarations import views  # noqa: E402,F401  (the routes)
