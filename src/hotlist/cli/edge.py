"""``hotlist edge``: a member's store of the list: init, sync, status, run (and check, M's).

Base install only: nothing here needs the server's dependencies.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TransferSpeedColumn,
)

from hotlist.cli.console import make_console
from hotlist.cli.edge_options import DEFAULT_STORE, StoreOption
from hotlist.edge.config import EdgeConfig, file_key_reference
from hotlist.edge.store import Store
from hotlist.errors import ConfigError, StaleList, SyncError

edge_app = typer.Typer(
    name="edge",
    help="The member's side: a verified local copy of the list and checks against it.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the ``edge`` group, with the ``check`` command, to the ``hotlist`` command."""
    from hotlist.cli import edge_check, edge_rpz, edge_serve, edge_squid

    edge_app.command("check", help=edge_check.HELP)(edge_check.check)
    edge_app.command("squid-helper", help=edge_squid.HELP)(edge_squid.squid_helper)
    edge_app.command("rpz", help=edge_rpz.HELP)(edge_rpz.rpz)
    edge_app.command("serve", help=edge_serve.HELP)(edge_serve.serve)
    app.add_typer(edge_app, name="edge")


@edge_app.command("init")
def init(
    server: Annotated[
        str, typer.Option("--server", help="Base URL of the list repository (…/v1/tuf/).")
    ],
    key: Annotated[
        str,
        typer.Option(
            "--key",
            help=(
                "The member's API key, or env:VARIABLE / file:PATH to read it from there"
                " (a relative PATH is taken from the current directory and kept absolute)."
            ),
        ),
    ],
    store: StoreOption = DEFAULT_STORE,
    root: Annotated[
        Path | None,
        typer.Option("--root", help="The repository's root.json, obtained out of band."),
    ] = None,
    unsafe_trust_on_first_use: Annotated[
        bool,
        typer.Option(
            "--unsafe-trust-on-first-use",
            help="Fetch 1.root.json from the server and trust whatever it says (unsafe).",
        ),
    ] = False,
    list_name: Annotated[str, typer.Option("--list", help="The list's name.")] = "main",
    max_age: Annotated[
        int, typer.Option("--max-age", help="Seconds after which the list counts as stale.")
    ] = 7200,
    fail_mode: Annotated[
        str, typer.Option("--fail-mode", help="With a stale list: 'open' or 'closed'.")
    ] = "closed",
    interval: Annotated[
        int, typer.Option("--interval", help="Seconds between syncs in `hotlist edge run`.")
    ] = 60,
    suspend_disputed: Annotated[
        bool,
        typer.Option(
            "--suspend-disputed",
            help="Do not block on entries a member has objected to, until a supervisor decides.",
        ),
    ] = False,
    unsafe_http: Annotated[
        bool,
        typer.Option(
            "--unsafe-http",
            help="Accept a plain http:// server other than loopback: the key travels in clear.",
        ),
    ] = False,
) -> None:
    """Create an edge store that trusts the given root.json."""
    if (root is None) == (not unsafe_trust_on_first_use):
        raise ConfigError("give exactly one of --root FILE or --unsafe-trust-on-first-use")
    secret: str | None = None
    if key.startswith("env:"):
        reference = key
    elif key.startswith("file:"):
        reference = file_key_reference(key.removeprefix("file:"), Path.cwd())
    else:
        reference, secret = "file:key", key  # kept in the store, beside config.json
    config = EdgeConfig(
        server=server,
        key=reference,
        list_name=list_name,
        max_age_s=max_age,
        fail_mode=fail_mode,  # EdgeConfig checks the value
        interval_s=interval,
        suspend_disputed=suspend_disputed,
        unsafe_http=unsafe_http,
    )
    if root is not None:
        try:
            root_bytes = root.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read the root metadata {root}: {exc.strerror}") from exc
    else:
        root_bytes = _first_root(config, secret)
    _check_root(root_bytes)
    created = Store.create(store, config, root_bytes, api_key=secret)
    make_console().print(
        f"edge store ready in {created.path}; run `hotlist edge sync --store {store}`",
        markup=False,
    )


def _first_root(config: EdgeConfig, secret: str | None) -> bytes:
    from hotlist.edge.fetcher import KeyFetcher

    key = secret if secret is not None else config.api_key(Path.cwd())
    url = config.metadata_url + "1.root.json"
    fetcher = KeyFetcher(key)
    try:
        return b"".join(fetcher.fetch(url))
    except Exception as exc:
        # python-tuf wraps every fetch failure; its cause says what went wrong.
        raise SyncError(f"cannot fetch {url}: {exc.__cause__ or exc}") from exc
    finally:
        fetcher.close()


