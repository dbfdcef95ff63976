"""Settings from arguments and HOTLIST_* variables, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotlist.errors import ConfigError
from hotlist.server.config import Settings, settings_table


def test_sqlite_in_the_data_dir_by_default(tmp_path: Path) -> None:
    settings = Settings.load(tmp_path, environ={})
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'hotlist.db'}"
    assert settings.is_sqlite


def test_environment_supplies_what_arguments_do_not(tmp_path: Path) -> None:
    env = {
        "HOTLIST_DATA_DIR": str(tmp_path),
        "HOTLIST_DATABASE_URL": "postgresql+psycopg://hotlist@db.example/hotlist",
        "HOTLIST_RATE_LIMIT_PER_SECOND": "7.5",
        "HOTLIST_MAX_BODY_BYTES": "1000",
    }
    settings = Settings.load(environ=env)
    assert settings.data_dir == tmp_path.resolve()
    assert not settings.is_sqlite
    assert settings.rate_limit_per_second == 7.5
    assert settings.max_body_bytes == 1000
    assert Settings.load(environ=settings.to_env()) == settings


def test_arguments_win_over_environment(tmp_path: Path) -> None:
    env = {"HOTLIST_RATE_LIMIT_BURST": "5"}
    settings = Settings.load(tmp_path, environ=env, rate_limit_burst=9)
    assert settings.rate_limit_burst == 9


def test_no_database_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="--data-dir"):
        Settings.load(environ={})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HOTLIST_MAX_BODY_BYTES", "lots", "HOTLIST_MAX_BODY_BYTES"),
        ("HOTLIST_MAX_BODY_BYTES", "0", "max_body_bytes"),
        ("HOTLIST_RATE_LIMIT_BURST", "0", "burst"),
        ("HOTLIST_KEY_CACHE_SECONDS", "-1", "key_cache_seconds"),
        ("HOTLIST_PUBLIC_URL", "hotline.example", "public_url"),
        ("HOTLIST_PUBLIC_URL", "https://", "public_url"),
        ("HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL", "maybe", "HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL"),
    ],
)
def test_bad_values_are_config_errors(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.load(tmp_path, environ={name: value})


def test_prepare_data_dir_creates_it_private(tmp_path: Path) -> None:
    settings = Settings.load(tmp_path / "new" / "dir", environ={})
    settings.prepare_data_dir()
    assert settings.data_dir is not None
    assert settings.data_dir.is_dir()
    assert settings.data_dir.stat().st_mode & 0o077 == 0


def test_prepare_data_dir_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="data directory"):
        Settings.load(tmp_path / "file", environ={}).prepare_data_dir()


def test_the_public_url_and_its_unsafe_loopback_setting_come_from_the_environment(
    tmp_path: Path,
) -> None:
    assert Settings.load(tmp_path, environ={}).public_url is None
    env = {
        "HOTLIST_PUBLIC_URL": "http://127.0.0.1:8123",
        "HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL": "1",
    }
    settings = Settings.load(tmp_path, environ=env)
    assert settings.public_url == "http://127.0.0.1:8123"
    assert settings.unsafe_loopback_public_url
    assert Settings.load(environ=settings.to_env()) == settings
    off = settings.with_changes(unsafe_loopback_public_url=False)
    assert Settings.load(environ=off.to_env()) == off


def test_the_settings_table_in_the_docs_is_the_declarations() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "server.md").read_text(encoding="utf-8")
    begin, end = "<!-- settings table: begin -->\n", "<!-- settings table: end -->"
    assert begin in docs, "docs/server.md lost its settings table markers"
    assert end in docs, "docs/server.md lost its settings table markers"
    shown = docs.split(begin, 1)[1].split(end, 1)[0]
    assert shown == settings_table(), (
        "docs/server.md's settings table differs from hotlist.server.config.Settings; put "
        "there the output of: python -c 'from hotlist.server.config import settings_table; "
        'print(settings_table(), end="")\''
    )


def test_every_setting_has_a_description_and_its_own_variable() -> None:
    names = [Settings.env_name(name) for name in Settings.model_fields]
    assert len(set(names)) == len(names)
    assert all(field.description for field in Settings.model_fields.values())


def test_secrets_are_neither_shown_nor_echoed(tmp_path: Path) -> None:
    secret = "not-hex-" + "x" * 40
    settings = Settings.load(tmp_path, environ={"HOTLIST_SESSION_KEY": secret})
    assert settings.session_key == secret
    assert secret not in repr(settings)
    with pytest.raises(ConfigError, match="HOTLIST_CONTACT_KEY") as caught:
        Settings(database_url="sqlite://", contact_key=b"\xff" * 3)  # type: ignore[arg-type]
    assert "\\xff" not in str(caught.value)


def test_made_directly_the_settings_read_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLIST_RATE_LIMIT_BURST", "5")
    assert Settings(database_url="sqlite://").rate_limit_burst == 30
    assert Settings.load(database_url="sqlite://").rate_limit_burst == 5
