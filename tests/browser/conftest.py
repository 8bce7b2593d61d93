"""A live portal for the browser journeys: its own database (migrated and seeded with the demo, as
`make run` does), served by werkzeug in a thread, driven by Playwright through Debian's chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command as alembic_command
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from common.clock import utcnow
from common.db import make_engine, make_session_factory
from portal.cli import alembic_config
from portal.demo import seed_demo
from portal.reference import load_reference_data
from tests.conftest import fresh_database

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
_LIVE: dict[str, object] = {}


@pytest.fixture(scope="session")
def live_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    from portal import create_app

    tmp_path = tmp_path_factory.mktemp("live")
    with fresh_database(database_url, tmp_path, "browser") as url:
        engine = make_engine(url)
        alembic_command.upgrade(alembic_config(url), "head")
        with Session(engine) as session:
            load_reference_data(session)
            seed_demo(session, now=utcnow())
            session.commit()
        os.environ.setdefault("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
        app = create_app({"DATABASE_URL": url, "DELIVER_MAIL_AFTER_REQUEST": False},
                         session_factory=make_session_factory(engine))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        _LIVE["engine"] = engine
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            engine.dispose()


@pytest.fixture
def live_db(live_server) -> Iterator[Session]:
    """A session on the live portal's database, for journeys that need data the demo does not have.  What
    it commits stays for the rest of the run, like anything a journey does through the pages."""
    with Session(_LIVE["engine"]) as session:
        yield session


@pytest.fixture(scope="session")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 760}, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
