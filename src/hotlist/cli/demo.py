"""``hotlist demo``: the whole flow on the embedded SQLite default, step by step."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from hotlist.cli.console import make_console


def register(app: typer.Typer) -> None:
    """Add ``demo`` to ``app``."""
    app.command("demo")(demo)


def demo(
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="A new or empty directory for the demo's data."),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Run in a temporary directory, leave nothing behind, exit 0 only if every "
            "step worked.",
        ),
    ] = False,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Server port (default: a free one).")
    ] = None,
) -> None:
    """Report -> assessment -> entry -> publish -> edge sync -> edge check, printed as it goes."""
    from hotlist.demo.flow import run_demo

    console = make_console()
    if check or data_dir is None:
        with tempfile.TemporaryDirectory(prefix="hotlist-demo-") as tmp:
            run_demo(Path(tmp) / "data", port, console, keep=False)
        console.print("[bold green]demo check passed:[/] every step worked")
        return
    run_demo(data_dir, port, console)
