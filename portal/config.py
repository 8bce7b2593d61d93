"""Configuration from the environment, with safe defaults for a laptop and hard refusals for production.

Every setting is listed in the README's configuration table.  The secret key is never a constant in code:
when ``SECRET_KEY`` is not given it is generated once into ``instance/secret_key``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Values that appear in documentation or examples; production refuses them.
KNOWN_WEAK_SECRETS = frozenset({"dev", "demo", "secret", "changeme", "change-me", "demo-secret-key", "test"})
MIN_PRODUCTION_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the portal refuses to start."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{key} must be a whole number, got {raw!r}") from exc


def _instance_secret(instance_path: Path) -> str:
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text("utf-8").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    return secret


def default_database_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'portal.sqlite3'}"


def load_config(
    env: Mapping[str, str], instance_path: Path, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Build the Flask configuration from ``env`` (normally ``os.environ``) and explicit ``overrides``."""
    overrides = dict(overrides or {})
    environment = overrides.get("PORTAL_ENV", env.get("PORTAL_ENV", "development"))
    production = environment == "production"
    secret_given = overrides.get("SECRET_KEY") or env.get("SECRET_KEY")
    config: dict[str, Any] = {
        "PORTAL_ENV": environment,
        "DEBUG": _bool(env.get("FLASK_DEBUG")),
        "DATABASE_URL": env.get("DATABASE_URL") or default_database_url(instance_path),
        "SECRET_KEY": secret_given or None,
        "SECRET_KEY_GENERATED": not secret_given,
        "BABEL_DEFAULT_TIMEZONE": env.get("PORTAL_TIME_ZONE", "UTC"),
        "PORTAL_BASE_URL": env.get("PORTAL_BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_SERVER": env.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": _int(env, "MAIL_PORT", 25),
        "MAIL_USE_STARTTLS": _bool(env.get("MAIL_USE_STARTTLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": env.get("MAIL_FROM", "no-reply@contributions.example"),
        "SMS_GATEWAY_URL": env.get("SMS_GATEWAY_URL") or None,
        "SMS_GATEWAY_TOKEN": env.get("SMS_GATEWAY_TOKEN") or None,
        "SMS_SENDER_ID": env.get("SMS_SENDER_ID", "SOCIALSEC"),
        "LOGIN_MAX_FAILURES": _int(env, "LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCKOUT_MINUTES": _int(env, "LOGIN_LOCKOUT_MINUTES", 15),
        "PASSWORD_RESET_MINUTES": _int(env, "PASSWORD_RESET_MINUTES", 60),
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), default=production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "portal_session",
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), default=production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": _int(env, "SESSION_LIFETIME_MINUTES", 480) * 60,
        "MAX_CONTENT_LENGTH": _int(env, "MAX_UPLOAD_MB", 20) * 1024 * 1024,
        "MAX_IMPORT_BYTES": _int(env, "MAX_IMPORT_MB", 5) * 1024 * 1024,
        "MAX_IMPORT_ROWS": _int(env, "MAX_IMPORT_ROWS", 50_000),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        # The API: largest request body, calls per token (a limits string), where the counts are kept
        # (memory:// counts per process; redis://host:6379 shares them between processes).
        "API_MAX_BODY_BYTES": _int(env, "API_MAX_BODY_MB", 16) * 1024 * 1024,
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT") or "600 per minute",
        "API_FAILED_AUTH_LIMIT": env.get("API_FAILED_AUTH_LIMIT") or "30 per minute",
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "SCHEDULER_LOCK_FILE": str(instance_path / "scheduler.lock"),
        # Statements that banks deliver by file transfer: one sub-folder per bank code; a job imports them.
        "BANK_INBOX": env.get("BANK_INBOX") or str(instance_path / "bank-inbox"),
        "MAX_STATEMENT_BYTES": _int(env, "MAX_STATEMENT_MB", 200) * 1024 * 1024,
        "DELIVER_MAIL_AFTER_REQUEST": _bool(env.get("DELIVER_MAIL_AFTER_REQUEST"), default=True),
        # Development only (``make run``): SMS written to the log when no gateway is configured.
        "SMS_TO_LOG": _bool(env.get("SMS_TO_LOG")),
    }
    config.update(overrides)
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret(instance_path)
    if config["PORTAL_ENV"] == "production":
        check_production(config)
    return config


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to run production with a demo or generated secret, with debug on, or with insecure cookies."""
    secret = str(config.get("SECRET_KEY") or "")
    problems = []
    if config.get("SECRET_KEY_GENERATED"):
        problems.append("SECRET_KEY must be given explicitly in production (it was generated)")
    if secret.lower() in KNOWN_WEAK_SECRETS or len(secret) < MIN_PRODUCTION_SECRET_LENGTH:
        problems.append(f"SECRET_KEY is a demo value or shorter than {MIN_PRODUCTION_SECRET_LENGTH} characters")
    if config.get("DEBUG"):
        problems.append("debug must be off in production (unset FLASK_DEBUG)")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must be on in production")
    if config.get("SMS_TO_LOG"):
        problems.append("SMS_TO_LOG writes one-time codes to the log: not in production")
    if problems:
        raise ConfigError("refusing to start: " + "; ".join(problems))
