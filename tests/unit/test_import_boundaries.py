"""Imports flow one way: portal -> inspections -> notifications -> contributions -> employers -> common.

The domain packages never import the web framework; pure rules import no database code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = {"flask", "flask_login", "flask_wtf", "flask_babel", "wtforms", "werkzeug", "portal"}
FORBIDDEN = {
    "common": WEB | {"employers", "contributions", "notifications", "inspections"},
    "employers": WEB | {"notifications", "contributions", "inspections"},
    "contributions": WEB | {"notifications", "inspections"},
    "notifications": WEB | {"inspections"},
    "inspections": WEB,
}
PURE = ["contributions/rules", "employers/rules.py", "employers/worker_rules.py", "inspections/scoring.py"]
NOT_IN_PURE = {"sqlalchemy", "common.db", "common.clock", "common.audit", "datetime.now"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _files(relative: str) -> list[Path]:
    target = ROOT / relative
    return [target] if target.is_file() else sorted(target.rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_domain_packages_do_not_import_upwards(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _files(package)
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN[package]
    ]
    assert offenders == []


@pytest.mark.parametrize("relative", PURE)
def test_pure_rules_import_no_database_or_clock(relative: str) -> None:
    def impure(name: str) -> bool:
        if name in NOT_IN_PURE or name.split(".")[0] == "sqlalchemy":
            return True
        # Models live beside the rules; the rules may use only each other and common's pure values.
        return name.startswith(("employers.", "contributions.")) and not name.startswith(
            ("contributions.rules", "employers.rules", "employers.worker_rules")
        )

    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _files(relative)
        for name in _imports(path)
        if impure(name)
    ]
    assert offenders == []


def test_migrations_do_not_import_application_models() -> None:
    for path in (ROOT / "migrations" / "versions").glob("*.py"):
        imported = _imports(path)
        assert not {name.split(".")[0] for name in imported} & {"common", "employers", "contributions",
                                                               "notifications", "inspections", "portal"}, path.name
