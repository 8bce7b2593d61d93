"""The operations of ``/api/v1``, path by path (the schemas they use are in ``openapi.py``)."""

from __future__ import annotations

from portal.api.openapi import LIMIT, OFFSET, PERIOD, _id_param, _json, _ref, operation

WORKER_ID = _id_param("worker_id")
DECLARATION_ID = _id_param("declaration_id")
PAYMENT_ID = _id_param("payment_id")
PERIOD_QUERY = {"name": "period", "in": "query", "required": False, "schema": PERIOD}
PDF = {"description": "The receipt as a PDF, in the Accept-Language (else the employer's language).",
       "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
CREATED_DECLARATION = _json("Declaration", "The draft, its lines computed. Location: the declaration.")

PATHS = {
    "/employer": {"get": operation("The token's employer", tag="employer",
                                   ok={"200": _json("Employer", "The employer.")})},
    "/workers": {
        "get": operation("Workers (employments with their person), newest hire first", tag="workers",
                         ok={"200": _json("WorkerPage", "A page of workers.")},
                         params=[{"name": "current_on", "in": "query", "required": False,
                                  "schema": {"type": "string", "format": "date"},
                                  "description": "Only employments running on this day."},
                                 {"name": "search", "in": "query", "required": False,
                                  "schema": {"type": "string", "maxLength": 100},
                                  "description": "A name, social security number or document number."},
                                 LIMIT, OFFSET]),
        "post": operation("Register a hire: the person (found by document, or registered with a new social "
                          "security number) and the employment, in one call", tag="workers", write=True,
                          body="Hire", ok={"201": _json("Worker", "The worker. Location: the worker.")}),
    },
    "/workers/{worker_id}": {"get": operation("One worker", tag="workers", params=[WORKER_ID],
                                              ok={"200": _json("Worker", "The worker.")})},
    "/workers/{worker_id}/end": {
        "post": operation("End the employment", tag="workers", write=True, body="EndEmployment", params=[WORKER_ID],
                          ok={"200": _json("Worker", "The worker, with the end of the employment.")})},
    "/declarations": {
        "get": operation("Declarations, newest period first (drafts and filed versions)", tag="declarations",
                         params=[PERIOD_QUERY, LIMIT, OFFSET],
                         ok={"200": _json("DeclarationPage", "A page of declarations.")}),
        "post": operation("Create the period's draft with its lines. Lines with problems are refused, every "
                          "problem listed by row and field, and nothing is saved", tag="declarations", write=True,
                          body="NewDeclaration", ok={"201": CREATED_DECLARATION}),
    },
    "/declarations/nil": {
        "post": operation("File a nil declaration (no wages paid in the period), with its reason",
                          tag="declarations", write=True, body="NilDeclaration",
                          ok={"201": _json("Declaration", "The filed declaration."),
                              "200": _json("Declaration", "The same nil declaration was filed already.")})},
    "/declarations/{declaration_id}": {
        "get": operation("One declaration", tag="declarations", params=[DECLARATION_ID],
                         ok={"200": _json("Declaration", "The declaration.")}),
        "delete": operation("Delete a draft", tag="declarations", write=True, params=[DECLARATION_ID],
                            ok={"204": {"description": "The draft is deleted."}}),
    },
    "/declarations/{declaration_id}/lines": {
        "get": operation("The lines of a declaration", tag="declarations", params=[DECLARATION_ID, LIMIT, OFFSET],
                         ok={"200": _json("LinePage", "A page of lines.")}),
        "put": operation("Replace the lines of a draft (all or nothing)", tag="declarations", write=True,
                         body="Lines", params=[DECLARATION_ID], ok={"200": _json("Declaration", "The draft.")}),
    },
    "/declarations/{declaration_id}/validate": {
        "post": operation("Check a draft as filing would: every line's worker still employed in the period, "
                          "wages below the minimum base noted; writes nothing", tag="declarations",
                          params=[DECLARATION_ID], errors=("400", "401", "403", "404", "409", "429"),
                          ok={"200": _json("Report", "The row-level report.")})},
    "/declarations/{declaration_id}/submit": {
        "post": operation("File the draft: it gets a version, a receipt number and a payment reference, and its "
                          "charges are posted. Filing a draft filed already returns it", tag="declarations",
                          write=True, body="Submit", body_required=False, params=[DECLARATION_ID],
                          ok={"200": _json("Declaration", "The filed declaration.")})},
    "/declarations/{declaration_id}/receipt.pdf": {
        "get": operation("The receipt of a filed declaration", tag="declarations", params=[DECLARATION_ID],
                         ok={"200": PDF})},
    "/periods/{period}": {
        "get": operation("A period: its due date, its draft and every filed version", tag="declarations",
                         params=[{"name": "period", "in": "path", "required": True, "schema": PERIOD}],
                         ok={"200": _json("Period", "The period.")})},
    "/account": {"get": operation("The account: balance, credit, what is overdue, and each period's charges and "
                                  "payments", tag="account", ok={"200": _json("Account", "The account.")})},
    "/payments": {"get": operation("Payments received, newest first, with what each paid", tag="account",
                                   params=[LIMIT, OFFSET], ok={"200": _json("PaymentPage", "A page of payments.")})},
    "/payments/{payment_id}": {"get": operation("One payment and what it paid", tag="account", params=[PAYMENT_ID],
                                                ok={"200": _json("Payment", "The payment.")})},
}

__all__ = ["PATHS", "_ref"]
