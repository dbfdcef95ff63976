"""``hotlist keys`` and ``hotlist repo``: the publisher's signing keys and TUF repository.

``hotlist publish`` itself belongs to the server (it reads the entries); these commands need
only the base install.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from hotlist.cli.console import make_console
from hotlist.publish.roles import ROLES, check_role

keys_app = typer.Typer(name="keys", help="The list's signing keys.", no_args_is_help=True)
repo_app = typer.Typer(name="repo", help="The list's TUF repository.", no_args_is_help=True)

KeysOption = Annotated[
    Path, typer.Option("--keys", envvar="HOTLIST_KEYS", help="The signing keys directory.")
]
RepoOption = Annotated[
    Path, typer.Option("--repo", envvar="HOTLIST_REPO", help="The TUF repository directory.")
]


def register(app: typer.Typer) -> None:
    """Add the ``keys`` and ``repo`` groups to the ``hotlist`` command."""
    app.add_typer(keys_app, name="keys")
    app.add_typer(repo_app, name="repo")


@keys_app.command("init")
def keys_init(keys: KeysOption) -> None:
    """Make an Ed25519 key for each TUF role (files mode 0600)."""
    from hotlist.publish.keys import KeyRing
    from hotlist.publish.log.head import ensure_log_key

    ring = KeyRing.init(keys)
    console = make_console()
    for role in ROLES:
        console.print(
            f"{role:<10} {ring.public_key(role).keyid}  {ring.key_path(role)}", markup=False
        )
    log_key = ensure_log_key(ring.path)
    console.print(f"{'log':<10} (signs the transparency log's heads)  {log_key}", markup=False)
    console.print("Keep root.pem offline between ceremonies: see docs/keys.md.")


@keys_app.command("rotate")
def keys_rotate(
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    keys: KeysOption,
    repo: RepoOption,
) -> None:
    """Replace one role's key and publish a new root trusting it (old key kept in retired/).

    Needs the root key in KEYS (it signs the new root): bring root.pem back for the ceremony,
    take it offline again after. Checks every key first and changes nothing when it fails.
    """
    from hotlist.publish.keys import KeyRing
    from hotlist.publish.repository import Repository

    checked = check_role(role)
    repository = Repository(repo, KeyRing(keys))
    with repository.lock():
        version = repository.rotate(checked)
    new = KeyRing(keys).public_key(checked).keyid
    console = make_console()
    console.print(f"{checked} key is now {new}; root version {version} published", markup=False)
    after = "Take root.pem offline again (docs/keys.md)"
    if checked == "root":
        after += "; keep the retired root key until every member has synced"
    console.print(f"{after}.", markup=False)


@repo_app.command("refresh")
def repo_refresh(
    repo: RepoOption,
    keys: KeysOption,
    timestamp_hours: Annotated[
        float, typer.Option("--timestamp-hours", help="Expiry of the new timestamp, in hours.")
    ] = 24.0,
) -> None:
    """Re-sign the timestamp (and targets/snapshot when near expiry), even if nothing changed."""
    from hotlist.publish.keys import KeyRing
    from hotlist.publish.repository import PublishSettings, Repository

    settings = PublishSettings(timestamp_expiry=timedelta(hours=timestamp_hours))
    repository = Repository(repo, KeyRing(keys), settings)
    if not repository.exists():
        from hotlist.errors import ConfigError

        raise ConfigError(f"{repo} holds no repository yet: publish a first version")
    with repository.lock():
        version = repository.refresh_timestamp()
    make_console().print(f"timestamp version {version} signed, valid for {timestamp_hours:g} hours")
