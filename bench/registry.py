"""The benchmarks by name.  Each has ``default_n`` and ``run(url, n) -> figures``."""

from __future__ import annotations

from bench import (
    api_declaration,
    arrears_run,
    audit_log,
    declaration_upload,
    inspector_pages,
    notices,
    reconcile,
    worker_list,
    workers_import,
)

BENCHMARKS = {
    "audit_log": audit_log,
    "workers_import": workers_import,
    "worker_list": worker_list,
    "declaration_upload": declaration_upload,
    "reconcile": reconcile,
    "arrears_run": arrears_run,
    "notices": notices,
    "inspector_pages": inspector_pages,
    "api_declaration": api_declaration,
}
