"""``hotlist edge squid-helper``: Squid's url_rewrite_program, answering from the edge store.

The command as the full CLI shows it (help, errors); a helper Squid starts runs it through the
lean parser of :mod:`hotlist.cli.edge_squid_lean`, which reads the same table of options.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotlist.cli.edge_options import StoreOption
from hotlist.cli.edge_squid_lean import (
    BLOCK_PAGE,
    CACHE_SIZE,
    DEFAULT_STORE,
    INTERVAL,
    HelperArgs,
    run,
)

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
        typer.Option(BLOCK_PAGE.flag, envvar=BLOCK_PAGE.envvar, help=BLOCK_PAGE.help),
    ] = None,
    interval: Annotated[float, typer.Option(INTERVAL.flag, help=INTERVAL.help)] = 1.0,
    cache_size: Annotated[int, typer.Option(CACHE_SIZE.flag, help=CACHE_SIZE.help)] = 16384,
) -> None:
    """Answer Squid's url_rewrite_program requests from the verified list in force."""
    run(HelperArgs(Path(store), block_page, interval, cache_size))


def run_with_typer(args: list[str]) -> None:
    """Parse ``args`` with Typer and run the helper: for what the lean parser leaves (help,
    errors), answered in the full CLI's words."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    app.command(help=HELP)(squid_helper)
    app(args, prog_name="hotlist edge squid-helper")
