"""The demo: a Lao employer in Vientiane, a Tajik employer in Dushanbe, and one account per role.

Each area extends this as it is built, so that a fresh ``make run`` shows the product at work.
Seeding is idempotent: a second run finds the demo in place and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from common.audit import Actor
from common.schemes import load_reference_schemes
from employers.accounts import Role, create_user, find_user_by_email
from employers.employers import create_employer

DEMO_PASSWORD = "demo-portal-2026"


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
    load_reference_schemes(session)
    lao = create_employer(
        session, scheme_code="LA-LSSO", legal_name="ບໍລິສັດ ນ້ຳຂອງ ກໍ່ສ້າງ ຈຳກັດ",
        legal_name_latin="Mekong Construction Co., Ltd.", city="ນະຄອນຫຼວງວຽງຈັນ", preferred_language="lo",
        actor=actor, now=now,
    )
    tajik = create_employer(
        session, scheme_code="TJ-SOCTAX", legal_name="ҶДММ «Помир Текстил»",
        legal_name_latin="Pomir Textile LLC", city="Душанбе", preferred_language="tg", actor=actor, now=now,
    )
    employer_ids = {lao.legal_name: lao.id, tajik.legal_name: tajik.id}
    for login in logins:
        create_user(
            session, email=login.email, full_name=login.name, role=login.role, password=DEMO_PASSWORD,
            employer_id=employer_ids.get(login.employer), locale=login.language, actor=actor, now=now,
        )
    return True, logins


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin("lao.admin@demo.example", Role.EMPLOYER_ADMIN, "ສົມພອນ ພົມມະວົງ", "lo",
                  "ບໍລິສັດ ນ້ຳຂອງ ກໍ່ສ້າງ ຈຳກັດ"),
        DemoLogin("lao.clerk@demo.example", Role.EMPLOYER_CLERK, "ນ້ອຍ ແສງສຸລິຍາ", "lo",
                  "ບໍລິສັດ ນ້ຳຂອງ ກໍ່ສ້າງ ຈຳກັດ"),
        DemoLogin("tj.admin@demo.example", Role.EMPLOYER_ADMIN, "Фарида Раҳимова", "tg", "ҶДММ «Помир Текстил»"),
        DemoLogin("inspector@demo.example", Role.INSPECTOR, "ບຸນມີ ສີສຸວັນ", "lo"),
        DemoLogin("supervisor@demo.example", Role.SUPERVISOR, "Далер Назаров", "ru"),
        DemoLogin("admin@demo.example", Role.SYSADMIN, "System Administrator", "en"),
        DemoLogin("worker@demo.example", Role.WORKER, "Ҷамшед Каримов", "tg"),
    ]
