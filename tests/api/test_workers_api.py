"""Workers through the API: list, register a hire, read back, end an employment; every answer checked
against the description and for its values (the same rules and codes as the web form)."""

from __future__ import annotations

import datetime as dt

from employers.persons import Employment
from tests import factories
from tests.api.conftest import REGISTERED, ApiClient, token_for
from tests.api.contract import assert_conforms, error_of

WORKERS, WORKER, END = "/workers", "/workers/{worker_id}", "/workers/{worker_id}/end"


def hire_body(**person: object) -> dict:
    return {"person": factories.person_values(**person),
            "employment": factories.employment_values(hired_on="2026-03-02", monthly_wage="4200000")}


def other_employer_api(app, db) -> ApiClient:
    return ApiClient(app.test_client(), token_for(db, factories.employer_since(db, REGISTERED)))


def hire(api, body: dict, status: int = 201) -> dict:
    response = api.post(WORKERS, body)
    assert_conforms(response, "POST", WORKERS)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


# --- list ---------------------------------------------------------------------------------------------------

def test_the_list_pages_with_limit_offset_and_next_offset(api, api_employer) -> None:
    first, second = api_employer.jobs
    response = api.get(WORKERS)
    assert_conforms(response, "GET", WORKERS)
    page = response.get_json()
    # Newest hire first; both were hired the same day, so the later registration comes first.
    assert [w["id"] for w in page["items"]] == [second.id, first.id]
    assert (page["limit"], page["offset"], page["next_offset"]) == (100, 0, None)

    response = api.get(WORKERS + "?limit=1")
    assert_conforms(response, "GET", WORKERS)
    assert [w["id"] for w in response.get_json()["items"]] == [second.id]
    assert response.get_json()["next_offset"] == 1
    response = api.get(WORKERS + "?limit=1&offset=1")
    assert_conforms(response, "GET", WORKERS)
    assert [w["id"] for w in response.get_json()["items"]] == [first.id]
    assert response.get_json()["next_offset"] is None
    response = api.get(WORKERS + "?offset=5")
    assert response.get_json()["items"] == []


def test_a_worker_in_the_list_carries_its_person_and_wage_as_text(api, api_employer) -> None:
    job = api_employer.jobs[0]
    item = next(w for w in api.get(WORKERS).get_json()["items"] if w["id"] == job.id)
    assert item["person"]["social_security_number"] == job.person.social_security_number
    assert item["person"]["family_name_latin"] == job.person.family_name_latin
    assert item["person"]["birth_date"] == "1990-05-17"
    assert item["monthly_wage"] == "3000000"  # LAK: whole kip, a string
    assert (item["hired_on"], item["ended_on"], item["end_reason"]) == ("2025-01-06", None, None)


def test_bad_paging_and_filters_are_refused_with_the_field(api) -> None:
    for query, field in (("limit=0", "limit"), ("limit=501", "limit"), ("offset=-1", "offset"),
                         ("limit=ten", "limit"), ("current_on=2026-02-30", "current_on"),
                         ("current_on=yesterday", "current_on"), ("current_on=31.01.2026", "current_on"),
                         ("search=" + "x" * 101, "search")):
        response = api.get(f"{WORKERS}?{query}")
        assert_conforms(response, "GET", WORKERS)
        assert response.status_code == 400, query
        assert response.get_json()["field"] == field, query


def test_current_on_keeps_the_employments_running_that_day(api, api_employer) -> None:
    first, second = api_employer.jobs
    new = hire(api, hire_body())
    response = api.post(END.format(worker_id=first.id), {"ended_on": "2026-01-31", "reason": "resignation"})
    assert response.status_code == 200

    def running(day: str) -> set[int]:
        response = api.get(f"{WORKERS}?current_on={day}")
        assert_conforms(response, "GET", WORKERS)
        return {w["id"] for w in response.get_json()["items"]}

    assert running("2026-01-31") == {first.id, second.id}
    assert running("2026-02-01") == {second.id}
    assert running("2026-03-02") == {second.id, new["id"]}
    assert running("2024-12-31") == set()


