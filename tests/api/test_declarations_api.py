"""Declarations through the API: a draft with its lines, its lines replaced and read, checked, filed (once),
versions of a period, nil declarations, deleting a draft and the receipt; every answer checked against the
description and for its values (Lao rules: 5.5 % and 6 %, ceiling 4,500,000 kip, floor 1,250,000 kip).
The API uses the real clock: periods are the current month and the month two months back (see months_of).
"""

from __future__ import annotations

import re

import pytest

from common.period import Period
from contributions.drafts import open_draft
from tests import factories
from tests.api.contract import TOTALS, assert_conforms, balance, both_lines, error_of, line, months_of, submit
from tests.api.contract import create_draft as create

LIST, ONE, LINES = "/declarations", "/declarations/{declaration_id}", "/declarations/{declaration_id}/lines"
VALIDATE, SUBMIT = "/declarations/{declaration_id}/validate", "/declarations/{declaration_id}/submit"
RECEIPT, NIL, PERIOD = "/declarations/{declaration_id}/receipt.pdf", "/declarations/nil", "/periods/{period}"


@pytest.fixture
def current(api_employer) -> str:
    return months_of(api_employer)[0]


@pytest.fixture
def old(api_employer) -> str:
    return months_of(api_employer)[1]


# --- create -------------------------------------------------------------------------------------------------

def test_create_a_draft_computes_its_lines_and_totals(api, api_employer, current) -> None:
    response = api.post(LIST, {"period": current, "lines": both_lines(api_employer)})
    assert_conforms(response, "POST", LIST)
    assert response.status_code == 201
    draft = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/declarations/{draft['id']}")
    assert draft["totals"] == TOTALS  # whole kip, as strings
    assert (draft["period"], draft["status"], draft["kind"], draft["version"], draft["revision"]) == \
        (current, "draft", "original", None, 1)
    assert (draft["line_count"], draft["currency"], draft["is_nil"]) == (2, "LAK", False)
    assert draft["receipt_number"] is draft["rf_reference"] is draft["amount_charged"] is draft["filed_at"] is None
    period = api.get(PERIOD.format(period=current)).get_json()
    assert (draft["due_date"], period["draft"]) == (period["due_date"], draft)
    got = api.get(ONE.format(declaration_id=draft["id"]))
    assert_conforms(got, "GET", ONE)
    assert got.get_json() == draft


def test_lines_with_problems_name_every_problem_by_row_and_field_and_save_nothing(api, api_employer,
                                                                                   current) -> None:
    first, _second = api_employer.jobs
    lines = [{"social_security_number": "999999999", "gross_wage": "-5"},
             line(first, "3000000"),
             line(first, "abc", days_worked=40, absence_reason="holiday"),
             {"gross_wage": "0"}]
    response = api.post(LIST, {"period": current, "lines": lines})
    assert_conforms(response, "POST", LIST)
    found = error_of(response, 400, "declaration.lines_invalid")
    assert sorted((p["row"], p["field"], p["code"]) for p in found["problems"]) == [
        (1, "gross_wage", "declaration.wage_negative"),
        (1, "social_security_number", "declaration.ssn_unknown"),
        (3, "absence_reason", "declaration.absence_reason_unknown"),
        (3, "days_worked", "declaration.days_invalid"),
        (3, "gross_wage", "declaration.wage_invalid"),
        (3, "social_security_number", "declaration.duplicate_line"),
        (4, "absence_reason", "declaration.absence_reason_required"),
        (4, "social_security_number", "field.required")]
    assert all(p["message"] for p in found["problems"])
    assert "3" in found["message"]  # three lines need correcting
    listed = api.get(LIST, query_string={"period": current})
    assert_conforms(listed, "GET", LIST)
    assert listed.get_json()["items"] == []
    assert api.get(PERIOD.format(period=current)).get_json()["draft"] is None


def test_a_line_of_the_wrong_type_names_its_row(api, api_employer, current) -> None:
    response = api.post(LIST, {"period": current, "lines": [line(api_employer.jobs[0], "1"), "not a line"]})
    assert_conforms(response, "POST", LIST)
    found = error_of(response, 400, "api.type_invalid")
    assert (found["field"], found["row"]) == ("lines", 2)


def test_periods_that_cannot_be_declared_are_refused(api, api_employer, current) -> None:
    cases = ((str(Period.parse(current).next()), "declaration.period_future"),
             ("2024-12", "declaration.period_before_registration"), ("2026-13", "period.invalid"))
    for period, code in cases:
        response = api.post(LIST, {"period": period, "lines": both_lines(api_employer)})
        assert_conforms(response, "POST", LIST)
        error_of(response, 400, code)
    response = api.post(LIST, {"period": current, "lines": []})
    assert_conforms(response, "POST", LIST)
    error_of(response, 400, "declaration.no_lines")


