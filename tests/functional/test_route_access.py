"""Every registered route, with every role: the answer must be the one in this table.

A route added without a row here fails ``test_every_route_is_in_the_table``; a route whose view declares
no access rule is denied to everyone (``test_undeclared_route_is_denied``)."""

from __future__ import annotations

import pytest
from flask import Blueprint

from tests.functional.conftest import log_in

ANON = "anonymous"
ALL = ["anonymous", "employer_admin", "employer_clerk", "inspector", "supervisor", "sysadmin", "worker"]


def only(statuses: dict[str, int], otherwise: int = 403, anonymous: int = 302) -> dict[str, int]:
    table = {who: otherwise for who in ALL}
    table[ANON] = anonymous
    table.update(statuses)
    return table


def everyone(status: int, anonymous: int | None = None) -> dict[str, int]:
    table = {who: status for who in ALL}
    if anonymous is not None:
        table[ANON] = anonymous
    return table


# endpoint: (method, path, {who: expected status})
TABLE = {
    "static": ("GET", "/static/css/portal.css", everyone(200)),
    "home.font": ("GET", "/fonts/NotoSansLaoLatin-Regular.ttf", everyone(200)),
    "home.health": ("GET", "/healthz", everyone(200)),
    # The API answers a session (any role) as it answers no one: without a token, 401.
    "api.openapi": ("GET", "/api/v1/openapi.json", everyone(200)),
    "api.docs": ("GET", "/api/v1/docs", everyone(200)),
    "api.the_employer": ("GET", "/api/v1/employer", everyone(401)),
    "api.account": ("GET", "/api/v1/account", everyone(401)),
    "api.payments": ("GET", "/api/v1/payments", everyone(401)),
    "api.payment": ("GET", "/api/v1/payments/999999", everyone(401)),
    "api.workers": ("GET", "/api/v1/workers", everyone(401)),
    "api.hire": ("POST", "/api/v1/workers", everyone(401)),
    "api.worker": ("GET", "/api/v1/workers/999999", everyone(401)),
    "api.end": ("POST", "/api/v1/workers/999999/end", everyone(401)),
    "api.declarations": ("GET", "/api/v1/declarations", everyone(401)),
    "api.create": ("POST", "/api/v1/declarations", everyone(401)),
    "api.nil": ("POST", "/api/v1/declarations/nil", everyone(401)),
    "api.declaration": ("GET", "/api/v1/declarations/999999", everyone(401)),
    "api.discard": ("DELETE", "/api/v1/declarations/999999", everyone(401)),
    "api.lines": ("GET", "/api/v1/declarations/999999/lines", everyone(401)),
    "api.put_lines": ("PUT", "/api/v1/declarations/999999/lines", everyone(401)),
    "api.validate": ("POST", "/api/v1/declarations/999999/validate", everyone(401)),
    "api.submit": ("POST", "/api/v1/declarations/999999/submit", everyone(401)),
    "api.receipt": ("GET", "/api/v1/declarations/999999/receipt.pdf", everyone(401)),
    "api.period": ("GET", "/api/v1/periods/2026-01", everyone(401)),
    "home.index": ("GET", "/", everyone(302)),
    "home.employer": ("GET", "/employer", only({"employer_admin": 200, "employer_clerk": 200})),
    "home.inspector": ("GET", "/inspector", only({"inspector": 200, "supervisor": 200})),
    "home.supervisor": ("GET", "/supervisor", only({"supervisor": 200})),
    "home.admin": ("GET", "/admin", only({"sysadmin": 200})),
    "home.worker": ("GET", "/worker", only({"worker": 200})),
    "admin.audit_log": ("GET", "/admin/audit", only({"sysadmin": 200, "supervisor": 200})),
    "admin.jobs": ("GET", "/admin/jobs", only({"sysadmin": 200})),
    "admin.inspectors": ("GET", "/admin/inspectors", only({"sysadmin": 200})),
    "admin.set_inspector_provinces": ("POST", "/admin/inspectors/999999", only({"sysadmin": 404})),
    "admin.parameters": ("GET", "/admin/parameters", only({"sysadmin": 200})),
    "admin.new_parameter": ("GET", "/admin/parameters/new", only({"sysadmin": 200})),
    "auth.login": ("GET", "/login", everyone(302, anonymous=200)),
    "auth.logout": ("POST", "/logout", everyone(302)),
    "auth.change_password": ("GET", "/account/password", everyone(200, anonymous=302)),
    "auth.forgot_password": ("GET", "/password/forgot", everyone(200)),
    "auth.reset_password": ("GET", "/password/reset/not-a-token", everyone(404)),
    "auth.set_language": ("POST", "/language", everyone(302)),
    "employers.apply": ("GET", "/apply", everyone(200)),
    "employers.correct_application": ("GET", "/apply/correct/not-a-token", everyone(404)),
    "employers.accept": ("GET", "/invitation/not-a-token", everyone(404)),
    "employers.applications": ("GET", "/staff/applications", only({"inspector": 200, "supervisor": 200})),
    "employers.application": ("GET", "/staff/applications/999999", only({"inspector": 404, "supervisor": 404})),
    "employers.decide": ("POST", "/staff/applications/999999/approve", only({"inspector": 404, "supervisor": 404})),
    "employers.profile": ("GET", "/employer/profile", only({"employer_admin": 200, "employer_clerk": 200})),
    "employers.change_profile": ("GET", "/employer/profile/change", only({"employer_admin": 200})),
    "employers.team": ("GET", "/employer/team", only({"employer_admin": 200})),
    "employers.set_active": ("POST", "/employer/team/999999/deactivate", only({"employer_admin": 404})),
    "employers.api_tokens": ("GET", "/employer/api-tokens", only({"employer_admin": 200})),
    "employers.revoke_token": ("POST", "/employer/api-tokens/999999/revoke", only({"employer_admin": 404})),
    "employers.workers": ("GET", "/employer/workers", only({"employer_admin": 200, "employer_clerk": 200})),
    "employers.hire": ("GET", "/employer/workers/new", only({"employer_admin": 200, "employer_clerk": 200})),
    "employers.worker": ("GET", "/employer/workers/999999", only({"employer_admin": 404, "employer_clerk": 404})),
    "employers.change_employment": ("POST", "/employer/workers/999999/end",
                                    only({"employer_admin": 404, "employer_clerk": 404})),
    "employers.export_workers": ("GET", "/employer/workers/export.csv",
                                 only({"employer_admin": 200, "employer_clerk": 200})),
    "employers.worker_template": ("GET", "/employer/workers/template.xlsx",
                                  only({"employer_admin": 200, "employer_clerk": 200})),
    "employers.upload_workers": ("GET", "/employer/workers/import",
                                 only({"employer_admin": 200, "employer_clerk": 200})),
    "employers.decide_upload": ("POST", "/employer/workers/import/999999/import",
                                only({"employer_admin": 404, "employer_clerk": 404})),
    "employers.staff_employers": ("GET", "/staff/employers",
                                  only({"inspector": 200, "supervisor": 200, "sysadmin": 200})),
    "employers.staff_employer": ("GET", "/staff/employers/999999",
                                 only({"inspector": 404, "supervisor": 404, "sysadmin": 404})),
    "employers.staff_status": ("POST", "/staff/employers/999999/status", only({"inspector": 404, "supervisor": 404})),
    "employers.staff_profile": ("GET", "/staff/employers/999999/profile",
                                only({"inspector": 404, "supervisor": 404})),
    "employers.staff_register": ("GET", "/staff/employers/new", only({"inspector": 200, "supervisor": 200})),
    "employers.duplicates": ("GET", "/staff/duplicates", only({"inspector": 200, "supervisor": 200})),
    "declarations.periods": ("GET", "/employer/declarations/", only({"employer_admin": 200, "employer_clerk": 200})),
    "declarations.period": ("GET", "/employer/declarations/period/2026-11",
                            only({"employer_admin": 200, "employer_clerk": 200})),
    "declarations.start": ("POST", "/employer/declarations/period/2026-13/draft",
                           only({"employer_admin": 404, "employer_clerk": 404})),
    "declarations.nil": ("POST", "/employer/declarations/period/1999-01/nil",
                         only({"employer_admin": 302, "employer_clerk": 302})),
    "declarations.declaration": ("GET", "/employer/declarations/999999",
                                 only({"employer_admin": 404, "employer_clerk": 404})),
    "declarations.add": ("POST", "/employer/declarations/999999/add",
                         only({"employer_admin": 404, "employer_clerk": 404})),
    "declarations.submit": ("POST", "/employer/declarations/999999/submit",
                            only({"employer_admin": 404, "employer_clerk": 404})),
    "declarations.discard": ("POST", "/employer/declarations/999999/discard",
                             only({"employer_admin": 404, "employer_clerk": 404})),
    "declarations.upload": ("GET", "/employer/declarations/999999/upload",
                            only({"employer_admin": 404, "employer_clerk": 404})),
    "declarations.export_lines": ("GET", "/employer/declarations/999999/lines.csv",
                                  only({"employer_admin": 404, "employer_clerk": 404})),
    "declarations.receipt": ("GET", "/employer/declarations/999999/receipt.pdf",
                             only({"employer_admin": 404, "employer_clerk": 404})),
    "payments.statements": ("GET", "/staff/payments/statements",
                            only({"inspector": 200, "supervisor": 200, "sysadmin": 200})),
    "payments.upload_statement": ("POST", "/staff/payments/statements", only({"supervisor": 422, "sysadmin": 422})),
    "payments.unmatched": ("GET", "/staff/payments/unmatched",
                           only({"inspector": 200, "supervisor": 200, "sysadmin": 200})),
    "payments.reconcile": ("POST", "/staff/payments/reconcile", only({"supervisor": 302, "sysadmin": 302})),
    "payments.payment": ("GET", "/staff/payments/999999", only({"inspector": 404, "supervisor": 404, "sysadmin": 404})),
    "payments.assign": ("POST", "/staff/payments/999999/assign", only({"supervisor": 404, "sysadmin": 404})),
    "payments.undo": ("POST", "/staff/payments/999999/undo", only({"supervisor": 404, "sysadmin": 404})),
    "payments.reverse": ("POST", "/staff/payments/999999/reverse", only({"supervisor": 404, "sysadmin": 404})),
    "payments.employer_account": ("GET", "/staff/employers/999999/account",
                                  only({"inspector": 404, "supervisor": 404, "sysadmin": 404})),
    "payments.counter_receipt": ("POST", "/staff/employers/999999/account/receipt",
                                 only({"supervisor": 404, "sysadmin": 404})),
    "payments.refund": ("POST", "/staff/employers/999999/account/refund", only({"supervisor": 404, "sysadmin": 404})),
    "payments.arrears": ("GET", "/staff/arrears?scheme=TJ-SOCTAX&as_of=2026-11-20",
                         only({"inspector": 200, "supervisor": 200, "sysadmin": 200})),
    "payments.request_waiver": ("POST", "/staff/employers/999999/account/waivers",
                                only({"supervisor": 404, "sysadmin": 404})),
    "payments.waivers": ("GET", "/staff/waivers", only({"supervisor": 200})),
    "payments.approve_waiver": ("POST", "/staff/waivers/999999/approve", only({"supervisor": 404})),
    "payments.reject_waiver": ("POST", "/staff/waivers/999999/reject", only({"supervisor": 404})),
    "account.overview": ("GET", "/employer/account/", only({"employer_admin": 200, "employer_clerk": 200})),
    "account.payment": ("GET", "/employer/account/payments/999999",
                        only({"employer_admin": 404, "employer_clerk": 404})),
    "account.counter_receipt": ("GET", "/employer/account/payments/999999/receipt.pdf",
                                only({"employer_admin": 404, "employer_clerk": 404})),
    "payments.counter_receipt_pdf": ("GET", "/staff/payments/999999/receipt.pdf",
                                     only({"inspector": 404, "supervisor": 404, "sysadmin": 404})),
    "account.statement": ("GET", "/employer/account/statement.pdf",
                          only({"employer_admin": 200, "employer_clerk": 200})),
    "certificates.employer_arrears": ("GET", "/employer/account/arrears.pdf",
                                      only({"employer_admin": 200, "employer_clerk": 200})),
    "certificates.staff_arrears": ("GET", "/staff/employers/999999/account/arrears.pdf",
                                   only({"inspector": 404, "supervisor": 404, "sysadmin": 404})),
    # Issued (or refused) and redirected either way.
    "certificates.employer_issue": ("POST", "/employer/account/certificate",
                                    only({"employer_admin": 302, "employer_clerk": 302})),
    "certificates.employer_certificate": ("GET", "/employer/account/certificates/999999.pdf",
                                          only({"employer_admin": 404, "employer_clerk": 404})),
    "certificates.staff_certificate": ("GET", "/staff/employers/999999/certificates/999999.pdf",
                                       only({"inspector": 404, "supervisor": 404, "sysadmin": 404})),
    "certificates.staff_issue": ("POST", "/staff/employers/999999/certificates",
                                 only({"supervisor": 404, "sysadmin": 404})),
    "certificates.staff_revoke": ("POST", "/staff/employers/999999/certificates/999999/revoke",
                                  only({"supervisor": 404, "sysadmin": 404})),
    "certificates.verify": ("GET", "/verify", everyone(200)),
    "certificates.verify_code": ("GET", "/verify/ABCD-EFGH-JKLM-NPQR", everyone(200)),
    "inbox.notices": ("GET", "/employer/notices", only({"employer_admin": 200, "employer_clerk": 200})),
    "inbox.notice": ("GET", "/employer/notices/999999", only({"employer_admin": 404, "employer_clerk": 404})),
    "inbox.staff_notice": ("GET", "/staff/employers/999999/notices/999999",
                           only({"inspector": 404, "supervisor": 404, "sysadmin": 404})),
    "letters.batches": ("GET", "/staff/letters", only({"supervisor": 200, "sysadmin": 200})),
    # No scheme chosen: the form is shown again.
    "letters.create_batch": ("POST", "/staff/letters", only({"supervisor": 422, "sysadmin": 422})),
    "letters.batch_pdf": ("GET", "/staff/letters/999999.pdf", only({"supervisor": 404, "sysadmin": 404})),
    # Inspection cases: employers get 403 on every page (they never see scores, cases or worker reports).
    "inspections.dashboard": ("GET", "/inspections/dashboard?scheme=TJ-SOCTAX&period=2026-10",
                              only({"inspector": 200, "supervisor": 200})),
    "inspections.employers": ("GET", "/inspections/employers?band=high", only({"inspector": 200, "supervisor": 200})),
    "inspections.export_employers": ("GET", "/inspections/employers.csv", only({"inspector": 200, "supervisor": 200})),
    "inspections.worklist": ("GET", "/inspections/worklist", only({"inspector": 200, "supervisor": 200})),
    "inspections.employer": ("GET", "/inspections/employers/999999", only({"inspector": 404, "supervisor": 404})),
    "inspections.new_case": ("GET", "/inspections/employers/999999/cases/new",
                             only({"inspector": 404, "supervisor": 404})),
    "inspections.my_cases": ("GET", "/inspections/cases", only({"inspector": 200, "supervisor": 200})),
    "inspections.case": ("GET", "/inspections/cases/999999", only({"inspector": 404, "supervisor": 404})),
    "inspections.case_note": ("POST", "/inspections/cases/999999/notes", only({"inspector": 404, "supervisor": 404})),
    "inspections.case_attach": ("POST", "/inspections/cases/999999/files",
                                only({"inspector": 404, "supervisor": 404})),
    "inspections.case_assess": ("POST", "/inspections/cases/999999/assessments",
                                only({"inspector": 404, "supervisor": 404})),
    "inspections.case_reassign": ("POST", "/inspections/cases/999999/assignee", only({"supervisor": 404})),
    "inspections.case_close": ("POST", "/inspections/cases/999999/close", only({"inspector": 404, "supervisor": 404})),
    "inspections.case_file": ("GET", "/inspections/cases/999999/files/999999",
                              only({"inspector": 404, "supervisor": 404})),
    # The worker's own pages: the table's worker has no person linked (the pages say so; no month is theirs).
    "workers.record": ("GET", "/worker/record", only({"worker": 200})),
    "workers.report": ("GET", "/worker/record/999999/2026-10/report", only({"worker": 404})),
    "workers.reports": ("GET", "/worker/reports", only({"worker": 200})),
    # Activation is for visitors; a signed-in user is sent home.  The code page is the same for any token.
    "workers.activate": ("GET", "/worker/activate", everyone(302, anonymous=200)),
    "workers.activate_code": ("GET", "/worker/activate/not-a-token", everyone(302, anonymous=200)),
    "workers.staff_access": ("GET", "/staff/persons/999999/worker-access", only({"supervisor": 404, "sysadmin": 404})),
    "workers.staff_reset_access": ("POST", "/staff/persons/999999/worker-access/reset",
                                   only({"supervisor": 404, "sysadmin": 404})),
    # The statement of contributions: the form says the account is not linked; nothing to issue, no PDF of theirs.
    "workers.statement": ("GET", "/worker/statement", only({"worker": 200})),
    "workers.issue": ("POST", "/worker/statement", only({"worker": 404})),
    "workers.statement_pdf": ("GET", "/worker/statements/999999.pdf", only({"worker": 404})),
    "workers.verify_statement_form": ("GET", "/verify/statement", everyone(200)),
    "workers.verify_statement_code": ("GET", "/verify/statement/ABCD-EFGH-JKLM-NPQR", everyone(200)),
}


