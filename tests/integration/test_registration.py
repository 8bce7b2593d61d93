from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from common.audit import AuditEvent
from common.errors import DomainError
from employers import accounts, registration, team
from employers.employers import (
    Employer,
    add_profile_version,
    change_status,
    profile_history,
    profile_on,
    profile_values,
)
from employers.numbers import NumberSequence, next_value
from employers.registration import ApplicantAccount, ApplicationInvalid
from employers.rules import number_is_valid
from tests import factories
from tests.factories import ACTOR, NOW, PASSWORD


def _apply(db, scheme_code="TJ-SOCTAX", tax="020000001", email="applicant@example.test", **fields):
    return registration.apply_for_registration(
        db, scheme_code=scheme_code, profile=factories.profile(scheme_code, **fields), tax_number=tax,
        registration_number="R-1", applicant=ApplicantAccount("Зарина Саидова", email, PASSWORD), actor=ACTOR,
        now=NOW)


def _login(db, email):
    return accounts.authenticate(db, email=email, password=PASSWORD, ip=None, now=NOW, max_failures=5,
                                 lockout=dt.timedelta(minutes=15))


def _actions(db, employer_id) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "employer",
                                                           AuditEvent.object_id == str(employer_id))
                           .order_by(AuditEvent.id)))


def test_application_is_pending_and_its_administrator_cannot_log_in_yet(db) -> None:
    employer, admin = _apply(db)
    assert employer.status == "pending" and employer.employer_number is None
    assert not admin.is_active and admin.employer_id == employer.id
    assert _login(db, admin.email).error == "auth.invalid"
    assert _actions(db, employer.id) == ["employer.applied"]
    assert len(profile_history(db, employer.id)) == 1


def test_duplicate_tax_number_is_refused_however_it_is_written(db) -> None:
    _apply(db, tax="020 000 001")
    with pytest.raises(DomainError) as caught:
        _apply(db, tax="020-000-001", email="second@example.test")
    assert caught.value.code == "employer.tax_number_taken"


def test_a_rejected_applicant_may_apply_again(db) -> None:
    employer, _ = _apply(db)
    registration.reject_application(db, employer.id, "Documents missing", actor=ACTOR, now=NOW)
    again, _ = _apply(db, email="again@example.test")
    assert again.status == "pending"


def test_invalid_application_lists_every_problem_and_writes_nothing(db) -> None:
    before = db.scalar(select(Employer.id).order_by(Employer.id.desc()))
    with pytest.raises(ApplicationInvalid) as caught:
        with db.begin_nested():
            _apply(db, region_code="LA-VT-01", phone="12", legal_name_latin="Ҷамшед")
    assert {field for field, _ in caught.value.problems} == {"region_code", "phone", "legal_name_latin"}
    assert db.scalar(select(Employer.id).order_by(Employer.id.desc())) == before


@pytest.mark.parametrize("scheme_code", ["LA-LSSO", "TJ-SOCTAX"])
def test_approval_numbers_the_employer_and_activates_its_administrator(db, scheme_code) -> None:
    employer, admin = _apply(db, scheme_code=scheme_code)
    registration.approve_application(db, employer.id, actor=ACTOR, now=NOW)
    assert employer.status == "active"
    assert number_is_valid(employer.scheme.registry_settings["employer_number"], employer.employer_number)
    assert employer.registered_on == dt.date(2026, 11, 20)
    assert admin.is_active and _login(db, admin.email).user is admin
    with pytest.raises(DomainError, match="employer.not_pending"):
        registration.approve_application(db, employer.id, actor=ACTOR, now=NOW)
    assert _actions(db, employer.id)[-1] == "employer.approved"


def test_rework_then_resubmission_through_the_emailed_link(db) -> None:
    employer, _ = _apply(db)
    with pytest.raises(DomainError, match="review.comment_required"):
        registration.request_rework(db, employer.id, "  ", actor=ACTOR, now=NOW)
    token = registration.request_rework(db, employer.id, "Give the full address", actor=ACTOR, now=NOW)
    assert employer.status == "rework" and employer.review_note == "Give the full address"
    with pytest.raises(DomainError, match="employer.not_pending"):
        registration.approve_application(db, employer.id, actor=ACTOR, now=NOW)
    fixed = profile_values(employer) | {"address": "кӯчаи Рӯдакӣ 45, ноҳияи Сино, Душанбе"}
    registration.resubmit_application(db, token=token, profile=fixed, tax_number=employer.tax_number,
                                      registration_number="R-1", actor=ACTOR, now=NOW + dt.timedelta(days=1))
    assert employer.status == "pending" and employer.address.startswith("кӯчаи Рӯдакӣ 45")
    with pytest.raises(DomainError, match="token.invalid"):
        registration.application_for_edit(db, token, now=NOW + dt.timedelta(days=1))
    assert _actions(db, employer.id)[-2:] == ["employer.profile_changed", "employer.resubmitted"]


