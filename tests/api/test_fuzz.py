"""Property-based fuzzing of ``/api/v1`` from its own OpenAPI description (schemathesis).

Every operation is called with generated requests, valid ones and deliberately wrong ones, signed with a
write token.  No answer may be a server error; every answer must have a status, a content type and a body
the description lists; a wrong request must be refused with a 4xx.  Random values alone would end nearly
every call in 404 or 400, so in valid cases path ids are often the employer's own, and bodies often carry a
declarable period, the workers' social security numbers and sensible wages and dates: the fuzz reaches the
use cases, not only the validation.  A second test sends schemathesis's boundary requests (every limit,
missing part, wrong type and unexpected method); a third calls each operation once with real ids and a
realistic body and expects success, its answer validated against the description.

Generation is derandomised with a fixed seed, so CI sees the same requests on every run.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from common.period import Period
from contributions.drafts import open_draft
from contributions.filing import submit_declaration
from contributions.payment_actions import record_counter_receipt
from employers.worker_rules import END_REASONS
from portal.api.openapi import description
from tests import factories
from tests.api.conftest import REGISTERED, token_for

EXAMPLES = 30
NO_PHASES = {"examples": {"enabled": False}, "coverage": {"enabled": False}, "fuzzing": {"enabled": False},
             "stateful": {"enabled": False}}
# The token is sent by the test, never generated: a case without it would test nothing but the 401.
GENERATION = {"mode": "all", "deterministic": True, "with-security-parameters": False}


def _schema(phase: str, **generation: object):
    config = schemathesis.Config.from_dict({"seed": 20261127, "generation": {**GENERATION, **generation},
                                            "phases": {**NO_PHASES, phase: {"enabled": True}}})
    return schemathesis.openapi.from_dict(description(), config=config)


fuzzed = _schema("fuzzing", **{"max-examples": EXAMPLES})
covered = _schema("coverage")  # schemathesis's boundary values: every limit, missing part and wrong type
described = _schema("examples")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.filter_too_much, HealthCheck.data_too_large])


@pytest.fixture
def world(app, db, api_employer) -> dict:
    """What realistic requests need: the employer's workers, a draft, a filed declaration and a payment,
    declarable periods and a write token."""
    now = dt.datetime.now(dt.UTC)
    this_month = Period.of(now.date())
    draft = open_draft(db, api_employer, this_month.previous(), actor=factories.ACTOR, now=now)
    to_file = open_draft(db, api_employer, this_month.shift(-2), actor=factories.ACTOR, now=now)
    filed = submit_declaration(db, api_employer, to_file.id, revision=None, actor=factories.ACTOR, now=now)
    payment = record_counter_receipt(db, api_employer, amount=Decimal("100000"), value_date=now.date(),
                                     channel="cash", payer_name="", reference="", declaration_id=filed.declaration.id,
                                     actor=factories.ACTOR, now=now)
    db.commit()
    periods, period = [], Period.of(REGISTERED)
    while period <= this_month:
        periods.append(str(period))
        period = period.next()
    return {"token": token_for(db, api_employer, name="Fuzz"), "today": now.date().isoformat(),
            "ids": {"worker_id": [job.id for job in api_employer.jobs],
                    "declaration_id": [draft.id, filed.declaration.id], "payment_id": [payment.id],
                    "period": [str(this_month.previous()), str(this_month.shift(-2))]},
            "draft": draft.id, "filed": filed.declaration.id, "periods": periods,
            "ssns": [job.person.social_security_number for job in api_employer.jobs]}


def _signed(world: dict) -> dict:
    return {"Authorization": f"Bearer {world['token']}"}


def _is_negative(case) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_negative


def _blank_query(case) -> bool:
    """``?limit=`` or ``?period=``: the API reads a blank query value as not given (the default page, no
    filter), as a web form sends an empty field; schemathesis counts it as a wrong value."""
    return any(value in ("", None, [], {}) for value in (case.query or {}).values())


def _checks(case) -> list:
    if _is_negative(case) and not _blank_query(case):
        return [*CHECKS, negative_data_rejection]
    return CHECKS


def _hire(world: dict) -> dict:
    person = factories.person_values(document_country="LA", nationality="LA")
    return {"person": person, "employment": factories.employment_values(hired_on=world["today"])}


def _own_ids(case, world: dict, pick) -> None:
    """Path ids swapped for the employer's own (``pick(name, known)``), unless the path is what a wrong case
    gets wrong: a wrong body or header is then judged on a real declaration, not answered 404."""
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH):
        return
    for name, known in world["ids"].items():
        if name in (case.path_parameters or {}):
            chosen = pick(name, known)
            if chosen is not None:
                case.path_parameters[name] = chosen


def _fresh_key(case) -> None:
    """A write's generated key may repeat from one example to the next (and be refused as reused, rightly):
    a valid case gets a key of its own, so that its write is carried out."""
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())


def _realistic(case, data, world: dict) -> None:
    """Swap generated values of a valid case for the employer's own (drawn, so hypothesis explores both)."""
    draw = data.draw
    body = case.body
    if not isinstance(body, dict) or not draw(st.booleans(), label="realistic body"):
        return
    if "period" in body:
        body["period"] = draw(st.sampled_from(world["periods"]), label="period")
    if body.get("lines"):  # one line per worker at most: a worker declared twice is refused
        body["lines"] = body["lines"][:len(world["ssns"])]
        for line, ssn in zip(body["lines"], world["ssns"], strict=False):
            line["social_security_number"] = ssn
            line["gross_wage"] = str(draw(st.integers(0, 20_000_000), label="wage"))
    if "revision" in body and draw(st.booleans(), label="no revision"):
        del body["revision"]
    if "person" in body:
        real = _hire(world)
        kept = draw(st.sets(st.sampled_from(["person", "employment"]), max_size=1), label="kept")
        body.update({part: value for part, value in real.items() if part not in kept})
    if case.path.endswith("/end"):
        body.update(ended_on=world["today"], reason=draw(st.sampled_from(END_REASONS), label="reason"))


