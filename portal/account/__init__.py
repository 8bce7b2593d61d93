"""The employer's contributions account: what each period was charged and paid, the payments received and
what they settled, and the statement of account as a PDF."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/employer/account")

from portal.account import views  # noqa: E402,F401  (the routes)
