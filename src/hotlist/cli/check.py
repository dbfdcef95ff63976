"""``hotlist check URL...``: show how the list sees URLs (canonical form, expressions, hashes)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape

from hotlist.cli.console import make_console
from hotlist.errors import InvalidURL
from hotlist.urls import canonical_parts, expression_hash, expressions_from_parts


def register(app: typer.Typer) -> None:
    """Add the ``check`` command to ``app``."""
    app.command("check")(check)


def check(
    urls: Annotated[list[str], typer.Argument(metavar="URL", help="URLs to canonicalize.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document for machines.")
    ] = False,
) -> None:
    """Print each URL's canonical form, its lookup expressions and their SHA-256 hashes.

    A bad URL gets its error and the others are still shown; the exit status is then non-zero.
    """
    results = [_describe(url) for url in urls]
    if as_json:
        typer.echo(json.dumps(results, indent=2, ensure_ascii=True))
    else:
        _print(results)
    if any("error" in result for result in results):
        raise typer.Exit(InvalidURL.exit_code)


def _describe(url: str) -> dict[str, Any]:
    shown = url.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    try:
        parts = canonical_parts(url)
    except InvalidURL as exc:
        return {"url": shown, "error": exc.message}
    return {
        "url": shown,
        "canonical": parts.url(),
        "expressions": [
            {"expression": expression, "sha256": expression_hash(expression).hex()}
            for expression in expressions_from_parts(parts)
        ],
    }


def _print(results: list[dict[str, Any]]) -> None:
    out = make_console()
    err = make_console(stderr=True)
    for result in results:
        if "error" in result:
            err.print(f"[bold red]error:[/] {escape(result['url'])}: {escape(result['error'])}")
            continue
        out.print(f"[bold]{escape(result['canonical'])}[/]")
        for item in result["expressions"]:
            out.print(f"  {item['sha256']}  {escape(item['expression'])}")
