"""The report files: JSON, CSV and one self-contained HTML page with inline SVG charts."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hotlist.errors import ConfigError
from hotlist.server.figures.charts import bar_chart
from hotlist.server.figures.compute import (
    EntryEndRow,
    EntryRow,
    PeriodRows,
    ReportRow,
    compute,
)
from hotlist.server.figures.removal import Provider, RemovalCaseRow
from hotlist.server.figures.report import FILES, write_report

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.fixture
def figures() -> object:
    rows = PeriodRows(
        START,
        END,
        reports=[ReportRow(START)] * 3,
        entries_added=[EntryRow("csam", START, START), EntryRow("<b>odd</b>", START, None)],
    )
    return compute(rows)


def test_writes_the_three_files(figures: object, tmp_path: Path) -> None:
    out = tmp_path / "report"
    written = write_report(figures, out, operator="Hotline <Example>")  # type: ignore[arg-type]
    assert sorted(path.name for path in written) == sorted(FILES)
    data = json.loads((out / "transparency.json").read_text())
    assert data["reports"]["received"] == 3
    assert data["entries"]["added_by_category"] == {"<b>odd</b>": 1, "csam": 1}
    with (out / "transparency.csv").open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["section", "figure", "value"]
    assert ["reports", "received", "3"] in rows
    html = (out / "index.html").read_text()
    assert html.count("<svg") == 3  # no removal case: no removal chart
    assert "<script" not in html
    assert "<b>odd</b>" not in html
    assert "&lt;b&gt;odd&lt;/b&gt;" in html
    assert "Hotline &lt;Example&gt;" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert not list(out.glob(".*.tmp"))


def test_an_unwritable_directory_is_a_config_error(figures: object, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="cannot create"):
        write_report(figures, blocker / "report")  # type: ignore[arg-type]


def test_bar_chart_scales_and_escapes() -> None:
    svg = str(bar_chart("A & B", {"added": {"x<y": 4, "b": 2}}))
    assert "A &amp; B" in svg
    assert "x&lt;y" in svg
    assert 'width="360"' in svg
    assert 'width="180"' in svg
    empty = str(bar_chart("Nothing", {"added": {}}))
    assert "No data in this period." in empty


def _entry_rows(html: str) -> list[list[str]]:
    """The entries table's category rows as cell texts (the "All" row left out)."""
    table = html.split("<h2>List entries</h2>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</tr>", table, flags=re.S)
    return [re.findall(r"<td[^>]*>([^<]*)</td>", "<td>" + row) for row in rows]


def test_a_category_that_gained_and_lost_entries_is_one_row(tmp_path: Path) -> None:
    rows = PeriodRows(
        START,
        END,
        entries_added=[EntryRow("csam", START, START)] * 3 + [EntryRow("terror", START, None)],
        entries_ended=[
            EntryEndRow("csam", "removed", START, START),
            EntryEndRow("terror", "expired", START, START),
        ],
    )
    write_report(compute(rows), tmp_path)
    html = (tmp_path / "index.html").read_text()
    assert _entry_rows(html) == [["csam", "3", "1", "0"], ["terror", "1", "0", "1"]]


def test_the_removal_section_has_its_table_chart_and_providers(tmp_path: Path) -> None:
    noticed = START + timedelta(hours=1)
    provider = Provider("Example <Hosting>", 64500)
    cases = [
        RemovalCaseRow(
            "csam",
            START,
            report_received_at=START,
            notice_sent_at=noticed,
            removed_at=noticed + timedelta(minutes=minutes),
            outcome="removed",
            provider=provider,
        )
        for minutes in (3, 7)
    ]
    write_report(
        compute(PeriodRows(START, END, removal_cases=cases), min_provider_cases=2), tmp_path
    )
    html = (tmp_path / "index.html").read_text()
    assert html.count("<svg") == 4
    section = html.split("<h2>Removal at source</h2>", 1)[1].split("<h2>", 1)[0]
    assert "<tr><th>Notice to removal, median (minutes)</th>" in section
    assert '<td class="n">5.0</td><td class="n">5.0</td>' in section  # csam, then All
    assert "Example &lt;Hosting&gt;" in section
    assert "AS64500" in section
    with (tmp_path / "transparency.csv").open() as handle:
        rows = list(csv.reader(handle))
    assert ["removal", "all.within_24h", "2"] in rows
    assert ["removal", "provider.1.cases", "2"] in rows
