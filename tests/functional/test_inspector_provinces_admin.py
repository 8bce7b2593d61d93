"""The administrator limits an inspector to provinces, and the limit is kept, audited and checked."""

from __future__ import annotations

from sqlalchemy import select

from common.audit import AuditEvent
from employers.accounts import Role
from inspections.areas import InspectorArea
from tests import factories
from tests.functional.conftest import TOKEN, csrf_client


def _form_token(client, path: str) -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def test_administrator_sets_and_clears_an_inspectors_provinces(db, app_config, session_factory) -> None:
    admin = factories.user(db, Role.SYSADMIN)
    inspector = factories.user(db, Role.INSPECTOR)
    db.commit()
    client = csrf_client(app_config, session_factory, admin)
    page = client.get("/admin/inspectors").get_data(as_text=True)
    assert inspector.email in page and 'value="LA-VT"' in page
    token = _form_token(client, "/admin/inspectors")
    answer = client.post(f"/admin/inspectors/{inspector.id}", data={"csrf_token": token,
                                                                    "province": ["LA-VT", "TJ-DU"]})
    assert answer.status_code == 302
    db.expire_all()
    assert sorted(db.scalars(select(InspectorArea.region_code).where(InspectorArea.user_id == inspector.id))) == [
        "LA-VT", "TJ-DU"]
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "inspector.provinces_set")) is not None
    assert 'value="LA-VT" checked' in client.get("/admin/inspectors").get_data(as_text=True)

    client.post(f"/admin/inspectors/{inspector.id}", data={"csrf_token": token, "province": ["XX-NOPE"]})
    db.expire_all()  # an unknown province is refused and the earlier choice kept
    assert len(db.scalars(select(InspectorArea).where(InspectorArea.user_id == inspector.id)).all()) == 2
    client.post(f"/admin/inspectors/{inspector.id}", data={"csrf_token": token})
    db.expire_all()
    assert db.scalars(select(InspectorArea).where(InspectorArea.user_id == inspector.id)).all() == []


def test_a_supervisor_cannot_be_limited(db, app_config, session_factory) -> None:
    admin = factories.user(db, Role.SYSADMIN)
    supervisor = factories.user(db, Role.SUPERVISOR)
    db.commit()
    client = csrf_client(app_config, session_factory, admin)
    token = _form_token(client, "/admin/inspectors")
    client.post(f"/admin/inspectors/{supervisor.id}", data={"csrf_token": token, "province": ["LA-VT"]})
    db.expire_all()
    assert db.scalars(select(InspectorArea)).all() == []


def test_a_post_without_its_token_is_refused(db, app_config, session_factory) -> None:
    admin = factories.user(db, Role.SYSADMIN)
    inspector = factories.user(db, Role.INSPECTOR)
    db.commit()
    client = csrf_client(app_config, session_factory, admin)
    assert client.post(f"/admin/inspectors/{inspector.id}", data={"province": ["LA-VT"]}).status_code == 400
