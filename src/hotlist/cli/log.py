"""``hotlist log``: print the transparency log's events, and audit a signed tree head.

``show`` reads the server's database (``--data-dir``) or its API (``--server`` with a key);
``verify`` needs only the API and the head: anyone holding a head can check the log behind it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hotlist.cli.console import make_console, print_table
from hotlist.cli.server import DatabaseUrl, DataDir
from hotlist.errors import ConfigError
from hotlist.text import plural

if TYPE_CHECKING:  # imported where used: every `hotlist` command loads this module
    from hotlist.edge.log_client import LogClient
    from hotlist.publish.log.events import LogEvent

log_app = typer.Typer(
    name="log",
    help="The transparency log: its events, and audits of its heads.",
    no_args_is_help=True,
)

ServerOption = Annotated[
    str | None,
    typer.Option(
        "--server",
        envvar="HOTLIST_SERVER",
        help="The hotline server's address (https://...; a /v1/tuf/ suffix is ignored).",
        show_default=False,
    ),
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--key",
        envvar="HOTLIST_API_KEY",
        help="Your API key, or file:PATH or env:VARIABLE holding it.",
        show_default=False,
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
PAGE = 1000


def register(app: typer.Typer) -> None:
    """Add the ``log`` group to ``app``."""
    app.add_typer(log_app, name="log")


def _api_key(reference: str | None) -> str:
    if not reference:
        raise ConfigError("give your API key with --key (or HOTLIST_API_KEY)")
    kind, _, rest = reference.partition(":")
    if kind == "file":
        try:
            return Path(rest).read_text().strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the API key file {rest}: {exc.strerror}") from exc
    if kind == "env":
        value = os.environ.get(rest, "")
        if not value:
            raise ConfigError(f"the API key variable {rest} is not set")
        return value
    return reference


def _client(server: str | None, key: str | None) -> LogClient:
    from hotlist.edge.log_client import LogClient

    if not server:
        raise ConfigError("give the hotline server's address with --server (or HOTLIST_SERVER)")
    base = server.rstrip("/").removesuffix("/v1/tuf")
    return LogClient(base, _api_key(key))


def _events_from_api(
    client: LogClient, start: int, end: int | None
) -> Iterator[tuple[int, LogEvent]]:
    from hotlist.publish.log.events import decode_event

    for index, data in client.leaves(start, end):
        yield index, decode_event(data)


def _events_from_database(
    data_dir: Path | None, database_url: str | None, start: int, end: int | None
) -> list[tuple[int, LogEvent]]:
    from hotlist.cli.admin import _session
    from hotlist.server.log import service

    found: list[tuple[int, LogEvent]] = []
    with _session(data_dir, database_url) as session:
        position = start
        while end is None or position < end:
            page = service.entries(session, position, end)
            found.extend((leaf.index, leaf.event) for leaf in page)
            if len(page) < PAGE:
                break
            position = page[-1].index + 1
    return found


@log_app.command("show")
def show(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    server: ServerOption = None,
    key: KeyOption = None,
    as_json: JsonFlag = False,
    start: Annotated[int, typer.Option("--start", min=0, help="First leaf index.")] = 0,
    end: Annotated[
        int | None, typer.Option("--end", min=0, help="Stop before this leaf index.")
    ] = None,
) -> None:
    """Print the log's events (from the server's database, or its API with --server)."""
    if server:
        client = _client(server, key)
        try:
            events = list(_events_from_api(client, start, end))
        finally:
            client.close()
    else:
        events = _events_from_database(data_dir, database_url, start, end)
    if as_json:
        typer.echo(json.dumps([{"index": i, **event.to_json()} for i, event in events], indent=2))
        return
    from rich.table import Table

    from hotlist.publish.log.events import format_time

    table = Table("index", "time", "kind", "entry / subject", "details")
    for index, event in events:
        fields: dict[str, Any] = dict(event.fields)
        subject = str(
            fields.pop("entry_id", None)
            or fields.pop("objection_id", None)
            or fields.pop("appeal_id", None)
            or fields.get("policy_version", "")
        )
        details = " ".join(f"{name}={value}" for name, value in sorted(fields.items()))
        table.add_row(str(index), format_time(event.time), event.kind.value, subject, details)
    console = make_console()
    print_table(console, table)
    console.print(plural(len(events), "event", "events"))


@log_app.command("verify")
def verify(
    head: Annotated[Path, typer.Option("--head", help="The signed tree head file to audit.")],
    server: ServerOption = None,
    key: KeyOption = None,
    log_key: Annotated[
        Path | None,
        typer.Option(
            "--log-key",
            help="The log's public key (PEM). Default: key.pub beside the head file, as an "
            "edge store keeps it (extras/log/).",
            show_default=False,
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="An older signed head: check the log extends it."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Download the log up to the head's size, recompute its root, check the head's signature
    (and, with --previous, that the log grew from the older head without forking)."""
    from hotlist.publish.log.audit import audit_head
    from hotlist.publish.log.events import format_time
    from hotlist.publish.log.head import SignedTreeHead, load_public_key

    signed = SignedTreeHead.from_json(_read(head), str(head))
    before = SignedTreeHead.from_json(_read(previous), str(previous)) if previous else None
    key_path = log_key or head.with_name("key.pub")
    if not key_path.is_file():
        raise ConfigError(f"no log key at {key_path}: give the log's public key with --log-key")
    public = load_public_key(_read(key_path), str(key_path))
    signed.verify(public)
    client = _client(server, key)
    try:
        leaves = _download(client, signed.head.size, quiet=as_json)
        proof = None
        if before is not None and before.head.size <= signed.head.size:
            proof = client.consistency_proof(before.head.size, signed.head.size)
    finally:
        client.close()
    verified = audit_head(signed, public, leaves, before, proof)
    summary = {
        "size": verified.size,
        "root_hash": verified.root_hash.hex(),
        "timestamp": format_time(verified.timestamp),
        "key_id": signed.key_id,
        "previous_size": None if before is None else before.head.size,
        "verified": True,
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    text = (
        f"[green]OK[/]: the head (size {verified.size}, root {verified.root_hash.hex()}) is "
        f"signed by log key {signed.key_id[:16]} and matches the {verified.size} leaves served"
    )
    if before is not None:
        text += f"; the log extends the previous head (size {before.head.size}) without a fork"
    make_console().print(text)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc


def _download(client: LogClient, size: int, *, quiet: bool) -> list[bytes]:
    from rich.progress import Progress

    leaves: list[bytes] = []
    with Progress(disable=quiet or size < PAGE, transient=True) as progress:
        task = progress.add_task("downloading the log", total=size)
        for _index, data in client.leaves(0, size):
            leaves.append(data)
            progress.advance(task)
    return leaves
