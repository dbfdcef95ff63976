"""``hotlist hosting lookup`` over an offline data file, and ``hotlist admin intermediaries``
on a data directory's database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from hotlist.cli.main import app

DATA = {
    "hosts": {"files.example": ["192.0.2.10", "2001:db8::10"]},
    "networks": [
        {
            "prefix": "192.0.2.0/24",
            "asn": 64500,
            "name": "Example Hosting Ltd",
            "country": "GB",
            "abuse": ["abuse@hosting.example"],
        }
    ],
    "domains": {"files.example": {"registrar": "Example Registrar"}},
}


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "hosting.yaml"
    path.write_text(yaml.safe_dump(DATA), encoding="utf-8")
    return path


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("HOTLIST_DATABASE_URL", raising=False)
    directory = tmp_path / "data"
    result = CliRunner().invoke(app, ["db", "upgrade", "--data-dir", str(directory)])
    assert result.exit_code == 0, result.output
    return directory


def _json(*args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_lookup_prints_what_the_data_file_says(data_file: Path) -> None:
    found = _json("hosting", "lookup", "https://FILES.example/a", "--data-file", str(data_file))
    assert found["host"] == "files.example"
    assert found["addresses"] == ["192.0.2.10", "2001:db8::10"]
    assert (found["asn"], found["network_name"], found["country"]) == (
        64500,
        "Example Hosting Ltd",
        "GB",
    )
    assert found["abuse_contacts"] == ["abuse@hosting.example"]
    assert found["registrar"] == "Example Registrar"
    assert found["error"] is None


def test_lookup_as_a_table_names_each_part(data_file: Path) -> None:
    result = CliRunner().invoke(
        app, ["hosting", "lookup", "files.example", "--data-file", str(data_file)]
    )
    assert result.exit_code == 0, result.output
    assert "Example Hosting Ltd (AS64500)" in result.output
    assert "abuse@hosting.example" in result.output


def test_lookup_reads_the_settings_variables(
    data_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLIST_HOSTING_DATA_FILE", str(data_file))
    assert _json("hosting", "lookup", "files.example")["asn"] == 64500


def test_lookup_of_an_unknown_host_says_so(data_file: Path) -> None:
    found = _json("hosting", "lookup", "gone.example", "--data-file", str(data_file))
    assert found["error"] == "addresses: gone.example has no address (the name does not exist)"


def test_a_missing_data_file_or_unknown_sources_is_a_config_error(tmp_path: Path) -> None:
    missing = CliRunner().invoke(
        app, ["hosting", "lookup", "files.example", "--data-file", str(tmp_path / "none.yaml")]
    )
    assert missing.exit_code != 0
    assert isinstance(missing.exception, Exception)
    assert "cannot read the hosting data file" in str(missing.exception)
    unknown = CliRunner().invoke(app, ["hosting", "lookup", "files.example", "--sources", "x"])
    assert "unknown hosting sources 'x'" in str(unknown.exception)


def test_admins_add_list_and_remove_intermediaries(data_dir: Path) -> None:
    where = ("--data-dir", str(data_dir))
    added = _json("admin", "intermediaries", "add", "Short.Example", "--kind", "shortener", *where)
    assert (added["host"], added["kind"]) == ("short.example", "shortener")
    _json("admin", "intermediaries", "add", "img.example", "--kind", "image_search", *where)
    listed = _json("admin", "intermediaries", "list", *where)
    assert [row["host"] for row in listed] == ["img.example", "short.example"]
    removed = _json("admin", "intermediaries", "remove", "short.example", *where)
    assert removed["removed_at"] is not None
    assert [row["host"] for row in _json("admin", "intermediaries", "list", *where)] == [
        "img.example"
    ]
    everything = _json("admin", "intermediaries", "list", "--include-removed", *where)
    assert [row["host"] for row in everything] == ["img.example", "short.example"]


def test_a_second_add_or_a_wrong_kind_is_refused(data_dir: Path) -> None:
    where = ("--data-dir", str(data_dir))
    _json("admin", "intermediaries", "add", "short.example", "--kind", "shortener", *where)
    again = CliRunner().invoke(
        app, ["admin", "intermediaries", "add", "short.example", "--kind", "shortener", *where]
    )
    assert "on the intermediaries list already" in str(again.exception)
    wrong = CliRunner().invoke(
        app, ["admin", "intermediaries", "add", "a.example", "--kind", "cdn", *where]
    )
    assert "unknown intermediary kind 'cdn'" in str(wrong.exception)
    absent = CliRunner().invoke(app, ["admin", "intermediaries", "remove", "b.example", *where])
    assert "b.example is not on the intermediaries list" in str(absent.exception)
