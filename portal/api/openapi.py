"""The OpenAPI 3.1 description of ``/api/v1``.  Tests check it against the routes (every route described,
nothing described that is not a route) and every answer against the shape described here."""

from __future__ import annotations

import copy
from typing import Any

from contributions.rules.declaration_lines import ABSENCE_REASONS
from employers.worker_rules import CONTRACT_TYPES, DOCUMENT_TYPES, END_REASONS, SEXES

MONEY = {"type": "string", "pattern": r"^-?\d{1,16}(\.\d{1,6})?$",
         "description": "An exact amount as a decimal string in the scheme's currency (LAK whole kip, TJS 2 decimals)."}
MONEY_IN = {"oneOf": [{"type": "string", "maxLength": 40}, {"type": "number"}],
            "description": "An amount: a decimal string (preferred) or a JSON number; never more decimals than the "
                           "currency has."}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
PERIOD = {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "description": "A month, YYYY-MM."}
ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


def _object(properties: dict, required: list[str] | None = None, *, closed: bool = True) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "required": list(properties) if required is None else required}
    if closed:
        schema["additionalProperties"] = False
    return schema


def _page(item: str) -> dict:
    return _object({"items": {"type": "array", "items": _ref(item)}, "limit": {"type": "integer"},
                    "offset": {"type": "integer"}, "next_offset": _nullable({"type": "integer"})})


TOTALS = _object({"gross": MONEY, "base": MONEY, "employee_share": MONEY, "employer_share": MONEY, "total": MONEY})
PROBLEM = _object({"code": {"type": "string"}, "message": {"type": "string"}, "field": _nullable({"type": "string"}),
                   "row": _nullable({"type": "integer"})})