def _check_root(data: bytes) -> None:
    from tuf.api.metadata import Metadata

    try:
        md = Metadata.from_bytes(data)
        md.signed.verify_delegate("root", md.signed_bytes, md.signatures)
    except Exception as exc:
        raise ConfigError(f"the root metadata is not a valid, self-signed TUF root: {exc}") from exc


@edge_app.command("sync")
def sync_command(
    store: StoreOption = DEFAULT_STORE,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Fetch and verify the newest list; on any failure keep the previous one and exit non-zero."""
    from hotlist.edge.sync import sync

    console = make_console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
        disable=quiet,
        transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def hook(url: str, received: int, total: int | None) -> None:
            if url not in tasks:
                tasks[url] = progress.add_task(url.rsplit("/", 1)[-1][-40:], total=total)
            progress.update(tasks[url], completed=received)

        result = sync(Store(store), progress=hook)
    entries = "entry" if result.count == 1 else "entries"
    received = "byte" if result.bytes_downloaded == 1 else "bytes"
    make_console().print(
        f"list version {result.version}: {result.count:,} {entries} (via {result.method}, "
        f"{result.bytes_downloaded:,} {received}, {result.seconds:.2f} s)"
    )


@edge_app.command("status")
def status_command(
    store: StoreOption = DEFAULT_STORE,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
) -> None:
    """Show the list in force: version, age, entries, last sync, last error.

    Exits 0 when the list is fresh, 13 when it is stale, 7 when the store never synced.
    """
    from hotlist.edge.status import read_status

    status = read_status(_store(store))
    if as_json:
        typer.echo(json.dumps(status.to_dict(), indent=2, sort_keys=True))
    else:
        console = make_console()
        age = "-" if status.age_s is None else f"{status.age_s / 60:.1f} min"
        state = _STATES[status.state]
        console.print(f"store        {escape(str(status.store))}")
        console.print(
            f"list         {escape(str(status.list_name))} from {escape(str(status.server))}"
        )
        console.print(f"version      {status.version if status.synced else 'none (never synced)'}")
        console.print(f"entries      {status.count if status.count is not None else '-'}")
        console.print(f"published    {status.published_at or '-'}")
        console.print(f"last sync    {status.synced_at or '-'} (age {age})")
        hint = "" if status.synced else ": no list in force yet, run `hotlist edge sync`"
        console.print(
            f"state        {state} (max age {status.max_age_s} s, fail {status.fail_mode}){hint}"
        )
        console.print(f"last error   {escape(str(status.last_error or '-'))}", highlight=False)
    if status.exit_code:
        raise typer.Exit(status.exit_code)


_STATES = {
    "fresh": "[green]fresh[/]",
    "stale": "[red]STALE[/]",
    "never_synced": "[yellow]never synced[/]",
}


def _store(path: Path) -> Store:
    store = Store(path)
    store.config()
    return store


@edge_app.command("run")
def run_command(
    store: StoreOption = DEFAULT_STORE,
    once: Annotated[bool, typer.Option("--once", help="One sync, then exit.")] = False,
    max_cycles: Annotated[
        int | None, typer.Option("--max-cycles", help="Stop after this many syncs.")
    ] = None,
    jitter: Annotated[
        float, typer.Option("--jitter", help="Random extra wait, as a fraction of the interval.")
    ] = 0.2,
    rpz: Annotated[
        Path | None,
        typer.Option("--rpz", help="Keep this RPZ zone file current (see `hotlist edge rpz`)."),
    ] = None,
    reload_command: Annotated[
        str | None,
        typer.Option(
            "--reload-command", help="With --rpz: run this (no shell) after each new zone."
        ),
    ] = None,
    rpz_action: Annotated[
        str, typer.Option("--rpz-action", help="With --rpz: nxdomain or cname.")
    ] = "nxdomain",
    rpz_cname_target: Annotated[
        str | None, typer.Option("--rpz-cname-target", help="With --rpz-action cname: the host.")
    ] = None,
    rpz_zone: Annotated[str, typer.Option("--rpz-zone", help="The zone's name.")] = "rpz.hotlist",
) -> None:
    """Re-sync on the store's schedule, with random jitter and exponential backoff on errors."""
    from hotlist.edge.rpz import RpzSettings, ZoneKeeper
    from hotlist.edge.sync import in_force_note, run
    from hotlist.logs import configure

    configure("hotlist edge run")
    cycles = 1 if once else max_cycles
    the_store = _store(store)
    keeper = None
    if rpz is not None:
        settings = RpzSettings.of(rpz_zone, rpz_action, rpz_cname_target)
        keeper = ZoneKeeper(the_store, rpz, settings, reload_command)
    elif reload_command is not None:
        raise ConfigError("--reload-command goes with --rpz FILE")
    failures = run(the_store, max_cycles=cycles, jitter=jitter, sleep=time.sleep, on_sync=keeper)
    if cycles is not None and failures == cycles:
        raise StaleList(f"every sync failed (see the log); {in_force_note(the_store)}")