def test_every_route_is_in_the_table(app) -> None:
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert registered - TABLE.keys() == set(), "new routes need a row in TABLE"
    assert TABLE.keys() - registered == set(), "rows for routes that no longer exist"


@pytest.mark.parametrize("who", ALL)
def test_each_role_gets_the_expected_answer(app, users, who: str) -> None:
    client = app.test_client()
    if who != ANON:
        assert log_in(client, users[who].email).status_code == 302
    answers = {}
    for endpoint, (method, path, _expected) in TABLE.items():
        response = client.open(path, method=method, data={"lang": "lo"} if method == "POST" else None)
        answers[endpoint] = response.status_code
        if endpoint == "auth.logout" and who != ANON:
            log_in(client, users[who].email)  # logging out must not hide the routes after it
    assert answers == {endpoint: row[2][who] for endpoint, row in TABLE.items()}


def test_undeclared_route_is_denied(app_config, session_factory, users) -> None:
    from portal import create_app

    app = create_app(app_config, session_factory=session_factory)
    forgotten = Blueprint("forgotten", __name__)
    forgotten.add_url_rule("/forgotten", "page", lambda: "secret")
    app.register_blueprint(forgotten)
    client = app.test_client()
    assert client.get("/forgotten").status_code == 403
    log_in(client, users["sysadmin"].email)
    assert client.get("/forgotten").status_code == 403


def test_a_nul_character_in_a_request_is_a_clear_400(client) -> None:
    response = client.get("/verify", query_string={"code": "ABCD\x00EFGH"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    response = client.post("/login", data={"email": "a\x00@example.test", "password": "x"})
    assert response.status_code == 400
