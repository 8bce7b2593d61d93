"""Payments for staff: bank statements, the unmatched queue and reconciliation runs, each payment with the
officer's actions on it, and an employer's account with money received at the counter and refunds.

Supervisors and system administrators are the payment officers; inspectors see the same pages read-only."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from employers.accounts import Role

bp = Blueprint("payments", __name__)

VIEWERS = (Role.INSPECTOR, Role.SUPERVISOR, Role.SYSADMIN)
OFFICERS = (Role.SUPERVISOR, Role.SYSADMIN)
PAGE_SIZE = 50


def is_officer() -> bool:
    return current_user.is_authenticated and current_user.role in {role.value for role in OFFICERS}


def page_number() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)


def page_count(total: int) -> int:
    return max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


from portal.payments import (  # noqa: E402,F401  (the routes)
    arrears,
    employer_account,
    payment,
    statements,
    unmatched,
    waivers,
)
