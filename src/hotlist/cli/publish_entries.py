"""``hotlist publish``: publish the server's entries in force as the next signed list version."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotlist.cli.console import make_console
from hotlist.text import plural


def register(app: typer.Typer) -> None:
    """Add ``publish`` to ``app``."""
    app.command("publish")(publish)


def publish(
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", envvar="HOTLIST_DATA_DIR", help="The server's data directory."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", envvar="HOTLIST_DATABASE_URL", show_default=False),
    ] = None,
    create_keys: Annotated[
        bool,
        typer.Option(
            "--create-keys/--no-create-keys",
            help=(
                "Make signing keys when there are none at all: no key file and no repository "
                "(the embedded default; root.pem kept offline is not 'none')."
            ),
        ),
    ] = True,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            envvar="HOTLIST_PUBLIC_URL",
            help="The address people reach the server at (https://...): every member's block "
            "page links appeals to its /appeal. A loopback address is refused unless "
            "HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL=1.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
) -> None:
    """Expire entries past re-verification, then publish what is in force.

    With no change since the last version, no new version is made; the timestamp is re-signed.
    """
    import json
    from dataclasses import asdict

    from hotlist.server.config import Settings
    from hotlist.server.db.session import make_engine, session_factory
    from hotlist.server.db.upgrade import require_head
    from hotlist.server.publishing.service import make_publisher
    from hotlist.server.publishing.service import publish as publish_entries

    settings = Settings.load(data_dir, database_url, public_url=public_url)
    engine = make_engine(settings.database_url)
    try:
        require_head(engine)
        publisher = make_publisher(settings, create_keys=create_keys)
        result = publish_entries(
            session_factory(engine),
            publisher,
            public_url=settings.public_url,
            allow_loopback=settings.unsafe_loopback_public_url,
        )
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(asdict(result), sort_keys=True))
        return
    what = "published" if result.published else "unchanged, timestamp re-signed:"
    make_console().print(
        f"{what} list version {result.version}: {plural(result.count, 'entry', 'entries')} "
        f"(+{result.added} -{result.removed} ~{result.changed}), snapshot "
        f"{plural(result.snapshot_bytes, 'byte', 'bytes')}, delta "
        f"{plural(result.delta_bytes, 'byte', 'bytes')}, {result.seconds:.3f} s"
    )
