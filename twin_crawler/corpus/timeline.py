"""The publication timeline as inline SVG: documents per month, stacked per platform (no JavaScript)."""

from __future__ import annotations

from collections import Counter
from html import escape

from twin_crawler.items import PLATFORMS

COLOURS = {"medium": "#1a8917", "substack": "#ff6719", "linkedin": "#0a66c2", "github": "#6e5494", "article": "#b03a2e"}
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 960, 260, 40, 40, 24


def _months(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last`` inclusive (empty months are bars of height 0)."""
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    out = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def render_timeline(per_month: Counter[tuple[str, str]]) -> str:
    """``per_month[(YYYY-MM, platform)] = documents`` as an ``<svg>`` element with a legend and tooltips."""
    if not per_month:
        return '<svg class="timeline" role="img" width="320" height="40"><text x="0" y="24">no dated documents</text></svg>'
    months = _months(min(m for m, _ in per_month), max(m for m, _ in per_month))
    totals = Counter({m: 0 for m in months})
    for (month, _), n in per_month.items():
        totals[month] += n
    peak = max(totals.values()) or 1
    plot_h = HEIGHT - BOTTOM - TOP
    step = (WIDTH - LEFT - 10) / len(months)
    bar = min(28.0, max(1.0, step * 0.8))  # a year of data should not look like five fat blocks
    order = [*PLATFORMS, *sorted({p for _, p in per_month} - set(PLATFORMS))]
    parts = [f'<svg class="timeline" role="img" aria-label="documents per month" xmlns="http://www.w3.org/2000/svg" '
             f'width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 5}" y2="{TOP + plot_h}" stroke="#888"/>',
             f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">{peak}</text>',
             f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11">0</text>']
    for i, month in enumerate(months):
        x = LEFT + i * step
        y: float = TOP + plot_h
        for platform in order:
            n = per_month.get((month, platform), 0)
            if n:
                h = plot_h * n / peak
                y -= h
                parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                             f'fill="{COLOURS.get(platform, "#777")}"><title>{month} {escape(platform)}: {n}</title></rect>')
        # Few months: each is labelled; many: the first and every January (the year).
        if len(months) <= 18 or month.endswith("-01") or i == 0:
            label = month if len(months) <= 18 or i == 0 else month[:4]
            parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" font-size="11">{escape(label)}</text>')
    used = [p for p in order if any(k[1] == p for k in per_month)]
    for j, platform in enumerate(used):
        x = LEFT + j * 110
        parts.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{COLOURS.get(platform, "#777")}"/>'
                     f'<text x="{x + 14}" y="{HEIGHT - 5}" font-size="11">{escape(platform)}</text>')
    parts.append("</svg>")
    return "".join(parts)
