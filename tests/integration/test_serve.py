"""``portal serve`` as ``make run`` starts it: gunicorn workers forked from the command.

Each request must start from a clean slate: a worker that inherited the command's application context would
share one ``g`` between all its requests (the first request's language, CSRF token and signed-in user)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy.orm import Session

from employers.accounts import Role
from tests import factories
from tests.conftest import migrated_database

PORTAL = str(Path(sys.executable).with_name("portal"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _title(opener, url: str, language: str) -> str:
    request = urllib.request.Request(url, headers={"Accept-Language": language})
    with opener.open(request, timeout=10) as response:
        return re.search(r"<title>([^<]*)", response.read().decode()).group(1)


def _status(opener, url: str, data: dict | None = None) -> int:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(urllib.request.Request(url, data=body), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_each_request_of_a_served_worker_has_its_own_language_user_and_csrf_token(database_url, tmp_path) -> None:
    with migrated_database(database_url, tmp_path, "serve") as engine:
        with Session(engine) as session:
            admin = factories.user(session, Role.EMPLOYER_ADMIN)
            session.commit()
            email = admin.email
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
               "PORTAL_INSTANCE_PATH": str(tmp_path / "instance")}
        server = subprocess.Popen([PORTAL, "serve", "--port", str(port), "--workers", "1"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            anonymous = urllib.request.build_opener(_NoRedirect)
            # One worker answers every request: each in the language it asks for, not the first one's.
            assert _title(anonymous, base + "/login", "ru").startswith("Войти")
            assert _title(anonymous, base + "/login", "en").startswith("Log in")
            jar = http.cookiejar.CookieJar()
            browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
            with browser.open(base + "/login", timeout=10) as response:
                token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"',
                                  response.read().decode()).group(1)
            assert any(cookie.name == "portal_session" for cookie in jar), "the login page sets no session"
            login = {"email": email, "password": factories.PASSWORD, "csrf_token": token}
            assert _status(browser, base + "/login", login) == 302
            assert _status(browser, base + "/employer") == 200
            # The next visitor of the same worker is not signed in as the previous one.
            assert _status(anonymous, base + "/employer") == 302
        finally:
            server.terminate()
            server.wait(timeout=10)
