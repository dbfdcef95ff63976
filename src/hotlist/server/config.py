"""The server's settings, from arguments first, then ``HOTLIST_*`` environment variables.

| setting | variable | default |
|---|---|---|
| data_dir | ``HOTLIST_DATA_DIR`` | none (needed for SQLite and the contact key file) |
| database_url | ``HOTLIST_DATABASE_URL`` | ``sqlite:///<data_dir>/hotlist.db`` |
| max_body_bytes | ``HOTLIST_MAX_BODY_BYTES`` | 65536 |
| rate_limit_per_second | ``HOTLIST_RATE_LIMIT_PER_SECOND`` | 2 (0 turns the limit off) |
| rate_limit_burst | ``HOTLIST_RATE_LIMIT_BURST`` | 30 |
| key_cache_seconds | ``HOTLIST_KEY_CACHE_SECONDS`` | 60 |
| contact_key | ``HOTLIST_CONTACT_KEY`` | none (then ``<data_dir>/contact.key``) |
| policy_file | ``HOTLIST_POLICY_FILE`` | none (the demo policy) |
| shared_hosting_file | ``HOTLIST_SHARED_HOSTING_FILE`` | none (the packaged list) |
| repository_dir | ``HOTLIST_REPOSITORY_DIR`` | ``<data_dir>/repository`` (the signed list) |
| keys_dir | ``HOTLIST_KEYS_DIR`` | ``<data_dir>/keys`` (the list's signing keys) |
| list_name | ``HOTLIST_LIST_NAME`` | main |
| publish_interval_s | ``HOTLIST_PUBLISH_INTERVAL_S`` | 300 (0: no scheduled publish) |
| publish_poll_s | ``HOTLIST_PUBLISH_POLL_S`` | 10 (look for changes to publish at once) |
| timestamp_expiry_s | ``HOTLIST_TIMESTAMP_EXPIRY_S`` | 86400 |
| keep_deltas | ``HOTLIST_KEEP_DELTAS`` | 100 |
| appeal_decide_days | ``HOTLIST_APPEAL_DECIDE_DAYS`` | 7 (an open appeal older is overdue) |
| public_url | ``HOTLIST_PUBLIC_URL`` | none (``serve``: its own address); appeals at its /appeal |
| unsafe_loopback_public_url | ``HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL`` | off (1: publish loopback) |
| blockpage_messages_dir | ``HOTLIST_BLOCKPAGE_MESSAGES_DIR`` | none (English, German) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hotlist.errors import ConfigError

ENV_PREFIX = "HOTLIST_"


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to start; immutable once made."""

    database_url: str
    data_dir: Path | None = None
    max_body_bytes: int = 64 * 1024
    rate_limit_per_second: float = 2.0
    rate_limit_burst: int = 30
    key_cache_seconds: float = 60.0
    contact_key: str | None = None
    policy_file: Path | None = None
    shared_hosting_file: Path | None = None
    repository_dir: Path | None = None
    keys_dir: Path | None = None
    list_name: str = "main"
    publish_interval_s: float = 300.0
    publish_poll_s: float = 10.0
    timestamp_expiry_s: float = 24 * 3600.0
    keep_deltas: int = 100
    appeal_decide_days: int = 7
    public_url: str | None = None
    """Where people reach the server; the members' block pages link to its /appeal."""
    unsafe_loopback_public_url: bool = False
    """Let a list be published whose appeal link only the server's own machine reaches."""
    blockpage_messages_dir: Path | None = None

    def __post_init__(self) -> None:
        if (
            self.publish_interval_s < 0
            or self.publish_poll_s <= 0
            or self.timestamp_expiry_s <= 0
            or self.keep_deltas < 1
        ):
            raise ConfigError(
                "publish_interval_s must be >= 0 (0: off), publish_poll_s and timestamp_expiry_s "
                "> 0, keep_deltas >= 1"
            )
        if self.max_body_bytes < 1:
            raise ConfigError("max_body_bytes must be at least 1")
        if self.rate_limit_per_second < 0 or self.rate_limit_burst < 1:
            raise ConfigError("the rate limit needs a rate >= 0 (0: off) and a burst >= 1")
        if self.appeal_decide_days < 1:
            raise ConfigError("appeal_decide_days must be at least 1")
        if self.public_url is not None and not _is_web_address(self.public_url):
            raise ConfigError(
                f"public_url {self.public_url!r} must be an address like https://hotline.example.org"
            )
        if self.key_cache_seconds < 0:
            raise ConfigError("key_cache_seconds must be 0 (no cache) or more")

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite one."""
        return self.database_url.startswith("sqlite")

    @classmethod
    def load(
        cls,
        data_dir: Path | str | None = None,
        database_url: str | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> Settings:
        """Settings from the arguments, falling back to ``HOTLIST_*`` variables, then defaults."""
        env = os.environ if environ is None else environ
        raw_dir = data_dir if data_dir is not None else env.get(ENV_PREFIX + "DATA_DIR")
        directory = Path(raw_dir).expanduser().resolve() if raw_dir else None
        url = database_url or env.get(ENV_PREFIX + "DATABASE_URL")
        if not url:
            if directory is None:
                raise ConfigError(
                    "no database: give --data-dir DIR (SQLite in DIR) "
                    "or set HOTLIST_DATABASE_URL=postgresql+psycopg://..."
                )
            url = f"sqlite:///{directory / 'hotlist.db'}"
        values: dict[str, Any] = {"database_url": url, "data_dir": directory}
        for name, convert in _FROM_ENV.items():
            text = env.get(ENV_PREFIX + name.upper())
            if text:
                try:
                    values[name] = convert(text)
                except ValueError as exc:
                    raise ConfigError(f"{ENV_PREFIX}{name.upper()}={text!r}: {exc}") from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The settings as ``HOTLIST_*`` variables, for worker processes to :meth:`load` again."""
        env = {ENV_PREFIX + "DATABASE_URL": self.database_url}
        if self.data_dir is not None:
            env[ENV_PREFIX + "DATA_DIR"] = str(self.data_dir)
        for name in _FROM_ENV:
            value = getattr(self, name)
            if isinstance(value, bool):
                env[ENV_PREFIX + name.upper()] = "1" if value else "0"
            elif value is not None:
                env[ENV_PREFIX + name.upper()] = str(value)
        return env

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)

    def prepare_data_dir(self) -> None:
        """Create the data directory (owner-only) if it is set and missing."""
        if self.data_dir is None:
            return
        try:
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the data directory {self.data_dir}: {exc}") from exc
        if not self.data_dir.is_dir():
            raise ConfigError(f"{self.data_dir} is not a directory")


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be 1 or 0 (true or false)")


_FROM_ENV: dict[str, Any] = {
    "max_body_bytes": int,
    "rate_limit_per_second": float,
    "rate_limit_burst": int,
    "key_cache_seconds": float,
    "contact_key": str,
    "policy_file": Path,
    "shared_hosting_file": Path,
    "repository_dir": Path,
    "keys_dir": Path,
    "list_name": str,
    "publish_interval_s": float,
    "publish_poll_s": float,
    "timestamp_expiry_s": float,
    "keep_deltas": int,
    "appeal_decide_days": int,
    "public_url": str,
    "unsafe_loopback_public_url": _flag,
    "blockpage_messages_dir": Path,
}
