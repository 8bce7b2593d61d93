"""Employer registration and self-service: applying, staff review, the employer's profile and team."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("employers", __name__)

from portal.employers import api_tokens, apply, profile, review, staff, team, workers  # noqa: E402,F401  (the routes)
