"""Checking an answer of ``/api/v1`` against its OpenAPI description: the status code is one the operation
declares, the content type is one declared for that status, and a JSON body validates against the declared
schema (schemathesis's own response validation, with the components resolved).

A test calls ``assert_conforms(response, "GET", "/workers/{worker_id}")`` on every answer it reads, so the
description cannot drift from what the API really sends.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re

import schemathesis
from schemathesis.core.failures import FailureGroup

from common.period import Period
from employers.registration import local_today
from portal.api.openapi import description

PREFIX = "/api/v1"


@functools.cache
def loaded_schema():
    """The description loaded by schemathesis (once per run: it is built from constants).  A copy: the
    description shares its dicts with the module that builds it."""
    return schemathesis.openapi.from_dict(copy.deepcopy(description()))


def declared_operation(method: str, path_template: str) -> dict:
    paths = description()["paths"]
    assert path_template in paths, f"{path_template} is not described (paths are relative to {PREFIX})"
    operation = paths[path_template].get(method.lower())
    assert operation is not None, f"{method.upper()} {path_template} is not described"
    return operation


def assert_conforms(response, method: str, path_template: str) -> None:
    """Fail unless ``response`` (a werkzeug ``TestResponse``) is an answer ``method path_template`` declares."""
    operation = declared_operation(method, path_template)
    status = str(response.status_code)
    where = f"{method.upper()} {path_template} -> {status}"
    assert status in operation["responses"], (
        f"{where}: status not declared (declared: {sorted(operation['responses'])}); body: {response.data[:500]!r}")
    content = operation["responses"][status].get("content")
    if not content:
        assert response.data == b"", f"{where}: declared without a body, but answered {response.data[:200]!r}"
        return
    assert response.mimetype in content, (
        f"{where}: content type {response.content_type!r} not declared (declared: {sorted(content)})")
    if response.mimetype == "application/json":
        try:
            json.loads(response.get_data(as_text=True))
        except ValueError:
            raise AssertionError(f"{where}: the body is not JSON: {response.data[:200]!r}") from None
    try:
        loaded_schema()[path_template][method.upper()].validate_response(response)
    except FailureGroup as group:
        raise AssertionError(f"{where}: the body does not match the schema:\n"
                             + "\n".join(str(failure) for failure in group.exceptions)) from None
    except AssertionError as failure:  # a single failure (schemathesis's Failure is an AssertionError)
        raise AssertionError(f"{where}: the body does not match the schema:\n{failure}") from None


NOT_OPERATIONS = {"api.openapi", "api.docs"}  # the description itself and its page: public, not API calls


def openapi_path(rule: str) -> str:
    """``/api/v1/workers/<int(max=2147483647):worker_id>`` -> ``/workers/{worker_id}``."""
    assert rule.startswith(PREFIX + "/"), rule
    return re.sub(r"<(?:[^<>]*:)?(\w+)>", r"{\1}", rule[len(PREFIX):])


def api_routes(app) -> dict[str, set[str]]:
    """Every operation the ``api`` blueprint serves: path (as described) -> lower-case methods."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != "api" or rule.endpoint in NOT_OPERATIONS:
            continue
        methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
        routes.setdefault(openapi_path(rule.rule), set()).update(methods)
    return routes


# --- small helpers the API tests share ---------------------------------------------------------------------

def today_of(employer) -> dt.date:
    """Today in the employer's scheme time zone: the API uses the real clock."""
    return local_today(employer.scheme, dt.datetime.now(dt.UTC))


def line(job, gross_wage: str, **more: object) -> dict:
    """A declaration line for the worker of ``job`` (an Employment) as payroll software sends it."""
    return {"social_security_number": job.person.social_security_number, "gross_wage": gross_wage, **more}


def both_lines(employer) -> list[dict]:
    """Both workers of ``api_employer``: 3,000,000 and 5,000,000 kip (above the ceiling), one as a JSON number."""
    first, second = employer.jobs
    return [line(first, "3000000"), {**line(second, "0"), "gross_wage": 5000000}]


# What both_lines come to with the Lao rules: employee 5.5 %, employer 6 %, base ceiling 4,500,000 kip.
TOTALS = {"gross": "8000000", "base": "7500000", "employee_share": "412500", "employer_share": "450000",
          "total": "862500"}


def error_of(response, status: int, code: str) -> dict:
    """The JSON error of ``response``, after checking its status and stable code."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == code, body
    assert body["message"], body
    return body


def months_of(employer) -> tuple[str, str]:
    """The current month (due next month: never overdue) and the month two months back (its due date passed)."""
    current = Period.of(today_of(employer))
    return str(current), str(current.shift(-2))


def create_draft(api, period: str, lines: list[dict]) -> dict:
    """POST /declarations: the new draft (checked against the description)."""
    response = api.post("/declarations", {"period": period, "lines": lines})
    assert_conforms(response, "POST", "/declarations")
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def submit(api, declaration_id: int, body: dict | None = None) -> dict:
    """POST /declarations/{id}/submit: the filed declaration (checked against the description)."""
    response = api.post(f"/declarations/{declaration_id}/submit", body or {})
    assert_conforms(response, "POST", "/declarations/{declaration_id}/submit")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def account(api) -> dict:
    response = api.get("/account")
    assert_conforms(response, "GET", "/account")
    assert response.status_code == 200
    return response.get_json()


def balance(api) -> str:
    return account(api)["balance"]
