"""Feed entry links: the project's parser (``pages.feeds.feed_entry_links``) against feedparser, on the fixture feeds.

    .venv/bin/python -m benchmarks.feeds          # feedparser optional: pip install feedparser

For each fixture feed: the links each parser returns, whether they match the expected links, and the median time
per parse (µs). Written for issue 13 step 5 (library or own parser); the numbers are in the i13e commit message.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

from twin_crawler.pages.feeds import feed_entry_links

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
# (fixture, the URL it is served at, the entry links a reader must find)
CASES: list[tuple[str, str, list[str]]] = [
    ("blogs/trafilatura_feed1.atom", "http://example.org/feed.atom",
     ["http://example.org/2003/12/13/atom03"]),
    ("blogs/trafilatura_feed2.rss", "https://www.example.com/feed.rss",
     ["http://www.example.com/blog/post/1"]),
    ("medium/synthetic_feed_janedoe.xml", "https://medium.com/feed/@janedoe", []),  # filled from the parser below
    ("blogs/synthetic_feed-unescaped-amp.rss", "https://blog.example.org/feed/",
     ["https://blog.example.org/?p=101&lang=en", "https://blog.example.org/?p=102&lang=en&ref=feed",
      "https://blog.example.org/2024/05/plain-link/"]),
    ("blogs/synthetic_feed-xml-base.atom", "https://notes.example.net/blog/atom.xml",
     ["https://notes.example.net/blog/2024/first-post/", "https://notes.example.net/archive/second-post.html"]),
    ("blogs/synthetic_feed.json", "https://json.example.com/feed.json",
     ["https://json.example.com/posts/first/", "https://json.example.com/posts/second/"]),
]


def with_feedparser(url: str, body: bytes) -> list[str]:
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": url})
    links: list[str] = []
    for entry in parsed.entries:
        link = entry.get("link")
        if link and urljoin(url, link) not in links:
            links.append(urljoin(url, link))
    return links


def median_us(parse: Callable[[str, bytes], list[str]], url: str, body: bytes, runs: int = 200) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        try:
            parse(url, body)
        except Exception:  # a parser that raises is reported by main(), timing it is what matters here
            pass
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    parsers: dict[str, Callable[[str, bytes], list[str]]] = {"own": feed_entry_links}
    try:
        import feedparser  # noqa: F401

        parsers["feedparser"] = with_feedparser
    except ImportError:
        print("feedparser not installed: only the project's parser is measured")
    for name, url, expected in CASES:
        body = (FIXTURES / name).read_bytes()
        print(f"{name} ({len(body)} bytes)")
        for label, parse in parsers.items():
            try:
                got = parse(url, body)
            except Exception as exc:  # noqa: BLE001 - reported, the comparison goes on
                got = [f"raised {type(exc).__name__}: {exc}"]
            ok = "ok" if (got == expected if expected else bool(got)) else "WRONG"
            print(f"  {label:10} {ok:5} {median_us(parse, url, body):8.0f} µs  {got}")


if __name__ == "__main__":
    main()
