"""``hotlist edge squid-helper`` without Typer: its options, a lean parser, and the helper's run.

Squid starts the helper once per helper child and again whenever one dies, so its start-up is
paid often, and its memory once per child. The options' table here is read twice: by the Typer
command of :mod:`hotlist.cli.edge_squid` (the full CLI's help and error messages) and by
:func:`parse`, the lean parser (:mod:`argparse`) the helper starts with (:func:`run_alone`),
which costs a millisecond where importing Typer, Rich and Pydantic costs tens of them and
several megabytes per process.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, NoReturn

__all__ = [
    "BLOCK_PAGE",
    "CACHE_SIZE",
    "DEFAULT_STORE",
    "INTERVAL",
    "OPTIONS",
    "STORE",
    "HelperArgs",
    "parse",
    "run",
    "run_alone",
]


class Option(NamedTuple):
    """One command-line option: its flag, help, default and environment variable."""

    flag: str
    help: str
    default: object
    envvar: str | None = None

    @property
    def name(self) -> str:
        """The option's name as a Python identifier (``--cache-size``: ``cache_size``)."""
        return self.flag.removeprefix("--").replace("-", "_")


DEFAULT_STORE = Path("hotlist-edge")
"""The store every ``hotlist edge`` command uses unless told otherwise."""

STORE = Option(
    "--store",
    "The edge store directory (made by `hotlist edge init`).",
    DEFAULT_STORE,
    envvar="HOTLIST_EDGE_STORE",
)
BLOCK_PAGE = Option(
    "--block-page",
    "Block page URL template with {entry_id} and optionally {category}.",
    None,
    envvar="HOTLIST_BLOCK_PAGE_URL",
)
INTERVAL = Option("--interval", "Seconds between checks of the store for a new list.", 1.0)
CACHE_SIZE = Option("--cache-size", "How many URLs' answers to remember (0: none).", 16384)
OPTIONS = (STORE, BLOCK_PAGE, INTERVAL, CACHE_SIZE)


class HelperArgs(NamedTuple):
    """The helper's settings, parsed."""

    store: Path
    block_page: str | None
    interval: float
    cache_size: int


class _Refused(Exception):
    """The lean parser leaves these arguments to the full one (help, or an error to explain)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _Refused(message)


def _formatter(prog: str) -> argparse.HelpFormatter:
    """A formatter of fixed width: argparse's default imports shutil to ask the terminal's, and
    this parser never prints help (Typer does)."""
    return argparse.HelpFormatter(prog, width=80)


def parse(args: Sequence[str]) -> HelperArgs | None:
    """The settings ``args`` and the environment give, as the Typer command reads them; None
    for anything the lean parser does not answer itself (``--help``, an unknown option, a bad
    value), which the full parser then explains in its own words."""
    parser = _Parser(
        add_help=False, allow_abbrev=False, exit_on_error=False, formatter_class=_formatter
    )
    for option in OPTIONS:
        default = option.default
        if option.envvar is not None and os.environ.get(option.envvar):
            default = os.environ[option.envvar]
        parser.add_argument(option.flag, dest=option.name, default=default)
    try:
        values = vars(parser.parse_args(list(args)))
        block_page = values["block_page"]
        return HelperArgs(
            store=Path(values["store"]),
            block_page=None if block_page is None else str(block_page),
            interval=float(values["interval"]),
            cache_size=int(values["cache_size"]),
        )
    except (_Refused, argparse.ArgumentError, ValueError):
        return None


def run(args: HelperArgs) -> None:
    """Answer Squid's requests on standard input from the store's list in force, until the
    input ends (see :mod:`hotlist.edge.squid_helper`)."""
    from hotlist.edge.squid import BlockPage, SquidResponder
    from hotlist.edge.squid_helper import ListWatcher, serve
    from hotlist.errors import ConfigError
    from hotlist.logs import configure

    if args.interval <= 0 or args.cache_size < 0:
        raise ConfigError("--interval must be positive and --cache-size zero or more")
    configure("hotlist squid-helper", timestamps=False)  # Squid's cache.log has the time
    template = _template(args.store, args.block_page)
    responder = SquidResponder(None, BlockPage(template), cache_size=args.cache_size)
    # Answers as soon as the list's structure is checked; its checksum is verified in the
    # watcher's thread right after (a list is verified whole when a sync installs it).
    watcher = ListWatcher(args.store, responder, checksum_later=True)
    watcher.refresh()
    watcher.start(args.interval)
    try:
        serve(responder, sys.stdin.fileno(), sys.stdout.fileno())
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # Squid closed our pipes or stopped us: nothing left to answer
    finally:
        watcher.stop()


def _template(store: Path, option: str | None) -> str:
    """The block page template: the option, else the store's setting if it has one."""
    from hotlist.edge.store import Store
    from hotlist.errors import ConfigError

    if option:
        return option
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


def run_alone(args: Sequence[str]) -> None:
    """Run ``hotlist edge squid-helper ARGS`` without importing the rest of the CLI.

    The lean way in of :mod:`hotlist.cli.entry`: the same options and errors as through
    :mod:`hotlist.cli.main`. Arguments the lean parser leaves (``--help``, a mistake) go to the
    Typer command, which answers them as the full CLI does.
    """
    from hotlist.errors import HotlistError

    parsed = parse(args)
    try:
        if parsed is None:
            from hotlist.cli.edge_squid import run_with_typer

            run_with_typer(list(args))
        else:
            run(parsed)
    except HotlistError as exc:
        from hotlist.cli.console import print_error

        print_error(exc.message)
        sys.exit(exc.exit_code)
