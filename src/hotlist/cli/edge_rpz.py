"""``hotlist edge rpz``: write the RPZ zone (host-scope entries) of the list in force."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from hotlist.cli.console import make_console
from hotlist.cli.edge_options import DEFAULT_STORE, StoreOption
from hotlist.edge.rpz import DEFAULT_TTL, DEFAULT_ZONE

HELP = (
    "Write a DNS Response Policy Zone of the host-scope entries of the list in force."
    "\n\n"
    "DNS sees no path, so only host-scope entries go there (each as the name and, like the"
    " list's own rule, the names below it). The SOA serial is the list version. The file is"
    " replaced atomically with mode 0600: it holds host names in clear. See docs/dns.md."
)

ActionOption = Annotated[
    str,
    typer.Option("--action", help="nxdomain, or cname (to --cname-target, the block page host)."),
]
TargetOption = Annotated[
    str | None, typer.Option("--cname-target", help="The block page's host, for --action cname.")
]
ZoneOption = Annotated[
    str, typer.Option("--zone", help="The zone's name (as the resolver has it).")
]
TtlOption = Annotated[int, typer.Option("--ttl", help="The records' TTL in seconds.")]


def rpz(
    out: Annotated[Path, typer.Option("--out", help="The zone file to write.")],
    store: StoreOption = DEFAULT_STORE,
    action: ActionOption = "nxdomain",
    cname_target: TargetOption = None,
    zone: ZoneOption = DEFAULT_ZONE,
    ttl: TtlOption = DEFAULT_TTL,
    reload_command: Annotated[
        str | None,
        typer.Option(
            "--reload-command",
            help="Run this (no shell) after writing, e.g. 'unbound-control auth_zone_reload "
            "rpz.hotlist'.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
) -> None:
    """Write a DNS Response Policy Zone of the host-scope entries of the list in force."""
    from hotlist.edge.rpz import RpzSettings, export_zone, reload_resolver
    from hotlist.edge.store import Store

    settings = RpzSettings.of(zone, action, cname_target, ttl)
    store_ = Store(store)
    store_.config()
    written = export_zone(store_, out, settings)
    if reload_command:
        reload_resolver(reload_command)
    if as_json:
        document = {
            "out": str(out),
            "zone": settings.zone,
            "serial": written.serial,
            "hosts": written.hosts,
            "skipped": len(written.skipped),
            "reloaded": bool(reload_command),
        }
        typer.echo(json.dumps(document, sort_keys=True))
        return
    console = make_console()
    entries = "1 host entry" if written.hosts == 1 else f"{written.hosts} host entries"
    console.print(
        f"zone {settings.zone} serial {written.serial}: {entries} ({settings.action}) "
        f"written to {out}"
    )
    if written.skipped:
        skipped = len(written.skipped)
        what = "1 host (not a DNS name)" if skipped == 1 else f"{skipped} hosts (not DNS names)"
        console.print(f"[yellow]left out {what}[/]:")
        for host, problem in written.skipped:
            console.print(f"  {host}: {problem}", markup=False)
