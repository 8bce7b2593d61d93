"""Every module that defines tables, imported in one place so the metadata is complete
(for Alembic's autogenerate and for the model/migration drift check)."""

from __future__ import annotations

from sqlalchemy import MetaData

from common.db import Base


def load_metadata() -> MetaData:
    import common.audit  # noqa: F401
    import common.idempotency  # noqa: F401
    import common.schemes  # noqa: F401
    import contributions.assessments  # noqa: F401
    import contributions.calendar  # noqa: F401
    import contributions.certificates  # noqa: F401
    import contributions.declarations  # noqa: F401
    import contributions.interest  # noqa: F401
    import contributions.jobs  # noqa: F401
    import contributions.ledger  # noqa: F401
    import contributions.parameters  # noqa: F401
    import contributions.payments  # noqa: F401
    import contributions.waivers  # noqa: F401
    import contributions.worker_statements  # noqa: F401
    import employers.accounts  # noqa: F401
    import employers.activation  # noqa: F401
    import employers.api_tokens  # noqa: F401
    import employers.employers  # noqa: F401
    import employers.imports  # noqa: F401
    import employers.numbers  # noqa: F401
    import employers.persons  # noqa: F401
    import employers.regions  # noqa: F401
    import employers.tokens  # noqa: F401
    import inspections.areas  # noqa: F401
    import inspections.cases  # noqa: F401
    import inspections.facts  # noqa: F401
    import inspections.reports  # noqa: F401
    import inspections.risk  # noqa: F401
    import notifications.notices  # noqa: F401
    import notifications.outbox  # noqa: F401

    return Base.metadata
