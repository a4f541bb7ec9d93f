"""Synthetic multi-author and news-style sites on a loopback server (issue 10 §1), built from seeded text.

Every page is generated (``tests/fixtures/blogs/make_synthetic.py`` has the text generator), so the sites are
synthetic by construction; their markup copies what WordPress and news CMSs emit (JSON-LD authors,
``meta[name=author]``, feeds, robots.txt ``Sitemap:`` lines, gzipped sitemap indexes).
"""

from __future__ import annotations

import gzip
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from conftest import LoopbackSite

_spec = importlib.util.spec_from_file_location("make_synthetic", Path(__file__).parents[1] / "fixtures" / "blogs" / "make_synthetic.py")
assert _spec is not None and _spec.loader is not None
synthetic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synthetic)

JANE, OLIVIA, TOM = "Jane Doe", "Olivia Larsen", "Tom Reyes"


@dataclass
class Built:
    """What a built site holds: paths by author, and the paths that must never be fetched."""

    by_author: dict[str, list[str]] = field(default_factory=dict)
    never: list[str] = field(default_factory=list)

    def add(self, author: str, path: str) -> None:
        self.by_author.setdefault(author, []).append(path)


def post(title: str, author: str, seed: int, words: int = 320, *, byline: str = "ld", kind: str = "BlogPosting") -> str:
    """An article page whose byline is JSON-LD (``ld``) or ``meta[name=author]`` (``meta``)."""
    head = '<meta property="og:type" content="article">'
    if byline == "ld":
        head += synthetic.ld(kind, title, author)
    else:
        head += f'<meta name="author" content="{author}">'
    return str(synthetic.page(title, synthetic.main_article(title, seed, words), head=head))


def listing(title: str, paths: list[str], *, feed: str | None = None) -> str:
    cards = "".join(f'<article><h2><a href="{p}">Post {i}</a></h2><p>teaser text</p></article>' for i, p in enumerate(paths))
    head = f'<link rel="alternate" type="application/rss+xml" href="{feed}">' if feed else ""
    head += '<link rel="alternate" type="application/rss+xml" href="/comments/feed/">'
    return str(synthetic.page(title, f"<main><h1>{title}</h1>{cards}</main>", head=head))


def rss(site: LoopbackSite, paths: list[str]) -> str:
    items = "".join(f"<item><title>t</title><link>{site.url}{p}</link></item>" for p in paths)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>feed</title>{items}</channel></rss>'


def urlset(site: LoopbackSite, paths: list[str]) -> str:
    urls = "".join(f"<url><loc>{site.url}{p}</loc></url>" for p in paths)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def multi_author_blog(site: LoopbackSite) -> Built:
    """Two authors on one WordPress-like blog: the root, a feed and a sitemap list both; Jane also has a stub."""
    built = Built()
    posts = [(JANE, "/2024/01/jane-caches/", "ld"), (OLIVIA, "/2024/02/olivia-queues/", "meta"),
             (JANE, "/2024/03/jane-retries/", "meta"), (OLIVIA, "/2024/04/olivia-shards/", "ld")]
    for i, (author, path, byline) in enumerate(posts):
        site.add(path, post(f"Post {i} by {author}", author, 10 + i, byline=byline))
        built.add(author, path)
    stub = '<main><article><h1>A note</h1><p>Back next week with the caching write-up.</p></article></main>'
    site.add("/2024/05/jane-note/", str(synthetic.page("A note", stub, head=synthetic.ld("BlogPosting", "A note", JANE))))
    built.add("stub", "/2024/05/jane-note/")
    paths = [p for _, p, _ in posts]
    site.add("/", listing("Team blog", paths, feed="/feed/"))
    site.add("/feed/", rss(site, paths), content_type="application/rss+xml")
    site.add("/about/", str(synthetic.page("About us", "<main><h1>About</h1><p>We write about systems.</p></main>")))
    site.add("/sitemap.xml", urlset(site, [*paths, "/about/"]), content_type="application/xml")
    built.never += ["/sitemap.xml", "/comments/feed/", "/about/"]  # the feed answered with every listed post
    return built


