"""``hotlist check``: canonical form, expressions and hashes, errors and --json."""

from __future__ import annotations

import json
from hashlib import sha256

import pytest
import typer
from typer.testing import CliRunner

from hotlist.cli import check
from hotlist.errors import InvalidURL


@pytest.fixture
def app() -> typer.Typer:
    """A command group holding only ``check``, as main.py registers it."""
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Keep ``check`` a sub-command."""

    check.register(app)
    return app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_prints_canonical_form_expressions_and_hashes(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", "http://A.B.example/1/2.html?param=1#top"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "http://a.b.example/1/2.html?param=1"
    assert len(lines) == 9
    digest, expression = lines[3].split()
    assert expression == "a.b.example/"
    assert digest == sha256(b"a.b.example/").hexdigest()


def test_bad_url_is_reported_after_the_others_and_fails(
    app: typer.Typer, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["check", "javascript:x", "www.example.com", "http://[::1/"])
    assert result.exit_code == InvalidURL.exit_code
    assert "http://www.example.com/" in result.stdout
    assert "error: javascript:x: unsupported scheme 'javascript'" in result.stderr
    assert "error: http://[::1/: invalid IPv6 literal" in result.stderr


def test_json_output(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", "--json", "www.example.com", ""])
    assert result.exit_code == InvalidURL.exit_code
    document = json.loads(result.stdout)
    assert document[0]["canonical"] == "http://www.example.com/"
    assert [item["expression"] for item in document[0]["expressions"]] == [
        "www.example.com/",
        "example.com/",
    ]
    assert document[0]["expressions"][1]["sha256"] == sha256(b"example.com/").hexdigest()
    assert document[1] == {"url": "", "error": "the URL is empty"}


def test_needs_at_least_one_url(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2