@fuzzed.parametrize()
@fuzzed.given(data=st.data())
@FUZZ
def test_no_generated_request_breaks_the_api(case, data, app, world) -> None:
    _own_ids(case, world, lambda name, known: data.draw(st.none() | st.sampled_from(known), label=name))
    if not _is_negative(case):
        _realistic(case, data, world)
        _fresh_key(case)  # a wrong case keeps its generated key: missing, too long, non-ASCII...
    case.call_and_validate(app=app, headers=_signed(world), checks=_checks(case))


@covered.parametrize()
@FUZZ
def test_boundary_requests_are_answered_as_described(case, app, world) -> None:
    _own_ids(case, world, lambda name, known: known[0])
    if not _is_negative(case):
        _fresh_key(case)
    case.call_and_validate(app=app, headers=_signed(world), checks=_checks(case))


REALISTIC = [  # (method, path, path parameters from world, body builder, expected status)
    ("GET", "/employer", {}, None, 200),
    ("GET", "/workers", {}, None, 200),
    ("POST", "/workers", {}, _hire, 201),
    ("GET", "/workers/{worker_id}", {"worker_id": "worker"}, None, 200),
    ("POST", "/workers/{worker_id}/end", {"worker_id": "worker"},
     lambda w: {"ended_on": w["today"], "reason": "resignation"}, 200),
    ("GET", "/declarations", {}, None, 200),
    ("POST", "/declarations", {}, lambda w: {"period": w["periods"][0], "lines": [
        {"social_security_number": w["ssns"][0], "gross_wage": "3000000", "days_worked": 20}]}, 201),
    ("POST", "/declarations/nil", {}, lambda w: {"period": w["periods"][1], "reason": "Closed"}, 201),
    ("GET", "/declarations/{declaration_id}", {"declaration_id": "filed"}, None, 200),
    ("DELETE", "/declarations/{declaration_id}", {"declaration_id": "draft"}, None, 204),
    ("GET", "/declarations/{declaration_id}/lines", {"declaration_id": "filed"}, None, 200),
    ("PUT", "/declarations/{declaration_id}/lines", {"declaration_id": "draft"}, lambda w: {"lines": [
        {"social_security_number": ssn, "gross_wage": "4000000"} for ssn in w["ssns"]], "revision": 0}, 200),
    ("POST", "/declarations/{declaration_id}/validate", {"declaration_id": "draft"}, None, 200),
    ("POST", "/declarations/{declaration_id}/submit", {"declaration_id": "draft"}, lambda w: {"revision": 0}, 200),
    ("GET", "/declarations/{declaration_id}/receipt.pdf", {"declaration_id": "filed"}, None, 200),
    ("GET", "/periods/{period}", {"period": "period"}, None, 200),
    ("GET", "/account", {}, None, 200),
    ("GET", "/payments", {}, None, 200),
    ("GET", "/payments/{payment_id}", {"payment_id": "payment"}, None, 200),
]


def test_realistic_table_covers_every_operation() -> None:
    operations = {(method.upper(), path) for path, item in description()["paths"].items() for method in item}
    assert {(method, path) for method, path, *_ in REALISTIC} == operations


@pytest.mark.parametrize(("method", "path", "names", "body", "status"), REALISTIC,
                         ids=[f"{method} {path}" for method, path, *_ in REALISTIC])
def test_each_operation_succeeds_with_real_ids_as_described(method, path, names, body, status, app, world) -> None:
    known = {"worker": world["ids"]["worker_id"][0], "filed": world["filed"], "draft": world["draft"],
             "payment": world["ids"]["payment_id"][0], "period": world["ids"]["period"][1]}
    operation = described[path][method]
    kwargs = {"body": body(world)} if body else {}
    headers = {"Idempotency-Key": str(uuid.uuid4())} if method != "GET" else {}
    case = operation.Case(path_parameters={name: known[key] for name, key in names.items()}, headers=headers,
                          **kwargs)
    response = case.call_and_validate(app=app, headers=_signed(world), checks=CHECKS)
    assert response.status_code == status, response.text
