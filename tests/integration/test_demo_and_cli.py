from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from employers.accounts import User
from employers.employers import Employer
from portal.demo import DEMO_PASSWORD, demo_logins, seed_demo
from tests.factories import NOW


def test_seed_demo_creates_lao_and_tajik_employers_once(db) -> None:
    created, logins = seed_demo(db, now=NOW)
    assert created
    active = {e.scheme_code: e for e in db.scalars(select(Employer).where(Employer.status == "active"))}
    assert active["LA-LSSO"].legal_name.startswith("ບໍລິສັດ") and active["LA-LSSO"].preferred_language == "lo"
    assert "Помир" in active["TJ-SOCTAX"].legal_name and active["TJ-SOCTAX"].scheme.time_zone == "Asia/Dushanbe"
    assert all(e.employer_number for e in active.values())
    # Each demo employer has a dozen workers, one of whom has left; hires reach back about a year.
    from employers.persons import Employment

    for employer in active.values():
        jobs = list(db.scalars(select(Employment).where(Employment.employer_id == employer.id)))
        assert len(jobs) == 12 and sum(job.ended_on is not None for job in jobs) == 1
        assert min(job.hired_on for job in jobs) < NOW.date().replace(year=NOW.year - 1)
    # One application waits for staff review, so the review queue is not empty in the demo.
    assert db.scalar(select(func.count()).select_from(Employer).where(Employer.status == "pending")) == 1
    roles = {login.role for login in logins}
    assert roles >= {"employer_admin", "inspector", "supervisor", "sysadmin"}
    users_before = db.scalar(select(func.count()).select_from(User))
    created_again, _ = seed_demo(db, now=NOW)
    assert not created_again
    assert db.scalar(select(func.count()).select_from(User)) == users_before


def test_demo_password_passes_the_policy() -> None:
    from employers.rules import password_problems

    assert all(password_problems(DEMO_PASSWORD, email=login.email) == [] for login in demo_logins())


def test_cli_create_user_reports_domain_errors_clearly(database_url, instance_path, monkeypatch) -> None:
    from portal.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_NEW_PASSWORD", "short")
    result = CliRunner().invoke(main, ["create-user", "--email", "cli@example.test", "--name", "CLI",
                                       "--role", "inspector"])
    assert result.exit_code != 0
    assert "password.too_short" in result.output


def test_cli_db_check_finds_no_drift(database_url, instance_path, monkeypatch, engine) -> None:
    from portal.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["db", "check"])
    assert result.exit_code == 0, result.output


def test_cli_upgrades_a_fresh_database_and_seeds_the_demo_once(database_url, tmp_path, instance_path,
                                                                monkeypatch) -> None:
    from portal.cli import main
    from tests.conftest import fresh_database

    with fresh_database(database_url, tmp_path, "cli") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        runner = CliRunner()
        upgraded = runner.invoke(main, ["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        assert "database at head;" in upgraded.output and " 0 reference row(s)" not in upgraded.output
        first = runner.invoke(main, ["seed-demo"])
        assert first.exit_code == 0 and "Demo created." in first.output
        assert "lao.admin@demo.example" in first.output and DEMO_PASSWORD in first.output
        second = runner.invoke(main, ["seed-demo"])
        assert "Demo already present; nothing changed." in second.output
        again = runner.invoke(main, ["db", "upgrade"])
        assert "0 reference row(s) written" in again.output


def test_seed_demo_is_refused_in_production(database_url, instance_path, monkeypatch) -> None:
    from portal.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k3Jd9-QpL0vX8rTz2mWb7YcN4hG6sFa1-production")
    result = CliRunner().invoke(main, ["seed-demo"])
    assert result.exit_code != 0 and "never seeded in production" in result.output
