"""The employer, its account and its payments through the API: what filing charged, what a payment paid and
how each period stands; every answer checked against the description and for its values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from contributions.payment_actions import record_counter_receipt, reverse_payment
from tests import factories
from tests.api.conftest import REGISTERED, ApiClient, token_for
from tests.api.contract import (
    account,
    assert_conforms,
    balance,
    both_lines,
    create_draft,
    error_of,
    months_of,
    submit,
    today_of,
)

PAYMENTS, PAYMENT = "/payments", "/payments/{payment_id}"


@pytest.fixture
def filed(api, api_employer) -> dict[str, dict]:
    """Both months filed with both workers: 862,500 kip charged for each."""
    current, old = months_of(api_employer)
    return {period: submit(api, create_draft(api, period, both_lines(api_employer))["id"]) for period in (old, current)}


def pay(db, employer, amount: str, *, declaration_id: int | None = None, value_date: dt.date | None = None):
    payment = record_counter_receipt(db, employer, amount=Decimal(amount), value_date=value_date or today_of(employer),
                                     channel="cash", payer_name="Payroll office", reference="October",
                                     declaration_id=declaration_id, actor=factories.ACTOR,
                                     now=dt.datetime.now(dt.UTC))
    db.commit()
    return payment


def test_the_employer_is_the_tokens(app, api, db, api_employer) -> None:
    response = api.get("/employer")
    assert_conforms(response, "GET", "/employer")
    assert response.get_json() == {
        "id": api_employer.id, "employer_number": api_employer.employer_number, "name": api_employer.legal_name,
        "scheme": "LA-LSSO", "country": "LA", "currency": "LAK", "status": "active",
        "registered_on": REGISTERED.isoformat(), "preferred_language": "lo"}
    other = factories.employer_since(db, dt.date(2025, 6, 2), scheme_code="TJ-SOCTAX")
    response = ApiClient(app.test_client(), token_for(db, other, scope="read")).get("/employer")
    assert_conforms(response, "GET", "/employer")
    assert (response.get_json()["id"], response.get_json()["currency"]) == (other.id, "TJS")


def test_tajik_amounts_carry_two_decimals(app, db) -> None:
    """TJS has two decimals: wages, shares (2 % and 20 %, rounded half up), totals and the ledger keep them."""
    employer = factories.employer_since(db, dt.date(2025, 6, 2), scheme_code="TJ-SOCTAX")
    api = ApiClient(app.test_client(), token_for(db, employer))
    lines = []
    for wage in ("1500.55", "2333.3"):
        body = {"person": factories.person_values(document_country="TJ", nationality="TJ"),
                "employment": factories.employment_values(hired_on="2025-07-01", monthly_wage=wage)}
        response = api.post("/workers", body)
        assert_conforms(response, "POST", "/workers")
        worker = response.get_json()
        lines.append({"social_security_number": worker["person"]["social_security_number"], "gross_wage": wage})
    assert worker["monthly_wage"] == "2333.30"
    filed = submit(api, create_draft(api, months_of(employer)[0], lines)["id"])
    assert filed["totals"] == {"gross": "3833.85", "base": "3833.85", "employee_share": "76.68",
                               "employer_share": "766.77", "total": "843.45"}
    assert filed["amount_charged"] == "843.45"
    response = api.get(f"/declarations/{filed['id']}/lines")
    assert_conforms(response, "GET", "/declarations/{declaration_id}/lines")
    assert [(x["gross_wage"], x["employee_share"], x["employer_share"]) for x in response.get_json()["items"]] == \
        [("1500.55", "30.01", "300.11"), ("2333.30", "46.67", "466.66")]
    found = account(api)
    assert (found["currency"], found["balance"], found["credit"]) == ("TJS", "843.45", "0.00")


def test_a_call_without_a_valid_token_is_refused(client) -> None:
    for headers in ({}, {"Authorization": "Bearer ocp_nothing"}, {"Authorization": "Basic eDp5"}):
        response = client.get("/api/v1/employer", headers=headers)
        assert_conforms(response, "GET", "/employer")
        error_of(response, 401, "api.token_invalid")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_account_with_nothing_filed(api, api_employer) -> None:
    found = account(api)
    assert found == {"currency": "LAK", "as_of": today_of(api_employer).isoformat(), "balance": "0",
                     "credit": "0", "overdue": "0", "periods": []}


def test_the_account_after_filing_shows_each_period_unpaid_and_overdue_by_its_due_date(api, api_employer,
                                                                                       filed) -> None:
    current, old = months_of(api_employer)
    found = account(api)
    assert (found["balance"], found["credit"], found["overdue"]) == ("1725000", "0", "862500")
    today = today_of(api_employer).isoformat()
    assert found["periods"] == [
        {"period": period, "due_date": filed[period]["due_date"], "charged": "862500", "paid": "0",
         "outstanding": "862500", "status": "unpaid", "overdue": filed[period]["due_date"] < today}
        for period in (current, old)]  # newest first
    assert [p["overdue"] for p in found["periods"]] == [False, True]


def test_a_payment_is_listed_with_what_it_paid_and_the_period_is_partly_paid(api, db, api_employer, filed) -> None:
    _current, old = months_of(api_employer)
    payment = pay(db, api_employer, "500000")
    response = api.get(PAYMENTS)
    assert_conforms(response, "GET", PAYMENTS)
    page = response.get_json()
    assert (page["limit"], page["offset"], page["next_offset"]) == (100, 0, None)
    [item] = page["items"]
    assert (item["id"], item["amount"], item["currency"], item["channel"]) == (payment.id, "500000", "LAK", "cash")
    assert (item["transaction_id"], item["value_date"]) == (payment.transaction_id, today_of(api_employer).isoformat())
    # The oldest period first, the employee share before the employer share.
    assert item["allocations"] == [
        {"period": old, "component": "employee_share", "kind": "payment", "amount": "412500"},
        {"period": old, "component": "employer_share", "kind": "payment", "amount": "87500"}]

    response = api.get(PAYMENT.format(payment_id=payment.id))
    assert_conforms(response, "GET", PAYMENT)
    assert response.get_json() == item

    found = account(api)
    assert found["balance"] == "1225000"
    assert {p["period"]: (p["paid"], p["outstanding"], p["status"], p["overdue"]) for p in found["periods"]}[old] == \
        ("500000", "362500", "partly_paid", True)
    assert found["overdue"] == "362500"


def test_paying_what_is_left_makes_the_period_paid(api, db, api_employer, filed) -> None:
    current, old = months_of(api_employer)
    pay(db, api_employer, "500000", value_date=today_of(api_employer) - dt.timedelta(days=1))
    second = pay(db, api_employer, "362500", declaration_id=filed[old]["id"])
    found = account(api)
    statuses = {p["period"]: (p["status"], p["outstanding"], p["overdue"]) for p in found["periods"]}
    assert statuses == {old: ("paid", "0", False), current: ("unpaid", "862500", False)}
    assert (found["balance"], found["overdue"]) == ("862500", "0")

    response = api.get(PAYMENTS + "?limit=1")
    assert_conforms(response, "GET", PAYMENTS)
    page = response.get_json()
    assert ([p["id"] for p in page["items"]], page["next_offset"]) == ([second.id], 1)  # newest value date first
    assert page["items"][0]["declaration_id"] == filed[old]["id"]
    assert page["items"][0]["allocations"] == [
        {"period": old, "component": "employer_share", "kind": "payment", "amount": "362500"}]
    response = api.get(PAYMENTS + "?limit=1&offset=1")
    assert_conforms(response, "GET", PAYMENTS)
    assert response.get_json()["next_offset"] is None


def test_money_beyond_what_is_due_is_credit(api, db, api_employer, filed) -> None:
    payment = pay(db, api_employer, "2000000")
    found = account(api)
    assert (found["balance"], found["credit"], found["overdue"]) == ("-275000", "275000", "0")
    assert {p["status"] for p in found["periods"]} == {"paid"}
    response = api.get(PAYMENT.format(payment_id=payment.id))
    assert_conforms(response, "GET", PAYMENT)
    allocations = response.get_json()["allocations"]
    assert sum(Decimal(a["amount"]) for a in allocations) == Decimal("2000000")
    assert [a["amount"] for a in allocations if a["component"] == "credit"] == ["275000"]


def test_an_unknown_payment_and_a_bad_page_are_refused(api) -> None:
    response = api.get(PAYMENT.format(payment_id=2147483647))
    assert_conforms(response, "GET", PAYMENT)
    error_of(response, 404, "api.not_found")
    response = api.get(PAYMENTS + "?limit=0")
    assert_conforms(response, "GET", PAYMENTS)
    assert error_of(response, 400, "api.query_invalid")["field"] == "limit"


def test_a_reversed_payment_shows_what_it_undid_and_the_period_is_owed_again(api, db, api_employer,
                                                                              filed) -> None:
    _current, old = months_of(api_employer)
    payment = pay(db, api_employer, "500000")
    reverse_payment(db, payment.id, reason="Cheque bounced", actor=factories.ACTOR, now=dt.datetime.now(dt.UTC))
    db.commit()
    response = api.get(PAYMENT.format(payment_id=payment.id))
    assert_conforms(response, "GET", PAYMENT)
    found = response.get_json()
    assert found["status"] == "reversed"
    assert sorted((a["component"], a["kind"], a["amount"]) for a in found["allocations"]) == [
        ("employee_share", "payment", "412500"), ("employee_share", "reversal", "-412500"),
        ("employer_share", "payment", "87500"), ("employer_share", "reversal", "-87500")]
    assert {a["period"] for a in found["allocations"]} == {old}
    periods = {p["period"]: (p["paid"], p["status"]) for p in account(api)["periods"]}
    assert periods[old] == ("0", "unpaid")
    assert balance(api) == "1725000"
