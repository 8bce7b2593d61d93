"""Logging in and out, passwords, and the language switcher."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from employers.accounts import User
from portal.database import db_session

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    raw_id, _, version = user_id.partition(".")
    if not raw_id.isdigit() or not version.isdigit():
        return None
    user = db_session().get(User, int(raw_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    from portal.auth import views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
