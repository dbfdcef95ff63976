"""Entry point of the ``hotlist`` command.

Each sub-command lives in a module of its own under :mod:`hotlist.cli`; this module only
assembles them and turns a :class:`~hotlist.errors.HotlistError` into a message and an exit code.
Server commands import the server's dependencies inside their bodies, so the base (edge)
install runs every command it has.
"""

from __future__ import annotations

import sys

import typer

from hotlist import __version__
from hotlist.cli import (
    admin,
    check,
    checks,
    demo,
    edge,
    entries,
    hosting,
    log,
    notices,
    publish,
    publish_entries,
    report,
    server,
)
from hotlist.cli.console import print_error
from hotlist.errors import HotlistError

app = typer.Typer(
    name="hotlist",
    help="Open infrastructure for hotlines and voluntary blocking.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain Click errors: Rich's error panel wraps paths and values at the terminal's width.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hotlist {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Open infrastructure for hotlines and voluntary blocking."""


# Sub-commands register themselves here, one line each.
check.register(app)
server.register(app)
admin.register(app)
edge.register(app)
publish.register(app)
publish_entries.register(app)
demo.register(app)
log.register(app)
notices.register(app)
report.register(app)
entries.register(app)
hosting.register(app)
checks.register(app)


def main() -> None:
    """Run the command; a HotlistError becomes one line on stderr and its exit code."""
    try:
        app()
    except HotlistError as exc:
        print_error(exc.message)
        sys.exit(exc.exit_code)
