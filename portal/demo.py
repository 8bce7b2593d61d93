"""The demo: a Lao employer in Vientiane, a Tajik employer in Dushanbe, an application waiting for review,
and one account per role.

Both employers registered a year ago and have declared every month since: twelve periods, up to the last one
whose due date has passed.  The year shows what the declarations area handles: wages that move a little from
month to month, a Lao manager paid above the base ceiling, a Lao worker on sick leave paid below the floor,
a leaver's last month, one period filed late on each side, a Lao period replaced before its due date and
another corrected after it, and a Tajik month with no wages (a nil declaration).  The Lao employer's next
period is left as an open draft for the demo user to file.  A third employer, a Tajik bakery, stopped filing
four months ago: the night's jobs (run as of the seeding day) assess its missing months, fine the late
filings and charge interest, and staff have waived one fine and asked to waive another, which waits for a
supervisor's approval.  A worker's report on Pomir Textile is in an inspection case, and every employer has a
risk score (``demo_inspections.py``).  Dates are relative to the ``now`` the demo is seeded with, so the demo
looks current whatever day it runs.

Each area extends this as it is built, so that a fresh ``make run`` shows the product at work.
Seeding is idempotent: a second run finds the demo in place and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel.numbers import get_currency_precision
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.audit import Actor
from common.period import Period
from common.schemes import Scheme
from contributions.assessments import assess_non_filers
from contributions.calendar import period_due_date
from contributions.declarations import Declaration, DeclarationLine
from contributions.drafts import LineChange, open_draft, update_lines
from contributions.filing import file_nil, rf_of, submit_declaration
from contributions.fines import post_fines
from contributions.interest import post_interest
from contributions.jobs import JobRun
from contributions.ledger import CHARGE_KINDS, LedgerEntry
from contributions.payment_actions import import_statement
from contributions.payments import Bank
from contributions.reconciliation import reconcile_batch
from contributions.rules.references import format_numeric, format_rf
from contributions.waivers import request_waiver
from employers.accounts import Role, create_user, find_user_by_email
from employers.employers import Employer
from employers.persons import Employment
from employers.registration import ApplicantAccount, apply_for_registration, approve_application, local_today
from employers.workers import end_employment, register_hire
from portal import synthetic as datagen
from portal.demo_api import seed_api_tokens
from portal.demo_inspections import seed_inspections
from portal.demo_workers import seed_workers
from portal.notices import send_notices_job
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
# A bakery that declared and paid for eight months, then stopped filing: the night's jobs assess the missing
# months, fine the late filing and charge interest on the estimates.
NON_FILER_EMPLOYER = {
    "legal_name": "ҶДММ «Нони Хуҷанд»", "legal_name_latin": "Khujand Bread LLC", "trading_name": "Нони Хуҷанд",
    "category": "non_budget", "sector_code": "C", "region_code": "TJ-DU-02",
    "address": "кӯчаи Айнӣ 12, ноҳияи Шоҳмансур, Душанбе", "contact_name": "Сино Раҳмонов",
    "phone": "+992 37 227 8899", "email": "info@non-khujand.example", "preferred_language": "ru",
}
NON_FILER_STOPS_AFTER = 8  # periods declared before it stopped filing
NOTICE_NIGHTS = (60, 30)  # the notices job also ran these many days before the seeding day
PENDING_APPLICATION = {
    "legal_name": "ҶДММ «Варзоб Сохтмон»", "legal_name_latin": "Varzob Construction LLC", "trading_name": "",
    "category": "budget", "sector_code": "F", "region_code": "TJ-RA-02",
    "address": "шаҳраки Варзоб, кӯчаи Исмоили Сомонӣ 3", "contact_name": "Бахтиёр Собиров",
    "phone": "+992 93 555 0101", "email": "office@varzob-sohtmon.example", "preferred_language": "ru",
}


DECLARED_MONTHS = 12


@dataclass(frozen=True)
class DemoYear:
    """What happens in a demo employer's year, by position among its declared periods (0 is the oldest)."""

    late: int  # filed some days after the due date
    late_by_days: int
    nil: int | None = None  # no wages paid: a nil declaration with this reason
    nil_reason: str = ""
    sick: int | None = None  # worker ``SICK_WORKER`` is off sick most of the month
    replacement: int | None = None  # amended before the due date: overtime left out of the first version
    corrective: int | None = None  # amended months later: a night-shift allowance found missing


