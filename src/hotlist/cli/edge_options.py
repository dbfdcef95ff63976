"""Options every ``hotlist edge`` command shares (base install only: no server imports)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEFAULT_STORE = Path("hotlist-edge")

StoreOption = Annotated[
    Path,
    typer.Option(
        "--store",
        envvar="HOTLIST_EDGE_STORE",
        help="The edge store directory (made by `hotlist edge init`).",
    ),
]
"""``--store DIR`` (or ``HOTLIST_EDGE_STORE``), ``hotlist-edge`` by default."""
