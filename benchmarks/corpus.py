"""A deterministic corpus of realistic blog pages, derived from the real fixture pages in tests/fixtures/blogs.

Each fixture article is turned into a template: its chrome (head, navigation, sidebars, footer, scripts) is kept
byte-for-byte, its main-content node is emptied and refilled with generated text. Text comes from a bigram model
of the fixtures' own prose, so word frequencies look like real English technical writing while every page is
distinct (dedup must not collapse them). Page sizes are log-uniform between 20 KB and 400 KB; the extra bytes of
big pages are a "related posts" list (links between pages) and an inline JSON state blob, the two things that
make real blog pages heavy.
"""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "blogs"
# fixture -> its article-body element (Blogger bodies are <div>/<br> text, so no generic heuristic finds them all)
TEMPLATE_FILES = {
    "readability_blogger_source.html": "//*[contains(@class,'post-body')]",
    "readability_v8-blog_source.html": "//article",
    "readability_wordpress_source.html": "//*[contains(@class,'entry-content')]",
    "trafilatura_blog.python.org-blogger-article.html": "//*[contains(@class,'post-body')]",
    "trafilatura_gregoryszorc-personal-blog-article.html": "//*[contains(@class,'post_prose')]",
    "trafilatura_lemire.me-wordpress-article.html": "//*[contains(@class,'entry-content')]",
}
MIN_BYTES, MAX_BYTES = 20_000, 400_000
BODY_MARK = "TWINBENCHBODYMARK"
HEAD_MARK = "TWINBENCHHEADMARK"


@dataclass
class Page:
    """One generated page."""

    path: str
    title: str
    body: bytes


@dataclass
class Corpus:
    """Pages by path, plus the index, feed and sitemap (their URLs are absolute, so built per origin)."""

    pages: list[Page] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [p.path for p in self.pages]

    def feed(self, origin: str, latest: int | None = None) -> bytes:
        # Every post by default (a full feed, as Hugo writes one): the crawl then reads the whole corpus from the
        # feed, as the bare baseline reads it from the sitemap (a shorter feed sends discovery to the index pages).
        pages = self.pages if latest is None else self.pages[-latest:]
        items = "".join(
            f"<item><title>{_xml_escape(p.title)}</title><link>{origin}{p.path}</link><guid>{origin}{p.path}</guid></item>"
            for p in pages[::-1]
        )
        return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench blog</title>'
                f"<link>{origin}/</link>{items}</channel></rss>").encode()

    def sitemap(self, origin: str) -> bytes:
        urls = "".join(f"<url><loc>{origin}{p.path}</loc></url>" for p in self.pages)
        return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{urls}</urlset>").encode()

    def index(self) -> bytes:
        # An index page (not an article): the spider's discovery starts here and follows the feed and sitemap.
        teasers = "".join(f'<article><h2><a href="{p.path}">{_xml_escape(p.title)}</a></h2></article>' for p in self.pages[-30:])
        return (f'<!doctype html><html lang="en"><head><title>Bench blog</title>'
                f'<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>{teasers}</body></html>').encode()

    def total_bytes(self) -> int:
        return sum(len(p.body) for p in self.pages)


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _template(html: str, body_xpath: str) -> str:
    """The fixture with its metadata stripped (we inject per-page metadata) and its body replaced by a mark."""
    tree = lxml.html.document_fromstring(html)
    for el in tree.xpath("//link[@rel='canonical'] | //script[@type='application/ld+json'] | //title"
                         " | //meta[starts-with(@property,'og:') or starts-with(@property,'article:')]"):
        el.getparent().remove(el)
    main = tree.xpath(body_xpath)[0]
    for child in list(main):
        main.remove(child)
    main.text = BODY_MARK
    head = tree.find("head")
    if head is None:
        head = lxml.html.Element("head")
        tree.insert(0, head)
    head.insert(0, lxml.html.fromstring(f"<meta name='twinbench' content='{HEAD_MARK}'>"))
    out = lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
    return out.replace(f"<meta name=\"twinbench\" content=\"{HEAD_MARK}\">", HEAD_MARK)


def _bigrams(texts: list[str]) -> dict[str, list[str]]:
    words = [w for t in texts for w in re.findall(r"[A-Za-z][A-Za-z'-]*[.,;:]?", t)]
    model: dict[str, list[str]] = {}
    for a, b in zip(words, words[1:], strict=False):
        model.setdefault(a, []).append(b)
    return model