def news_site(site: LoopbackSite) -> Built:
    """A news site: a /world/ section page (a listing, no feed), robots.txt naming a sitemap index whose child is
    gzipped, journalists' NewsArticles in /world/ and /sport/; Jane has a short brief and a long piece."""
    built = Built()
    authors = [JANE, OLIVIA, TOM]
    world: list[str] = []
    for i in range(9):
        author = authors[i % 3]
        path = f"/world/story-{i}"
        site.add(path, post(f"World story {i}", author, 30 + i, kind="NewsArticle"))
        built.add(author, path)
        world.append(path)
    site.add("/world/jane-brief", post("Brief: bridge reopens", JANE, 50, words=45, kind="NewsArticle"))
    built.add(JANE, "/world/jane-brief")
    sport = [f"/sport/match-{i}" for i in range(3)]
    for i, path in enumerate(sport):
        site.add(path, post(f"Match {i}", JANE, 60 + i, kind="NewsArticle"))  # Jane's, but outside the section given
    built.never += sport
    section = "".join(f'<h3><a href="{p}">Headline {i}</a></h3>' for i, p in enumerate(world * 2))
    site.add("/world/", synthetic.page("World", f"<main>{section}</main>", head='<meta property="og:type" content="website">'))
    site.add("/robots.txt", f"User-agent: *\nAllow: /\nSitemap: {site.url}/sitemap-index.xml\n", content_type="text/plain")
    index = (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f"<sitemap><loc>{site.url}/sitemap-news.xml.gz</loc></sitemap></sitemapindex>")
    site.add("/sitemap-index.xml", index, content_type="application/xml")
    site.add("/sitemap-news.xml.gz", gzip.compress(urlset(site, [*world, "/world/jane-brief", *sport]).encode()),
             content_type="application/x-gzip")
    built.never.append("/sitemap.xml")  # robots.txt named the sitemap
    return built


def docs_site(site: LoopbackSite) -> Built:
    """A product site with a /blog/ (no feed) and /docs/; the site-root sitemap lists both."""
    built = Built()
    blog = ["/blog/first-release", "/blog/roadmap"]
    for i, path in enumerate(blog):
        site.add(path, str(synthetic.page(f"Blog {i}", synthetic.main_article(f"Blog {i}", 70 + i, 300))))
        built.add(JANE, path)
    site.add("/docs/manual.html", str(synthetic.page("Manual", synthetic.main_article("Manual", 80, 900))))
    built.never.append("/docs/manual.html")
    site.add("/blog/", listing("Blog", blog))
    site.add("/sitemap.xml", urlset(site, [*blog, "/docs/manual.html"]), content_type="application/xml")
    return built


BLOGS = Path(__file__).parents[1] / "fixtures" / "blogs"
POSTS = {
    "/2017/03/stack-overflow-jobs.html": "readability_wordpress_source.html",
    "/2016/05/open-verilog-flow.html": "readability_blogger_source.html",
    "/2019/11/standalone-wasm.html": "readability_v8-blog_source.html",
}


# The recorded posts have three real authors; served as one author's blog, their bylines name that author.
BYLINES = (b"Sarah Gooding", b"Andrew Zonenberg")


def blog(site: LoopbackSite, *, feed: bool = True) -> str:
    """A small blog of Jane Doe: an index page linking its feed (or not: then only /sitemap.xml lists the posts)."""
    for path, name in POSTS.items():
        body = (BLOGS / name).read_bytes()
        for byline in BYLINES:
            body = body.replace(byline, b"Jane Doe")
        site.add(path, body)
    feed_link = '<link rel="alternate" type="application/rss+xml" href="/feed.xml">' if feed else ""
    comments = '<link rel="alternate" type="application/rss+xml" href="/comments/feed.xml">'
    teasers = "".join(f'<article><h2><a href="{p}">Post {i}</a></h2><p>teaser</p></article>' for i, p in enumerate(POSTS))
    site.add("/", f"<html><head><title>Jane's blog</title>{feed_link}{comments}</head><body>{teasers}</body></html>")
    items = "".join(f"<item><title>x</title><link>{site.url}{p}</link></item>" for p in POSTS)
    site.add("/feed.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>Jane</title>{items}</channel></rss>',
             content_type="application/rss+xml")
    site.add("/comments/feed.xml", "<rss><channel><item><link>/never</link></item></channel></rss>", content_type="application/rss+xml")
    urls = "".join(f"<url><loc>{site.url}{p}</loc></url>" for p in POSTS)
    site.add("/sitemap.xml", f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
             content_type="application/xml")
    return site.url + "/"
