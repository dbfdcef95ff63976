"""``hotlist notices``: the takedown notices: read replies in, list the queue, run a tick now.

Each reads the server's database (``--data-dir`` / ``--database-url``) and the server's
settings (``HOTLIST_SMTP_*``, ``HOTLIST_HOSTING_*``, ``HOTLIST_NOTICE_*``) from the environment.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from hotlist.cli.admin import database
from hotlist.cli.console import make_console, print_table, print_warning
from hotlist.cli.server import DatabaseUrl, DataDir
from hotlist.errors import ConfigError
from hotlist.text import plural

notices_app = typer.Typer(
    name="notices",
    help="Takedown notices: replies in, the queue, a run of the notices job now.",
    no_args_is_help=True,
)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def register(app: typer.Typer) -> None:
    """Add the ``notices`` group to ``app``."""
    app.add_typer(notices_app, name="notices")


@notices_app.command("ingest")
def ingest(
    source: Annotated[
        str, typer.Argument(help="`-`: one message on standard input.", show_default=False)
    ] = "-",
    maildir: Annotated[
        Path | None,
        typer.Option("--maildir", help="A Maildir folder: every message not yet seen."),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Match replies to their notices by the reference in the subject and record them; a
    message naming no notice is listed (exit code 9 when there was one)."""
    from hotlist.server.db.session import session_factory
    from hotlist.server.notices import ingest as inbound

    if maildir is None and source != "-":
        raise ConfigError("give --maildir DIR, or - to read one message on standard input")
    now = datetime.now(UTC)
    with database(data_dir, database_url) as engine:
        sessions = session_factory(engine)
        if maildir is not None:
            result = inbound.ingest_maildir(sessions, maildir, now=now)
        else:
            result = inbound.ingest_bytes(sessions, [sys.stdin.buffer.read()], now=now)
    if as_json:
        typer.echo(json.dumps(vars(result), indent=2))
    else:
        console = make_console()
        console.print(
            f"recorded {plural(len(result.matched), 'reply', 'replies')}"
            f" ({len(result.acknowledged)} acknowledging)"
        )
        for unknown in result.unknown:
            print_warning(console, f"no notice for {unknown}: left for a person to read")
    if result.unknown:
        raise typer.Exit(9)


@notices_app.command("list")
def list_notices(
    data_dir: DataDir = None, database_url: DatabaseUrl = None, as_json: JsonFlag = False
) -> None:
    """The open notices, the next to act first (overdue ones marked)."""
    from rich.table import Table

    from hotlist.server.db.session import session_factory
    from hotlist.server.notices import service

    now = datetime.now(UTC)
    with database(data_dir, database_url) as engine, session_factory(engine)() as session:
        rows = [
            {
                "id": n.id,
                "reference": n.reference,
                "contact": n.contact,
                "role": n.role,
                "state": n.state,
                "step": n.step,
                "due_at": n.due_at.isoformat() if n.due_at else None,
                "overdue": n.due_at is not None and n.due_at < now,
                "held": n.hold_reason is not None,
            }
            for n in service.queue(session)
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("reference", "contact", "role", "state", "sends", "due", "")
    for row in rows:
        flags = " ".join(f for f, on in (("overdue", row["overdue"]), ("held", row["held"])) if on)
        table.add_row(
            str(row["reference"]),
            str(row["contact"]),
            str(row["role"]),
            str(row["state"]),
            str(row["step"]),
            str(row["due_at"] or "-"),
            flags,
        )
    console = make_console()
    print_table(console, table)
    console.print(plural(len(rows), "open notice", "open notices"))


@notices_app.command("send-due")
def send_due(
    data_dir: DataDir = None, database_url: DatabaseUrl = None, as_json: JsonFlag = False
) -> None:
    """Run one tick of the notices job now: route new entries, send drafts whose window has
    passed, climb the ladder for notices that fall due."""
    from hotlist.server.config import Settings
    from hotlist.server.db.session import session_factory
    from hotlist.server.kit.lookups_live import hosting_sources
    from hotlist.server.kit.mailer import mailer_from_settings
    from hotlist.server.notices.jobs import outbox_for, run_once

    settings = Settings.load(data_dir, database_url)
    outbox = outbox_for(settings, mailer_from_settings(settings), hosting_sources(settings))
    with database(data_dir, database_url) as engine:
        tick = run_once(
            session_factory(engine),
            outbox,
            now=datetime.now(UTC),
            window_s=settings.notice_window_s,
        )
    if as_json:
        typer.echo(json.dumps(vars(tick), indent=2))
    else:
        make_console().print(tick.summary())