def test_a_second_post_for_a_period_with_a_changed_draft_is_a_conflict(api, api_employer, current) -> None:
    draft = create(api, current, both_lines(api_employer))
    response = api.post(LIST, {"period": current, "lines": [line(api_employer.jobs[0], "1500000")]})
    assert_conforms(response, "POST", LIST)
    found = error_of(response, 409, "api.draft_exists")
    assert found["field"] == "period"
    assert str(draft["id"]) in found["message"]
    assert api.get(ONE.format(declaration_id=draft["id"])).get_json()["totals"] == TOTALS


def test_a_draft_opened_on_the_web_and_unchanged_is_taken_over(api, db, api_employer, current) -> None:
    opened = open_draft(db, api_employer, Period.parse(current), actor=factories.ACTOR, now=factories.NOW)
    db.commit()
    draft = create(api, current, [line(api_employer.jobs[0], "3000000")])
    assert (draft["id"], draft["line_count"], draft["revision"]) == (opened.id, 1, 1)


# --- lines --------------------------------------------------------------------------------------------------

def test_put_lines_replaces_them_when_the_revision_matches(api, api_employer, current) -> None:
    draft = create(api, current, both_lines(api_employer))
    path = LINES.format(declaration_id=draft["id"])
    new_lines = [line(api_employer.jobs[1], "4000000")]
    response = api.put(path, {"lines": new_lines, "revision": 0})
    assert_conforms(response, "PUT", LINES)
    error_of(response, 409, "declaration.changed")

    response = api.put(path, {"lines": new_lines, "revision": 1})
    assert_conforms(response, "PUT", LINES)
    assert response.status_code == 200
    replaced = response.get_json()
    assert (replaced["id"], replaced["revision"], replaced["line_count"]) == (draft["id"], 2, 1)
    assert replaced["totals"] == {"gross": "4000000", "base": "4000000", "employee_share": "220000",
                                  "employer_share": "240000", "total": "460000"}
    response = api.put(path, {"lines": both_lines(api_employer)})  # no revision: whatever it is now
    assert_conforms(response, "PUT", LINES)
    assert (response.get_json()["revision"], response.get_json()["totals"]) == (3, TOTALS)


def test_put_lines_with_a_problem_changes_nothing(api, api_employer, current) -> None:
    draft = create(api, current, both_lines(api_employer))
    path = LINES.format(declaration_id=draft["id"])
    before = api.get(path).get_json()
    response = api.put(path, {"lines": [line(api_employer.jobs[0], "3000000"), line(api_employer.jobs[1], "x")]})
    assert_conforms(response, "PUT", LINES)
    found = error_of(response, 400, "declaration.lines_invalid")
    assert [(p["row"], p["field"], p["code"]) for p in found["problems"]] == [(2, "gross_wage",
                                                                               "declaration.wage_invalid")]
    assert api.get(path).get_json() == before
    assert api.get(ONE.format(declaration_id=draft["id"])).get_json()["revision"] == 1
    for body, status, code in (({"lines": []}, 400, "declaration.no_lines"), ({}, 400, "field.required"),
                               ({"lines": both_lines(api_employer), "revision": "1"}, 400, "api.type_invalid")):
        response = api.put(path, body)
        assert_conforms(response, "PUT", LINES)
        error_of(response, status, code)
    response = api.put(LINES.format(declaration_id=2147483647), {"lines": both_lines(api_employer)})
    assert_conforms(response, "PUT", LINES)
    error_of(response, 404, "api.not_found")


def test_get_lines_pages_through_the_computed_lines(api, api_employer, current) -> None:
    first, second = api_employer.jobs
    draft = create(api, current, both_lines(api_employer))
    path = LINES.format(declaration_id=draft["id"])
    response = api.get(path + "?limit=1")
    assert_conforms(response, "GET", LINES)
    page = response.get_json()
    assert (page["limit"], page["offset"], page["next_offset"]) == (1, 0, 1)
    [one] = page["items"]
    assert (one["social_security_number"], one["employment_id"], one["person_id"]) == \
        (first.person.social_security_number, first.id, first.person_id)
    assert (one["gross_wage"], one["base"], one["employee_share"], one["employer_share"]) == \
        ("3000000", "3000000", "165000", "180000")
    assert (one["floor_applied"], one["ceiling_applied"], one["days_worked"], one["absence_reason"]) == \
        (False, False, None, None)
    response = api.get(path + "?limit=1&offset=1")
    assert_conforms(response, "GET", LINES)
    [two] = response.get_json()["items"]
    assert response.get_json()["next_offset"] is None
    assert (two["social_security_number"], two["base"], two["ceiling_applied"]) == \
        (second.person.social_security_number, "4500000", True)
    response = api.get(LINES.format(declaration_id=2147483647))
    assert_conforms(response, "GET", LINES)
    error_of(response, 404, "api.not_found")


