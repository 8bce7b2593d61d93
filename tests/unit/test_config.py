from __future__ import annotations

from pathlib import Path

import pytest

from portal.config import ConfigError, load_config

STRONG = "k3Jd9-QpL0vX8rTz2mWb7YcN4hG6sFa1"


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path: Path) -> None:
    first = load_config({}, tmp_path)
    second = load_config({}, tmp_path)
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 48
    secret_file = tmp_path / "secret_key"
    assert secret_file.read_text() == first["SECRET_KEY"]
    assert secret_file.stat().st_mode & 0o077 == 0  # readable by the owner only


def test_default_database_is_sqlite_under_instance(tmp_path: Path) -> None:
    assert load_config({}, tmp_path)["DATABASE_URL"] == f"sqlite:///{tmp_path / 'portal.sqlite3'}"


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"PORTAL_ENV": "production"}, "generated"),
        ({"PORTAL_ENV": "production", "SECRET_KEY": "demo"}, "demo value"),
        ({"PORTAL_ENV": "production", "SECRET_KEY": "short-secret"}, "shorter than"),
        ({"PORTAL_ENV": "production", "SECRET_KEY": STRONG, "FLASK_DEBUG": "1"}, "debug"),
        ({"PORTAL_ENV": "production", "SECRET_KEY": STRONG, "SESSION_COOKIE_SECURE": "0"}, "SESSION_COOKIE_SECURE"),
    ],
)
def test_production_refuses_unsafe_settings(tmp_path: Path, env: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(env, tmp_path)
    assert fragment in str(caught.value)


def test_production_starts_with_a_real_secret(tmp_path: Path) -> None:
    config = load_config({"PORTAL_ENV": "production", "SECRET_KEY": STRONG}, tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "secret_key").exists()


def test_malformed_numbers_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MAIL_PORT"):
        load_config({"MAIL_PORT": "twenty-five"}, tmp_path)
