"""Registering workers: a hire links a person (found by document, or created with a new social security
number) to an employer; employments end, are corrected and rehired, always within one employer.

Employer users reach only their own employer's employments: every lookup here takes the employer and a
foreign id is reported as not found, never as forbidden.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from babel.numbers import get_currency_precision
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from common.audit import Actor, record_audit
from common.errors import DomainError, NotFound
from employers.employers import Employer
from employers.numbers import allocate_number
from employers.persons import Employment, Person, PossibleDuplicate
from employers.registration import ApplicationInvalid, local_today
from employers.rules import normalise_number
from employers.worker_rules import (
    PERSON_FIELDS,
    employment_problems,
    end_problems,
    overlaps,
    parse_amount,
    parse_date,
    person_problems,
)


@dataclass
class HireResult:
    person: Person
    employment: Employment
    existing_person: bool
    possible_duplicates: list[Person] = field(default_factory=list)


def wage_places(employer: Employer) -> int:
    return get_currency_precision(employer.scheme.currency)


def _clean_person(values: dict[str, object]) -> dict[str, object]:
    cleaned = {f: str(values.get(f) or "").strip() for f in PERSON_FIELDS}
    for f in ("document_country", "nationality", "sex"):
        cleaned[f] = str(cleaned[f]).upper()
    cleaned["document_number"] = normalise_number(str(cleaned["document_number"]))
    cleaned["birth_date"] = parse_date(values.get("birth_date"))
    return cleaned


def find_person_by_document(session: Session, document_type: str, document_country: str,
                            document_number: str) -> Person | None:
    return session.scalar(select(Person).where(
        Person.document_type == document_type, Person.document_country == document_country.upper(),
        Person.document_number == normalise_number(document_number)))


def same_identity(person: Person, values: dict[str, object]) -> bool:
    """Whether typed details are those of the stored person: same birth date and Latin family name."""
    return person.birth_date == values.get("birth_date") and \
        person.family_name_latin.casefold() == str(values.get("family_name_latin") or "").strip().casefold()


def similar_persons(session: Session, person: dict[str, object], *, but: int | None = None) -> list[Person]:
    """Persons with the same Latin names and date of birth (another document): likely the same human."""
    query = select(Person).where(
        func.lower(Person.given_name_latin) == str(person["given_name_latin"]).lower(),
        func.lower(Person.family_name_latin) == str(person["family_name_latin"]).lower(),
        Person.birth_date == person["birth_date"])
    if but is not None:
        query = query.where(Person.id != but)
    return list(session.scalars(query))


def _refuse_overlap(session: Session, employer_id: int, person_id: int, start: dt.date, end: dt.date | None,
                    *, but: int | None = None) -> None:
    for other in session.scalars(select(Employment).where(Employment.employer_id == employer_id,
                                                          Employment.person_id == person_id)):
        if other.id != but and overlaps(start, end, other.hired_on, other.ended_on):
            raise DomainError("employment.overlaps", hired_on=other.hired_on.isoformat())


def register_hire(
    session: Session, employer: Employer, *, person: dict[str, object], employment: dict[str, object],
    actor: Actor, now: dt.datetime,
) -> HireResult:
    """Hire a person: link the known person with that document, or register a new one; then open the
    employment.  Raises ``ApplicationInvalid`` listing every problem, or ``employment.overlaps``."""
    if employer.status != "active":
        raise DomainError("employer.not_active")
    today = local_today(employer.scheme, now)
    problems = person_problems(person, today=today)
    cleaned = _clean_person(person)
    problems += employment_problems(employment, birth_date=cleaned["birth_date"], registered_on=employer.registered_on,
                                    wage_places=wage_places(employer))
    if problems:
        raise ApplicationInvalid(problems)
    existing = find_person_by_document(session, cleaned["document_type"], cleaned["document_country"],
                                       cleaned["document_number"])
    duplicates: list[Person] = []
    if existing is None:
        scheme = employer.scheme
        existing_person = False
        record = Person(country=scheme.country, created_at=now, social_security_number=allocate_number(
            session, f"person:{scheme.country}", scheme.registry_settings["person_number"]), **cleaned)
        session.add(record)
        session.flush()
        duplicates = similar_persons(session, cleaned, but=record.id)
        for similar in duplicates:
            session.add(PossibleDuplicate(person_id=record.id, similar_person_id=similar.id,
                                          reported_by_employer_id=employer.id, status="open", created_at=now))
        record_audit(session, actor=actor, action="person.registered", now=now, object_type="person",
                     object_id=record.id, summary=f"SSN {record.social_security_number}"
                     + (f"; {len(duplicates)} possible duplicate(s)" if duplicates else ""))
    else:
        if not same_identity(existing, cleaned):
            # Never link, nor show, a stored person to someone who only knows the document number.
            raise ApplicationInvalid([("document_number", "person.identity_mismatch")])
        existing_person = True
        record = existing
    hired_on = parse_date(employment["hired_on"])
    _refuse_overlap(session, employer.id, record.id, hired_on, None)
    job = Employment(employer_id=employer.id, person_id=record.id, hired_on=hired_on,
                     job_title=str(employment.get("job_title") or "").strip(),
                     contract_type=str(employment["contract_type"]),
                     monthly_wage=parse_amount(employment["monthly_wage"], wage_places(employer)), created_at=now)
    session.add(job)
    session.flush()
    record_audit(session, actor=actor, action="employment.hired", now=now, object_type="employment",
                 object_id=job.id, summary=f"person {record.social_security_number} from {hired_on.isoformat()}"
                 f" at {job.monthly_wage}" + (" (known person)" if existing_person else ""))
    return HireResult(record, job, existing_person, duplicates)


def employment_of(session: Session, employer_id: int | None, employment_id: int) -> Employment:
    """The employment, if it belongs to ``employer_id`` (None: staff, any employer); else ``NotFound``."""
    job = session.get(Employment, employment_id)
    if job is None or (employer_id is not None and job.employer_id != employer_id):
        raise NotFound("employment.not_found")
    return job


def end_employment(
    session: Session, employer: Employer, employment_id: int, *, ended_on: object, reason: str, actor: Actor,
    now: dt.datetime,
) -> Employment:
    job = employment_of(session, employer.id, employment_id)
    if job.ended_on is not None:
        raise DomainError("employment.already_ended")
    problems = end_problems(ended_on, reason, hired_on=job.hired_on)
    if problems:
        raise ApplicationInvalid(problems)
    job.ended_on = parse_date(ended_on)
    job.end_reason = reason
    record_audit(session, actor=actor, action="employment.ended", now=now, object_type="employment",
                 object_id=job.id, summary=f"on {job.ended_on.isoformat()} ({reason})")
    return job


def correct_employment_dates(
    session: Session, employer: Employer, employment_id: int, *, hired_on: object, ended_on: object,
    end_reason: str | None, actor: Actor, now: dt.datetime,
) -> Employment:
    """Fix a wrong hire or end date (audited before and after); the result may not overlap another
    employment of the same person with this employer."""
    job = employment_of(session, employer.id, employment_id)
    new_start = parse_date(hired_on)
    if new_start is None:
        raise ApplicationInvalid([("hired_on", "field.date_invalid")])
    # Only the date rules: the stored wage and contract are not being changed here.
    problems = [p for p in employment_problems({"hired_on": new_start, "contract_type": job.contract_type,
                                                "monthly_wage": str(job.monthly_wage)},
                                               birth_date=job.person.birth_date, registered_on=employer.registered_on,
                                               wage_places=wage_places(employer)) if p[0] == "hired_on"]
    new_end = None
    if ended_on not in (None, ""):
        problems += end_problems(ended_on, end_reason, hired_on=new_start)
        new_end = parse_date(ended_on)
    if problems:
        raise ApplicationInvalid(problems)
    _refuse_overlap(session, employer.id, job.person_id, new_start, new_end, but=job.id)
    before = (job.hired_on, job.ended_on, job.end_reason)
    job.hired_on, job.ended_on = new_start, new_end
    job.end_reason = end_reason if new_end else None
    record_audit(session, actor=actor, action="employment.corrected", now=now, object_type="employment",
                 object_id=job.id, summary=f"{before[0]}..{before[1]} ({before[2]}) -> {new_start}..{new_end}"
                 f" ({job.end_reason})")
    return job


def worker_query(employer_id: int | None, *, search: str = "", current_on: dt.date | None = None):
    """Employments with their person, newest hire first; filtered by a name, number or document, and to
    those running on ``current_on`` when given."""
    query = select(Employment)
    if employer_id is not None:
        query = query.where(Employment.employer_id == employer_id)
    if current_on is not None:
        query = query.where(Employment.hired_on <= current_on,
                            or_(Employment.ended_on.is_(None), Employment.ended_on >= current_on))
    term = search.strip()
    if term:
        # Join the person only to filter; without a search the page's rows are chosen from employment alone
        # (walking the employer's hire-date index) and their persons loaded for those rows only.
        # A % or _ typed is a character to find, not a wildcard.
        escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        query = query.join(Person, Employment.person_id == Person.id).options(contains_eager(Employment.person))
        query = query.where(or_(func.lower(Person.given_name).like(like, escape="\\"),
                                func.lower(Person.family_name).like(like, escape="\\"),
                                func.lower(Person.given_name_latin).like(like, escape="\\"),
                                func.lower(Person.family_name_latin).like(like, escape="\\"),
                                Person.social_security_number == normalise_number(term),
                                Person.document_number == normalise_number(term)))
    else:
        query = query.options(selectinload(Employment.person))
    return query.order_by(Employment.hired_on.desc(), Employment.id.desc())




def review_duplicate(
    session: Session, flag_id: int, decision: str, *, note: str, actor: Actor, now: dt.datetime
) -> PossibleDuplicate:
    """Staff decide whether two persons flagged as alike are the same human (to be merged by the
    institution) or different people; the flag closes either way."""
    flag = session.get(PossibleDuplicate, flag_id)
    if flag is None or flag.status != "open":
        raise NotFound("duplicate.not_found")
    if decision not in ("same_person", "different_people"):
        raise DomainError("duplicate.decision_unknown")
    flag.status, flag.resolved_at, flag.resolution_note = decision, now, note.strip()
    record_audit(session, actor=actor, action="person.duplicate_reviewed", now=now, object_type="person",
                 object_id=flag.person_id, summary=f"{decision} (with person {flag.similar_person_id})")
    return flag