class TextModel:
    """Sentences from a bigram model of the fixture prose (seeded; the same seed gives the same text)."""

    def __init__(self, texts: list[str]) -> None:
        self.model = _bigrams(texts)
        self.starts = sorted(w for w in self.model if w[:1].isupper())

    def paragraph(self, rng: random.Random, words: int) -> str:
        out: list[str] = [rng.choice(self.starts)]
        while len(out) < words:
            nxt = self.model.get(out[-1])
            out.append(rng.choice(nxt) if nxt else rng.choice(self.starts))
        return " ".join(out).rstrip(",;:") + "."


def _page_html(template: str, rng: random.Random, model: TextModel, i: int, n: int, target: int, path_of: list[str]) -> tuple[str, str]:
    title = model.paragraph(rng, rng.randint(4, 9)).rstrip(".").title()
    date = f"20{15 + i % 10:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}T08:00:00+00:00"
    ld = json.dumps({"@context": "https://schema.org", "@type": "BlogPosting", "headline": title, "datePublished": date,
                     "author": {"@type": "Person", "name": "Jane Doe"}})
    head = (f"<title>{_xml_escape(title)}</title><link rel='canonical' href='{path_of[i]}'>"
            f"<meta property='og:type' content='article'><meta property='og:title' content='{_xml_escape(title)}'>"
            f"<meta property='article:published_time' content='{date}'>"
            f"<script type='application/ld+json'>{ld}</script>")
    words = rng.randint(500, 2500)  # typical blog post lengths
    paras, done = [f"<h1>{_xml_escape(title)}</h1>"], 0
    while done < words:
        k = rng.randint(40, 140)
        text = model.paragraph(rng, k)
        if rng.random() < 0.3:  # an inline link to another post, as bloggers do
            j = rng.randrange(n)
            text += f' See <a href="{path_of[j]}">this earlier post</a>.'
        tag = "h2" if rng.random() < 0.08 else "p"
        paras.append(f"<{tag}>{text}</{tag}>" if tag == "p" else f"<h2>{model.paragraph(rng, 5).rstrip('.')}</h2>")
        done += k
    html = template.replace(HEAD_MARK, head, 1).replace(BODY_MARK, "".join(paras), 1)
    missing = target - len(html.encode())
    if missing > 0:
        related = "".join(f'<li><a href="{path_of[rng.randrange(n)]}">Related post {rng.randrange(n)}</a></li>'
                          for _ in range(min(40, missing // 400 + 5)))
        blurbs: list[str] = []
        budget = missing - len(related) - 120
        while budget > 0:  # pad to the target size exactly enough
            blurbs.append(model.paragraph(rng, 12))
            budget -= len(blurbs[-1]) + 3
        state = json.dumps({"props": {"pageProps": {"related": blurbs}}})
        extra = f'<aside class="related"><ul>{related}</ul></aside><script id="__NEXT_DATA__" type="application/json">{state}</script>'
        html = html.replace("</body>", extra + "</body>", 1)
    return title, html


def _fixtures() -> list[str]:
    return [(FIXTURES / name).read_text(encoding="utf-8", errors="replace") for name in TEMPLATE_FILES]


def fixture_model() -> TextModel:
    """The bigram model of the fixture articles' paragraphs."""
    return TextModel([" ".join(p.text_content() for p in lxml.html.document_fromstring(h).iter("p")) for h in _fixtures()])


def build(n: int = 2000, seed: int = 7) -> Corpus:
    """``n`` pages, deterministic for a given (n, seed)."""
    rng = random.Random(seed)
    raw = _fixtures()
    model = fixture_model()
    templates = [_template(h, xp) for h, xp in zip(raw, TEMPLATE_FILES.values(), strict=True)]
    path_of = [f"/{2015 + i % 10}/{1 + i % 12:02d}/post-{i:05d}-{rng.randrange(10**6):06d}/" for i in range(n)]
    corpus = Corpus()
    for i in range(n):
        page_rng = random.Random(f"{seed}-{i}")
        target = int(math.exp(page_rng.uniform(math.log(MIN_BYTES), math.log(MAX_BYTES))))
        template = page_rng.choice(templates)
        title, html = _page_html(template, page_rng, model, i, n, target, path_of)
        corpus.pages.append(Page(path_of[i], title, html.encode()))
    return corpus


if __name__ == "__main__":
    import statistics
    import time

    t = time.perf_counter()
    c = build(200)
    sizes = sorted(len(p.body) for p in c.pages)
    print(f"{len(sizes)} pages in {time.perf_counter() - t:.1f}s; min {sizes[0]} median {statistics.median(sizes)} max {sizes[-1]}")
