"""The demo: a Lao employer in Vientiane, a Tajik employer in Dushanbe, an application waiting for review,
and one account per role.

Each area extends this as it is built, so that a fresh ``make run`` shows the product at work.
Seeding is idempotent: a second run finds the demo in place and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from common.audit import Actor
from employers.accounts import Role, create_user, find_user_by_email
from employers.registration import ApplicantAccount, apply_for_registration, approve_application
from employers.workers import end_employment, register_hire
from portal import synthetic as datagen
from portal.reference import load_reference_data

DEMO_PASSWORD = "demo-portal-2026"

LAO_EMPLOYER = {
    "legal_name": "ບໍລິສັດ ນ້ຳຂອງ ກໍ່ສ້າງ ຈຳກັດ", "legal_name_latin": "Mekong Construction Co., Ltd.",
    "trading_name": "ນ້ຳຂອງ ກໍ່ສ້າງ", "category": "private", "sector_code": "F", "region_code": "LA-VT-01",
    "address": "ຖະໜົນ ສາມແສນໄທ, ບ້ານ ມີໄຊ, ເມືອງ ຈັນທະບູລີ, ນະຄອນຫຼວງວຽງຈັນ", "contact_name": "ສົມພອນ ພົມມະວົງ",
    "phone": "+856 21 212 345", "email": "hr@mekong-construction.example", "preferred_language": "lo",
}
TAJIK_EMPLOYER = {
    "legal_name": "ҶДММ «Помир Текстил»", "legal_name_latin": "Pomir Textile LLC", "trading_name": "Помир Текстил",
    "category": "non_budget", "sector_code": "C", "region_code": "TJ-DU-01",
    "address": "кӯчаи Рӯдакӣ 45, ноҳияи Сино, Душанбе", "contact_name": "Фарида Раҳимова",
    "phone": "+992 37 221 4567", "email": "kadrho@pomir-textil.example", "preferred_language": "tg",
}
PENDING_APPLICATION = {
    "legal_name": "ҶДММ «Варзоб Сохтмон»", "legal_name_latin": "Varzob Construction LLC", "trading_name": "",
    "category": "budget", "sector_code": "F", "region_code": "TJ-RA-02",
    "address": "шаҳраки Варзоб, кӯчаи Исмоили Сомонӣ 3", "contact_name": "Бахтиёр Собиров",
    "phone": "+992 93 555 0101", "email": "office@varzob-sohtmon.example", "preferred_language": "ru",
}


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    name: str
    language: str
    employer: str = ""


def seed_demo(session: Session, *, now: dt.datetime) -> tuple[bool, list[DemoLogin]]:
    """Create the demo data unless it exists.  Returns (created, logins)."""
    logins = demo_logins()
    if find_user_by_email(session, logins[0].email) is not None:
        return False, logins
    actor = Actor.system("seed-demo")
    load_reference_data(session)
    employers = {}
    # The demo employers registered about a year ago, so that a year of their history can be shown.
    registered = now - dt.timedelta(days=400)
    for key, scheme, tax, profile in (("lao", "LA-LSSO", "0123456789", LAO_EMPLOYER),
                                      ("tajik", "TJ-SOCTAX", "020012345", TAJIK_EMPLOYER)):
        admin = next(login for login in logins if login.employer == key and login.role == Role.EMPLOYER_ADMIN)
        employer, _ = apply_for_registration(
            session, scheme_code=scheme, profile=profile, tax_number=tax, registration_number=f"REG-{tax}",
            applicant=ApplicantAccount(admin.name, admin.email, DEMO_PASSWORD), actor=actor, now=registered)
        employers[key] = approve_application(session, employer.id, actor=actor, now=registered)
        _seed_workers(session, employers[key], registered=registered, now=now, actor=actor)
    for login in logins:
        if find_user_by_email(session, login.email) is None:
            create_user(session, email=login.email, full_name=login.name, role=login.role, password=DEMO_PASSWORD,
                        employer_id=employers[login.employer].id if login.employer else None,
                        locale=login.language, actor=actor, now=now)
    apply_for_registration(
        session, scheme_code="TJ-SOCTAX", profile=PENDING_APPLICATION, tax_number="030098765",
        registration_number="", applicant=ApplicantAccount("Бахтиёр Собиров", "applicant@demo.example",
                                                            DEMO_PASSWORD), actor=actor, now=now)
    return True, logins


def _seed_workers(session: Session, employer, *, registered: dt.datetime, now: dt.datetime, actor: Actor) -> None:
    """A dozen workers hired over the year (names from the benchmark generator), one of whom has left."""
    country = employer.scheme.country
    start = registered.date() + dt.timedelta(days=5)
    people = list(datagen.people(12, seed=7 if country == "LA" else 11, country=country))
    for i, person in enumerate(people):
        wage = (2_500_000 + 250_000 * (i % 6)) if country == "LA" else Decimal("1800.00") + Decimal("125.50") * (i % 6)
        result = register_hire(
            session, employer, actor=actor, now=now,
            person={"document_type": "national_id", "document_country": country,
                    "document_number": f"{country}{employer.id:02d}{i:06d}", "given_name": person.given_name,
                    "family_name": person.family_name, "given_name_latin": person.given_name_latin,
                    "family_name_latin": person.family_name_latin, "birth_date": person.birth_date,
                    "sex": person.sex, "nationality": country, "phone": ""},
            employment={"hired_on": start + dt.timedelta(days=30 * (i % 8)), "job_title": "",
                        "contract_type": "permanent", "monthly_wage": str(wage)})
        if i == 11:
            end_employment(session, employer, result.employment.id, ended_on=now.date() - dt.timedelta(days=60),
                           reason="resignation", actor=actor, now=now)


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin("lao.admin@demo.example", Role.EMPLOYER_ADMIN, "ສົມພອນ ພົມມະວົງ", "lo", "lao"),
        DemoLogin("lao.clerk@demo.example", Role.EMPLOYER_CLERK, "ນ້ອຍ ແສງສຸລິຍາ", "lo", "lao"),
        DemoLogin("tj.admin@demo.example", Role.EMPLOYER_ADMIN, "Фарида Раҳимова", "tg", "tajik"),
        DemoLogin("inspector@demo.example", Role.INSPECTOR, "ບຸນມີ ສີສຸວັນ", "lo"),
        DemoLogin("supervisor@demo.example", Role.SUPERVISOR, "Далер Назаров", "ru"),
        DemoLogin("admin@demo.example", Role.SYSADMIN, "System Administrator", "en"),
        DemoLogin("worker@demo.example", Role.WORKER, "Ҷамшед Каримов", "tg"),
    ]
