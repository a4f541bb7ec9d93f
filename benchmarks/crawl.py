"""Measurement 1: the ``article`` crawl through the full pipeline versus a bare Scrapy fetch of the same pages.

Every variant is a child process; its CPU comes from ``wait4`` (all threads: warehouse flushes run in Twisted's
thread pool), so the benchmark process and the loopback server are not counted.
"""

from __future__ import annotations

import pstats
from pathlib import Path

from twin_crawler.warehouse import open_warehouse

from .measure import VENV_BIN, ChildRun, crawl_env, run_child
from .server import Site

CRAWL_SETTINGS = [
    "-s", "TWIN_MAX_DISCOVERED=1000000",  # default 1,000 per blog: the corpus is bigger
    "-s", "TWIN_REPORT_PRINT=False",
    "-s", "LOG_LEVEL=WARNING",  # items are logged at INFO: a crawl of 2,000 pages would time its own logging
]


def discovered_urls(site: Site, paths: list[str]) -> list[str]:
    """What the article crawl fetches from the root: the index, its feed, the sitemap, every page."""
    return [f"{site.origin}/", f"{site.origin}/feed.xml", f"{site.origin}/sitemap.xml"] + [site.origin + p for p in paths]


def bare(urls: list[str], workdir: Path) -> ChildRun:
    """Baseline (a): fetch and discard."""
    urlfile = workdir / "urls.txt"
    urlfile.write_text("\n".join(urls), encoding="utf-8")
    cmd = [str(VENV_BIN / "python"), "-m", "benchmarks.bare_spider", str(urlfile)]
    return run_child(cmd, crawl_env()).check("bare spider")


def article_cmd(links: str, *extra: str, profile: Path | None = None) -> list[str]:
    head = [str(VENV_BIN / "python"), "-m", "cProfile", "-o", str(profile), "-m", "scrapy"] if profile else [str(VENV_BIN / "scrapy")]
    return [*head, "crawl", "article", "-a", "user=Jane Doe", "-a", f"links={links}", *CRAWL_SETTINGS, *extra]


def full(site: Site, data_dir: Path, expected: int, mongo_uri: str | None = None) -> ChildRun:
    """The ``article`` spider from the blog root (discovery, extraction, clean, dedup, warehouse upsert)."""
    env = {"TWIN_DATA_DIR": str(data_dir)} | ({"TWIN_MONGODB_URI": mongo_uri} if mongo_uri else {})
    run = run_child(article_cmd(f"{site.origin}/"), crawl_env(env)).check("article crawl")
    stored = count_articles(data_dir, mongo_uri)
    if stored != expected:
        raise RuntimeError(f"article crawl stored {stored} articles, expected {expected}:\n{run.stderr[-3000:]}")
    return run


ABLATIONS = {  # the same crawl with parts of the project switched off, to attribute its CPU without a profiler
    "without item pipelines": ["-s", "ITEM_PIPELINES={}"],
    "without item pipelines, project middlewares, extensions": [
        "-s", "ITEM_PIPELINES={}", "-s", "DOWNLOADER_MIDDLEWARES={}", "-s", "EXTENSIONS={}"],
}


def ablation(site: Site, data_dir: Path, extra: list[str]) -> ChildRun:
    """The ``article`` crawl from the blog root with ``extra`` settings (nothing is stored without pipelines)."""
    env = crawl_env({"TWIN_DATA_DIR": str(data_dir)})
    run = run_child(article_cmd(f"{site.origin}/", *extra), env)
    if run.returncode == 1 and "ITEM_PIPELINES={}" in extra:
        return run  # without pipelines nothing is stored: every page link ends pending, so the run says exit 1
    return run.check("ablation crawl")


def count_articles(data_dir: Path, mongo_uri: str | None) -> int:
    warehouse = open_warehouse(mongo_uri, data_dir=data_dir)
    try:
        return len(warehouse.find("articles"))
    finally:
        warehouse.close()


def profile(site: Site, paths: list[str], workdir: Path) -> list[tuple[str, float, float]]:
    """cProfile one crawl of ``paths`` (main thread only: warehouse flushes run in threads and are not seen).

    Returns (component, cumulative seconds, share of the profiled total) for the entry points that matter.
    """
    linkfile = workdir / "profile-links.txt"
    linkfile.write_text("\n".join(site.origin + p for p in paths), encoding="utf-8")
    out = workdir / "crawl.prof"
    # Parsed in the crawl process: cProfile sees only this process, and a pool worker's parse would show as 0 s.
    env = crawl_env({"TWIN_DATA_DIR": str(workdir / "profile-data"), "TWIN_PARSE_WORKERS": "0"})
    run_child(article_cmd(f"@{linkfile}", profile=out), env).check("profiled crawl")
    return components(pstats.Stats(str(out)))


COMPONENTS = [  # (label, file suffix, function name): cumulative time of each entry point
    ("spider callback ArticleCrawl.parse_article_page (all of the below up to the pipelines)", "spiders/article.py",
     "parse_article_page"),
    ("  ArticlePage.to_item (our page object: parse, extract, item)", "pages/article.py", "to_item"),
    ("    trafilatura on the page's tree (article_text.extract)", "pages/article_text.py", "extract"),
    ("      its metadata (article_text._metadata, page_tags inside)", "pages/article_text.py", "_metadata"),
    ("    text convention (markdown.convert)", "pages/markdown.py", "convert"),
    ("    lxml parse of the body's bytes (html.parse_utf8)", "pages/html.py", "parse_utf8"),
    ("    lxml parse of the decoded text (html.parse_html)", "pages/html.py", "parse_html"),
    ("    read_signals (JSON-LD, meta, <article> count)", "pages/article.py", "read_signals"),
    ("    find_refs (links and images near the text)", "pages/article_refs.py", "find_refs"),
    ("  Article(...) pydantic validation", "pydantic/main.py", "__init__"),
    ("CleanPipeline.process_item", "pipelines/clean.py", "process_item"),
    ("  fingerprint + content_hash (normalise_text)", "twin_crawler/text.py", "normalise_text"),
    ("DedupPipeline.process_item", "pipelines/dedup.py", "process_item"),
    ("  is_near_duplicate (pairwise corpus scan)", "twin_crawler/text.py", "is_near_duplicate"),
    ("WarehousePipeline.process_item (queueing; flush runs in a thread)", "pipelines/warehouse.py", "process_item"),
    ("  document_for (model_dump)", "pipelines/warehouse.py", "document_for"),
]


def components(stats: pstats.Stats) -> list[tuple[str, float, float]]:
    table = stats.stats  # type: ignore[attr-defined]  # {(file, line, func): (cc, nc, tt, ct, callers)}
    total = sum(v[2] for v in table.values()) or 1.0
    rows = [("whole process (profiled main thread, incl. startup)", total, 1.0)]
    for label, suffix, func in COMPONENTS:
        cum = sum(v[3] for (file, _, name), v in table.items() if name == func and file.endswith(suffix))
        rows.append((label, cum, cum / total))
    return rows


def top_functions(prof: Path, n: int = 12) -> list[tuple[str, float]]:
    """The ``n`` functions with the most self time."""
    table = pstats.Stats(str(prof)).stats  # type: ignore[attr-defined]
    ranked = sorted(table.items(), key=lambda kv: kv[1][2], reverse=True)[:n]
    return [(f"{Path(f).name}:{line} {name}", v[2]) for (f, line, name), v in ranked]
