"""An edge store's settings (``config.json``): where the list comes from and how to treat age."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path

from hotlist.errors import ConfigError
from hotlist.urls import is_loopback_url
from hotlist.values import Value


class FailMode(StrEnum):
    """What an edge does with a stale list: keep enforcing it (with a warning), or give no
    verdicts until a sync succeeds. Written in ``config.json`` as ``"open"`` or ``"closed"``."""

    OPEN = "open"
    CLOSED = "closed"


DEFAULT_MAX_AGE_S = 2 * 3600
DEFAULT_INTERVAL_S = 60
#: A sync's time limits: one file, the whole sync, and the slowest transfer accepted (bytes per
#: second, averaged over each window). A server that trickles cannot hold the store's lock.
DEFAULT_REQUEST_TIMEOUT_S = 600.0
DEFAULT_SYNC_TIMEOUT_S = 1800.0
DEFAULT_MIN_RATE_BYTES_S = 1024
DEFAULT_RATE_WINDOW_S = 30.0


class EdgeConfig(Value):
    """What ``hotlist edge init`` recorded.

    ``server`` is the TUF repository's base URL (metadata under ``metadata/``, files under
    ``targets/``); ``key`` is a reference to the member's API key: ``file:PATH`` or
    ``env:VARIABLE``. A relative PATH is the store's own file (``file:key``, the key given
    literally); ``hotlist edge init`` makes any other absolute (:func:`file_key_reference`).
    ``max_age_s``: a list not confirmed current for longer is stale. ``fail_mode``: with a
    stale list, ``open`` keeps enforcing it with a warning, ``closed`` refuses to give verdicts
    until a sync succeeds. ``suspend_disputed``: entries a member has objected to (flagged
    disputed until a supervisor decides) do not block here; the member's own choice.

    The time limits bound a sync however the server behaves: ``request_timeout_s`` for one
    file (headers and body), ``sync_timeout_s`` for the whole sync, and ``min_rate_bytes_s``:
    a download that brings fewer than that many bytes per second over any ``rate_window_s``
    window is cut off (0 turns the rate check off). Each failure is a SyncError naming the
    setting, recorded as ``last_error``.

    ``unsafe_http``: a plain ``http://`` server other than loopback carries the member's API key
    in clear, so it is refused unless this is set (``edge init --unsafe-http``).
    """

    __slots__ = _fields = (
        "server",
        "key",
        "list_name",
        "max_age_s",
        "fail_mode",
        "interval_s",
        "suspend_disputed",
        "request_timeout_s",
        "sync_timeout_s",
        "min_rate_bytes_s",
        "rate_window_s",
        "unsafe_http",
    )
    server: str
    key: str
    list_name: str
    max_age_s: int
    fail_mode: FailMode
    interval_s: int
    suspend_disputed: bool
    request_timeout_s: float
    sync_timeout_s: float
    min_rate_bytes_s: int
    rate_window_s: float
    unsafe_http: bool

    def __init__(
        self,
        server: str,
        key: str,
        list_name: str = "main",
        max_age_s: int = DEFAULT_MAX_AGE_S,
        fail_mode: FailMode | str = FailMode.CLOSED,
        interval_s: int = DEFAULT_INTERVAL_S,
        suspend_disputed: bool = False,
        request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S,
        sync_timeout_s: float = DEFAULT_SYNC_TIMEOUT_S,
        min_rate_bytes_s: int = DEFAULT_MIN_RATE_BYTES_S,
        rate_window_s: float = DEFAULT_RATE_WINDOW_S,
        unsafe_http: bool = False,
    ) -> None:
        values = (
            server,
            key,
            list_name,
            max_age_s,
            fail_mode,
            interval_s,
            suspend_disputed,
            request_timeout_s,
            sync_timeout_s,
            min_rate_bytes_s,
            rate_window_s,
            unsafe_http,
        )
        self._set(*values)
        if not self.server.startswith(("http://", "https://")):
            raise ConfigError(f"server URL {self.server!r} must start with http:// or https://")
        if not isinstance(self.unsafe_http, bool):
            raise ConfigError("unsafe_http must be true or false")
        if (
            self.server.startswith("http://")
            and not self.unsafe_http
            and not is_loopback_url(self.server)
        ):
            raise ConfigError(
                f"the server URL {self.server} is plain HTTP: the member's API key would travel "
                "in clear to it. Use https://, or for a test setup give --unsafe-http to "
                '`hotlist edge init` ("unsafe_http": true in config.json); loopback addresses '
                "need neither"
            )
        if not self.key.startswith(("file:", "env:")):
            raise ConfigError(f"key reference {self.key!r} must be file:PATH or env:VARIABLE")
        try:
            object.__setattr__(self, "fail_mode", FailMode(self.fail_mode))
        except ValueError:
            raise ConfigError(f"fail mode {self.fail_mode!r} must be 'open' or 'closed'") from None
        if self.max_age_s <= 0 or self.interval_s <= 0:
            raise ConfigError("max age and sync interval must be positive numbers of seconds")
        if not isinstance(self.suspend_disputed, bool):
            raise ConfigError("suspend_disputed must be true or false")
        if min(self.request_timeout_s, self.sync_timeout_s, self.rate_window_s) <= 0:
            raise ConfigError(
                "request_timeout_s, sync_timeout_s and rate_window_s must be positive numbers "
                "of seconds"
            )
        if self.min_rate_bytes_s < 0:
            raise ConfigError("min_rate_bytes_s must be 0 (no minimum) or a positive number")

    @property
    def metadata_url(self) -> str:
        """Where the TUF metadata lives."""
        return self.server.rstrip("/") + "/metadata/"

    @property
    def api_base(self) -> str | None:
        """The hotline server's API base when the list comes from its ``/v1/tuf/`` route;
        None for a repository on a plain web server or CDN."""
        base = self.server.rstrip("/")
        return base.removesuffix("/v1/tuf") if base.endswith("/v1/tuf") else None

    @property
    def targets_url(self) -> str:
        """Where the list files live."""
        return self.server.rstrip("/") + "/targets/"

    def api_key(self, store_dir: Path) -> str:
        """Resolve the key reference; a missing key is a ConfigError."""
        kind, _, ref = self.key.partition(":")
        if kind == "env":
            value = os.environ.get(ref, "")
            if not value:
                raise ConfigError(f"the API key variable {ref} is not set")
            return value.strip()
        return _read_key_file(Path(ref) if Path(ref).is_absolute() else store_dir / ref)

    def to_json(self) -> str:
        """The ``config.json`` text."""
        return json.dumps(self._asdict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, source: Path) -> EdgeConfig:
        """Parse ``config.json``; anything wrong is a ConfigError naming the file."""
        try:
            raw = json.loads(text)
            if not isinstance(raw, dict):
                raise TypeError("not an object")
            return cls(
                server=str(raw["server"]),
                key=str(raw["key"]),
                list_name=str(raw.get("list_name", "main")),
                max_age_s=int(raw.get("max_age_s", DEFAULT_MAX_AGE_S)),
                fail_mode=raw.get("fail_mode", FailMode.CLOSED),
                interval_s=int(raw.get("interval_s", DEFAULT_INTERVAL_S)),
                suspend_disputed=raw.get("suspend_disputed", False),
                request_timeout_s=float(raw.get("request_timeout_s", DEFAULT_REQUEST_TIMEOUT_S)),
                sync_timeout_s=float(raw.get("sync_timeout_s", DEFAULT_SYNC_TIMEOUT_S)),
                min_rate_bytes_s=int(raw.get("min_rate_bytes_s", DEFAULT_MIN_RATE_BYTES_S)),
                rate_window_s=float(raw.get("rate_window_s", DEFAULT_RATE_WINDOW_S)),
                unsafe_http=raw.get("unsafe_http", False),
            )
        except (ValueError, TypeError, KeyError) as exc:
            raise ConfigError(f"{source} is not a valid edge configuration: {exc}") from exc


def file_key_reference(path: str, base: Path) -> str:
    """The reference ``file:ABSOLUTE`` for a key file the user named from ``base`` (their
    working directory), once it is known to hold a key; ConfigError when it cannot be read.

    A relative path kept as given would be read from the store, not from where it was given.
    Symbolic links are kept, not resolved, so that a key rotated behind one is still found.
    """
    if not path:
        raise ConfigError("--key file: needs a path: file:/path/to/key")
    absolute = Path(os.path.abspath(base / Path(path).expanduser()))
    _read_key_file(absolute)
    return f"file:{absolute}"


def _read_key_file(path: Path) -> str:
    """The API key in ``path``; ConfigError saying why when it cannot be read or is empty."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"cannot read the API key file {path}: {exc.strerror}; give --key file:PATH with "
            "a file holding the key, env:VARIABLE, or the key itself"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"the API key file {path} is not UTF-8 text") from exc
    if not key:
        raise ConfigError(f"the API key file {path} is empty: it must hold the member's API key")
    return key
