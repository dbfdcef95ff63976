"""``hotlist serve`` and ``hotlist db upgrade``: run the hotline's server, migrate its database."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Annotated

import typer

from hotlist.cli.console import make_console

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
    log_level: Annotated[str, typer.Option(help="uvicorn's log level.")] = "info",
) -> None:
    """Serve the API with uvicorn, first creating and migrating the data directory if needed.

    No client address is logged: uvicorn's access log is off.
    """
    import uvicorn

    from hotlist.server.config import Settings
    from hotlist.server.db.upgrade import upgrade

    settings = Settings.load(
        data_dir,
        database_url,
        rate_limit_per_second=rate_limit,
        rate_limit_burst=rate_limit_burst,
    )
    settings.prepare_data_dir()
    revision = upgrade(settings.database_url)
    err = make_console(stderr=True)
    err.print(f"database at revision {revision}; serving on http://{host}:{port}/ ({workers} w)")
    os.environ.update(settings.to_env())
    # hotlist's own loggers (the publish schedule's failures among them) through uvicorn's
    # handler, with their level shown; without this Python prints only warnings, bare.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["hotlist"] = {
        "handlers": ["default"],
        "level": log_level.upper(),
        "propagate": False,
    }
    uvicorn.run(
        "hotlist.server.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        server_header=False,
        log_level=log_level,
        log_config=log_config,
    )


def db_upgrade(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Apply the database migrations (creates the database in an empty data directory)."""
    from hotlist.server.config import Settings
    from hotlist.server.db.upgrade import upgrade

    settings = Settings.load(data_dir, database_url)
    settings.prepare_data_dir()
    revision = upgrade(settings.database_url)
    make_console().print(f"database at revision {revision}")
