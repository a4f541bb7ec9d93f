"""``scrapy twin-report``'s page: one self-contained HTML file (inline CSS and SVG; no script, no CDN, no server).

Every piece of text that came from the web or the warehouse goes through ``esc`` (titles can be hostile), and a
link becomes an ``href`` only when it is an http(s) URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import urlsplit

from .report_data import DocRow, ReportData
from .summary import PlatformSummary
from .timeline import COLOURS, render_timeline

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 12px}
h1{font-size:22px;margin-bottom:2px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{padding:3px 8px;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}th{background:#f4f4f4}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr:nth-child(even) td{background:#fafafa}.meta{color:#666}.flag{display:inline-block;background:#fde8c8;
border-radius:3px;padding:0 5px;margin-right:3px;font-size:12px}.dot{display:inline-block;width:9px;height:9px;
border-radius:50%;margin-right:5px}.err{color:#a40000}code{font-size:12px;word-break:break-all}
"""
STATE_ORDER = ("new", "updated", "unchanged", "paywalled", "skipped", "blocked", "unsupported", "dropped", "failed",
               "dead_lettered")
FAILURE_STATES = frozenset({"blocked", "failed", "dead_lettered", "dropped", "unsupported"})


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def link(url: str, text: str | None = None) -> str:
    label = esc(text if text is not None else url)
    if urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{esc(url)}" rel="noreferrer noopener">{label}</a>'
    return label


def day(when: Any) -> str:
    return when.date().isoformat() if isinstance(when, datetime) else esc(when or "-")


def stamp(when: Any) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC") if isinstance(when, datetime) else esc(when or "-")


def table(headers: Iterable[str], rows: Iterable[Iterable[str]], *, numeric: frozenset[int] = frozenset(),
          cls: str = "") -> str:
    """Cells are HTML already (callers escape); ``numeric`` columns are right-aligned."""
    head = "".join(f'<th{" class=n" if i in numeric else ""}>{esc(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        f'<tr class="{cls}">' + "".join(f'<td{" class=n" if i in numeric else ""}>{c}</td>' for i, c in enumerate(r))
        + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def platform_label(platform: str) -> str:
    return f'<span class="dot" style="background:{COLOURS.get(platform, "#777")}"></span>{esc(platform)}'


def totals_section(platforms: dict[str, PlatformSummary]) -> str:
    total = PlatformSummary()
    rows = []
    for name in sorted(platforms):
        s = platforms[name]
        total.merge(s)
        rows.append([platform_label(name), str(s.documents), f"{s.words:,}", day(s.oldest), day(s.newest),
                     str(s.paywalled), str(s.blocked)])
    rows.append(["<b>all</b>", f"<b>{total.documents}</b>", f"<b>{total.words:,}</b>", day(total.oldest),
                 day(total.newest), str(total.paywalled), str(total.blocked)])
    headers = ("platform", "documents", "words", "oldest", "newest", "paywalled", "blocked (last run)")
    return table(headers, rows, numeric=frozenset({1, 2, 5, 6}), cls="platform")


def documents_section(rows: list[DocRow]) -> str:
    if not rows:
        return "<p>No documents stored for this author.</p>"
    cells = ([link(r.link, r.title), day(r.published_at), platform_label(r.platform), f"{r.words:,}",
              "".join(f'<span class="flag">{esc(f)}</span>' for f in r.flags)] for r in rows)
    return table(("title", "published", "platform", "words", "flags"), cells, numeric=frozenset({3}), cls="doc")


def _run_cells(run: dict[str, Any]) -> list[str]:
    totals = run.get("totals") or {}
    outcome = " · ".join(f"{s} {totals[s]}" for s in STATE_ORDER if totals.get(s))
    failures = [r for r in run.get("reasons") or [] if r.get("state") in FAILURE_STATES]
    why = ", ".join(f"{r.get('state')}/{r.get('reason')}={r.get('count')}" for r in failures)
    return [stamp(run.get("started_at")), esc(run.get("spider")), esc(run.get("finish_reason")), esc(outcome or "-"),
            f'<span class="err">{esc(why)}</span>' if why else "-"]


def runs_section(runs: list[dict[str, Any]], dead_letters: list[dict[str, Any]]) -> str:
    parts = [table(("started", "spider", "finish", "links", "failures"), (_run_cells(r) for r in runs), cls="run")
             if runs else "<p>No runs recorded for this author.</p>"]
    parts.append(f"<h3>Dead letters ({len(dead_letters)})</h3>")
    if dead_letters:
        cells = ([stamp(d.get("time")), esc(d.get("spider")), link(str(d.get("url"))), esc(d.get("reason")),
                  esc(d.get("attempts")), f"<code>{esc(d.get('last_error') or '')}</code>"] for d in dead_letters)
        parts.append(table(("time", "spider", "url", "reason", "attempts", "last error"), cells, cls="deadletter"))
        parts.append('<p class="meta">Replay them with <code>scrapy twin-deadletters replay</code>.</p>')
    else:
        parts.append("<p>None: nothing is owed from earlier runs.</p>")
    return "".join(parts)


def render(data: ReportData) -> str:
    """The whole page as one string."""
    undated = sum(1 for r in data.rows if r.published_at is None)
    return "".join([
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(data.author)} — twin-crawler report</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(data.author)}</h1>",
        f'<p class="meta">{len(data.rows)} document(s) in {esc(data.location)} · generated {stamp(data.generated_at)}</p>',
        "<h2>Totals per platform</h2>", totals_section(data.platforms),
        "<h2>Publication timeline</h2>", render_timeline(data.per_month),
        f'<p class="meta">Documents per month and platform; {undated} without a publication date.</p>' if undated else "",
        f"<h2>Documents ({len(data.rows)})</h2>", documents_section(data.rows),
        f"<h2>Last runs ({len(data.runs)})</h2>", runs_section(data.runs, data.dead_letters),
        "</body></html>\n",
    ])
