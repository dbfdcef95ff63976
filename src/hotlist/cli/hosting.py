"""``hotlist hosting lookup HOST``: where a host is and who to tell; ``hotlist admin
intermediaries list|add|remove``: the hosts that are never the host of what they show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from hotlist.cli.admin import JsonFlag, _emit, _session
from hotlist.cli.admin import admin as admin_group
from hotlist.cli.console import make_console, print_table
from hotlist.cli.server import DatabaseUrl, DataDir

hosting = typer.Typer(help="Where content is hosted, and who is told.", no_args_is_help=True)
intermediaries = typer.Typer(
    help="The intermediaries list: hosts that are never the host (shorteners, image search, "
    "link echoes).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``hosting`` to ``app`` and ``intermediaries`` to ``hotlist admin``."""
    app.add_typer(hosting, name="hosting")
    admin_group.add_typer(intermediaries, name="intermediaries")


@hosting.command("lookup")
def lookup(
    host: Annotated[str, typer.Argument(help="A host name, an IP address or a URL.")],
    sources: Annotated[
        str,
        typer.Option(envvar="HOTLIST_HOSTING_SOURCES", help="offline or live."),
    ] = "offline",
    data_file: Annotated[
        Path | None,
        typer.Option(envvar="HOTLIST_HOSTING_DATA_FILE", help="The offline hosting data."),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(envvar="HOTLIST_HOSTING_TIMEOUT_S", min=0.1, help="Seconds per query."),
    ] = 5.0,
    nameservers: Annotated[
        str,
        typer.Option(envvar="HOTLIST_HOSTING_NAMESERVERS", help="Name servers, comma-separated."),
    ] = "",
    abusix_zone: Annotated[
        str, typer.Option(envvar="HOTLIST_ABUSIX_ZONE", help="The Abusix zone ('': none).")
    ] = "abuse-contacts.abusix.zone",
    as_json: JsonFlag = False,
) -> None:
    """Look HOST up now and print what was found (nothing is stored)."""
    from hotlist.server.hosting.service import probe
    from hotlist.server.kit.lookups_live import sources_for

    chosen = sources_for(
        sources,
        data_file=data_file,
        timeout=timeout,
        nameservers=nameservers,
        abusix_zone=abusix_zone,
    )
    found = probe(chosen, host)
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    table = Table(show_header=False)
    for label, value in _rows(found):
        table.add_row(label, value)
    print_table(make_console(), table)


def _rows(found: dict[str, Any]) -> list[tuple[str, str]]:
    def listed(values: list[str]) -> str:
        return ", ".join(values) or "-"

    asn = found["asn"]
    return [
        ("host", found["host"]),
        ("addresses", listed(found["addresses"])),
        (
            "network",
            f"{found['network_name'] or '-'} (AS{asn})" if asn else found["network_name"] or "-",
        ),
        ("country", found["country"] or "-"),
        ("abuse contacts", listed(found["abuse_contacts"])),
        ("registrar", found["registrar"] or "-"),
        ("upstream contacts", listed(found["upstream_contacts"])),
        ("registrar contacts", listed(found["registrar_contacts"])),
        ("sources", ", ".join(f"{k}: {v}" for k, v in found["sources"].items())),
        ("error", found["error"] or "-"),
    ]


def _intermediary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "host": row.host,
        "kind": row.kind,
        "note": row.note,
        "added_at": row.added_at.isoformat(),
        "removed_at": row.removed_at.isoformat() if row.removed_at else None,
    }


@intermediaries.command("list")
def list_intermediaries(
    include_removed: Annotated[
        bool, typer.Option("--include-removed", help="Show removed ones too.")
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """List the intermediaries, by host."""
    from hotlist.server.hosting import service

    with _session(data_dir, database_url) as session:
        rows = [
            _intermediary(row)
            for row in service.intermediaries(session, include_removed=include_removed)
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("host", "kind", "note", "added", "removed")
    for row in rows:
        table.add_row(
            row["host"], row["kind"], row["note"], row["added_at"], row["removed_at"] or ""
        )
    print_table(make_console(), table)


@intermediaries.command("add")
def add_intermediary(
    host: Annotated[str, typer.Argument(help="The host (every name under it is covered).")],
    kind: Annotated[str, typer.Option(help="image_search, link_echo, shortener or other.")],
    note: Annotated[str, typer.Option(help="Why it is on the list.")] = "",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Put HOST on the intermediaries list: reports under it are flagged, never noticed."""
    from hotlist.server.db.base import utcnow
    from hotlist.server.hosting import service

    with _session(data_dir, database_url) as session:
        data = _intermediary(service.add_intermediary(session, host, kind, note=note, now=utcnow()))
    _emit(as_json, data, f"intermediary {data['host']} ({data['kind']}) added")


@intermediaries.command("remove")
def remove_intermediary(
    host: Annotated[str, typer.Argument(help="The host to take off the list.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Take HOST off the intermediaries list (its row stays, marked removed)."""
    from hotlist.server.db.base import utcnow
    from hotlist.server.hosting import service

    with _session(data_dir, database_url) as session:
        data = _intermediary(service.remove_intermediary(session, host, now=utcnow()))
    _emit(as_json, data, f"intermediary {data['host']} removed")
