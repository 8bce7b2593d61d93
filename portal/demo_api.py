"""The API's part of the demo: the Lao construction company's administrator has created a token for its
payroll software, so the API tokens page shows one.  The token itself is thrown away (seeding never prints
a secret); whoever wants to call the API creates their own token on that page or with
``portal api-token create``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from common.audit import Actor
from employers.accounts import find_user_by_email
from employers.api_tokens import create_api_token, tokens_of
from employers.employers import Employer

DEMO_TOKEN_NAME = "Payroll (demo)"
LAO_ADMIN = "lao.admin@demo.example"


def seed_api_tokens(session: Session, employers: dict[str, Employer], *, now: dt.datetime) -> None:
    company = employers["lao"]
    if any(row.name == DEMO_TOKEN_NAME for row in tokens_of(session, company.id)):
        return
    admin = find_user_by_email(session, LAO_ADMIN)
    actor = admin.as_actor() if admin is not None else Actor.system("seed-demo")
    _row, _token = create_api_token(session, company, name=DEMO_TOKEN_NAME, scope="write", days=365, actor=actor,
                                    now=now)
