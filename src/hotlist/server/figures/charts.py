"""Bar charts as inline SVG, made on the server: the report page needs no script and no CDN."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 170
PLOT_WIDTH = 360
VALUE_WIDTH = 60
COLOURS = ("#1f5f8b", "#c0392b", "#7f8c8d", "#27ae60")


def bar_chart(
    title: str, series: Mapping[str, Mapping[str, int]], labels: Sequence[str] | None = None
) -> Markup:
    """A horizontal grouped bar chart: one group per label, one bar per series.

    ``series`` maps a series name (the legend) to its values per label; ``labels`` fixes their
    order (by default every label seen, sorted). An empty chart says so instead of drawing.
    """
    names = list(series)
    keys = list(labels) if labels is not None else sorted({k for s in series.values() for k in s})
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    if not keys:
        return Markup(  # noqa: S704 - the only text in it, the title, is escaped
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="40">'
            f"<title>{escape(title)}</title>"
            '<text x="0" y="24" font-size="13">No data in this period.</text></svg>'
        )
    top = max((value for s in series.values() for value in s.values()), default=0) or 1
    group = len(names) * BAR_HEIGHT + GAP
    legend = 24
    height = legend + len(keys) * group
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12"><title>{escape(title)}</title>'
    ]
    for index, name in enumerate(names):
        x = LABEL_WIDTH + index * 120
        colour = COLOURS[index % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="14">{escape(name)}</text>')
    for row, key in enumerate(keys):
        y0 = legend + row * group
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y0 + len(names) * BAR_HEIGHT / 2 + 4:.0f}" '
            f'text-anchor="end">{escape(key)}</text>'
        )
        for index, name in enumerate(names):
            value = series[name].get(key, 0)
            y = y0 + index * BAR_HEIGHT
            bar = round(PLOT_WIDTH * value / top)
            colour = COLOURS[index % len(COLOURS)]
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{bar}" height="{BAR_HEIGHT - 4}" '
                f'fill="{colour}"><title>{escape(name)}, {escape(key)}: {value}</title></rect>'
            )
            parts.append(
                f'<text x="{LABEL_WIDTH + bar + 4}" y="{y + BAR_HEIGHT - 7}">{value}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every name and label in it is escaped
