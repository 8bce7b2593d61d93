"""Where a refused call went wrong: the field, and for declaration lines the row, of every problem."""

from __future__ import annotations

from typing import Any

from common.errors import DomainError
from contributions.drafts import LinesInvalid
from employers.registration import ApplicationInvalid
from portal.api.core import problem

MAX_PROBLEMS = 1000  # a file of 50,000 wrong lines is reported by its first thousand problems


def line_problems(lines) -> list[dict]:
    """Every problem of every line: ``row`` is the line's 1-based position in the request's ``lines``."""
    found = []
    for line in lines:
        for field, code, params in line.problems:
            found.append(problem(code, params, field=field, row=line.row))
            if len(found) >= MAX_PROBLEMS:
                return found
    return found


def details(error: DomainError, *, names: dict[str, str] | None = None) -> dict[str, Any]:
    """``field``, ``row`` and ``problems`` for the JSON error of ``error``; ``names`` gives the request's name
    of a field where it differs from the domain's."""
    if isinstance(error, LinesInvalid):
        return {"problems": line_problems(error.lines)}
    if isinstance(error, ApplicationInvalid):
        names = names or {}
        problems = [problem(code, field=names.get(field, field)) for field, code in error.problems]
        return {"problems": problems, "field": problems[0]["field"] if len(problems) == 1 else None}
    return {}
