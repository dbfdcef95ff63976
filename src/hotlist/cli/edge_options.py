"""Options every ``hotlist edge`` command shares (base install only: no server imports)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotlist.cli.edge_squid_lean import DEFAULT_STORE, STORE

__all__ = ["DEFAULT_STORE", "StoreOption"]

StoreOption = Annotated[Path, typer.Option(STORE.flag, envvar=STORE.envvar, help=STORE.help)]
"""``--store DIR`` (or ``HOTLIST_EDGE_STORE``), ``hotlist-edge`` by default."""
