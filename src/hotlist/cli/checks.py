"""``hotlist checks``: re-verification by hand: one tick of the check schedule now, or one URL
checked with the real checker (HEAD, never a body) and the result printed.

``run-due`` reads the server's database (``--data-dir`` / ``--database-url``) and its
``HOTLIST_CHECK_*`` settings from the environment; ``url`` needs no database.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from hotlist.cli.admin import database
from hotlist.cli.console import make_console
from hotlist.cli.server import DatabaseUrl, DataDir

checks_app = typer.Typer(
    name="checks",
    help="Re-verification: a tick of the check schedule now, or one URL checked.",
    no_args_is_help=True,
)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def register(app: typer.Typer) -> None:
    """Add the ``checks`` group to ``app``."""
    app.add_typer(checks_app, name="checks")


@checks_app.command("run-due")
def run_due(
    data_dir: DataDir = None, database_url: DatabaseUrl = None, as_json: JsonFlag = False
) -> None:
    """Run one tick of the re-verification job now: new active entries get their baseline
    check, due entries are checked (paced per host), gone content is removed."""
    from hotlist.server.config import Settings
    from hotlist.server.db.session import session_factory
    from hotlist.server.kit.checker import checker_from_settings
    from hotlist.server.reverification.jobs import run_once

    settings = Settings.load(data_dir, database_url)
    with database(data_dir, database_url) as engine:
        tick = run_once(session_factory(engine), checker_from_settings(settings), settings)
    if as_json:
        typer.echo(json.dumps(tick.to_json(), indent=2))
        return
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(tick.outcomes.items())) or "none"
    make_console().print(
        f"enrolled {tick.enrolled}, checked {tick.checked} ({outcomes}), "
        f"removed {len(tick.removed)}, for an analyst {len(tick.flagged)}, "
        f"deferred {tick.deferred}, stopped {tick.stopped}"
    )
    for ref in tick.removed:
        make_console().print(f"removed {ref}: content removed at source")


@checks_app.command("url")
def check_url(
    url: Annotated[str, typer.Argument(help="The URL to check (http or https).")],
    timeout: Annotated[
        float,
        typer.Option("--timeout", envvar="HOTLIST_CHECK_TIMEOUT_S", help="Seconds per wait."),
    ] = 10.0,
    max_redirects: Annotated[
        int,
        typer.Option(
            "--max-redirects", envvar="HOTLIST_CHECK_MAX_REDIRECTS", help="Redirects followed."
        ),
    ] = 5,
    contact: Annotated[
        str | None,
        typer.Option(
            "--contact",
            envvar="HOTLIST_CHECK_USER_AGENT_CONTACT",
            help="The contact URL named in the User-Agent.",
        ),
    ] = None,
    allow_loopback: Annotated[
        bool,
        typer.Option(
            "--unsafe-loopback",
            envvar="HOTLIST_UNSAFE_LOOPBACK_CHECKS",
            help="Allow loopback addresses (tests, the demo).",
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Check one URL as re-verification does (HEAD, or GET closed after the headers; every
    redirect hop; refused for addresses that are not public) and print what it found."""
    from hotlist.server.kit.checker import HttpChecker, user_agent

    checker = HttpChecker(
        user_agent=user_agent(contact),
        connect_timeout_s=timeout,
        read_timeout_s=timeout,
        max_redirects=max_redirects,
        allow_loopback=allow_loopback,
    )
    result = checker.check(url)
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2))
        return
    console = make_console()
    moved = " (moved)" if result.moved else ""
    status = result.status if result.status is not None else "-"
    console.print(f"{result.outcome.value}{moved}: {status} {result.final_url or url}")
    for hop in result.hops:
        console.print(f"  {hop.status} {hop.url} ({hop.ip})")
    for name in ("content_type", "content_length", "etag", "last_modified", "ip", "method"):
        value = getattr(result, name)
        if value is not None:
            console.print(f"  {name}: {value}")
    if result.error:
        console.print(f"  error: {result.error}")
    console.print(f"  {result.elapsed_ms} ms")