def test_search_by_name_and_by_social_security_number(api, api_employer) -> None:
    first, second = api_employer.jobs
    for term in (first.person.family_name_latin, first.person.social_security_number):
        response = api.get(WORKERS, query_string={"search": term})
        assert_conforms(response, "GET", WORKERS)
        assert [w["id"] for w in response.get_json()["items"]] == [first.id], term
    assert api.get(WORKERS, query_string={"search": "Nobody"}).get_json()["items"] == []
    both = api.get(WORKERS, query_string={"search": "vongsa"}).get_json()["items"]  # case-insensitive
    assert {w["id"] for w in both} == {first.id, second.id}
    for wildcard in ("%", "_", "vongsa%", "\\"):  # typed characters, not patterns: nobody's name has them
        assert api.get(WORKERS, query_string={"search": wildcard}).get_json()["items"] == [], wildcard


# --- register a hire ----------------------------------------------------------------------------------------

def test_register_a_hire_creates_the_person_and_the_employment(api, db, api_employer) -> None:
    body = hire_body()
    response = api.post(WORKERS, body)
    assert_conforms(response, "POST", WORKERS)
    assert response.status_code == 201
    created = response.get_json()
    assert created["existing_person"] is False
    assert response.headers["Location"].endswith(f"/api/v1/workers/{created['id']}")
    assert created["person"]["family_name_latin"] == body["person"]["family_name_latin"]
    assert created["person"]["social_security_number"]
    assert (created["hired_on"], created["monthly_wage"], created["contract_type"]) == \
        ("2026-03-02", "4200000", "permanent")
    # The id is the employment's: the same one the portal's pages use.
    db.expire_all()
    job = db.get(Employment, created["id"])
    assert (job.employer_id, job.person_id) == (api_employer.id, created["person"]["id"])
    assert job.person.social_security_number == created["person"]["social_security_number"]
    assert str(job.monthly_wage.normalize()) == "4.2E+6"

    location = response.headers["Location"].split("/api/v1", 1)[1]
    again = api.get(location)
    assert_conforms(again, "GET", WORKER)
    assert again.get_json() == {k: v for k, v in created.items() if k != "existing_person"}


def test_the_same_person_hired_by_another_employer_is_the_known_person(app, api, db) -> None:
    body = hire_body()
    first = hire(api, body)
    other = other_employer_api(app, db)
    second = hire(other, body)
    assert second["existing_person"] is True
    assert second["person"] == first["person"]
    assert second["id"] != first["id"]
    # Each employer sees its own employment only.
    assert api.get(WORKER.format(worker_id=second["id"])).status_code == 404


def test_a_missing_birth_date_is_named_as_in_the_request(api) -> None:
    response = api.post(WORKERS, hire_body(birth_date=""))
    assert_conforms(response, "POST", WORKERS)
    body = error_of(response, 400, "employer.application_invalid")
    assert body["field"] == "person.birth_date"
    assert [(p["field"], p["code"]) for p in body["problems"]] == [("person.birth_date", "field.required")]
    assert all(p["message"] for p in body["problems"])


def test_every_problem_of_a_hire_is_listed_with_its_field(api) -> None:
    body = hire_body(sex="X", given_name_latin="ແສງ")
    body["employment"].update(contract_type="forever", monthly_wage="12.5", hired_on="2024-12-31")
    response = api.post(WORKERS, body)
    assert_conforms(response, "POST", WORKERS)
    found = error_of(response, 400, "employer.application_invalid")
    assert {(p["field"], p["code"]) for p in found["problems"]} == {
        ("person.sex", "person.sex_unknown"), ("person.given_name_latin", "employer.latin_required"),
        ("employment.contract_type", "employment.contract_type_unknown"),
        ("employment.monthly_wage", "employment.wage_invalid"),
        ("employment.hired_on", "employment.before_registration")}
    assert found["field"] is None  # several problems: each names its own field


def test_a_known_document_with_another_identity_is_refused(app, api, db) -> None:
    body = hire_body()
    hire(api, body)
    other = other_employer_api(app, db)
    response = other.post(WORKERS, {**body, "person": {**body["person"], "birth_date": "1991-05-17"}})
    assert_conforms(response, "POST", WORKERS)
    found = error_of(response, 400, "employer.application_invalid")
    assert found["field"] == "person.document_number"
    assert [(p["field"], p["code"]) for p in found["problems"]] == [("person.document_number",
                                                                     "person.identity_mismatch")]
    assert other.get(WORKERS).get_json()["items"] == []


def test_an_overlapping_employment_is_a_conflict(api) -> None:
    body = hire_body()
    hire(api, body)
    response = api.post(WORKERS, body)
    assert_conforms(response, "POST", WORKERS)
    error_of(response, 409, "employment.overlaps")
    assert len(api.get(WORKERS, query_string={"search": body["person"]["family_name_latin"]}).get_json()["items"]) == 1


