"""``hotlist edge check URL...``: the verdict of the list in force for each URL."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from hotlist.cli.console import make_console, print_table, print_warning
from hotlist.cli.edge_options import DEFAULT_STORE, StoreOption
from hotlist.edge.verdict import Verdict
from hotlist.errors import HotlistError, InvalidURL

if TYPE_CHECKING:
    from hotlist.edge.store import Store
    from hotlist.publish.public_policy import PublicCategory, PublicPolicy


HELP = (
    "Say for each URL whether the verified list in force blocks it, and under which entry."
    "\n\n"
    "Exits 0 when every URL was checked, blocked or not; with the error's code when the store"
    " is missing, its list fails verification, or it is stale and the fail mode is closed;"
    " with 3, after checking the others, when a URL is invalid. A stale list under fail mode"
    " open is used, with a warning."
)


def check(
    urls: Annotated[list[str], typer.Argument(metavar="URL", help="URLs to check.")],
    store: StoreOption = DEFAULT_STORE,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document for machines.")
    ] = False,
) -> None:
    """Say for each URL whether the verified list in force blocks it, and under which entry.

    Exits 0 when every URL was checked, blocked or not; with the error's code when the store is
    missing, its list fails verification, or it is stale and the fail mode is closed; with 3
    after the others when a URL is invalid. A stale list under fail mode open is used, with a
    warning.
    """
    from hotlist.edge.in_force import ListInForce
    from hotlist.edge.store import Store

    the_store = Store(store)
    matcher, status = ListInForce(the_store).enforceable()
    verdicts = matcher.check_many(urls)
    shown = [_printable(url) for url in urls]
    policy, policy_problem = _policy(the_store)
    if as_json:
        if policy_problem is not None:
            print_warning(make_console(stderr=True), policy_problem)
        document = {
            "list": matcher.list_name,
            "version": matcher.version,
            "stale": status.stale,
            "results": [
                {"url": url, **verdict.to_json(), **_category_json(verdict, policy)}
                for url, verdict in zip(shown, verdicts, strict=True)
            ],
        }
        typer.echo(json.dumps(document, indent=2, ensure_ascii=True))
    else:
        entries = "1 entry" if matcher.count == 1 else f"{matcher.count:,} entries"
        table = Table(
            title=f"list {matcher.list_name} version {matcher.version}, {entries}",
            title_justify="left",
        )
        table.add_column("URL")
        for column in ("verdict", "category", "entry id"):
            table.add_column(column, no_wrap=True)
        rows = [
            (escape(url), *_cells(verdict, policy))
            for url, verdict in zip(shown, verdicts, strict=True)
        ]
        notes = any(row[-1] for row in rows)
        if notes:
            table.add_column("note", ratio=1)
        for row in rows:
            table.add_row(*(row if notes else row[:-1]))
        console = make_console()
        if policy_problem is not None:
            print_warning(console, policy_problem)
        if status.stale:
            print_warning(console, "the list is stale (fail mode open)")
        print_table(console, table)
    if any(verdict.error is not None for verdict in verdicts):
        raise typer.Exit(InvalidURL.exit_code)


def _policy(store: Store) -> tuple[PublicPolicy | None, str | None]:
    """The public policy of the list in force (for category names), and why there is none
    when that is worth a warning; verdicts are given without it, categories as numbers."""
    try:
        return store.public_policy(), None
    except HotlistError as exc:
        return None, f"categories are shown as numbers: {exc.message}"


def _category(verdict: Verdict, policy: PublicPolicy | None) -> PublicCategory | None:
    """The blocking entry's category as the policy in force defines it, if it does."""
    if policy is None or verdict.category is None:
        return None
    return policy.category(verdict.category)


def _category_json(verdict: Verdict, policy: PublicPolicy | None) -> dict[str, str | None]:
    """The category's code and name, beside its number (``category``); null when unknown."""
    category = _category(verdict, policy)
    if category is None:
        return {"category_code": None, "category_name": None}
    return {"category_code": category.code, "category_name": category.name}


def _cells(verdict: Verdict, policy: PublicPolicy | None) -> tuple[str, str, str, str]:
    """Verdict, category, entry id and note, as Rich markup."""
    if verdict.error is not None:
        return "[yellow]invalid[/]", "", "", escape(verdict.error)
    if verdict.blocked:
        note = "disputed: an objection is pending" if verdict.disputed else ""
        category = _category(verdict, policy)
        # The number only when the policy that travels with the list does not name it.
        label = str(verdict.category) if category is None else category.name or category.code
        return "[bold red]blocked[/]", escape(label), verdict.entry_ref or "", note
    return "[green]not blocked[/]", "", "", ""


def _printable(url: str) -> str:
    """The URL as text that can always be printed (an undecodable byte shown as an escape)."""
    return url.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
