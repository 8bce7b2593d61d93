"""The ``portal`` command: a Flask CLI group around ``create_app``."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import current_app
from flask.cli import FlaskGroup

from common.audit import Actor
from common.clock import utcnow
from common.errors import DomainError
from employers.accounts import Role, create_user
from employers.api_tokens import EXPIRY_DAYS, create_api_token
from employers.api_tokens import SCOPES as API_SCOPES
from employers.employers import LANGUAGES
from notifications.notices import KINDS
from portal import ROOT, create_app
from portal.database import session_factory
from portal.reference import load_reference_data


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True, load_dotenv=False)
def main() -> None:
    """The open contributions portal."""


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig(str(ROOT / "alembic.ini"))
    config.attributes["url"] = url
    return config


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations, then load the reference data (schemes, regions, sectors)."""
    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    alembic_command.upgrade(alembic_config(url), revision)
    with session_factory()() as session:
        written = load_reference_data(session)
        session.commit()
    click.echo(f"database at {revision}; {written} reference row(s) written")


@db.command("check")
def db_check() -> None:
    """Fail when the models and the migrations disagree."""
    alembic_command.check(alembic_config(current_app.config["DATABASE_URL"]))


@db.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    alembic_command.revision(alembic_config(current_app.config["DATABASE_URL"]), message=message,
                             autogenerate=True)


@main.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo employers and accounts (once) and print the logins."""
    from portal.demo import DEMO_PASSWORD, seed_demo

    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("the demo is never seeded in production")
    with session_factory()() as session:
        created, logins = seed_demo(session, now=utcnow())
        session.commit()
    click.echo("Demo created." if created else "Demo already present; nothing changed.")
    click.echo(f"Every demo account's password: {DEMO_PASSWORD}")
    for login in logins:
        click.echo(f"  {login.email:<28} {login.role:<15} {login.language}  {login.name}")


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--employer-id", type=int, default=None)
@click.option("--language", type=click.Choice(["lo", "tg", "ru", "en"]), default=None)
def create_user_command(email: str, full_name: str, role: str, employer_id: int | None,
                        language: str | None) -> None:
    """Create an account; the password is read from PORTAL_NEW_PASSWORD or asked for."""
    password = os.environ.get("PORTAL_NEW_PASSWORD") or getpass.getpass("Password: ")
    with session_factory()() as session:
        try:
            user = create_user(session, email=email, full_name=full_name, role=role, password=password,
                               employer_id=employer_id, locale=language,
                               actor=Actor.system("cli:" + getpass.getuser()), now=utcnow())
        except DomainError as error:
            raise click.ClickException(f"{error.code} {error.params or ''}".strip()) from error
        session.commit()
        click.echo(f"created user {user.id} <{user.email}> as {user.role}")


@main.group("api-token")
def api_token() -> None:
    """API tokens of employers."""


@api_token.command("create")
@click.option("--employer", "employer_number", required=True, help="the employer number")
@click.option("--name", required=True, help="which program will use the token")
@click.option("--scope", type=click.Choice(API_SCOPES), default="read", show_default=True,
              help="read, or read and write")
@click.option("--days", type=click.Choice([str(days) for days in EXPIRY_DAYS]), default="90", show_default=True,
              help="how long the token is valid")
def api_token_create(employer_number: str, name: str, scope: str, days: str) -> None:
    """Create an API token for an employer.  The token alone is printed on stdout, once (only its SHA-256 is
    kept); what was created is said on stderr, so that `TOKEN=$(portal api-token create ...)` works."""
    from sqlalchemy import select

    from employers.employers import Employer

    with session_factory()() as session:
        employer = session.scalar(select(Employer).where(Employer.employer_number == employer_number.strip()))
        if employer is None:
            raise click.ClickException(f"no employer with number {employer_number!r}")
        try:
            row, token = create_api_token(session, employer, name=name, scope=scope, days=int(days),
                                          actor=Actor.system("cli:" + getpass.getuser()), now=utcnow())
        except DomainError as error:
            raise click.ClickException(f"{error.code} {error.params or ''}".strip()) from error
        session.commit()
        click.echo(f"created API token {row.id} {row.name!r} ({row.scope}) for {employer.employer_number}, "
                   f"valid until {row.expires_at:%Y-%m-%d %H:%M} UTC; it is not shown again", err=True)
    click.echo(token)


@main.command("load-reference")
def load_reference_command() -> None:
    """Load or refresh the reference data (schemes, regions, sectors) without migrating."""
    with session_factory()() as session:
        written = load_reference_data(session)
        session.commit()
    click.echo(f"{written} reference row(s) written")


@main.group()
def payments() -> None:
    """Bank statements and reconciliation."""


@payments.command("import")
@click.option("--bank", "bank_code", required=True, help="the bank's code, e.g. BCEL")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def payments_import(bank_code: str, files: tuple[str, ...]) -> None:
    """Import statement files (camt.053, camt.054 or the bank's CSV); each file all or nothing."""
    from contributions.bank_files import StatementInvalid
    from contributions.payment_actions import import_statement
    from contributions.payments import Bank
    from portal.payment_jobs import ACTOR

    failed = False
    for name in files:
        with session_factory()() as session:
            bank = session.get(Bank, bank_code)
            if bank is None:
                raise click.ClickException(f"no bank with code {bank_code}")
            try:
                statement = import_statement(session, bank, Path(name).name, Path(name).read_bytes(),
                                             actor=ACTOR, now=utcnow(), source="upload")
            except StatementInvalid as invalid:
                failed = True
                click.echo(f"{name}: refused, nothing imported", err=True)
                for row, field, code, params in invalid.problems[:50]:
                    click.echo(f"  row {row} {field}: {code} {params}", err=True)
                continue
            except DomainError as error:
                failed = True
                click.echo(f"{name}: refused: {error.code} {error.params or ''}", err=True)
                continue
            session.commit()
            click.echo(f"{name}: {statement.line_count} transaction(s), {statement.new_count} new")
    if failed:
        sys.exit(1)


@payments.command("reconcile")
def payments_reconcile() -> None:
    """Match and allocate every new payment now (the scheduler does it every ten minutes)."""
    from portal.payment_jobs import run_reconciliation

    run = run_reconciliation(session_factory(), now=utcnow)
    click.echo(f"run {run.id}: {run.examined} examined, {run.matched_by_reference} by reference, "
               f"{run.matched_by_employer} by employer and amount, {run.unmatched} unmatched")


@main.group()
def jobs() -> None:
    """Scheduled jobs, run by hand for a date."""


@jobs.command("run")
@click.argument("name")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="the date the job runs for (default: today, UTC)")
def jobs_run(name: str, as_of) -> None:
    """Run one job now: reconcile_payments, post_interest."""
    from portal.jobs import JOBS, run_job

    if name not in JOBS:
        raise click.ClickException(f"unknown job {name!r}; jobs: {', '.join(sorted(JOBS))}")
    day = as_of.date() if as_of else utcnow().date()
    try:
        run = run_job(session_factory(), name, as_of=day, actor=Actor.system(f"cli:{name}"), now=utcnow)
    except DomainError as refused:
        raise click.ClickException(f"{refused.code}: {refused.params}") from None
    click.echo(f"{name} as of {day.isoformat()}: {run.status} {run.counts}")


