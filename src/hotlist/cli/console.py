"""How every ``hotlist`` command writes to a terminal or a pipe: one place decides it.

Nothing a user may copy (a command, a path, a URI, a key, an entry id) is ever broken across
lines: text is never hard-wrapped (a terminal folds long lines by itself, without inserting a
newline), and tables are laid out at the width their widest row needs rather than cropped or
folded to the terminal's. Markup in messages from elsewhere is escaped, so a ``[`` in a path is
printed as it is.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def make_console(*, stderr: bool = False) -> Console:
    """A console that never hard-wraps, highlights or turns ``:names:`` into emoji."""
    return Console(stderr=stderr, highlight=False, emoji=False, soft_wrap=True)


def print_table(console: Console, table: Table) -> None:
    """Print ``table`` without wrapping or cropping a cell, however narrow the console."""
    needed = console.measure(table, options=console.options.update(width=1_000_000)).maximum
    width = console.width
    console.width = max(width, needed)
    try:
        console.print(table, soft_wrap=False, crop=False)
    finally:
        console.width = width


def print_error(message: str) -> None:
    """``error: MESSAGE`` on standard error, the message printed exactly as given."""
    make_console(stderr=True).print(f"[bold red]error:[/] {escape(message)}")


def print_warning(console: Console, message: str) -> None:
    """``warning: MESSAGE`` on ``console``, the message printed exactly as given."""
    console.print(f"[bold yellow]warning:[/] {escape(message)}")
