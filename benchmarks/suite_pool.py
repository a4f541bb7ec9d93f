"""Issue 14's measurements: the parse pool (8: pages/s, 9: glue with the workers' CPU, 10: a plain Scrapy +
trafilatura peer, 11: identical content) and the warehouse's cost as it grows (12).

CPU of a crawl comes from ``wait4`` on the crawl process: the parser workers are its children, reaped when the pool
closes, so their CPU is inside the crawl's figure (the child's reaped children are in its rusage).
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from twin_crawler import parse_tasks
from twin_crawler.pages.article import ArticlePage, NotAnArticle, PageError
from twin_crawler.parsepool import ParsePool
from twin_crawler.warehouse import open_warehouse

from . import crawl
from .corpus import Corpus
from .extraction import direct_pass
from .measure import VENV_BIN, ChildRun, Summary, bracketed, crawl_env, ratios, run_child
from .report import Section
from .server import Site
from .services import Nx
from .warehouse_child import items as article_items


def _urls_file(site: Site, corpus: Corpus, work: Path) -> Path:
    path = work / "pool-urls.txt"
    path.write_text("\n".join(crawl.discovered_urls(site, corpus.paths())), encoding="utf-8")
    return path


def _row(name: str, runs: list[ChildRun], pages: int) -> list[str]:
    return [name, Summary([pages / r.wall for r in runs]).fmt(), Summary([r.cpu / pages * 1000 for r in runs]).fmt(),
            Summary([r.wall for r in runs]).fmt()]


def _full(site: Site, data: Path, n: int, workers: int, mongo_uri: str | None = None) -> ChildRun:
    env = {"TWIN_DATA_DIR": str(data), "TWIN_PARSE_WORKERS": str(workers)} | ({"TWIN_MONGODB_URI": mongo_uri} if mongo_uri else {})
    run = run_child(crawl.article_cmd(f"{site.origin}/"), crawl_env(env)).check(f"article crawl, {workers} parse workers")
    stored = crawl.count_articles(data, mongo_uri)
    if stored != n:
        raise RuntimeError(f"article crawl ({workers} workers) stored {stored} articles, expected {n}")
    return run


def pool(corpus: Corpus, site: Site, nx: Nx, reps: int, work: Path) -> list[Section]:
    """Measurements 8, 9 and 10 from one set of interleaved crawls."""
    n = len(corpus.pages)
    urlfile = _urls_file(site, corpus, work)
    runs: dict[str, list[ChildRun]] = {"bare": [], "peer": [], "w0": [], "w1": [], "nx-w1": []}
    traf: list[float] = []
    for rep in range(reps + 1):  # interleaved: a noisy minute hits every variant alike
        # The baseline before each repetition, and once more after the last: each repetition's is the mean of the
        # two around it (measure.bracketed).
        runs["bare"].append(run_child([str(VENV_BIN / "python"), "-m", "benchmarks.bare_spider", str(urlfile)], crawl_env()).check("bare"))
        traf.append(direct_pass(corpus, site.origin))  # the baseline's other half, in the same minute
        if rep == reps:
            break
        runs["peer"].append(run_child([str(VENV_BIN / "python"), "-m", "benchmarks.peer_spider", str(urlfile)], crawl_env()).check("peer"))
        runs["w0"].append(_full(site, work / f"p0-{rep}", n, 0))
        runs["w1"].append(_full(site, work / f"p1-{rep}", n, 1))
        if rep < max(1, reps - 1):
            runs["nx-w1"].append(_full(site, work / f"pn-{rep}", n, 1, mongo_uri=nx.uri()))
    load = os.getloadavg()
    facts = f"{os.cpu_count()} CPUs; load average after the runs {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"
    return [_speed(runs, n, facts), _glue(runs, n, traf), _peer(runs, n)]


def _speed(runs: dict[str, list[ChildRun]], n: int, facts: str) -> Section:
    section = Section("8. Parse pool: one crawl process, TWIN_PARSE_WORKERS=1 vs 0", ["variant", "pages/s", "CPU ms/page (workers included)", "wall s"])
    section.rows = [_row("TWIN_PARSE_WORKERS=0 (parse in the crawl process)", runs["w0"], n),
                    _row("TWIN_PARSE_WORKERS=1 (one parser process)", runs["w1"], n)]
    r = ratios([r.wall for r in runs["w0"]], [r.wall for r in runs["w1"]])
    section.verdict = f"pages/s with 1 worker / with 0: {r.fmt()} (target ≥ 1.7) → {'MET' if r.median >= 1.7 else 'MISSED'}; {facts}"
    section.notes = [f"{n} pages discovered from the blog root, embedded warehouse, full pipeline; wall includes process start-up."]
    return section


def _glue(runs: dict[str, list[ChildRun]], n: int, traf: list[float]) -> Section:
    budget = bracketed([b.cpu + t for b, t in zip(runs["bare"], traf, strict=True)])  # each repetition's own baseline
    section = Section("9. Glue: full CPU (crawl + parser workers) / (bare fetch + trafilatura alone)", ["variant", "ratio"])
    values = {label: ratios([r.cpu for r in runs[key]], budget[: len(runs[key])])
              for label, key in (("embedded, 0 workers", "w0"), ("embedded, 1 worker", "w1"), ("pymongo → nx-27017, 1 worker", "nx-w1"))}
    section.rows = [[label, r.fmt()] for label, r in values.items()]
    worst = max(values["embedded, 1 worker"].median, values["pymongo → nx-27017, 1 worker"].median)
    section.verdict = f"with the pool: {worst:.3g} at worst (target ≤ 1.2) → {'MET' if worst <= 1.2 else 'MISSED'}"
    section.notes = [f"baseline per repetition: the mean of a bare fetch + trafilatura alone (in-process, "
                     f"{Summary([t / n * 1000 for t in traf]).fmt()} ms/page) timed before it and after it, so a noisy "
                     "minute weighs on both sides."]
    return section


def _peer(runs: dict[str, list[ChildRun]], n: int) -> Section:
    section = Section("10. Side by side: plain Scrapy spider + trafilatura vs twin-crawler, same pages",
                      ["variant", "pages/s", "CPU ms/page", "wall s"])
    section.rows = [_row("peer: scrapy.Spider + trafilatura.extract in the callback, no pipelines", runs["peer"], n),
                    _row("twin-crawler article crawl, TWIN_PARSE_WORKERS=1 (default here)", runs["w1"], n),
                    _row("twin-crawler article crawl, TWIN_PARSE_WORKERS=0", runs["w0"], n)]
    r = ratios([r.wall for r in runs["peer"]], [r.wall for r in runs["w1"]])
    section.verdict = f"twin-crawler pages/s / peer pages/s: {r.fmt()} (target ≥ 1) → {'MET' if r.median >= 1 else 'MISSED'}"
    section.notes = ["the peer fetches the URL list twin-crawler discovers (index, feed, sitemap, pages); twin-crawler "
                     "also discovers them, cleans, dedups and upserts every article."]
    return section


def identical(corpus: Corpus, origin: str) -> Section:
    """Measurement 11: every body parsed in-process and in the pool gives the same data (Content byte for byte)."""
    def outcome(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except (NotAnArticle, PageError) as exc:
            return repr(exc)

    urls = [origin + p.path for p in corpus.pages]
    local = [outcome(lambda u, t: ArticlePage(u, t, min_words=120).to_item("Bench", u), u, p.body.decode("utf-8")) for u, p in zip(urls, corpus.pages, strict=True)]

    async def pooled() -> list[Any]:
        parse_pool = ParsePool(1)
        try:
            out: list[Any] = []
            for u, p in zip(urls, corpus.pages, strict=True):
                try:
                    out.append(await parse_pool.run(parse_tasks.article, u, p.body, "utf-8", 120, "Bench", u))
                except (NotAnArticle, PageError) as exc:
                    out.append(repr(exc))
            return out
        finally:
            parse_pool.close()

    remote = asyncio.run(pooled())
    same = sum(a == b for a, b in zip(local, remote, strict=True))
    section = Section("11. Extraction unchanged in the pool", ["bodies", "identical results", "articles"])
    section.rows = [[str(len(urls)), str(same), str(sum(not isinstance(x, str) for x in local))]]
    section.verdict = f"{same}/{len(urls)} identical → {'MET' if same == len(urls) else 'MISSED'}"
    return section


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (``/proc/<pid>/stat``; 0 when unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def upsert_growth(nx: Nx, work: Path, sizes: tuple[int, ...], batch: int, reps: int) -> Section:
    """Measurement 12: upserting ``batch`` new documents into a warehouse already holding N, both backends.

    The warehouses of every size are filled first; then each repetition upserts a new batch into each of them in
    turn (interleaved, so a noisy minute weighs on every size alike). Cost is CPU: this process's (the embedded
    warehouse is SQLite in this thread; pymongo's encoding) plus, for nx-27017, the server process's."""
    section = Section(f"12. Warehouse cost as the corpus grows: upserting {batch:,} documents",
                      ["backend", *[f"{s:,} existing: CPU s" for s in sizes], *[f"ratio {s:,} / 0" for s in sizes[1:]],
                       "wall ratio, largest / 0"])
    docs = [item.model_dump(mode="python") for item in article_items(max(sizes) + batch * reps, "00000000-0000-4000-8000-000000000000")]
    verdicts = []
    for backend in ("embedded", "nx-27017"):
        cpu: dict[int, list[float]] = {s: [] for s in sizes}
        wall: dict[int, list[float]] = {s: [] for s in sizes}
        warehouses = {size: open_warehouse(nx.uri() if backend == "nx-27017" else None, data_dir=work / f"grow-{backend}-{size}")
                      for size in sizes}
        try:
            for size, warehouse in warehouses.items():
                for i in range(0, size, 1000):  # prefill (not timed)
                    warehouse.upsert_many("articles", [dict(d) for d in docs[i : min(i + 1000, size)]])
            for rep in range(reps):
                for size, warehouse in warehouses.items():
                    chunk = docs[max(sizes) + rep * batch : max(sizes) + (rep + 1) * batch]  # new links everywhere
                    server = _cpu_of(nx.proc.pid) if backend == "nx-27017" else 0.0
                    start, start_cpu = time.perf_counter(), time.process_time()
                    for i in range(0, len(chunk), 100):  # the pipeline's batch size
                        warehouse.upsert_many("articles", [dict(d) for d in chunk[i : i + 100]])
                    wall[size].append(time.perf_counter() - start)
                    used = time.process_time() - start_cpu
                    cpu[size].append(used + (_cpu_of(nx.proc.pid) - server if backend == "nx-27017" else 0.0))
        finally:
            for warehouse in warehouses.values():
                warehouse.close()
        base = Summary(cpu[sizes[0]]).median
        growth = [Summary(cpu[s]).median / base for s in sizes[1:]]
        wall_growth = Summary(wall[sizes[-1]]).median / Summary(wall[sizes[0]]).median
        section.rows.append([backend, *[Summary(cpu[s]).fmt() for s in sizes], *[f"{g:.3g}" for g in growth], f"{wall_growth:.3g}"])
        verdicts.append(f"{backend} {max(growth):.3g}")
    worst = max(float(v.split()[-1]) for v in verdicts)
    section.verdict = f"CPU, largest / empty: {', '.join(verdicts)} (target ≤ 1.2) → {'MET' if worst <= 1.2 else 'MISSED'}"
    section.notes = [f"CPU of `upsert_many` in batches of 100 (the pipeline's), {reps} repetitions interleaved across the "
                     "sizes, new links each time; for nx-27017 the server's CPU is added (it does the work). Wall time, "
                     "which also holds what other processes of this shared machine took, in the last column."]
    return section