def test_a_hire_body_of_the_wrong_shape_is_refused(api) -> None:
    for body, field in (({"employment": {}}, "person"), ({"person": [], "employment": {}}, "person"),
                        ({"person": factories.person_values()}, "employment")):
        response = api.post(WORKERS, body)
        assert_conforms(response, "POST", WORKERS)
        assert response.status_code == 400
        assert response.get_json()["field"] == field
    response = api.post(WORKERS, hire_body(), key=None)
    assert_conforms(response, "POST", WORKERS)
    assert error_of(response, 400, "api.idempotency_key_required")["field"] == "Idempotency-Key"


def test_a_read_only_token_cannot_hire(app, db, api_employer) -> None:
    reader = ApiClient(app.test_client(), token_for(db, api_employer, scope="read", name="Reader"))
    response = reader.post(WORKERS, hire_body())
    assert_conforms(response, "POST", WORKERS)
    error_of(response, 403, "api.read_only_token")
    assert len(reader.get(WORKERS).get_json()["items"]) == 2


# --- read back ----------------------------------------------------------------------------------------------

def test_read_a_worker_back_by_its_employment_id(api, db, api_employer) -> None:
    job = api_employer.jobs[1]
    response = api.get(WORKER.format(worker_id=job.id))
    assert_conforms(response, "GET", WORKER)
    found = response.get_json()
    stored = db.get(Employment, job.id)
    assert (found["id"], found["person"]["id"], found["hired_on"], found["monthly_wage"]) == \
        (stored.id, stored.person_id, stored.hired_on.isoformat(), "5000000")
    assert found["person"]["social_security_number"] == stored.person.social_security_number


def test_an_unknown_worker_is_not_found(api) -> None:
    for worker_id in (2147483647, 0):
        response = api.get(WORKER.format(worker_id=worker_id))
        assert_conforms(response, "GET", WORKER)
        error_of(response, 404, "api.not_found")


# --- end an employment --------------------------------------------------------------------------------------

def test_end_an_employment_then_ending_it_again_is_a_conflict(api, db, api_employer) -> None:
    job = api_employer.jobs[0]
    path = END.format(worker_id=job.id)
    response = api.post(path, {"ended_on": "2026-06-30", "reason": "retirement"})
    assert_conforms(response, "POST", END)
    assert response.status_code == 200
    ended = response.get_json()
    assert (ended["id"], ended["ended_on"], ended["end_reason"]) == (job.id, "2026-06-30", "retirement")
    db.expire_all()
    assert db.get(Employment, job.id).ended_on == dt.date(2026, 6, 30)
    assert api.get(WORKER.format(worker_id=job.id)).get_json()["ended_on"] == "2026-06-30"

    response = api.post(path, {"ended_on": "2026-07-31", "reason": "resignation"})
    assert_conforms(response, "POST", END)
    error_of(response, 409, "employment.already_ended")
    db.expire_all()
    assert (db.get(Employment, job.id).ended_on, db.get(Employment, job.id).end_reason) == \
        (dt.date(2026, 6, 30), "retirement")


def test_ending_with_a_bad_reason_or_date_names_the_field(api, db, api_employer) -> None:
    job = api_employer.jobs[0]
    path = END.format(worker_id=job.id)
    response = api.post(path, {"ended_on": "2026-06-30", "reason": "bored"})
    assert_conforms(response, "POST", END)
    found = error_of(response, 400, "employer.application_invalid")
    assert found["field"] == "reason"
    assert [(p["field"], p["code"]) for p in found["problems"]] == [("reason", "employment.end_reason_unknown")]

    response = api.post(path, {"ended_on": "2024-01-01", "reason": "dismissal"})
    assert_conforms(response, "POST", END)
    assert error_of(response, 400, "employer.application_invalid")["field"] == "ended_on"
    response = api.post(path, {"reason": "dismissal"})
    assert [(p["field"], p["code"]) for p in response.get_json()["problems"]] == [("ended_on", "field.required")]
    db.expire_all()
    assert db.get(Employment, job.id).ended_on is None


def test_ending_an_unknown_worker_is_not_found(api) -> None:
    response = api.post(END.format(worker_id=2147483647), {"ended_on": "2026-06-30", "reason": "retirement"})
    assert_conforms(response, "POST", END)
    error_of(response, 404, "api.not_found")