# --- validate -----------------------------------------------------------------------------------------------

def test_validate_reports_a_worker_no_longer_employed_in_the_period(api, api_employer, current) -> None:
    first, second = api_employer.jobs
    draft = create(api, current, [line(second, "5000000"), line(first, "1000000")])
    path = VALIDATE.format(declaration_id=draft["id"])
    response = api.post(path, key=None)  # checking writes nothing: no key needed
    assert_conforms(response, "POST", VALIDATE)
    report = response.get_json()
    assert (report["valid"], report["problems"]) == (True, [])
    assert [(n["row"], n["field"], n["code"]) for n in report["notes"]] == [(2, "gross_wage",
                                                                            "declaration.below_floor")]
    assert report["declaration"]["id"] == draft["id"]

    before = Period.parse(current).previous().last_day.isoformat()
    ended = api.post(f"/workers/{first.id}/end", {"ended_on": before, "reason": "resignation"})
    assert ended.status_code == 200
    response = api.post(path, key=None)
    assert_conforms(response, "POST", VALIDATE)
    report = response.get_json()
    assert report["valid"] is False
    assert [(p["row"], p["field"], p["code"]) for p in report["problems"]] == [
        (2, "social_security_number", "declaration.not_employed")]
    assert report["declaration"]["revision"] == 1  # nothing written

    response = api.post(SUBMIT.format(declaration_id=draft["id"]), {})
    assert_conforms(response, "POST", SUBMIT)
    error_of(response, 409, "declaration.worker_not_employed_any_more")
    assert api.get(ONE.format(declaration_id=draft["id"])).get_json()["status"] == "draft"


def test_validate_a_filed_declaration_or_an_unknown_one(api, api_employer, old) -> None:
    filed = submit(api, create(api, old, both_lines(api_employer))["id"])
    response = api.post(VALIDATE.format(declaration_id=filed["id"]), key=None)
    assert_conforms(response, "POST", VALIDATE)
    error_of(response, 409, "declaration.already_filed")
    response = api.post(VALIDATE.format(declaration_id=2147483647), key=None)
    assert_conforms(response, "POST", VALIDATE)
    error_of(response, 404, "api.not_found")


# --- submit -------------------------------------------------------------------------------------------------

def test_submit_files_the_draft_once_and_charges_it_once(api, api_employer, old) -> None:
    draft = create(api, old, both_lines(api_employer))
    assert balance(api) == "0"
    filed = submit(api, draft["id"], {"revision": 1})
    assert (filed["id"], filed["status"], filed["version"], filed["kind"]) == (draft["id"], "submitted", 1,
                                                                                "original")
    assert re.fullmatch(r"LA-\d{4}-\d{7}", filed["receipt_number"])
    assert filed["payment_reference"].isdigit()
    assert re.fullmatch(r"RF\d{2}[0-9A-Z]+", filed["rf_reference"])
    assert (filed["amount_charged"], filed["totals"], filed["is_late"]) == ("862500", TOTALS, True)
    assert filed["filed_at"] and filed["filed_by"].startswith(f"api:{api_employer.id}:")
    assert balance(api) == "862500"

    again = submit(api, draft["id"])  # a retry with a new key: the same filed declaration, no second charge
    assert again == filed
    assert balance(api) == "862500"
    assert len(api.get(PERIOD.format(period=old)).get_json()["versions"]) == 1


def test_submit_a_draft_changed_since_or_unknown(api, api_employer, current) -> None:
    draft = create(api, current, both_lines(api_employer))
    response = api.post(SUBMIT.format(declaration_id=draft["id"]), {"revision": 0})
    assert_conforms(response, "POST", SUBMIT)
    error_of(response, 409, "declaration.changed")
    response = api.post(SUBMIT.format(declaration_id=2147483647), {})
    assert_conforms(response, "POST", SUBMIT)
    error_of(response, 404, "api.not_found")
    assert api.get(ONE.format(declaration_id=draft["id"])).get_json()["status"] == "draft"
    assert balance(api) == "0"