LAO_YEAR = DemoYear(late=2, late_by_days=6, sick=5, corrective=6, replacement=8)
TAJIK_YEAR = DemoYear(late=1, late_by_days=9, nil=7,
                      nil_reason="Фабрика барои азнавсозии таҷҳизот як моҳ баста буд; музди меҳнат пардохт нашудааст.")
# Worker indexes (in hiring order) of the demo's particular cases.
MANAGER, SICK_WORKER, LEAVER = 0, 1, 11
SICK_DAYS = 9
REPLACEMENT_RAISES = {3: 180_000, 5: 180_000}
CORRECTIVE_RAISES = {2: 300_000, 4: 300_000}


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    name: str
    language: str
    employer: str = ""


@dataclass(frozen=True)
class _Worker:
    index: int
    employment: Employment


def seed_demo(session: Session, *, now: dt.datetime) -> tuple[bool, list[DemoLogin]]:
    """Create the demo data unless it exists.  Returns (created, logins)."""
    logins = demo_logins()
    if find_user_by_email(session, logins[0].email) is not None:
        return False, logins
    actor = Actor.system("seed-demo")
    load_reference_data(session)
    employers = {}
    for key, scheme_code, tax, profile, year in (
            ("lao", "LA-LSSO", "0123456789", LAO_EMPLOYER, LAO_YEAR),
            ("tajik", "TJ-SOCTAX", "020012345", TAJIK_EMPLOYER, TAJIK_YEAR),
            ("bakery", "TJ-SOCTAX", "020054321", NON_FILER_EMPLOYER, DemoYear(late=-1, late_by_days=0))):
        scheme = session.get(Scheme, scheme_code)
        periods = declared_periods(session, scheme, profile["category"], now=now)
        # Registered early in the first declared month, so that every month since is declared.
        registered = _at(scheme, _working_day(periods[0].first_day + dt.timedelta(days=1)), 10)
        admin = next(login for login in logins if login.employer == key and login.role == Role.EMPLOYER_ADMIN)
        employer, _ = apply_for_registration(
            session, scheme_code=scheme_code, profile=profile, tax_number=tax, registration_number=f"REG-{tax}",
            applicant=ApplicantAccount(admin.name, admin.email, DEMO_PASSWORD), actor=actor,
            now=registered - dt.timedelta(days=5))
        employers[key] = approve_application(session, employer.id, actor=actor, now=registered)
        workers = _seed_workers(session, employers[key], registered=registered, now=now, actor=actor)
        filer = find_user_by_email(session, admin.email)
        if key == "bakery":
            periods = periods[:NON_FILER_STOPS_AFTER]
        _seed_declarations(session, employers[key], periods, workers, year,
                           actor=filer.as_actor(), user_id=filer.id)
        if key == "lao":
            # The next period is in preparation: pre-filled, waiting for the demo user to check and file it.
            open_draft(session, employers[key], periods[-1].next(), actor=filer.as_actor(), now=now)
    for login in logins:
        if find_user_by_email(session, login.email) is None:
            create_user(session, email=login.email, full_name=login.name, role=login.role, password=DEMO_PASSWORD,
                        employer_id=employers[login.employer].id if login.employer else None,
                        locale=login.language, actor=actor, now=now)
    officer = find_user_by_email(session, "supervisor@demo.example").as_actor()
    for key, bank_code in (("lao", "BCEL"), ("tajik", "AMONATBONK"), ("bakery", "ORIENBANK")):
        _seed_payments(session, employers[key], bank_code, actor=officer, now=now)
    reconcile_batch(session, actor=Actor.system("reconciliation"), now=now)
    _run_the_night(session, now=now)
    _seed_waivers(session, employers, now=now)
    seed_inspections(session, employers, now=now)
    seed_workers(session, employers)
    seed_api_tokens(session, employers, now=now)
    apply_for_registration(
        session, scheme_code="TJ-SOCTAX", profile=PENDING_APPLICATION, tax_number="030098765",
        registration_number="", applicant=ApplicantAccount("Бахтиёр Собиров", "applicant@demo.example",
                                                            DEMO_PASSWORD), actor=actor, now=now)
    return True, logins


def declared_periods(session: Session, scheme: Scheme, category: str, *, now: dt.datetime) -> list[Period]:
    """The twelve periods a demo employer has declared: up to the last one whose due date has passed."""
    today = local_today(scheme, now)
    last = Period.of(today).previous()
    if today <= period_due_date(session, scheme.code, scheme.country, category, last):
        last = last.previous()
    return [last.shift(offset) for offset in range(1 - DECLARED_MONTHS, 1)]