SCHEMAS: dict[str, dict] = {
    "Error": _object({"code": {"type": "string", "description": "Stable code, e.g. declaration.ssn_unknown."},
                      "message": {"type": "string", "description": "Translated by Accept-Language."},
                      "field": _nullable({"type": "string"}), "row": _nullable({"type": "integer"}),
                      "problems": {"type": "array", "items": _ref("Problem")}}),
    "Problem": PROBLEM,
    "Employer": _object({"id": ID, "employer_number": {"type": "string"}, "name": {"type": "string"},
                         "scheme": {"type": "string"}, "country": {"type": "string"}, "currency": {"type": "string"},
                         "status": {"type": "string"}, "registered_on": _nullable(DATE),
                         "preferred_language": {"type": "string"}}),
    "Person": _object({"id": ID, "social_security_number": {"type": "string"}, "given_name": {"type": "string"},
                       "family_name": {"type": "string"}, "given_name_latin": {"type": "string"},
                       "family_name_latin": {"type": "string"}, "birth_date": DATE, "sex": {"type": "string"}}),
    "Worker": _object({"id": {**ID, "description": "The employment's id: stable, use it to read the worker back."},
                       "person": _ref("Person"), "hired_on": DATE, "ended_on": _nullable(DATE),
                       "end_reason": _nullable({"type": "string"}), "job_title": {"type": "string"},
                       "contract_type": {"type": "string"}, "monthly_wage": MONEY,
                       "existing_person": {"type": "boolean", "description": "Only when registering: the person "
                                           "was already known by the document."}},
                      required=["id", "person", "hired_on", "ended_on", "end_reason", "job_title", "contract_type",
                                "monthly_wage"]),
    "WorkerPage": _page("Worker"),
    "Hire": _object({
        "person": _object({"document_type": {"type": "string", "enum": list(DOCUMENT_TYPES)},
                           "document_country": {"type": "string", "maxLength": 2},
                           "document_number": {"type": "string", "maxLength": 60},
                           "given_name": {"type": "string", "maxLength": 120},
                           "family_name": {"type": "string", "maxLength": 120},
                           "given_name_latin": {"type": "string", "maxLength": 120},
                           "family_name_latin": {"type": "string", "maxLength": 120},
                           "birth_date": DATE, "sex": {"type": "string", "enum": list(SEXES)},
                           "nationality": {"type": "string", "maxLength": 2},
                           "phone": {"type": "string", "maxLength": 40}},
                          required=["document_type", "document_country", "document_number", "given_name",
                                    "family_name", "given_name_latin", "family_name_latin", "birth_date", "sex",
                                    "nationality"]),
        "employment": _object({"hired_on": DATE, "job_title": {"type": "string", "maxLength": 200},
                               "contract_type": {"type": "string", "enum": list(CONTRACT_TYPES)},
                               "monthly_wage": MONEY_IN}, required=["hired_on", "contract_type", "monthly_wage"])}),
    "EndEmployment": _object({"ended_on": DATE, "reason": {"type": "string", "enum": list(END_REASONS)}}),
    "LineIn": _object({"social_security_number": {"type": "string", "maxLength": 40}, "gross_wage": MONEY_IN,
                       "days_worked": _nullable({"type": "integer", "minimum": 0, "maximum": 31}),
                       "absence_reason": _nullable({"type": "string", "enum": list(ABSENCE_REASONS)})},
                      required=["social_security_number", "gross_wage"]),
    "NewDeclaration": _object({"period": PERIOD, "lines": {"type": "array", "minItems": 1,
                                                           "items": _ref("LineIn")}}),
    "Lines": _object({"lines": {"type": "array", "minItems": 1, "items": _ref("LineIn")},
                      "revision": {"type": "integer", "minimum": 0, "description": "The draft revision the lines "
                                   "replace; refused with 409 when the draft changed since."}},
                     required=["lines"]),
    "NilDeclaration": _object({"period": PERIOD, "reason": {"type": "string", "minLength": 1, "maxLength": 500}}),
    "Submit": _object({"revision": {"type": "integer", "minimum": 0}}, required=[]),
    "Declaration": _object({
        "id": ID, "period": PERIOD, "status": {"type": "string", "enum": ["draft", "submitted", "superseded"]},
        "kind": {"type": "string", "enum": ["original", "replacement", "corrective"]},
        "version": _nullable({"type": "integer"}), "revision": {"type": "integer"}, "is_nil": {"type": "boolean"},
        "nil_reason": {"type": "string"}, "currency": {"type": "string"}, "line_count": {"type": "integer"},
        "totals": TOTALS, "due_date": _nullable(DATE), "is_late": {"type": "boolean"},
        "receipt_number": _nullable({"type": "string"}), "payment_reference": _nullable({"type": "string"}),
        "rf_reference": _nullable({"type": "string"}), "amount_charged": _nullable(MONEY),
        "previous_id": _nullable(ID), "filed_at": _nullable(DATETIME), "filed_by": _nullable({"type": "string"})}),
    "DeclarationPage": _page("Declaration"),
    "Line": _object({"id": ID, "person_id": ID, "employment_id": _nullable(ID),
                     "social_security_number": {"type": "string"}, "name": {"type": "string"},
                     "gross_wage": MONEY, "days_worked": _nullable({"type": "integer"}),
                     "absence_reason": _nullable({"type": "string"}), "base": MONEY, "employee_share": MONEY,
                     "employer_share": MONEY, "floor_applied": {"type": "boolean"},
                     "ceiling_applied": {"type": "boolean"}}),
    "LinePage": _page("Line"),
    "Report": _object({"valid": {"type": "boolean"}, "problems": {"type": "array", "items": _ref("Problem")},
                       "notes": {"type": "array", "items": _ref("Problem")}, "declaration": _ref("Declaration")}),
    "Period": _object({"period": PERIOD, "due_date": DATE, "draft": _nullable(_ref("Declaration")),
                       "versions": {"type": "array", "items": _ref("Declaration")}}),
    "PeriodAccount": _object({"period": PERIOD, "due_date": _nullable(DATE), "charged": MONEY, "paid": MONEY,
                              "outstanding": MONEY, "status": {"type": "string", "enum": ["paid", "partly_paid",
                                                                                           "unpaid", "nothing_due"]},
                              "overdue": {"type": "boolean"}}),
    "Account": _object({"currency": {"type": "string"}, "as_of": DATE, "balance": MONEY, "credit": MONEY,
                        "overdue": MONEY, "periods": {"type": "array", "items": _ref("PeriodAccount")}}),
    "Allocation": _object({"period": PERIOD, "component": {"type": "string"}, "kind": {"type": "string"},
                           "amount": MONEY}),
    "Payment": _object({"id": ID, "value_date": DATE, "booking_date": DATE, "amount": MONEY,
                        "currency": {"type": "string"}, "channel": {"type": "string"}, "status": {"type": "string"},
                        "transaction_id": {"type": "string"}, "declaration_id": _nullable(ID),
                        "allocations": {"type": "array", "items": _ref("Allocation")}}),
    "PaymentPage": _page("Payment"),
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


ERRORS = {
    "400": _error("Bad input: the error names the field and, for lines, the row."),
    "401": _error("No token, or an unknown, expired or revoked one."),
    "403": _error("The token may only read, or its employer is not registered."),
    "404": _error("Nothing with this id for the token's employer."),
    "409": _error("A conflict with the current state (filed already, changed meanwhile, key used for another "
                  "request)."),
    "413": _error("The request is too large."),
    "429": _error("Too many calls with this token; see Retry-After."),
}
READ_ERRORS = ("400", "401", "403", "404", "429")
WRITE_ERRORS = ("400", "401", "403", "404", "409", "413", "429")

IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": True,
                   "description": "A unique key per write (a UUID, say). Sent again with the same request, the first "
                                  "answer comes back (header Idempotent-Replayed: true) and nothing is written "
                                  "twice. Kept for 7 days.",
                   "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[\x21-\x7e]+$"}}
LIMIT = {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1,
                                                                       "maximum": 500, "default": 100}}
OFFSET = {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0,
                                                                         "maximum": 1000000000, "default": 0}}


def _id_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _json(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def operation(summary: str, *, ok: dict[str, dict], tag: str, write: bool = False, body: str | None = None,
              body_required: bool = True, params: list[dict] | None = None,
              errors: tuple[str, ...] | None = None) -> dict:
    """One operation: its answers (``ok``) and the errors it may give."""
    responses = dict(ok)
    for code in errors or (WRITE_ERRORS if write or body else READ_ERRORS):
        responses[code] = ERRORS[code]
    op: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses,
                          "parameters": ([IDEMPOTENCY_KEY] if write else []) + (params or [])}
    if body:
        op["requestBody"] = {"required": body_required, "content": {"application/json": {"schema": _ref(body)}}}
    return op


def _paths() -> dict[str, dict]:
    from portal.api.paths import PATHS

    return PATHS


def description() -> dict:
    """The whole OpenAPI document (a copy: a caller may change it without changing what is served)."""
    return copy.deepcopy({
        "openapi": "3.1.0",
        "info": {"title": "Contributions portal API", "version": "1",
                 "description": "For payroll software: register workers, file monthly declarations and read the "
                                "employer account. Every call carries `Authorization: Bearer <token>` (an employer "
                                "administrator creates tokens under API tokens); every write an `Idempotency-Key`. "
                                "Amounts are decimal strings; dates YYYY-MM-DD; periods YYYY-MM. Errors share one "
                                "shape (Error) with a stable `code` and a `message` in the Accept-Language."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "An API token (ocp_...)."}}},
    })