@main.group()
def notices() -> None:
    """Notices to employers."""


@notices.command("preview", help=(
    f"Show a sample notice of KIND ({', '.join(KINDS)}) in a language: subject, body and SMS text, and the copy "
    "in the scheme's second language, with sample amounts and dates.  Nothing is written to the database."))
@click.argument("kind", type=click.Choice(KINDS), metavar="KIND")
@click.option("--lang", "language", type=click.Choice(LANGUAGES), required=True, help="the notice's language")
@click.option("--scheme", "scheme_code", default=None,
              help="the scheme (default: the first whose notices are written in that language)")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, writable=True), default=None,
              help="also write the notice as a one-letter PDF, as a letter batch prints it")
def notices_preview(kind: str, language: str, scheme_code: str | None, pdf_path: str | None) -> None:
    from sqlalchemy import select

    from common.schemes import Scheme
    from employers.registration import local_today
    from notifications.notice_preview import preview_notice
    from portal.notices import portal_link

    with session_factory()() as session:
        schemes = list(session.scalars(select(Scheme).order_by(Scheme.code)))
        if scheme_code is None:
            scheme = next((s for s in schemes if language in s.language_list), schemes[0] if schemes else None)
        else:
            scheme = next((s for s in schemes if s.code == scheme_code), None)
        if scheme is None:
            choices = ", ".join(s.code for s in schemes) or "none (run `portal db upgrade`)"
            raise click.BadParameter(f"unknown scheme {scheme_code!r}; schemes: {choices}",
                                     param_hint="'--scheme'")
        now = utcnow()
        preview = preview_notice(session, kind, language, scheme, today=local_today(scheme, now),
                                 link=portal_link("/employer/"), now=now)
    click.echo(f"Notice {kind} in {language} ({preview.scheme_code}), with sample amounts and dates")
    click.echo(f"Subject: {preview.subject}")
    click.echo("")
    click.echo(preview.body)
    click.echo("")
    if preview.sms:
        click.echo(f"SMS ({len(preview.sms)} characters): {preview.sms}")
    else:
        click.echo("SMS: none (this notice is not sent by SMS)")
    if preview.copy_language:
        click.echo("")
        click.echo(f"Copy in {preview.copy_language}")
        click.echo(f"Subject: {preview.copy_subject}")
        click.echo("")
        click.echo(preview.copy_body)
    if pdf_path:
        Path(pdf_path).write_bytes(preview.pdf())
        click.echo("")
        click.echo(f"PDF written to {pdf_path}")


@main.command("serve", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the portal with gunicorn (the scheduler runs separately: `portal scheduler`)."""
    from gunicorn.app.base import BaseApplication

    # No application context may be active here: the workers would inherit it across fork, every request
    # would then share its ``g`` (the signed-in user, the CSRF token, the language of the first request).
    app = create_app()

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 120)
            # Connections must not be shared across fork: each worker opens its own.
            self.cfg.set("post_fork", lambda _server, _worker: session_factory(app).kw["bind"].dispose(close=False))

        def load(self):
            return app

    _Server().run()


@main.command("scheduler")
@click.option("--standby/--no-standby", default=True, show_default=True,
              help="When another scheduler is active: wait and take over when it stops (default), or exit 1.")
@click.option("--poll", "poll_seconds", type=click.FloatRange(0.1, 3600), default=5.0, show_default=True,
              help="Seconds between a standby scheduler's attempts to take over.")
def scheduler_command(standby: bool, poll_seconds: float) -> None:
    """Run the job scheduler.  Only one is active per database; a second one stands by and takes over."""
    import logging

    from portal.scheduler import run_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(run_scheduler(current_app._get_current_object(), standby=standby,  # type: ignore[attr-defined]
                           poll_seconds=poll_seconds))
