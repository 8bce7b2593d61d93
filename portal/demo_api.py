"""The API's part of the demo: the Lao construction company's administrator created a token for its payroll
software a month ago, and the program has been reading the account with it since, so the API tokens page
shows one in use and the audit log its calls.  The token itself is thrown away (seeding never prints
a secret); whoever wants to call the API creates their own token on that page or with
``portal api-token create``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from common.audit import Actor, record_audit
from employers.accounts import find_user_by_email
from employers.api_tokens import create_api_token, note_use, tokens_of
from employers.employers import Employer

DEMO_TOKEN_NAME = "Payroll (demo)"
LAO_ADMIN = "lao.admin@demo.example"


def seed_api_tokens(session: Session, employers: dict[str, Employer], *, now: dt.datetime) -> None:
    company = employers["lao"]
    if any(row.name == DEMO_TOKEN_NAME for row in tokens_of(session, company.id)):
        return
    admin = find_user_by_email(session, LAO_ADMIN)
    actor = admin.as_actor() if admin is not None else Actor.system("seed-demo")
    created = now - dt.timedelta(days=30)
    row, _token = create_api_token(session, company, name=DEMO_TOKEN_NAME, scope="write", days=365, actor=actor,
                                   now=created)
    # The payroll program has been reading the account with it: the list shows when, the audit log its calls.
    for hours_ago, path in ((26, "/api/v1/account"), (3, "/api/v1/workers"), (3, "/api/v1/account")):
        moment = now - dt.timedelta(hours=hours_ago)
        record_audit(session, actor=Actor(user_id=None, label=row.label, ip="203.0.113.10"), action="api.call",
                     now=moment, object_type="api_token", object_id=row.id, summary=f"GET {path} -> 200")
        note_use(row, moment)
