"""The benchmarks by name.  Each has ``default_n`` and ``run(url, n) -> figures``."""

from __future__ import annotations

from bench import audit_log

BENCHMARKS = {
    "audit_log": audit_log,
}
