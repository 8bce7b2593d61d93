"""The description and the routes agree: every route of ``/api/v1`` is described with its methods and every
described operation is a route; the served document is the description and a valid OpenAPI 3.1 document;
the human page lists every path; and ``assert_conforms`` really catches an answer that breaks the contract."""

from __future__ import annotations

import json

import pytest
import schemathesis

from portal.api.openapi import description
from tests.api.contract import PREFIX, api_routes, assert_conforms

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def described_operations() -> dict[str, set[str]]:
    return {path: {m for m in item if m in HTTP_METHODS} for path, item in description()["paths"].items()}


def differences(app) -> list[str]:
    served, described = api_routes(app), described_operations()
    found = []
    for path in sorted(set(served) | set(described)):
        for method in sorted(served.get(path, set()) ^ described.get(path, set())):
            where = "served but not described" if method in served.get(path, set()) else "described but not served"
            found.append(f"{method.upper()} {path}: {where}")
    return found


def test_every_route_is_described_and_every_described_operation_is_a_route(app) -> None:
    assert differences(app) == []
    # The comparison sees the real routes (not two empty sets agreeing).
    assert api_routes(app)["/workers/{worker_id}/end"] == {"post"}
    assert api_routes(app)["/declarations/{declaration_id}"] == {"get", "delete"}
    assert len([m for methods in api_routes(app).values() for m in methods]) >= 19


def test_a_route_missing_from_the_description_is_found(app) -> None:
    app.add_url_rule(PREFIX + "/workers/<int:worker_id>/rehire", endpoint="api.rehire", view_func=lambda worker_id: "",
                     methods=["POST"])
    app.add_url_rule(PREFIX + "/account", endpoint="api.account_delete", view_func=lambda: "", methods=["DELETE"])
    assert differences(app) == ["DELETE /account: served but not described",
                                "POST /workers/{worker_id}/rehire: served but not described"]


def test_a_described_operation_without_a_route_is_found(app, monkeypatch) -> None:
    from portal.api import paths

    monkeypatch.setitem(paths.PATHS, "/workers/{worker_id}/rehire", {"post": {"responses": {}}})
    assert differences(app) == ["POST /workers/{worker_id}/rehire: described but not served"]


def test_the_served_description_is_a_valid_openapi_3_1_document(client) -> None:
    response = client.get(PREFIX + "/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    served = response.get_json()
    assert served == json.loads(json.dumps(description()))
    assert served["openapi"] == "3.1.0"
    assert served["servers"] == [{"url": PREFIX}]
    schema = schemathesis.openapi.from_dict(served)
    schema.validate()  # against the OpenAPI 3.1 meta-schema; raises when invalid
    labels = sorted(result.ok().label for result in schema.get_all_operations())
    assert labels == sorted(f"{m.upper()} {p}" for p, ms in described_operations().items() for m in ms)


def test_the_meta_schema_check_does_reject_a_broken_document() -> None:
    import copy

    import jsonschema_rs

    broken = copy.deepcopy(description())  # description() shares its dicts with the module
    broken["paths"]["/employer"]["get"]["responses"] = "everything"
    with pytest.raises(jsonschema_rs.ValidationError):
        schemathesis.openapi.from_dict(broken).validate()


def test_the_docs_page_lists_every_path(client) -> None:
    response = client.get(PREFIX + "/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for path, methods in described_operations().items():
        assert f"<code>{PREFIX}{path}</code>" in page, path
        for method in methods:
            assert f'id="{method}-{(PREFIX + path).replace("/", "-").replace("{", "").replace("}", "")}"' in page
    for name in description()["components"]["schemas"]:
        assert f'id="schema-{name}"' in page


# --- the helper itself: it must fail on what breaks the contract -------------------------------------------

def test_assert_conforms_accepts_a_real_answer(api) -> None:
    response = api.get("/employer")
    assert_conforms(response, "GET", "/employer")


def test_assert_conforms_catches_a_missing_field(api) -> None:
    response = api.get("/employer")
    body = response.get_json()
    del body["employer_number"]
    response.set_data(json.dumps(body))
    with pytest.raises(AssertionError, match="employer_number"):
        assert_conforms(response, "GET", "/employer")


def test_assert_conforms_catches_a_wrong_type_an_extra_field_and_a_float_amount(api) -> None:
    response = api.get("/account")
    for change in ({"balance": 12.5}, {"surprise": 1}, {"as_of": "27/11/2026"}):
        response.set_data(json.dumps({**api.get("/account").get_json(), **change}))
        with pytest.raises(AssertionError, match="does not match"):
            assert_conforms(response, "GET", "/account")


def test_assert_conforms_catches_a_nested_wrong_shape(api, api_employer) -> None:
    path = f"/workers/{api_employer.jobs[0].id}"
    response = api.get(path)
    body = response.get_json()
    body["person"]["birth_date"] = None
    response.set_data(json.dumps(body))
    with pytest.raises(AssertionError, match="does not match"):
        assert_conforms(response, "GET", "/workers/{worker_id}")


def test_assert_conforms_catches_an_undeclared_status_and_content_type(api) -> None:
    response = api.get("/employer")
    response.status_code = 418
    with pytest.raises(AssertionError, match="status not declared"):
        assert_conforms(response, "GET", "/employer")
    response = api.get("/employer")
    response.mimetype = "text/html"
    with pytest.raises(AssertionError, match="content type"):
        assert_conforms(response, "GET", "/employer")
    with pytest.raises(AssertionError, match="not described"):
        assert_conforms(api.get("/employer"), "DELETE", "/employer")


def test_assert_conforms_catches_an_error_in_another_shape(api) -> None:
    response = api.get("/workers/2147483647")
    assert_conforms(response, "GET", "/workers/{worker_id}")
    response.set_data(json.dumps({"error": "not found"}))
    with pytest.raises(AssertionError, match="does not match"):
        assert_conforms(response, "GET", "/workers/{worker_id}")
    response.set_data(b'{"code": "api.not_found",')
    with pytest.raises(AssertionError, match="not JSON"):
        assert_conforms(response, "GET", "/workers/{worker_id}")


def test_assert_conforms_catches_a_body_on_an_answer_declared_without_one(api, db, api_employer) -> None:
    from common.period import Period
    from contributions.drafts import open_draft
    from tests import factories

    draft = open_draft(db, api_employer, Period.parse("2026-10"), actor=factories.ACTOR, now=factories.NOW)
    db.commit()
    response = api.delete(f"/declarations/{draft.id}")
    assert response.status_code == 204
    assert_conforms(response, "DELETE", "/declarations/{declaration_id}")
    response.set_data(b'{"deleted": true}')
    with pytest.raises(AssertionError, match="without a body"):
        assert_conforms(response, "DELETE", "/declarations/{declaration_id}")
