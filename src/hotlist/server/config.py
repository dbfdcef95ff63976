"""The server's settings: one declaration per setting, read from arguments first, then
``HOTLIST_*`` environment variables, then the declared defaults (pydantic-settings).

Each field below is the one place a setting is declared: its type, default, rule, description
and (from its name) its environment variable, ``HOTLIST_`` + the name in capitals. The table in
docs/server.md is :func:`settings_table` (a test fails when they disagree); ``hotlist serve``
hands the settings to its worker processes as variables (:meth:`Settings.to_env`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from hotlist.errors import ConfigError

ENV_PREFIX = "HOTLIST_"


def _setting(
    default: Any,
    description: str,
    *,
    option: str | None = None,
    shown: str | None = None,
    secret: bool = False,
    **rules: Any,
) -> Any:
    """A field with what docs/server.md shows: ``option`` (the command-line option that feeds
    it, on ``hotlist serve``), ``shown`` (the default in words, when the value says too little),
    ``secret`` (never echoed in an error, nor in the settings' repr)."""
    extra = {"option": option, "shown": shown, "secret": secret or None}
    return Field(
        default,
        description=description,
        repr=not secret,
        json_schema_extra={k: v for k, v in extra.items() if v is not None} or None,
        **rules,
    )


class Settings(BaseSettings):
    """Everything the server needs to start; immutable once made.

    Made directly (``Settings(database_url=...)``) it reads no environment; :meth:`load` adds
    the ``HOTLIST_*`` variables. A wrong value is a :class:`ConfigError` naming the setting and
    its variable.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True, extra="forbid"
    )

    data_dir: Path | None = _setting(
        None,
        "The data directory: SQLite database, contact and session keys, the signed list and its "
        "keys. Created (mode 0700) if missing.",
        option="--data-dir",
        shown="none: needed for SQLite and the key files",
    )
    database_url: str = _setting(
        "",
        "The database: `postgresql+psycopg://...` for PostgreSQL.",
        option="--database-url",
        shown="`sqlite:///<data-dir>/hotlist.db`",
    )
    max_body_bytes: int = _setting(64 * 1024, "Request body limit (413 problem+json above).", ge=1)
    rate_limit_per_second: float = _setting(
        2.0,
        "Reports and appeals a second per client address (0: off).",
        option="--rate-limit",
        ge=0,
    )
    rate_limit_burst: int = _setting(
        30, "Burst per client address.", option="--rate-limit-burst", ge=1
    )
    rate_limit_storage_uri: str = _setting(
        "memory://",
        "Where the rate limits count: `memory://`, each process on its own (N workers: N times "
        "the rate), or a storage every process shares (`redis://HOST:6379`, `memcached://HOST`; "
        "install `limits[redis]` or `limits[memcached]`, and set `HOTLIST_SESSION_KEY`).",
    )
    key_cache_seconds: float = _setting(
        60.0, "How long a verified API key is cached in memory (0: verify every request).", ge=0
    )
    contact_key: str | None = _setting(
        None,
        "The key reporters' and appellants' contact details are encrypted with.",
        shown="`<data-dir>/contact.key`, made on first use",
        secret=True,
    )
    session_key: str | None = _setting(
        None,
        "The staff pages' session key: hex, at least 32 bytes (`openssl rand -hex 32`).",
        shown="`<data-dir>/session.key`, made on first start (no data directory: one per process)",
        secret=True,
    )
    unsafe_http_sessions: bool = _setting(
        False,
        "Session cookies without Secure, only for plain HTTP to a loopback address (tests, the "
        "demo).",
    )
    policy_file: Path | None = _setting(
        None, "The policy file.", shown="the demo policy shipped with the package"
    )
    shared_hosting_file: Path | None = _setting(
        None, "The shared-hosting list.", shown="the list shipped with the package"
    )
    repository_dir: Path | None = _setting(
        None, "Where the signed list is written (static files).", shown="`<data-dir>/repository`"
    )
    keys_dir: Path | None = _setting(None, "The list's signing keys.", shown="`<data-dir>/keys`")
    list_name: str = _setting("main", "The list's name.")
    publish_interval_s: float = _setting(
        300.0, "Seconds between scheduled publishes (0: no schedule, no retention job).", ge=0
    )
    publish_poll_s: float = _setting(
        10.0, "Seconds between looks for a change to publish at once.", gt=0
    )
    timestamp_expiry_s: float = _setting(
        24 * 3600.0,
        "How long a published timestamp holds: members refuse the list as frozen after it.",
        gt=0,
    )
    keep_deltas: int = _setting(100, "How many deltas the repository keeps.", ge=1)
    appeal_decide_days: int = _setting(
        7, "Days to decide an appeal; an open appeal older is overdue.", ge=1
    )
    figures_min_provider_cases: int = _setting(
        5,
        "Cases a hosting provider needs in a period before the transparency figures show its "
        "time to removal.",
        ge=1,
    )
    public_url: str | None = _setting(
        None,
        "Where people reach the server (`https://...`); members' block pages link appeals to "
        "its `/appeal`.",
        option="--public-url",
        shown="`serve`: its own `http://HOST:PORT`, with a warning at start",
    )
    unsafe_loopback_public_url: bool = _setting(
        False,
        "Publish although the public URL is loopback (tests, the demo).",
        shown="off: refused",
    )
    blockpage_messages_dir: Path | None = _setting(
        None,
        "A folder of block page catalogues (`<lang>.json`) for members.",
        shown="English and German, shipped with the package",
    )
    hosting_sources: Literal["offline", "live"] = _setting(
        "offline",
        "Where hosting lookups ask: `offline`, the hosting data file and `iptocc`'s countries "
        "only; `live`, the DNS, RDAP and the Abusix zone.",
    )
    hosting_data_file: Path | None = _setting(
        None,
        "The offline hosting data (YAML or JSON: hosts' addresses, networks, registrars; see "
        "docs/removal.md).",
        shown="none: nothing known but countries",
    )
    hosting_maxmind_files: str = _setting(
        "",
        "MaxMind-format databases (`.mmdb`: GeoLite2/GeoIP2 Country, City, ASN) hosting lookups "
        "read an address's ASN, network and country from first, comma-separated.",
        shown="none",
    )
    hosting_timeout_s: float = _setting(
        5.0, "Seconds each live hosting query (DNS, RDAP, Abusix) may take.", gt=0
    )
    hosting_nameservers: str = _setting(
        "",
        "Name servers the live lookups ask, comma-separated (`ADDRESS`, `ADDRESS:PORT`, "
        "`[IPv6]:PORT`).",
        shown="the system's",
    )
    abusix_zone: str = _setting(
        "abuse-contacts.abusix.zone",
        "The Abusix abuse-contact DNS zone live lookups ask when RDAP names no contact (empty: "
        "not asked).",
    )
    smtp_host: str = _setting(
        "", "The mail server notices are sent through.", shown="none: notices are not sent"
    )
    smtp_port: int = _setting(587, "The mail server's port.", ge=1, le=65535)
    smtp_starttls: bool = _setting(
        True, "Whether to switch the SMTP connection to TLS (STARTTLS) before anything else."
    )
    smtp_username: str | None = _setting(
        None, "The SMTP user name (none: no login).", shown="none: no login"
    )
    smtp_password: str | None = _setting(None, "The SMTP password.", secret=True)
    smtp_timeout_s: float = _setting(30.0, "Seconds the mail server may take to answer.", gt=0)
    notice_from: str = _setting(
        "hotline@hotline.invalid",
        "The address notices come from; replies to it are read by `hotlist notices ingest`.",
    )
    notice_window_s: float = _setting(
        900.0,
        "Seconds a draft notice collects a contact's URLs before it is sent (grouping window).",
        ge=0,
    )
    police_contact: str | None = _setting(
        None,
        "Where the ladder's last rung goes at home when the host and its upstream did not act.",
        shown="none: such notices end unresolved",
    )
    notices_interval_s: float = _setting(
        60.0, "Seconds between runs of the notices job (0: no job).", ge=0
    )
    check_user_agent_contact: str | None = _setting(
        None,
        "Where a site's operator learns why hotlist checks its URLs (a web page or "
        "`mailto:`), named in the checker's User-Agent.",
        shown="the public URL",
    )
    check_timeout_s: float = _setting(
        10.0, "Seconds a re-verification check may wait to connect, and then for headers.", gt=0
    )
    check_max_redirects: int = _setting(
        5, "Redirects a re-verification check follows before it gives up (failed).", ge=0
    )
    check_concurrency: int = _setting(
        8, "Re-verification checks made at the same time (threads).", ge=1, le=256
    )
    check_per_host_interval_s: float = _setting(
        2.0, "Seconds at least between two re-verification checks of one host.", ge=0
    )
    check_gone_apart_s: float = _setting(
        12 * 3600.0,
        "Seconds at least between the two `gone` checks that mark content removed at source "
        "(a host's outage of an evening is not a removal).",
        gt=0,
    )
    reverify_interval_s: float = _setting(
        60.0,
        "Seconds between runs of the re-verification job, which checks the entries due (0: no "
        "job).",
        ge=0,
    )
    unsafe_loopback_checks: bool = _setting(
        False,
        "Let re-verification checks connect to loopback addresses (tests, the demo); private "
        "and link-local addresses stay refused.",
        shown="off: refused",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the arguments: :meth:`load` reads the environment it is given."""
        return (init_settings,)

    @model_validator(mode="wrap")
    @classmethod
    def _config_errors(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """A wrong value is a ConfigError naming the setting and its variable."""
        try:
            return handler(data)
        except ValidationError as exc:
            raise ConfigError("; ".join(_explain(error) for error in exc.errors())) from exc

    @model_validator(mode="before")
    @classmethod
    def _default_database(cls, data: Any) -> Any:
        """SQLite in the data directory unless a database URL is given."""
        if isinstance(data, dict) and not data.get("database_url"):
            directory = data.get("data_dir")
            if not directory:
                raise ConfigError(
                    "no database: give --data-dir DIR (SQLite in DIR) "
                    "or set HOTLIST_DATABASE_URL=postgresql+psycopg://..."
                )
            data = {**data, "database_url": f"sqlite:///{_directory(directory) / 'hotlist.db'}"}
        return data

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else _directory(value)

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not _is_web_address(value):
            raise ValueError("must be an address like https://hotline.example.org")
        return value

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite one."""
        return self.database_url.startswith("sqlite")

    @classmethod
    def env_name(cls, name: str) -> str:
        """The environment variable of the setting ``name``."""
        return ENV_PREFIX + name.upper()

    @classmethod
    def load(
        cls,
        data_dir: Path | str | None = None,
        database_url: str | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> Settings:
        """Settings from the arguments (None: not given), falling back to the ``HOTLIST_*``
        variables of ``environ`` (default: this process's), then the defaults."""
        given = {"data_dir": data_dir, "database_url": database_url, **overrides}
        values = _EnvironSource(cls, environ)()
        values.update({k: v for k, v in given.items() if v is not None})
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The settings as ``HOTLIST_*`` variables, for worker processes to :meth:`load` again."""
        env = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, bool):
                env[self.env_name(name)] = "1" if value else "0"
            elif value is not None:
                env[self.env_name(name)] = str(value)
        return env

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied (and checked)."""
        return type(self)(**{**dict(self), **changes})

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


class _EnvironSource(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping (tests pass their own)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str] | None):
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        if self._environ is None:
            return super()._load_env_vars()
        return {key.lower(): value for key, value in self._environ.items() if value}


def _directory(value: Path | str) -> Path:
    return Path(value).expanduser().resolve()


def _explain(error: Any) -> str:
    """One validation error as a sentence naming the setting, its variable and the value
    (unless the setting is secret)."""
    name = str(error["loc"][0]) if error["loc"] else ""
    field = Settings.model_fields.get(name)
    if field is None:
        return str(error["msg"])
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    value = "" if extra.get("secret") else f"={error['input']!r}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{name} ({Settings.env_name(name)}{value}): {message}"


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def settings_table() -> str:
    """The settings as docs/server.md shows them: one row per declaration."""
    rows = [
        "| variable | option | default | what it sets |",
        "|---|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        option = f"`{extra['option']}`" if "option" in extra else ""
        shown = str(extra["shown"]) if "shown" in extra else _shown(field.default)
        rows.append(f"| `{Settings.env_name(name)}` | {option} | {shown} | {field.description} |")
    return "\n".join(rows) + "\n"


def _shown(default: object) -> str:
    if default is None:
        return "none"
    if isinstance(default, bool):
        return "1 (on)" if default else "off"
    if isinstance(default, float):
        return f"{default:g}"
    return f"`{default}`" if isinstance(default, str) else str(default)