def test_a_second_version_before_the_due_date_replaces_the_first(api, api_employer, current) -> None:
    first_job, second_job = api_employer.jobs
    v1 = submit(api, create(api, current, both_lines(api_employer))["id"])
    draft = create(api, current, [line(first_job, "3500000"), line(second_job, "5000000")])
    assert (draft["kind"], draft["previous_id"]) == ("replacement", v1["id"])
    v2 = submit(api, draft["id"])
    assert (v2["version"], v2["kind"], v2["previous_id"]) == (2, "replacement", v1["id"])
    assert v2["amount_charged"] == "57500"  # only the difference: 27,500 + 30,000
    assert v2["receipt_number"] != v1["receipt_number"]
    response = api.get(PERIOD.format(period=current))
    assert_conforms(response, "GET", PERIOD)
    period = response.get_json()
    assert [(v["id"], v["version"], v["status"]) for v in period["versions"]] == [
        (v1["id"], 1, "superseded"), (v2["id"], 2, "submitted")]
    assert period["draft"] is None
    assert balance(api) == "920000"


def test_a_second_version_after_the_due_date_is_a_corrective(api, api_employer, old) -> None:
    v1 = submit(api, create(api, old, both_lines(api_employer))["id"])
    v2 = submit(api, create(api, old, [line(api_employer.jobs[0], "3000000")])["id"])
    assert (v2["version"], v2["kind"], v2["is_late"], v2["amount_charged"]) == (2, "corrective", False, "-517500")
    versions = api.get(PERIOD.format(period=old)).get_json()["versions"]
    assert [(v["id"], v["status"]) for v in versions] == [(v1["id"], "submitted"), (v2["id"], "submitted")]
    assert balance(api) == "345000"


# --- periods and lists --------------------------------------------------------------------------------------

def test_periods_outside_the_declarable_range_are_not_found(api, current) -> None:
    for period, status, code in ((str(Period.parse(current).next()), 404, "api.not_found"),
                                 ("2024-12", 404, "api.not_found"), ("2026-13", 400, "period.invalid")):
        response = api.get(PERIOD.format(period=period))
        assert_conforms(response, "GET", PERIOD)
        error_of(response, status, code)
    response = api.get(PERIOD.format(period="2025-01"))
    assert_conforms(response, "GET", PERIOD)
    assert response.get_json() == {"period": "2025-01", "due_date": "2025-02-20", "draft": None, "versions": []}


def test_the_list_pages_newest_period_first_and_filters_by_period(api, api_employer, current, old) -> None:
    filed = submit(api, create(api, old, both_lines(api_employer))["id"])
    draft = create(api, current, both_lines(api_employer))
    response = api.get(LIST)
    assert_conforms(response, "GET", LIST)
    assert [d["id"] for d in response.get_json()["items"]] == [draft["id"], filed["id"]]
    response = api.get(LIST + "?limit=1&offset=1")
    assert_conforms(response, "GET", LIST)
    assert ([d["id"] for d in response.get_json()["items"]], response.get_json()["next_offset"]) == \
        ([filed["id"]], None)
    assert api.get(LIST + "?limit=1").get_json()["next_offset"] == 1
    response = api.get(LIST, query_string={"period": old})
    assert [d["id"] for d in response.get_json()["items"]] == [filed["id"]]
    response = api.get(LIST, query_string={"period": "March"})
    assert_conforms(response, "GET", LIST)
    assert error_of(response, 400, "period.invalid")["field"] == "period"


# --- nil declarations, deleting a draft, the receipt, the language of messages ------------------------------

def test_a_nil_declaration_is_filed_once(api, old) -> None:
    body = {"period": old, "reason": "Closed for renovation"}
    response = api.post(NIL, body)
    assert_conforms(response, "POST", NIL)
    assert response.status_code == 201
    filed = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/declarations/{filed['id']}")
    assert (filed["status"], filed["version"], filed["is_nil"], filed["nil_reason"], filed["line_count"]) == \
        ("submitted", 1, True, "Closed for renovation", 0)
    assert set(filed["totals"].values()) == {"0"} and filed["amount_charged"] == "0"
    assert filed["receipt_number"]

    response = api.post(NIL, body)  # sent again (a retry without the same key): the same declaration
    assert_conforms(response, "POST", NIL)
    assert response.status_code == 200
    assert response.get_json() == filed
    assert [v["id"] for v in api.get(PERIOD.format(period=old)).get_json()["versions"]] == [filed["id"]]
    assert balance(api) == "0"


