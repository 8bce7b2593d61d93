"""Loading every area's shipped reference data (schemes, regions, sectors) in one call."""

from __future__ import annotations

from sqlalchemy.orm import Session

from common.clock import utcnow
from common.schemes import load_reference_schemes
from contributions.calendar import load_reference_holidays
from contributions.parameters import load_reference_parameters
from contributions.payments import load_reference_banks
from employers.regions import load_reference_lists


def load_reference_data(session: Session) -> int:
    """Insert or update all reference data; returns how many rows changed (0 when already current)."""
    written = load_reference_schemes(session) + load_reference_lists(session)
    written += load_reference_parameters(session, now=utcnow()) + load_reference_holidays(session)
    return written + load_reference_banks(session)