def test_rejection_needs_a_reason(db) -> None:
    employer, _ = _apply(db)
    with pytest.raises(DomainError, match="review.reason_required"):
        registration.reject_application(db, employer.id, "", actor=ACTOR, now=NOW)
    registration.reject_application(db, employer.id, "Not an employer", actor=ACTOR, now=NOW)
    assert employer.status == "rejected" and employer.review_note == "Not an employer"


def test_staff_registration_is_active_at_once_and_invites_the_administrator(db) -> None:
    employer, admin, token = registration.register_employer(
        db, scheme_code="LA-LSSO", profile=factories.profile("LA-LSSO"), tax_number="0123456789",
        registration_number="", administrator=ApplicantAccount("ແສງ ວົງສາ", "seng@example.test", None), actor=ACTOR,
        now=NOW)
    assert employer.status == "active" and employer.employer_number.startswith("LA")
    assert not admin.is_active
    team.accept_invitation(db, token=token, password="ລະຫັດຜ່ານຍາວພໍສົມຄວນ", ip=None, now=NOW)
    assert admin.is_active
    with pytest.raises(DomainError, match="token.invalid"):
        team.accept_invitation(db, token=token, password="another long passphrase", ip=None, now=NOW)


def test_profile_versions_answer_for_any_date(db) -> None:
    employer = factories.employer(db, scheme_code="TJ-SOCTAX")
    first = profile_values(employer)
    add_profile_version(db, employer, first | {"category": "budget"}, valid_from=dt.date(2027, 1, 1), actor=ACTOR,
                        now=NOW)
    add_profile_version(db, employer, first | {"address": "кӯчаи Айнӣ 2"}, valid_from=dt.date(2026, 12, 1),
                        actor=ACTOR, now=NOW)
    assert profile_on(db, employer.id, dt.date(2026, 11, 30)).category == "non_budget"
    assert profile_on(db, employer.id, dt.date(2026, 12, 15)).address == "кӯчаи Айнӣ 2"
    assert profile_on(db, employer.id, dt.date(2027, 2, 1)).category == "budget"
    assert profile_on(db, employer.id, dt.date(2020, 1, 1)) is None
    assert employer.category == "budget"  # the current copy follows the latest version
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "employer.profile_changed")
                       .order_by(AuditEvent.id)).first()
    assert "category: 'non_budget' -> 'budget'" in event.summary


def test_status_changes_and_a_ceased_employer_keeps_its_history(db) -> None:
    employer = factories.employer(db)
    change_status(db, employer, "suspended", actor=ACTOR, now=NOW, reason="audit")
    change_status(db, employer, "active", actor=ACTOR, now=NOW)
    with pytest.raises(DomainError, match="employer.ceased_on_invalid"):
        change_status(db, employer, "ceased", actor=ACTOR, now=NOW)
    change_status(db, employer, "ceased", actor=ACTOR, now=NOW, ceased_on=dt.date(2026, 12, 31))
    assert employer.status == "ceased" and employer.ceased_on == dt.date(2026, 12, 31)
    with pytest.raises(DomainError, match="employer.status_change_not_allowed"):
        change_status(db, employer, "active", actor=ACTOR, now=NOW)
    assert profile_history(db, employer.id)


def test_team_invitation_and_deactivation_stay_within_the_employer(db) -> None:
    employer, other = factories.employer(db), factories.employer(db)
    admin = factories.user(db, "employer_admin", employer_id=employer.id)
    clerk, token = team.invite_user(db, employer, email="clerk@example.test", full_name="ນ້ອຍ", language="lo",
                                    actor=admin.as_actor(), now=NOW)
    team.accept_invitation(db, token=token, password="a long passphrase here", ip=None, now=NOW)
    outsider = factories.user(db, "employer_clerk", employer_id=other.id)
    with pytest.raises(DomainError, match="user.not_found"):
        team.set_user_active(db, employer, outsider.id, False, actor=admin.as_actor(), now=NOW)
    with pytest.raises(DomainError, match="user.cannot_deactivate"):
        team.set_user_active(db, employer, admin.id, False, actor=admin.as_actor(), now=NOW)
    version = clerk.session_version
    team.set_user_active(db, employer, clerk.id, False, actor=admin.as_actor(), now=NOW)
    assert not clerk.is_active and clerk.session_version == version + 1


def test_concurrent_number_allocations_never_repeat(engine) -> None:
    """Two connections allocating at once get distinct, gap-free values (row lock on PostgreSQL)."""
    name = f"test:concurrency:{threading.get_ident()}"
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(15):
                with Session(engine) as session:
                    results.append(next_value(session, name))
                    session.commit()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert sorted(results) == list(range(1, 31))
    finally:
        with Session(engine) as session:
            session.execute(delete(NumberSequence).where(NumberSequence.name == name))
            session.commit()
