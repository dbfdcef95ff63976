"""Write a period's transparency report: ``transparency.json``, ``transparency.csv`` and a
self-contained ``index.html`` (inline SVG charts, inline style, no script)."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from hotlist import __version__
from hotlist.errors import ConfigError
from hotlist.server.figures.charts import bar_chart
from hotlist.server.figures.compute import TransparencyFigures, flatten

FILES = ("index.html", "transparency.json", "transparency.csv")

_env = Environment(
    loader=PackageLoader("hotlist.server.figures", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    keep_trailing_newline=True,
)


def to_json(figures: TransparencyFigures) -> str:
    """The figures as indented JSON with sorted keys."""
    return json.dumps(figures.to_dict(), indent=2, sort_keys=True) + "\n"


def to_csv(figures: TransparencyFigures) -> str:
    """The figures as CSV rows ``section,figure,value``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "figure", "value"])
    writer.writerows(flatten(figures))
    return buffer.getvalue()


def charts(figures: TransparencyFigures) -> dict[str, Markup]:
    """The report's charts, by name."""
    entries = figures.entries
    cases = {
        "objections": figures.objections,
        "appeals": figures.appeals,
    }
    outcome_labels = ["received", "decided", "upheld", "rejected", "scope_changed"]
    removal = figures.removal.by_category
    return {
        "entries": bar_chart(
            "Entries added, removed and expired by category",
            {
                "added": entries.added_by_category,
                "removed": entries.removed_by_category,
                "expired": entries.expired_by_category,
            },
        ),
        "reports": bar_chart(
            "Reports received, assessed and actionable",
            {
                "reports": {
                    "received": figures.reports.received,
                    "assessed": figures.reports.assessed,
                    "actionable": figures.reports.actionable,
                }
            },
            ["received", "assessed", "actionable"],
        ),
        "cases": bar_chart(
            "Objections and appeals by outcome",
            {name: {k: getattr(f, k) for k in outcome_labels} for name, f in cases.items()},
            outcome_labels,
        ),
        "removal": bar_chart(
            "Cases removed by category, and how many within 7 days, 3 days and 24 hours",
            {
                "removed": {code: group.removed for code, group in removal.items()},
                "7 days": {code: group.within_7d for code, group in removal.items()},
                "3 days": {code: group.within_3d for code, group in removal.items()},
                "24 h": {code: group.within_24h for code, group in removal.items()},
            },
        ),
    }


def to_html(figures: TransparencyFigures, operator: str = "the hotline") -> str:
    """The report as one HTML page with everything inline."""
    template = _env.get_template("report.html.j2")
    return template.render(
        f=figures,
        charts=charts(figures),
        operator=operator,
        version=__version__,
    )


def write_report(
    figures: TransparencyFigures, out_dir: Path, operator: str = "the hotline"
) -> list[Path]:
    """Write the three files into ``out_dir`` (created if missing), each atomically."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the report directory {out_dir}: {exc}") from exc
    contents = {
        "index.html": to_html(figures, operator),
        "transparency.json": to_json(figures),
        "transparency.csv": to_csv(figures),
    }
    written = []
    for name, text in contents.items():
        path = out_dir / name
        temporary = path.with_name(f".{name}.tmp")
        try:
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, path)
        except OSError as exc:
            raise ConfigError(f"cannot write {path}: {exc}") from exc
        written.append(path)
    return written
