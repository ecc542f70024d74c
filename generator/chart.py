"""The yearly statistics as an inline SVG bar chart, drawn at build time: no JavaScript, no image file.

Each bar carries its number as text, so colour is never the only way to tell series apart, and
the SVG's <title>/<desc> give screen readers the same figures (the table below it has them too).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from generator.i18n import Messages
from generator.model import YearStatistics

SERIES = ("received", "provided", "refused", "transferred")
_BAR, _GAP, _GROUP_GAP, _HEIGHT, _TOP, _BOTTOM, _LEFT = 18, 2, 16, 180, 24, 40, 8


def _values(row: YearStatistics) -> dict[str, int]:
    return {
        "received": row.received,
        "provided": row.provided_full + row.provided_partial,
        "refused": row.refused,
        "transferred": row.transferred,
    }


def statistics_chart(rows: Sequence[YearStatistics], messages: Messages) -> Markup:
    years = sorted(rows, key=lambda r: r.year)
    label = {s: messages.text(f"ui.statistics.series_{s}") for s in SERIES}
    peak = max([_values(r)["received"] for r in years] + [1])
    group = len(SERIES) * (_BAR + _GAP) + _GROUP_GAP
    width = _LEFT + group * len(years)
    height = _TOP + _HEIGHT + _BOTTOM
    parts = []
    for index, row in enumerate(years):
        x0 = _LEFT + index * group
        for position, series in enumerate(SERIES):
            value = _values(row)[series]
            bar = round(_HEIGHT * value / peak)
            x = x0 + position * (_BAR + _GAP)
            y = _TOP + _HEIGHT - bar
            parts.append(
                f'<rect class="tc-bar tc-bar-{series}" x="{x}" y="{y}" width="{_BAR}" height="{bar}"/>'
                f'<text class="tc-bar-value" x="{x + _BAR // 2}" y="{y - 4}" text-anchor="middle">{value}</text>'
            )
        parts.append(
            f'<text class="tc-axis" x="{x0 + (group - _GROUP_GAP) // 2}" y="{_TOP + _HEIGHT + 20}" '
            f'text-anchor="middle">{row.year}</text>'
        )
    parts.append(f'<line class="tc-axis-line" x1="{_LEFT}" x2="{width}" y1="{_TOP + _HEIGHT}" y2="{_TOP + _HEIGHT}"/>')
    title = escape(messages.text("ui.statistics.chart_title"))
    desc = escape(
        " ".join(
            messages.text("ui.statistics.chart_year", year=r.year, **{s: _values(r)[s] for s in SERIES}) for r in years
        )
    )
    legend = "".join(
        f'<li><span class="tc-swatch tc-bar-{s}" aria-hidden="true"></span>{escape(label[s])}</li>' for s in SERIES
    )
    return Markup(
        f'<figure class="tc-chart"><svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="tc-chart-title tc-chart-desc"><title id="tc-chart-title">{title}</title>'
        f'<desc id="tc-chart-desc">{desc}</desc>{"".join(parts)}</svg>'
        f'<figcaption><ul class="tc-legend">{legend}</ul></figcaption></figure>'
    )
