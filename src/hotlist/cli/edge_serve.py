"""``hotlist edge serve``: the lookup daemon (batch checks, health, metrics, block page)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hotlist.cli.console import make_console
from hotlist.cli.edge_options import DEFAULT_STORE, StoreOption
from hotlist.edge.daemon import DEFAULT_IDLE_TIMEOUT_S, DEFAULT_MAX_BODY, DEFAULT_PORT
from hotlist.edge.lookup import DEFAULT_RELOAD_INTERVAL_S

HELP = (
    "Answer batch checks over HTTP from the verified list in force, on loopback by default."
    "\n\n"
    'POST /v1/check {"urls": [...]} (at most 10,000) returns the verdicts in order;'
    " GET /healthz, GET /metrics (Prometheus), GET /blocked?entry=ID (the block page)."
    " A new list from `hotlist edge sync` or `run` is picked up without a restart."
    " There is no authentication: expose it beyond loopback only behind one. See"
    " docs/lookup-daemon.md."
)


def serve(
    store: StoreOption = DEFAULT_STORE,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (0: any free one).")] = DEFAULT_PORT,
    max_body: Annotated[
        int, typer.Option("--max-body", help="Largest request body, in bytes.")
    ] = DEFAULT_MAX_BODY,
    reload_interval: Annotated[
        float,
        typer.Option("--reload-interval", help="Seconds between checks for a new list."),
    ] = DEFAULT_RELOAD_INTERVAL_S,
    idle_timeout: Annotated[
        float, typer.Option("--idle-timeout", help="Seconds before an idle connection closes.")
    ] = DEFAULT_IDLE_TIMEOUT_S,
    messages: Annotated[
        Path | None,
        typer.Option("--messages", help="A folder of block page catalogues (<lang>.json)."),
    ] = None,
) -> None:
    """Answer batch checks over HTTP from the verified list in force, on loopback by default."""
    from hotlist.blockpage import Catalogues
    from hotlist.edge.daemon import make_server
    from hotlist.edge.lookup import LookupService
    from hotlist.edge.store import Store
    from hotlist.errors import ConfigError
    from hotlist.logs import configure

    if reload_interval <= 0:
        raise ConfigError("--reload-interval must be positive")
    configure("hotlist edge serve")
    service = LookupService(
        Store(store), catalogues=Catalogues(messages), reload_interval=reload_interval
    )
    server = make_server(service, host, port, max_body=max_body, idle_timeout=idle_timeout)
    console = make_console(stderr=True)
    if host not in ("127.0.0.1", "::1", "localhost"):
        console.print(f"[yellow]warning:[/] listening on {host}: the daemon has no authentication")
    console.print(f"listening on {server.url} (store {store}); Ctrl-C stops", markup=False)
    sys.stderr.flush()
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
