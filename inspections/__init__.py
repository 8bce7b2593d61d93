"""Compliance work of the inspectors: monthly compliance facts and KPIs, explainable risk scores, inspection
cases and what workers report.  Sits above ``notifications`` (a case's assessment notifies the employer)."""
