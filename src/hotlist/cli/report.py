"""``hotlist report transparency``: a period's transparency report as HTML, CSV and JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated

import typer

from hotlist.cli.admin import _session
from hotlist.cli.console import make_console
from hotlist.cli.server import DatabaseUrl, DataDir
from hotlist.errors import ConfigError
from hotlist.text import plural

report = typer.Typer(help="Reports about the hotline's work.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``report`` group to ``app``."""
    app.add_typer(report, name="report")


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"{what} {text!r} is not a day as YYYY-MM-DD") from exc


@report.command("transparency")
def transparency(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (UTC).")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (UTC), included.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write the report into.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    appeal_decide_days: Annotated[
        int | None,
        typer.Option(help="Days to decide an appeal (default: HOTLIST_APPEAL_DECIDE_DAYS or 7)."),
    ] = None,
    operator: Annotated[str, typer.Option(help="Who keeps the list, for the page.")] = (
        "the hotline"
    ),
) -> None:
    """Write index.html (inline SVG charts), transparency.csv and transparency.json for the
    period: counts, shares and medians only, no personal data, no URL."""
    from hotlist.server.config import Settings
    from hotlist.server.figures.compute import compute
    from hotlist.server.figures.query import period_rows
    from hotlist.server.figures.report import write_report

    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise ConfigError("--to comes before --from; give the first day, then the last")
    begin = datetime.combine(first, time(), tzinfo=UTC)
    stop = datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC)
    settings = Settings.load(data_dir, database_url)
    days = appeal_decide_days or settings.appeal_decide_days
    with _session(data_dir, database_url) as session:
        figures = compute(
            period_rows(session, begin, stop),
            appeal_decide_days=days,
            min_provider_cases=settings.figures_min_provider_cases,
        )
    written = write_report(figures, out, operator=operator)
    console = make_console()
    console.print(
        f"Transparency report {first.isoformat()} to {last.isoformat()}: "
        f"{plural(figures.reports.received, 'report', 'reports')}, "
        f"{plural(figures.entries.added, 'entry', 'entries')} added, "
        f"{plural(figures.objections.received, 'objection', 'objections')}, "
        f"{plural(figures.appeals.received, 'appeal', 'appeals')}."
    )
    for path in written:
        console.print(f"  wrote {path}", markup=False)
