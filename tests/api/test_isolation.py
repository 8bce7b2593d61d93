"""Tenant isolation: a token reaches its own employer's objects only.  Employer A's token on any of employer
B's ids answers 404 (the API's JSON error, never 403: another employer's ids are not confirmed to exist) and
changes nothing of B's; A's lists never show B's rows.

The table has a row for every route with a path parameter, and a test compares it with the app's routes: a
new route without an isolation row fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from contributions.payment_actions import record_counter_receipt
from tests import factories
from tests.api.conftest import REGISTERED, ApiClient, token_for
from tests.api.contract import (
    api_routes,
    assert_conforms,
    both_lines,
    create_draft,
    error_of,
    line,
    months_of,
    submit,
    today_of,
)

WORKER, DECLARATION = "/workers/{worker_id}", "/declarations/{declaration_id}"


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    target: str  # which of B's objects: worker, draft, filed, payment, period
    body: object = None
    key: bool = True  # a write sends an Idempotency-Key (validate needs none)


def _b_lines(b) -> dict:
    return {"lines": [line(b.jobs[0], "2000000")]}


TABLE = [
    Row("GET", WORKER, "worker"),
    Row("POST", WORKER + "/end", "worker", {"ended_on": "2026-06-30", "reason": "resignation"}),
    *(row for target in ("draft", "filed") for row in (
        Row("GET", DECLARATION, target),
        Row("DELETE", DECLARATION, target),
        Row("GET", DECLARATION + "/lines", target),
        Row("PUT", DECLARATION + "/lines", target, _b_lines),
        Row("POST", DECLARATION + "/validate", target, key=False),
        Row("POST", DECLARATION + "/submit", target, {}),
        Row("GET", DECLARATION + "/receipt.pdf", target),
    )),
    Row("GET", "/payments/{payment_id}", "payment"),
    Row("GET", "/periods/{period}", "period"),  # a period is not an id: A reads its own month, never B's
]


@dataclass
class World:
    a: ApiClient
    b: ApiClient
    a_employer: object
    b_employer: object
    a_ids: dict
    b_ids: dict


def _pay(db, employer, amount: str):
    payment = record_counter_receipt(db, employer, amount=Decimal(amount), value_date=today_of(employer),
                                     channel="cash", payer_name="Payer", reference="", declaration_id=None,
                                     actor=factories.ACTOR, now=dt.datetime.now(dt.UTC))
    db.commit()
    return payment


def _objects(api, employer, db, amount: str) -> dict:
    """A worker, a filed declaration (two months back), a draft (this month) and a payment of ``employer``."""
    current, old = months_of(employer)
    filed = submit(api, create_draft(api, old, both_lines(employer))["id"])
    draft = create_draft(api, current, [line(employer.jobs[1], "4000000")])
    return {"worker": employer.jobs[0].id, "filed": filed["id"], "draft": draft["id"],
            "payment": _pay(db, employer, amount).id, "period": old}


@pytest.fixture
def world(app, db, api, api_employer) -> World:
    b_employer = factories.employer_since(db, REGISTERED)
    b_employer.jobs = [factories.hire(db, b_employer, wage="2500000"), factories.hire(db, b_employer, wage="6000000")]
    db.commit()
    b = ApiClient(app.test_client(), token_for(db, b_employer, name="B's payroll"))
    return World(api, b, api_employer, b_employer, _objects(api, api_employer, db, "100000"),
                 _objects(b, b_employer, db, "250000"))


def snapshot(b: ApiClient, ids: dict) -> dict:
    """Everything of B's the table's calls could change, as B reads it."""
    paths = ["/workers", "/declarations", "/account", "/payments", f"/payments/{ids['payment']}",
             f"/periods/{ids['period']}", f"/declarations/{ids['draft']}/lines", f"/declarations/{ids['filed']}/lines"]
    seen = {}
    for path in paths:
        response = b.get(path)
        assert response.status_code == 200, path
        seen[path] = response.get_json()
    return seen


def routes_with_a_parameter(app) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, methods in api_routes(app).items() if "{" in path for method in methods}


def test_the_table_covers_every_route_with_a_path_parameter(app) -> None:
    routes = routes_with_a_parameter(app)
    assert {(row.method, row.path) for row in TABLE} == routes
    for target in ("draft", "filed"):  # a declaration route is tried on a draft and on a filed version
        assert {(r.method, r.path) for r in TABLE if r.target == target} == \
            {(m, p) for m, p in routes if p.startswith(DECLARATION)}


def test_a_new_route_with_an_id_is_seen_without_its_row(app) -> None:
    app.add_url_rule("/api/v1/payments/<int:payment_id>/refund", endpoint="api.refund",
                     view_func=lambda payment_id: "", methods=["POST"])
    assert routes_with_a_parameter(app) - {(row.method, row.path) for row in TABLE} == {
        ("POST", "/payments/{payment_id}/refund")}


@pytest.mark.parametrize("row", TABLE, ids=lambda row: f"{row.method} {row.path} {row.target}")
def test_another_employers_id_is_not_found_and_nothing_changes(world: World, row: Row) -> None:
    before = snapshot(world.b, world.b_ids)
    target = world.b_ids[row.target]
    name = row.path[row.path.index("{") + 1:row.path.index("}")]
    path = row.path.replace("{" + name + "}", str(target))
    body = row.body(world.b_employer) if callable(row.body) else row.body
    if row.method == "GET":
        response = world.a.get(path)
    else:
        response = world.a.write(row.method, path, body, **({} if row.key else {"key": None}))
    assert_conforms(response, row.method, row.path)
    if row.target == "period":
        own = response.get_json()
        ids = {v["id"] for v in own["versions"]} | ({own["draft"]["id"]} if own["draft"] else set())
        assert response.status_code == 200
        assert ids == {world.a_ids["filed"]}
    else:
        found = error_of(response, 404, "api.not_found")
        assert (found["field"], found["row"], found["problems"]) == (None, None, [])
    assert snapshot(world.b, world.b_ids) == before


def test_lists_show_only_the_tokens_own_rows(world: World) -> None:
    a, a_ids, b_ids = world.a, world.a_ids, world.b_ids
    workers = a.get("/workers")
    assert_conforms(workers, "GET", "/workers")
    assert {w["id"] for w in workers.get_json()["items"]} == {job.id for job in world.a_employer.jobs}
    for job in world.b_employer.jobs:
        found = a.get("/workers", query_string={"search": job.person.social_security_number})
        assert found.get_json()["items"] == []
    declarations = a.get("/declarations")
    assert_conforms(declarations, "GET", "/declarations")
    assert {d["id"] for d in declarations.get_json()["items"]} == {a_ids["filed"], a_ids["draft"]}
    for period in months_of(world.b_employer):
        listed = a.get("/declarations", query_string={"period": period}).get_json()["items"]
        assert not {d["id"] for d in listed} & {b_ids["filed"], b_ids["draft"]}
    payments = a.get("/payments")
    assert_conforms(payments, "GET", "/payments")
    assert [p["id"] for p in payments.get_json()["items"]] == [a_ids["payment"]]
    account = a.get("/account")
    assert_conforms(account, "GET", "/account")
    assert account.get_json()["balance"] == "762500"  # A's 862,500 charged less A's 100,000 paid
    assert a.get("/employer").get_json()["id"] == world.a_employer.id


def test_another_employers_worker_cannot_be_declared(world: World) -> None:
    response = world.a.put(f"/declarations/{world.a_ids['draft']}/lines",
                           {"lines": [line(world.b_employer.jobs[0], "2000000")]})
    assert_conforms(response, "PUT", "/declarations/{declaration_id}/lines")
    found = error_of(response, 400, "declaration.lines_invalid")
    assert [(p["row"], p["field"], p["code"]) for p in found["problems"]] == [
        (1, "social_security_number", "declaration.not_employed")]
