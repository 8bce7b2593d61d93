"""The words the inspectors' pages show for the codes of the inspections domain.  Marked for extraction only:
pages translate them when they show them (``gettext(LABELS[code])``), in the reader's language."""

from __future__ import annotations

from inspections.scoring import SECTOR


def N_(text: str) -> str:  # noqa: N802 - the conventional name of a marker for extraction only
    return text


FACTOR_LABELS = {
    "months_not_filed": N_("Months not filed"),
    "late_filings": N_("Late filings"),
    "late_payments": N_("Late payments"),
    "arrears_size": N_("Arrears size (months of contributions)"),
    "arrears_age": N_("Arrears age (days)"),
    "headcount_drop": N_("Head-count drop"),
    "wages_at_floor": N_("Wages at the floor"),
    "wage_drop": N_("Wage drop"),
    "worker_reports": N_("Worker reports"),
    SECTOR: N_("Sector"),
}
BAND_LABELS = {"low": N_("Low risk"), "medium": N_("Medium risk"), "high": N_("High risk")}
REASON_LABELS = {
    "risk": N_("Risk score"),
    "non_filer": N_("Non-filer"),
    "arrears": N_("Arrears"),
    "worker_report": N_("Worker report"),
    "other": N_("Other"),
}
OUTCOME_LABELS = {
    "no_breach": N_("No breach found"),
    "assessed": N_("Contributions assessed"),
    "warning": N_("Warning given"),
    "referred": N_("Referred for prosecution"),
}
CASE_STATUS_LABELS = {"open": N_("Open"), "in_progress": N_("In progress"), "closed": N_("Closed")}
FILING_LABELS = {"expected": N_("Expected to file"),
                 "filed": N_("Filed"), "not_filed": N_("Not filed"), "late": N_("Filed late")}

# The orders of the list of employers.
SORT_LABELS = {"risk": N_("Highest risk first"), "arrears": N_("Largest arrears first"), "name": N_("Name"),
               "number": N_("Employer number"), "months_not_filed": N_("Most months not filed first")}