def test_a_nil_declaration_needs_a_reason_and_keeps_a_draft_in_progress(api, api_employer, current) -> None:
    response = api.post(NIL, {"period": current, "reason": "  "})
    assert_conforms(response, "POST", NIL)
    error_of(response, 400, "declaration.nil_reason_required")
    draft = create(api, current, both_lines(api_employer))
    response = api.post(NIL, {"period": current, "reason": "No wages"})
    assert_conforms(response, "POST", NIL)
    error_of(response, 409, "declaration.draft_in_progress")
    assert api.get(ONE.format(declaration_id=draft["id"])).get_json()["totals"] == TOTALS


def test_delete_a_draft_then_it_is_gone(api, api_employer, current, old) -> None:
    draft = create(api, current, both_lines(api_employer))
    path = ONE.format(declaration_id=draft["id"])
    response = api.delete(path)
    assert_conforms(response, "DELETE", ONE)
    assert (response.status_code, response.data) == (204, b"")
    for response, method in ((api.get(path), "GET"), (api.delete(path), "DELETE")):
        assert_conforms(response, method, ONE)
        error_of(response, 404, "api.not_found")
    assert api.get(LIST).get_json()["items"] == []

    filed = submit(api, create(api, old, both_lines(api_employer))["id"])
    response = api.delete(ONE.format(declaration_id=filed["id"]))
    assert_conforms(response, "DELETE", ONE)
    error_of(response, 409, "declaration.already_filed")
    response = api.put(LINES.format(declaration_id=filed["id"]), {"lines": both_lines(api_employer)})
    assert_conforms(response, "PUT", LINES)
    error_of(response, 409, "declaration.already_filed")
    assert api.get(ONE.format(declaration_id=filed["id"])).get_json() == filed


def test_the_receipt_of_a_filed_declaration_is_a_pdf(api, api_employer, current, old) -> None:
    filed = submit(api, create(api, old, both_lines(api_employer))["id"])
    response = api.get(RECEIPT.format(declaration_id=filed["id"]))
    assert_conforms(response, "GET", RECEIPT)
    assert (response.status_code, response.mimetype) == (200, "application/pdf")
    assert response.data.startswith(b"%PDF")
    assert filed["receipt_number"] in response.headers["Content-Disposition"]

    draft = create(api, current, both_lines(api_employer))
    for declaration_id in (draft["id"], 2147483647):
        response = api.get(RECEIPT.format(declaration_id=declaration_id))
        assert_conforms(response, "GET", RECEIPT)
        error_of(response, 404, "api.not_found")


def test_messages_follow_accept_language(api, api_employer, old) -> None:
    filed = submit(api, create(api, old, both_lines(api_employer))["id"])
    path = ONE.format(declaration_id=filed["id"])
    english = error_of(api.delete(path), 409, "declaration.already_filed")
    api.language = "ru"
    response = api.delete(path)
    assert_conforms(response, "DELETE", ONE)
    russian = error_of(response, 409, "declaration.already_filed")
    assert russian["message"] != english["message"]
    assert re.search("[а-яА-Я]", russian["message"]), russian["message"]
    invalid = error_of(api.post(LIST, {"period": old, "lines": [{"social_security_number": "1", "gross_wage": "x"}]}),
                       400, "declaration.lines_invalid")
    assert all(re.search("[а-яА-Я]", p["message"]) for p in invalid["problems"]), invalid["problems"]



def test_the_web_and_the_receipt_name_the_token_that_filed(app, api, api_employer, db) -> None:
    """Filed through the API, a version says by which token (its name), not by a raw actor label."""
    from decimal import Decimal

    from contributions.declarations import Declaration
    from employers.accounts import Role
    from employers.api_tokens import readable_actor
    from notifications.documents.receipt import receipt_content
    from tests.functional.conftest import log_in

    assert readable_actor("api:12:Payroll 1C") == "Payroll 1C (API)"
    assert readable_actor("admin@example.test") == "admin@example.test"
    assert readable_actor("api:x:y") == "api:x:y"
    filed = submit(api, create(api, months_of(api_employer)[0], both_lines(api_employer))["id"])
    record = db.get(Declaration, filed["id"])
    assert record.filed_by.startswith("api:") and record.filed_by.endswith(":Payroll")
    content = receipt_content(record, api_employer, charged=Decimal(0), language="en")
    assert {item.key: item.value for item in content.receipt}["filed_by"] == "Payroll (API)"
    admin = factories.user(db, Role.EMPLOYER_ADMIN, employer_id=api_employer.id)
    db.commit()
    browser = app.test_client()
    assert log_in(browser, admin.email).status_code == 302
    page = browser.get(f"/employer/declarations/{record.id}").get_data(as_text=True)
    assert "Payroll (API)" in page and record.filed_by not in page
