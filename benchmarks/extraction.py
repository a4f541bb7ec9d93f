"""Measurement 2 (and baseline (b) of measurement 1): our ``parse_article`` versus trafilatura called directly.

"Directly, the way we do": ``bare_extraction`` on the page body with the options ``parse_article`` passes.
Both run in this process on the same bodies, alternating which goes first per page, timed with process CPU.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass

from trafilatura import bare_extraction

from twin_crawler.pages.article import NotAnArticle, parse_article

from .corpus import Corpus


@dataclass
class ExtractionRep:
    """CPU seconds of one pass over the corpus."""

    direct: float
    ours: float
    pages: int
    articles: int


def direct(url: str, html: str) -> object:
    """trafilatura exactly as ``parse_article`` drives it (same options), given the raw HTML."""
    return bare_extraction(html, url=url, with_metadata=True, include_comments=False, include_tables=True,
                           include_images=False, include_links=False, include_formatting=True)


def one_pass(corpus: Corpus, origin: str, rep: int) -> ExtractionRep:
    """Time both on every page; the order alternates per page and per repetition (caches warm both alike)."""
    t_direct = t_ours = 0.0
    articles = 0
    clock = time.process_time
    gc.collect()
    for i, page in enumerate(corpus.pages):
        url, html = origin + page.path, page.body.decode("utf-8")
        for which in ((0, 1) if (i + rep) % 2 == 0 else (1, 0)):
            start = clock()
            if which == 0:
                direct(url, html)
                t_direct += clock() - start
            else:
                try:
                    parse_article(url, html)
                    articles += 1
                except NotAnArticle:
                    pass
                t_ours += clock() - start
    return ExtractionRep(t_direct, t_ours, len(corpus.pages), articles)


def direct_pass(corpus: Corpus, origin: str) -> float:
    """CPU seconds of trafilatura alone over every page (this process, the page decoded first, not timed): the
    glue ratios' baseline, timed before every crawl repetition and after the last (``measure.bracketed``), so that
    a slow minute of this shared machine weighs on the baseline as on the crawls it divides (timed once, apart, it
    once came out 20% slow and flattered every ratio)."""
    clock = time.process_time
    total = 0.0
    gc.collect()
    for page in corpus.pages:
        url, html = origin + page.path, page.body.decode("utf-8")
        start = clock()
        direct(url, html)
        total += clock() - start
    return total
