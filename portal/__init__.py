"""The application shell: ``create_app`` wires configuration, database, languages, security and areas."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import sessionmaker
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(
    overrides: Mapping[str, Any] | None = None, *, session_factory: sessionmaker | None = None
) -> Flask:
    instance_path = Path(os.environ.get("PORTAL_INSTANCE_PATH", ROOT / "instance")).resolve()
    app = Flask(__name__, instance_path=str(instance_path), instance_relative_config=False)
    app.config.update(load_config(os.environ, instance_path, overrides))
    proxies = int(app.config.get("TRUSTED_PROXIES", os.environ.get("TRUSTED_PROXIES", 0)) or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore

    from portal.access import init_access
    from portal.account import bp as account_bp
    from portal.admin import bp as admin_bp
    from portal.api import init_api
    from portal.auth import init_auth
    from portal.certificates import bp as certificates_bp
    from portal.database import init_database
    from portal.declarations import bp as declarations_bp
    from portal.employers import bp as employers_bp
    from portal.home import bp as home_bp
    from portal.i18n import init_i18n
    from portal.inbox import bp as inbox_bp
    from portal.inspections import bp as inspections_bp
    from portal.letters import bp as letters_bp
    from portal.payments import bp as payments_bp
    from portal.security import init_security
    from portal.workers import bp as workers_bp

    init_database(app, session_factory)
    init_i18n(app)
    init_auth(app)
    init_security(app)
    init_access(app)
    app.register_blueprint(home_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(employers_bp)
    app.register_blueprint(declarations_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(letters_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(inspections_bp)
    app.register_blueprint(workers_bp)
    init_api(app)
    app.jinja_env.autoescape = True
    return app
