"""``hotlist admin``: organisations, people and API keys, straight on the database."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from hotlist.cli.console import make_console, print_table
from hotlist.cli.server import DatabaseUrl, DataDir

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]

admin = typer.Typer(help="Organisations, people and API keys.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``admin`` group to ``app``."""
    app.add_typer(admin, name="admin")


@contextmanager
def database(data_dir: Any, database_url: str | None) -> Iterator[Engine]:
    """An engine on the configured database, which must exist and be at the head revision."""
    from hotlist.errors import StorageError
    from hotlist.server.config import Settings
    from hotlist.server.db.session import make_engine
    from hotlist.server.db.upgrade import require_head

    settings = Settings.load(data_dir, database_url)
    if settings.is_sqlite and settings.data_dir and not (settings.data_dir / "hotlist.db").exists():
        raise StorageError(
            f"no database in {settings.data_dir}: create it with "
            f"`hotlist db upgrade --data-dir {settings.data_dir}`"
        )
    engine = make_engine(settings.database_url)
    try:
        require_head(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _session(data_dir: Any, database_url: str | None) -> Iterator[Session]:
    """A session on the configured database (at the head revision), committed on success."""
    from hotlist.server.db.session import session_factory

    with (
        database(data_dir, database_url) as engine,
        session_factory(engine)() as session,
        session.begin(),
    ):
        yield session


def _emit(as_json: bool, data: dict[str, Any], text: str) -> None:
    if as_json:
        typer.echo(json.dumps(data, default=str, indent=2))
    else:
        make_console().print(text)


@admin.command("create-org")
def create_org(
    name: Annotated[str, typer.Argument(help="The organisation's name (unique).")],
    kind: Annotated[
        str, typer.Option(help="hotline, isp, platform, search_engine, observer or partner.")
    ],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an organisation."""
    from hotlist.server.accounts import service

    with _session(data_dir, database_url) as session:
        org = service.create_org(session, name, kind)
        data = {"id": org.id, "name": org.name, "kind": org.kind}
    _emit(as_json, data, f"organisation {data['id']}: {data['name']} ({data['kind']})")


@admin.command("list-orgs")
def list_orgs(
    data_dir: DataDir = None, database_url: DatabaseUrl = None, as_json: JsonFlag = False
) -> None:
    """List the organisations."""
    from hotlist.server.accounts import service

    with _session(data_dir, database_url) as session:
        rows: list[dict[str, Any]] = [
            {"id": o.id, "name": o.name, "kind": o.kind}
            for o in service.list_orgs(session, limit=10_000)
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "name", "kind")
    for row in rows:
        table.add_row(str(row["id"]), str(row["name"]), str(row["kind"]))
    print_table(make_console(), table)


@admin.command("create-user")
def create_user(
    name: Annotated[str, typer.Argument(help="The person's display name.")],
    org: Annotated[str, typer.Option(help="The organisation's id or name.")],
    role: Annotated[
        str, typer.Option(help="analyst, supervisor, member, observer, partner or admin.")
    ],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a person with a role to an organisation."""
    from hotlist.server.accounts import service

    with _session(data_dir, database_url) as session:
        user = service.create_user(session, service.get_org(session, org), name, role)
        data = {"id": user.id, "name": user.name, "role": user.role, "org_id": user.org_id}
    _emit(as_json, data, f"user {data['id']}: {data['name']} ({data['role']})")


@admin.command("list-users")
def list_users(
    role: Annotated[str | None, typer.Option(help="Only people with this role.")] = None,
    org: Annotated[
        str | None, typer.Option(help="Only people of this organisation (id or name).")
    ] = None,
    disabled: Annotated[
        bool | None,
        typer.Option("--disabled/--enabled", help="Only the disabled, or only the enabled."),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """List the people: id, name, role, organisation, and whether they are disabled."""
    from hotlist.server.accounts import service

    with _session(data_dir, database_url) as session:
        org_id = service.get_org(session, org).id if org is not None else None
        orgs = {o.id: o.name for o in service.list_orgs(session, limit=10_000)}
        rows: list[dict[str, Any]] = [
            {
                "id": u.id,
                "name": u.name,
                "role": u.role,
                "org_id": u.org_id,
                "org": orgs.get(u.org_id, ""),
                "disabled_at": u.disabled_at.isoformat() if u.disabled_at else None,
            }
            for u in service.list_users(session, org_id, limit=10_000, role=role, disabled=disabled)
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "name", "role", "organisation", "disabled since")
    for row in rows:
        table.add_row(
            str(row["id"]), row["name"], row["role"], row["org"], row["disabled_at"] or ""
        )
    print_table(make_console(), table)


Reason = Annotated[str, typer.Option(help="Why (required; kept with the change).")]


@admin.command("disable-user")
def disable_user(
    user: Annotated[int, typer.Option(help="The person's id.")],
    reason: Reason,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Disable a person: their web sessions end, their API keys are revoked (running servers
    stop accepting them within their key cache period), their history stays."""
    from hotlist.server.accounts import service

    with _session(data_dir, database_url) as session:
        found, revoked = service.disable_user(session, user, reason)
        data = {
            "id": found.id,
            "name": found.name,
            "disabled_at": found.disabled_at,
            "revoked_key_ids": revoked,
        }
    keys = "1 API key" if len(revoked) == 1 else f"{len(revoked)} API keys"
    _emit(as_json, data, f"user {data['id']} ({data['name']}) disabled; {keys} revoked")


@admin.command("enable-user")
def enable_user(
    user: Annotated[int, typer.Option(help="The person's id.")],
    reason: Reason,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Enable a disabled person again; the keys revoked on disabling stay revoked."""
    from hotlist.server.accounts import service

    with _session(data_dir, database_url) as session:
        found = service.enable_user(session, user, reason)
        data = {"id": found.id, "name": found.name, "disabled_at": None}
    _emit(as_json, data, f"user {user} ({data['name']}) enabled; issue new keys if they need any")


@admin.command("issue-key")
def issue_key(
    user: Annotated[int | None, typer.Option(help="A person's id: the key acts as them.")] = None,
    org: Annotated[str | None, typer.Option(help="For a machine key: organisation.")] = None,
    role: Annotated[str | None, typer.Option(help="For a machine key: its role.")] = None,
    label: Annotated[str, typer.Option(help="What the key is for.")] = "",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Issue an API key and print it ONCE; only a slow hash of it is kept."""
    from hotlist.server.accounts import service

    with _session(data_dir, database_url) as session:
        person = service.get_user(session, user) if user is not None else None
        organisation = service.get_org(session, org) if org is not None else None
        row, secret = service.issue_key(
            session, user=person, org=organisation, role=role, label=label
        )
        data = {"id": row.id, "role": row.role, "org_id": row.org_id, "user_id": row.user_id}
    data["key"] = secret
    _emit(
        as_json,
        data,
        f"key {data['id']} ({data['role']}); store it now, it is not shown again:\n{secret}",
    )


@admin.command("revoke-key")
def revoke_key(
    key_id: Annotated[int, typer.Argument(help="The key's id (not the key).")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Revoke an API key; running servers stop accepting it within their key cache period."""
    from hotlist.server.accounts import service

    with _session(data_dir, database_url) as session:
        row = service.revoke_key(session, key_id)
        data = {"id": row.id, "revoked_at": row.revoked_at}
    _emit(as_json, data, f"key {key_id} revoked")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        import sys

        return sys.stdin.readline().rstrip("\r\n")
    first: str = typer.prompt("New password", hide_input=True)
    second: str = typer.prompt("Repeat it", hide_input=True)
    if first != second:
        from hotlist.errors import InvalidRequest

        raise InvalidRequest("the two passwords differ; run the command again")
    return first


@admin.command("set-password")
def set_password(
    user: Annotated[int, typer.Option(help="The person's id.")],
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Set a person's password for the web pages (at least 12 characters) and print the login
    name they sign in with; clears a wait after wrong codes."""
    from hotlist.server.accounts import service
    from hotlist.server.web.auth import service as auth

    password = _read_password(password_stdin)
    with _session(data_dir, database_url) as session:
        login = auth.set_password(session, service.get_user(session, user), password)
    _emit(
        as_json,
        {"id": user, "password_set": True, "login_name": login},
        f"password of user {user} set; they sign in as {login}",
    )


@admin.command("enroll-totp")
def enroll_totp(
    user: Annotated[int, typer.Option(help="The person's id.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
    qr: Annotated[
        bool, typer.Option("--qr/--no-qr", help="Also print the URI as a QR code to scan.")
    ] = True,
) -> None:
    """Give a person a new TOTP key and print it ONCE (the secret and the otpauth:// URI for
    their authenticator app, and a QR code of the URI to scan); any earlier key stops
    working."""
    from hotlist.server.accounts import service
    from hotlist.server.web.auth import service as auth

    with _session(data_dir, database_url) as session:
        found = service.get_user(session, user)
        enrollment = auth.enroll_totp(session, found)
        login = auth.login_name(session, found.id)
    data = {"id": user, "secret": enrollment.secret, "uri": enrollment.uri, "login_name": login}
    _emit(
        as_json,
        data,
        f"TOTP key of user {user} (login name {login}); put it in their authenticator app now, "
        f"it is not shown again:\nsecret: {enrollment.secret}\nuri:    {enrollment.uri}",
    )
    if qr and not as_json:
        typer.echo(totp_qr(enrollment.uri, sys.stdout.encoding or "ascii"))


def totp_qr(uri: str, encoding: str) -> str:
    """``uri`` as a QR code in text (segno's half blocks: two rows a line), or why not when the
    terminal's ``encoding`` cannot show the blocks."""
    import segno

    out = io.StringIO()
    segno.make(uri, error="m").terminal(out=out, compact=True, border=2)
    code = out.getvalue()
    try:
        code.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return f"(no QR code: this terminal's {encoding} cannot show it; type the secret instead)"
    return code
