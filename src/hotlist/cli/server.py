"""``hotlist serve`` and ``hotlist db upgrade``: run the hotline's server, migrate its database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hotlist.cli.console import make_console, print_warning
from hotlist.text import plural

if TYPE_CHECKING:
    from hotlist.server.config import Settings

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="HOTLIST_DATA_DIR",
        help="The server's data directory (SQLite database, contact key). Created if missing.",
    ),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="HOTLIST_DATABASE_URL",
        help="postgresql+psycopg://... instead of SQLite in the data directory.",
        show_default=False,
    ),
]


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``db`` group to ``app``."""
    app.command("serve")(serve)
    db = typer.Typer(help="The server's database.", no_args_is_help=True)
    db.command("upgrade")(db_upgrade)
    app.add_typer(db, name="db")


def serve(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    rate_limit: Annotated[
        float | None,
        typer.Option(help="Reports a second per client address (0: off). [default: 2]"),
    ] = None,
    rate_limit_burst: Annotated[
        int | None, typer.Option(min=1, help="Burst per client address. [default: 30]")
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            envvar="HOTLIST_PUBLIC_URL",
            help="The address people reach this server at (https://...); members' block pages "
            "link appeals to its /appeal. Unset: http://HOST:PORT, and a loopback one is not "
            "published (HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL=1 allows it, for tests).",
            show_default=False,
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn's log level.")] = "info",
) -> None:
    """Serve the API with uvicorn, first creating and migrating the data directory if needed.

    No client address is logged: uvicorn's access log is off.
    """
    import uvicorn

    from hotlist.logs import uvicorn_log_config
    from hotlist.server.config import Settings
    from hotlist.server.db.upgrade import upgrade

    settings = Settings.load(
        data_dir,
        database_url,
        rate_limit_per_second=rate_limit,
        rate_limit_burst=rate_limit_burst,
        public_url=public_url,
    )
    err = make_console(stderr=True)
    given = settings.public_url is not None
    if not given:
        settings = settings.with_changes(public_url=own_url(host, port))
    warning = public_url_warning(settings, given=given)
    if warning:
        print_warning(err, warning)
    settings.prepare_data_dir()
    revision = upgrade(settings.database_url)
    err.print(
        f"database at revision {revision}; serving on {own_url(host, port)}/ with "
        f"{plural(workers, 'worker', 'workers')}"
    )
    os.environ.update(settings.to_env())
    uvicorn.run(
        "hotlist.server.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        server_header=False,
        log_level=log_level,
        log_config=uvicorn_log_config(log_level),
    )


def public_url_warning(settings: Settings, *, given: bool) -> str | None:
    """What to say at start about the block pages' appeal link, when it needs saying."""
    from hotlist.urls import is_loopback_url

    url = settings.public_url or ""
    if is_loopback_url(url):
        outcome = (
            "published anyway (HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL)"
            if settings.unsafe_loopback_public_url
            else "so the list is not published"
        )
        why = "" if given else "no --public-url (HOTLIST_PUBLIC_URL): "
        return (
            f"{why}members will see a loopback address, {url}, as the appeal link on their "
            f"block pages, which nobody else can open; {outcome}. Start with --public-url "
            "https://... (the address people reach the server at)"
        )
    if not given:
        return (
            f"no --public-url (HOTLIST_PUBLIC_URL): members' block pages will link appeals to "
            f"{url}; if people reach the server at another address, start with --public-url"
        )
    return None


def own_url(host: str, port: int) -> str:
    """``http://HOST:PORT``, the server's own address; loopback for a wildcard host, which says
    nothing about the name people use."""
    if host in ("", "0.0.0.0"):  # noqa: S104  # compared with, not bound to
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def db_upgrade(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Apply the database migrations (creates the database in an empty data directory)."""
    from hotlist.server.config import Settings
    from hotlist.server.db.upgrade import upgrade

    settings = Settings.load(data_dir, database_url)
    settings.prepare_data_dir()
    revision = upgrade(settings.database_url)
    make_console().print(f"database at revision {revision}")
