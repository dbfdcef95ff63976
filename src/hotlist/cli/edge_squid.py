"""``hotlist edge squid-helper``: Squid's url_rewrite_program, answering from the edge store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hotlist.cli.edge_options import DEFAULT_STORE, StoreOption
from hotlist.errors import ConfigError, HotlistError

HELP = (
    "Answer Squid's url_rewrite_program requests from the verified list in force."
    "\n\n"
    "Reads request lines on standard input and answers each on standard output, with or"
    " without concurrency channel IDs: a blocked URL is redirected (302) to the block page,"
    " any other kept (ERR). A new list from `hotlist edge sync` is picked up without a restart."
    " Messages for the Squid admin go to standard error (Squid's cache.log). See docs/squid.md."
)


def squid_helper(
    store: StoreOption = DEFAULT_STORE,
    block_page: Annotated[
        str | None,
        typer.Option(
            "--block-page",
            envvar="HOTLIST_BLOCK_PAGE_URL",
            help="Block page URL template with {entry_id} and optionally {category}.",
        ),
    ] = None,
    interval: Annotated[
        float,
        typer.Option("--interval", help="Seconds between checks of the store for a new list."),
    ] = 1.0,
    cache_size: Annotated[
        int,
        typer.Option("--cache-size", help="How many URLs' answers to remember (0: none)."),
    ] = 16384,
) -> None:
    """Answer Squid's url_rewrite_program requests from the verified list in force."""
    from hotlist.edge.squid import BlockPage, SquidResponder
    from hotlist.edge.squid_helper import ListWatcher, serve
    from hotlist.logs import configure

    if interval <= 0 or cache_size < 0:
        raise ConfigError("--interval must be positive and --cache-size zero or more")
    configure("hotlist squid-helper", timestamps=False)  # Squid's cache.log has the time
    responder = SquidResponder(None, BlockPage(_template(store, block_page)), cache_size=cache_size)
    watcher = ListWatcher(store, responder)
    watcher.refresh()
    watcher.start(interval)
    try:
        serve(responder, sys.stdin.fileno(), sys.stdout.fileno())
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # Squid closed our pipes or stopped us: nothing left to answer
    finally:
        watcher.stop()


def _template(store: Path, option: str | None) -> str:
    """The block page template: the option, else the store's setting if it has one."""
    if option:
        return option
    from hotlist.edge.store import Store

    try:
        configured = getattr(Store(store).config(), "block_page_url", None)
    except ConfigError:
        configured = None
    if not configured:
        raise ConfigError(
            "no block page URL: give --block-page (or HOTLIST_BLOCK_PAGE_URL), e.g. "
            "http://block.example/blocked?entry={entry_id}"
        )
    return str(configured)


def run_alone(args: list[str]) -> None:
    """Run ``hotlist edge squid-helper ARGS`` without importing the rest of the CLI.

    The lean way in of :mod:`hotlist.cli.entry`: the same command, options and errors as
    through :mod:`hotlist.cli.main`, at a fraction of the start-up.
    """
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    app.command(help=HELP)(squid_helper)
    try:
        app(args, prog_name="hotlist edge squid-helper")
    except HotlistError as exc:
        from hotlist.cli.console import print_error

        print_error(exc.message)
        sys.exit(exc.exit_code)
