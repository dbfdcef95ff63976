"""The ``hotlist`` console script: a lean way in for the Squid helper, the full CLI otherwise.

Squid starts ``hotlist edge squid-helper`` once per helper child, and again whenever one dies,
so its start-up is paid often: that command imports only what it runs, with no Typer, Rich or
Pydantic (:mod:`hotlist.cli.edge_squid_lean`), every other command the whole of
:mod:`hotlist.cli.main`. Both read one table of the helper's options, in that module.
"""

from __future__ import annotations

import sys

__all__ = ["main"]

LEAN_COMMAND = ["edge", "squid-helper"]


def main() -> None:
    """Run the command line in ``sys.argv``."""
    if sys.argv[1:3] == LEAN_COMMAND:
        from hotlist.cli.edge_squid_lean import run_alone

        run_alone(sys.argv[3:])
        return
    from hotlist.cli.main import main as run_cli

    run_cli()