def _at(scheme: Scheme, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of a local working day, in UTC."""
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(scheme.time_zone))
    return local.astimezone(dt.UTC)


def _working_day(day: dt.date) -> dt.date:
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    return day


def _seed_workers(session: Session, employer: Employer, *, registered: dt.datetime, now: dt.datetime,
                  actor: Actor) -> dict[int, _Worker]:
    """A dozen workers hired over the year (names from the benchmark generator), one of whom has left; each
    hire is recorded on its day.  Returns the workers by person id."""
    scheme = employer.scheme
    country = scheme.country
    start = local_today(scheme, registered) + dt.timedelta(days=5)
    people = list(datagen.people(12, seed=7 if country == "LA" else 11, country=country))
    workers = {}
    for i, person in enumerate(people):
        if country == "LA":
            wage = Decimal(5_400_000) if i == MANAGER else Decimal(2_500_000 + 250_000 * (i % 6))
        else:
            wage = Decimal("1800.00") + Decimal("125.50") * (i % 6)
        hired_on = start + dt.timedelta(days=30 * (i % 8))
        result = register_hire(
            session, employer, actor=actor, now=_at(scheme, hired_on, 8, 30),
            person={"document_type": "national_id", "document_country": country,
                    "document_number": f"{country}{employer.id:02d}{i:06d}", "given_name": person.given_name,
                    "family_name": person.family_name, "given_name_latin": person.given_name_latin,
                    "family_name_latin": person.family_name_latin, "birth_date": person.birth_date,
                    "sex": person.sex, "nationality": country, "phone": ""},
            employment={"hired_on": hired_on, "job_title": "", "contract_type": "permanent",
                        "monthly_wage": str(wage)})
        if i == LEAVER:
            ended_on = local_today(scheme, now) - dt.timedelta(days=60)
            end_employment(session, employer, result.employment.id, ended_on=ended_on, reason="resignation",
                           actor=actor, now=_at(scheme, ended_on, 16))
        workers[result.person.id] = _Worker(i, result.employment)
    return workers


def _seed_declarations(session: Session, employer: Employer, periods: list[Period], workers: dict[int, _Worker],
                       year: DemoYear, *, actor: Actor, user_id: int) -> None:
    """File each period of the year as the employer would have: on the 10th of the following month (the next
    working day when it is a weekend), except the year's particular cases."""
    scheme = employer.scheme
    places = get_currency_precision(scheme.currency)
    for index, period in enumerate(periods):
        on_time = _at(scheme, _working_day(period.next().first_day.replace(day=10)), 9)
        if index == year.nil:
            file_nil(session, employer, period, year.nil_reason, actor=actor, now=on_time, user_id=user_id)
            continue
        filed_at = on_time
        if index == year.late:
            due = period_due_date(session, scheme.code, scheme.country, employer.category, period)
            filed_at = _at(scheme, _working_day(due + dt.timedelta(days=year.late_by_days)), 15, 20)
        draft = open_draft(session, employer, period, actor=actor, now=filed_at - dt.timedelta(minutes=25))
        changes = []
        for line in _lines(session, draft):
            gross, days, reason = _pay(workers[line.person_id], period, places, sick=index == year.sick)
            changes.append(LineChange(line.id, str(gross), days, reason))
        update_lines(session, employer, draft.id, changes, revision=draft.revision, actor=actor,
                     now=filed_at - dt.timedelta(minutes=10))
        submit_declaration(session, employer, draft.id, revision=draft.revision, actor=actor, now=filed_at,
                           user_id=user_id)
        if index == year.replacement:
            _amend(session, employer, period, workers, REPLACEMENT_RAISES, actor=actor, user_id=user_id,
                   now=_at(scheme, _working_day(period.next().first_day.replace(day=15)), 11))
        if index == year.corrective:
            _amend(session, employer, period, workers, CORRECTIVE_RAISES, actor=actor, user_id=user_id,
                   now=_at(scheme, _working_day(period.shift(3).first_day.replace(day=12)), 10, 30))


def _lines(session: Session, declaration: Declaration) -> list[DeclarationLine]:
    return list(session.scalars(select(DeclarationLine).where(DeclarationLine.declaration_id == declaration.id)
                                .order_by(DeclarationLine.id)))


def _pay(worker: _Worker, period: Period, places: int, *, sick: bool) -> tuple[Decimal, int | None, str | None]:
    """(gross wage, days worked, absence reason) of a worker for a period: the agreed wage with 0-6 % of
    overtime that changes from month to month; a leaver is paid for the days up to leaving."""
    agreed = worker.employment.monthly_wage
    days_in_month = period.last_day.day
    if sick and worker.index == SICK_WORKER:
        return _rounded(agreed * SICK_DAYS / days_in_month, places), SICK_DAYS, "sick"
    pay = agreed * (100 + (worker.index * 5 + period.month * 3) % 7) / 100
    ended_on = worker.employment.ended_on
    if ended_on is not None and Period.of(ended_on) == period and ended_on.day < days_in_month:
        return _rounded(pay * ended_on.day / days_in_month, places), ended_on.day, None
    return _rounded(pay, places), None, None


def _rounded(amount: Decimal, places: int) -> Decimal:
    """Kip wages in whole thousands, somoni wages to the diram."""
    step = Decimal(1000) if places == 0 else Decimal(1).scaleb(-places)
    return ((amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step).quantize(Decimal(1).scaleb(-places))


def _amend(session: Session, employer: Employer, period: Period, workers: dict[int, _Worker],
           raises: dict[int, int], *, actor: Actor, user_id: int, now: dt.datetime) -> None:
    """File a new version of a period with some workers paid more than first declared."""
    draft = open_draft(session, employer, period, actor=actor, now=now - dt.timedelta(minutes=20))
    changes = [LineChange(line.id, str(line.gross_wage + raises[workers[line.person_id].index]), line.days_worked,
                          line.absence_reason)
               for line in _lines(session, draft) if workers[line.person_id].index in raises]
    update_lines(session, employer, draft.id, changes, revision=draft.revision, actor=actor,
                 now=now - dt.timedelta(minutes=5))
    submit_declaration(session, employer, draft.id, revision=draft.revision, actor=actor, now=now, user_id=user_id)


def _seed_payments(session: Session, employer: Employer, bank_code: str, *, actor: Actor, now: dt.datetime) -> None:
    """A year of the employer's transfers on one bank statement: most periods paid a few days before the due
    date with the payment reference (RF form for the Lao employer, digits for the Tajik one), one paid
    late, one only partly paid, one overpaid (the rest pays the next period), one where the payer wrote only
    the employer number, the last period not paid yet; and a deposit nobody can identify, left for an
    officer in the unmatched queue."""
    scheme = employer.scheme
    today = local_today(scheme, now)
    filed = [d for d in session.scalars(select(Declaration).where(Declaration.employer_id == employer.id,
                                                                  Declaration.status == "submitted")
                                        .order_by(Declaration.period, Declaration.version))]
    current = {d.period: d for d in filed}  # the latest version of each period
    periods = sorted(period for period, d in current.items() if d.total > 0)
    entries = []
    for index, period in enumerate(periods[:-1]):  # the last period is not paid yet
        declaration = current[period]
        amount, paid_on = declaration.total, declaration.due_date - dt.timedelta(days=3)
        remittance = (f"LSSO {format_rf(rf_of(declaration))}" if scheme.country == "LA"
                      else f"Андози иҷтимоӣ {format_numeric(declaration.payment_reference)}")
        if index == len(periods) - 3:
            amount = (amount * Decimal("0.6")).quantize(Decimal(1).scaleb(-get_currency_precision(scheme.currency)))
        if index == 3:
            paid_on = declaration.due_date + dt.timedelta(days=24)
        if index == 5:
            amount += Decimal(50_000) if scheme.country == "LA" else Decimal(100)
        if index == 7:
            remittance = f"{employer.employer_number} {period}"
        entries.append(datagen.StatementEntry(f"{bank_code}-{employer.employer_number}-{period}-{index:02d}",
                                              min(paid_on, today), amount, employer.legal_name_latin, remittance))
    if scheme.country == "LA":
        entries.append(datagen.StatementEntry(f"{bank_code}-CASH-DEPOSIT", today - dt.timedelta(days=2),
                                              Decimal(1_500_000), "ຮ້ານ ສົມໃຈ", "ເງິນຝາກ ປະກັນສັງຄົມ"))
    data = datagen.camt053(entries, currency=scheme.currency, account=f"{bank_code}-COLLECTION",
                           statement_id=f"{bank_code}-DEMO-{today.isoformat()}")
    bank = session.get(Bank, bank_code)
    import_statement(session, bank, f"{bank_code.lower()}-{today.isoformat()}.xml", data, actor=actor, now=now)


def _run_the_night(session: Session, *, now: dt.datetime) -> None:
    """The night's jobs as of today in each scheme, recorded as runs like the scheduler's: the non-filer's
    missing months are assessed, late filings fined, late payments and estimates charged interest, and the
    notices these call for written (reminders, missed filings, assessments, overdue notices, demands)."""
    for scheme in session.scalars(select(Scheme).order_by(Scheme.code)):
        today = local_today(scheme, now)
        # The notices of the two months before: the overdue notices then, and the first demands a month ago,
        # so that tonight's run brings the second demands where debts are still unpaid.
        for days_ago in NOTICE_NIGHTS:
            then = now - dt.timedelta(days=days_ago)
            done = send_notices_job(session, scheme.code, as_of=today - dt.timedelta(days=days_ago),
                                    actor=Actor.system("scheduler"), now=then)
            session.add(JobRun(job="send_notices", as_of=today - dt.timedelta(days=days_ago), started_at=then,
                               finished_at=then, status="finished", started_by="system:seed-demo",
                               counts={scheme.code: _plain(done)}, error=""))
        for job, run in (("assess_non_filers", assess_non_filers), ("post_fines", post_fines),
                         ("post_interest", post_interest), ("send_notices", send_notices_job)):
            done = run(session, scheme.code, as_of=today, actor=Actor.system("scheduler"), now=now)
            session.add(JobRun(job=job, as_of=today, started_at=now, finished_at=now, status="finished",
                               started_by="system:seed-demo", counts={scheme.code: _plain(done)}, error=""))
    session.flush()


def _plain(counts: object) -> dict:
    return {name: value if isinstance(value, int) else str(value) for name, value in vars(counts).items()}


def _seed_waivers(session: Session, employers: dict[str, Employer], *, now: dt.datetime) -> None:
    """A supervisor waived the fine of Pomir Textile's one late filing (within the threshold: in effect at
    once); the administrator asked to waive 90 % of the bakery's largest fine, above the threshold, and it
    waits for the supervisor's approval."""
    supervisor = find_user_by_email(session, "supervisor@demo.example").as_actor()
    administrator = find_user_by_email(session, "admin@demo.example").as_actor()
    for key, actor, share, reason in (
            ("tajik", supervisor, Decimal(1), "Первое нарушение за год; задержка подачи подтверждена справкой "
                                              "банка о сбое системы."),
            ("bakery", administrator, Decimal("0.9"), "Пекарня была закрыта на ремонт после пожара: большая часть "
                                                      "штрафа списывается.")):
        employer = employers[key]
        fined = session.execute(select(LedgerEntry.period, func.sum(LedgerEntry.debit - LedgerEntry.credit))
                                .where(LedgerEntry.employer_id == employer.id, LedgerEntry.component == "fine",
                                       LedgerEntry.kind.in_(CHARGE_KINDS))
                                .group_by(LedgerEntry.period).order_by(LedgerEntry.period)).all()
        if not fined:
            continue
        period, amount = max(fined, key=lambda row: row[1])
        amount = (Decimal(amount) * share).quantize(Decimal("0.01"))
        request_waiver(session, employer, period=period, component="fine", amount=amount, reason=reason,
                       actor=actor, now=now)


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin("lao.admin@demo.example", Role.EMPLOYER_ADMIN, "ສົມພອນ ພົມມະວົງ", "lo", "lao"),
        DemoLogin("lao.clerk@demo.example", Role.EMPLOYER_CLERK, "ນ້ອຍ ແສງສຸລິຍາ", "lo", "lao"),
        DemoLogin("tj.admin@demo.example", Role.EMPLOYER_ADMIN, "Фарида Раҳимова", "tg", "tajik"),
        DemoLogin("bakery.admin@demo.example", Role.EMPLOYER_ADMIN, "Сино Раҳмонов", "ru", "bakery"),
        DemoLogin("inspector@demo.example", Role.INSPECTOR, "ບຸນມີ ສີສຸວັນ", "lo"),
        DemoLogin("supervisor@demo.example", Role.SUPERVISOR, "Далер Назаров", "ru"),
        DemoLogin("admin@demo.example", Role.SYSADMIN, "System Administrator", "en"),
        DemoLogin("worker@demo.example", Role.WORKER, "Шаҳло Собиров", "tg"),
    ]
