"""``hotlist entries import``: make entries from a list the hotline already has, one URL a line."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn
from rich.text import Text

from hotlist.cli.admin import database
from hotlist.cli.console import make_console, print_error, print_warning
from hotlist.cli.server import DatabaseUrl, DataDir
from hotlist.errors import ConfigError
from hotlist.text import plural
from hotlist.urls import Scope

if TYPE_CHECKING:
    from rich.progress import Task

    from hotlist.server.entries.imports import Progress as Advance
    from hotlist.server.entries.imports import Summary

entries = typer.Typer(help="The list's entries.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``entries`` group to ``app``."""
    app.add_typer(entries, name="entries")


class _RowsPerSecond(ProgressColumn):
    """The task's speed as rows a second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} rows/s")


@contextmanager
def _progress(show: bool) -> Iterator[Progress]:
    """A progress display on standard error when it is a terminal: bar, rows, rows/s."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RowsPerSecond(),
        console=make_console(stderr=True),
        disable=not show,
        transient=True,
    ) as progress:
        yield progress


def _advance(progress: Progress, description: str, total: int) -> Advance:
    task = progress.add_task(description, total=total)

    def advance(rows: int) -> None:
        progress.advance(task, rows)

    return advance


@entries.command("import")
def import_entries(
    file: Annotated[Path, typer.Argument(help="One URL a line; blank lines and # comments skip.")],
    scope: Annotated[Scope, typer.Option(help="What each entry covers: page, folder or host.")],
    category: Annotated[str, typer.Option(help="A category code of the policy in force.")],
    reason: Annotated[str, typer.Option(help="The facts the entries rely on (their statement).")],
    as_user: Annotated[
        str,
        typer.Option("--as", help="The person deciding: an analyst's or supervisor's id or name."),
    ],
    scope_reason: Annotated[
        str | None, typer.Option(help="Why this scope; needed for host scope.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Import nothing (exit 4) if any line is refused.")
    ] = False,
    batch_size: Annotated[
        int, typer.Option(min=1, max=100_000, help="Entries written per transaction.")
    ] = 5_000,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
) -> None:
    """Make an entry of every URL in FILE, with the checks an assessment makes.

    Each entry's statement of reasons holds REASON, the policy version in force and the
    person given with --as, who must hold reports:assess. A line refused (not a URL, a host on
    the shared-hosting list...) is reported with its number and the rest go in; exit 4 when
    every line is refused, or with --strict when any is. Expressions an active entry lists
    already are skipped and counted, so running the same import again adds nothing. Entries are
    written in batches, each committed whole: after an interruption, run the same command again
    to complete it. A file that is not UTF-8 or looks truncated is refused whole.
    """
    from hotlist.server.config import Settings
    from hotlist.server.db.session import session_factory
    from hotlist.server.entries import imports
    from hotlist.server.policies import service as policies
    from hotlist.server.policies.shared_hosting import shared_hosting_list

    started = time.perf_counter()
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {file}: {exc.strerror or exc}") from exc
    lines = imports.read_lines(data, str(file))
    request = imports.ImportRequest(
        scope=scope, category=category, reason=reason, scope_reason=scope_reason
    )
    settings = Settings.load(data_dir, database_url)
    shared_hosting = shared_hosting_list(settings)
    console = make_console()
    with database(data_dir, database_url) as engine, _progress(console.is_terminal) as progress:
        sessions = session_factory(engine)
        # The policy in force as the server loads it on start (its policy file, else the demo).
        policies.load_at_start(sessions, settings.policy_file)
        with sessions() as session:
            by = imports.importer(session, as_user)
            checking = _advance(progress, "checking", len(lines))
            plan = imports.plan_import(session, lines, request, by, shared_hosting, checking)
        if strict and plan.refused:
            summary = imports.Summary(len(lines), 0, 0, plan.refused)
        else:
            writing = _advance(progress, "importing", len(plan.planned))
            try:
                summary = imports.apply_import(sessions, plan, batch_size, writing)
            except KeyboardInterrupt:
                print_error(
                    "interrupted: the batches written before are in, the one being written is "
                    "not; run the same command again to complete the import"
                )
                raise typer.Exit(130) from None
    _report(summary, time.perf_counter() - started, as_json)
    if strict and plan.refused:
        raise ConfigError(
            f"{plural(len(plan.refused), 'line', 'lines')} of {file} refused and --strict given: "
            "nothing was imported"
        )
    if summary.lines and len(summary.refused) == summary.lines:
        raise ConfigError(f"every line of {file} was refused: nothing was imported")


def _report(summary: Summary, seconds: float, as_json: bool) -> None:
    rate = summary.lines / seconds if seconds > 0 else 0.0
    if as_json:
        document = {
            "lines": summary.lines,
            "added": summary.added,
            "duplicates": summary.duplicates,
            "refused": [{"line": r.line, "reason": r.reason} for r in summary.refused],
            "seconds": round(seconds, 3),
            "lines_per_second": round(rate),
        }
        typer.echo(json.dumps(document))
        return
    errors = make_console(stderr=True)
    for refusal in summary.refused:
        print_warning(errors, f"line {refusal.line}: {refusal.reason}")
    make_console().print(
        f"{summary.lines:,} lines: {summary.added:,} added, {summary.duplicates:,} duplicates, "
        f"{len(summary.refused):,} refused ({seconds:.1f} s, {rate:,.0f} lines/s)",
        markup=False,
    )
