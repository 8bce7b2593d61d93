from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from common.errors import DomainError, NotFound
from employers.persons import PossibleDuplicate
from employers.registration import ApplicationInvalid
from employers.rules import number_is_valid
from employers.workers import correct_employment_dates, employment_of, end_employment, register_hire, worker_query
from tests import factories
from tests.factories import ACTOR, NOW, employment_values, person_values


def _hire(db, employer, person=None, **employment):
    return register_hire(db, employer, person=person or person_values(), employment=employment_values(**employment),
                         actor=ACTOR, now=NOW)


def test_hire_registers_the_person_with_a_checked_social_security_number(db) -> None:
    employer = factories.employer(db)
    result = _hire(db, employer)
    assert not result.existing_person
    assert number_is_valid(employer.scheme.registry_settings["person_number"], result.person.social_security_number)
    assert result.employment.monthly_wage == Decimal("3500000")


def test_same_document_links_the_existing_person_across_employers(db) -> None:
    first, second = factories.employer(db), factories.employer(db)
    person = person_values(document_number="id-0000-7777", family_name_latin="Vongsa")
    a = _hire(db, first, person)
    b = _hire(db, second, person_values(document_number="ID00007777", family_name_latin="VONGSA"))
    assert b.existing_person and b.person.id == a.person.id


def test_a_known_document_with_other_details_is_neither_linked_nor_revealed(db) -> None:
    first, second = factories.employer(db), factories.employer(db)
    _hire(db, first, person_values(document_number="ID55550000", family_name_latin="Vongsa"))
    with pytest.raises(ApplicationInvalid) as caught:
        _hire(db, second, person_values(document_number="ID55550000", family_name_latin="Someone",
                                        birth_date="1970-01-01"))
    assert caught.value.problems == [("document_number", "person.identity_mismatch")]


def test_same_names_and_birth_date_with_another_document_is_flagged_for_review(db) -> None:
    employer = factories.employer(db)
    a = _hire(db, employer, person_values(family_name_latin="Phommavong", document_number="AA111111"))
    b = _hire(db, employer, person_values(family_name_latin="PHOMMAVONG", document_number="BB222222"))
    assert [p.id for p in b.possible_duplicates] == [a.person.id]
    flag = db.scalars(select(PossibleDuplicate)).one()
    assert (flag.person_id, flag.similar_person_id, flag.status) == (b.person.id, a.person.id, "open")


def test_overlapping_employment_with_the_same_employer_is_refused_but_rehire_after_end_works(db) -> None:
    employer = factories.employer(db)
    person = person_values()
    first = _hire(db, employer, person)
    with pytest.raises(DomainError, match="employment.overlaps"):
        _hire(db, employer, person, hired_on="2026-12-01")
    end_employment(db, employer, first.employment.id, ended_on="2026-12-31", reason="resignation", actor=ACTOR,
                   now=NOW)
    again = _hire(db, employer, person, hired_on="2027-02-01")
    assert again.person.id == first.person.id and again.employment.id != first.employment.id


@pytest.mark.parametrize(("person", "employment", "field", "code"), [
    ({"birth_date": "2030-01-01"}, {}, "birth_date", "person.born_in_future"),
    ({"birth_date": "17/05/1990x"}, {}, "birth_date", "field.date_invalid"),
    ({"document_number": "12"}, {}, "document_number", "person.document_number_invalid"),
    ({"given_name_latin": "ແສງ"}, {}, "given_name_latin", "employer.latin_required"),
    ({}, {"monthly_wage": "3 500 000.50"}, "monthly_wage", "employment.wage_invalid"),  # LAK has no decimals
    ({}, {"monthly_wage": "-1"}, "monthly_wage", "employment.wage_invalid"),
    ({}, {"monthly_wage": "abc"}, "monthly_wage", "employment.wage_invalid"),
    ({}, {"hired_on": "2020-01-01"}, "hired_on", "employment.before_registration"),
    ({"birth_date": "2015-01-01"}, {}, "hired_on", "employment.under_working_age"),
])
def test_bad_worker_data_is_refused_with_field_and_reason(db, person, employment, field, code) -> None:
    employer = factories.employer(db)
    with pytest.raises(ApplicationInvalid) as caught:
        _hire(db, employer, person_values(**person), **employment)
    assert (field, code) in caught.value.problems


def test_tajik_wages_may_have_dirams(db) -> None:
    employer = factories.employer(db, scheme_code="TJ-SOCTAX")
    result = _hire(db, employer, person_values(document_country="TJ", nationality="TJ"), monthly_wage="2 450.75")
    assert result.employment.monthly_wage == Decimal("2450.75")


def test_another_employers_employment_is_not_found(db) -> None:
    mine, theirs = factories.employer(db), factories.employer(db)
    job = _hire(db, theirs).employment
    with pytest.raises(NotFound):
        employment_of(db, mine.id, job.id)
    with pytest.raises(NotFound):
        end_employment(db, mine, job.id, ended_on="2026-12-01", reason="resignation", actor=ACTOR, now=NOW)
    assert employment_of(db, None, job.id) is job  # staff


def test_correcting_dates_is_checked_and_audited(db) -> None:
    employer = factories.employer(db)
    person = person_values()
    first = _hire(db, employer, person)
    end_employment(db, employer, first.employment.id, ended_on="2026-12-31", reason="end_of_contract", actor=ACTOR,
                   now=NOW)
    # LAK wages are whole kip: correcting dates must not trip over the stored wage's decimals.
    second = _hire(db, employer, person, hired_on="2027-03-01")
    with pytest.raises(DomainError, match="employment.overlaps"):
        correct_employment_dates(db, employer, first.employment.id, hired_on="2026-11-20", ended_on="2027-04-01",
                                 end_reason="end_of_contract", actor=ACTOR, now=NOW)
    correct_employment_dates(db, employer, first.employment.id, hired_on="2026-11-25", ended_on="2027-01-31",
                             end_reason="end_of_contract", actor=ACTOR, now=NOW)
    assert first.employment.hired_on == dt.date(2026, 11, 25) and first.employment.ended_on == dt.date(2027, 1, 31)
    assert second.employment.ended_on is None


def test_worker_search_by_name_number_and_current_status(db) -> None:
    employer = factories.employer(db)
    a = _hire(db, employer, person_values(given_name_latin="Bounmy", family_name_latin="Sisouvanh"))
    b = _hire(db, employer, person_values(given_name="ນ້ອຍ"))
    end_employment(db, employer, b.employment.id, ended_on="2026-11-30", reason="resignation", actor=ACTOR, now=NOW)
    found = lambda **kw: [e.id for e in db.scalars(worker_query(employer.id, **kw))]  # noqa: E731
    assert found(search="bounmy") == [a.employment.id]
    assert found(search=a.person.social_security_number) == [a.employment.id]
    assert found(search="ນ້ອຍ") == [b.employment.id]
    assert found(current_on=dt.date(2026, 12, 15)) == [a.employment.id]
