"""The golden cases of the text convention: every recorded Substack, Medium, LinkedIn Pulse and blog fixture (and
the synthetic ones that show a furniture class no capture has), each parsed by its platform's parser.

Expected output lives next to each fixture: ``<fixture stem>.golden.md`` (``Content``) and ``.golden.json`` (title,
subtitle, links, images). After a reviewed change: ``.venv/bin/python scripts/regen_golden.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from twin_crawler.pages.article import parse_article
from twin_crawler.pages.linkedin_pulse import parse_pulse
from twin_crawler.pages.medium import parse_post_page as medium_page
from twin_crawler.pages.medium_feed import parse_feed
from twin_crawler.pages.substack import parse_post
from twin_crawler.pages.substack_page import parse_post_page as substack_page

FIXTURES = Path(__file__).parents[1] / "fixtures"
Output = dict[str, Any]


def _out(title: str, subtitle: str, content: str, links: list[str], images: list[dict[str, str]]) -> Output:
    return {"title": title, "subtitle": subtitle, "content": content, "links": links, "images": images}


def _substack_api(name: str, url: str) -> Callable[[], Output]:
    def run() -> Output:
        p = parse_post(json.loads((FIXTURES / "substack" / name).read_text(encoding="utf-8")), url)
        return _out(p.title, p.subtitle, p.content, p.links, p.images)
    return run


def _substack_page(name: str, url: str) -> Callable[[], Output]:
    def run() -> Output:
        p = substack_page(url, (FIXTURES / "substack" / name).read_text(encoding="utf-8"))
        assert p is not None
        return _out(p.title, p.subtitle, p.content, p.links, p.images)
    return run


def _medium(name: str) -> Callable[[], Output]:
    def run() -> Output:
        p = medium_page("https://medium.com/p/x", (FIXTURES / "medium" / name).read_bytes())
        return _out(p.title, p.subtitle, p.content, p.links, p.images)
    return run


def _medium_feed(name: str) -> Callable[[], Output]:
    def run() -> Output:
        p = parse_feed((FIXTURES / "medium" / name).read_bytes()).entries[0]
        return _out(p.title, p.subtitle, p.content, p.links, p.images)
    return run


def _pulse(name: str) -> Callable[[], Output]:
    def run() -> Output:
        p = parse_pulse("https://www.linkedin.com/pulse/x", (FIXTURES / "linkedin" / name).read_bytes())
        return _out(p.title, p.subtitle, p.content, p.links, p.images)
    return run


def _blog(name: str, url: str) -> Callable[[], Output]:
    def run() -> Output:
        a = parse_article(url, (FIXTURES / "blogs" / name).read_bytes())
        return _out(a.title, a.subtitle, a.content, a.links, a.images)
    return run


CASES: dict[str, Callable[[], Output]] = {
    "substack/api_v1_posts_by-id_167180194.json": _substack_api(
        "api_v1_posts_by-id_167180194.json", "https://substack.com/api/v1/posts/by-id/167180194"),
    "substack/synthetic_post_chunking-for-rag.json": _substack_api(
        "synthetic_post_chunking-for-rag.json", "https://jane.substack.com/api/v1/posts/chunking-for-rag"),
    "substack/synthetic_post_widgets.json": _substack_api(
        "synthetic_post_widgets.json", "https://jane.substack.com/api/v1/posts/widgets-everywhere"),
    "substack/metascraper_substack-custom-domain-post.html": _substack_page(
        "metascraper_substack-custom-domain-post.html", "https://map.simonsarris.com/p/the-most-precious-resource-is-agency"),
    "substack/defuddle_substack-custom-domain-12gramsofcarbon.html": _substack_page(
        "defuddle_substack-custom-domain-12gramsofcarbon.html", "https://12gramsofcarbon.com/p/ilyas-30-papers-to-carmack-vlaes"),
    **{f"medium/{n}": _medium(n) for n in (
        "metascraper_medium-webpack-3-release.html", "readability_medium-3_source.html", "postlight_medium.com.html",
        "postlight_medium.com--another.html", "synthetic_locked_post.html", "synthetic_dom_signin-prompt.html")},
    "medium/synthetic_feed_janedoe.xml": _medium_feed("synthetic_feed_janedoe.xml"),
    **{f"linkedin/{n}": _pulse(n) for n in (
        "metascraper_linkedin-pulse-2019.html", "postlight_linkedin-pulse.html", "trafilatura_linkedin-pulse-de.html",
        "synthetic_pulse-counters.html")},
    "blogs/readability_wordpress_source.html": _blog("readability_wordpress_source.html", "https://wptavern.com/stack-overflow-jobs-data-shows-reactjs-skills-in-high-demand-wordpress-market-oversaturated-with-developers"),
    "blogs/readability_blogger_source.html": _blog("readability_blogger_source.html", "http://siliconexposed.blogspot.com/2016/05/open-verilog-flow-for-silego-greenpak4.html"),
    "blogs/readability_v8-blog_source.html": _blog("readability_v8-blog_source.html", "https://v8.dev/blog/emscripten-standalone-wasm"),
    "blogs/trafilatura_blog.python.org-blogger-article.html": _blog("trafilatura_blog.python.org-blogger-article.html", "http://blog.python.org/2016/12/python-360-is-now-available.html"),
    "blogs/trafilatura_gregoryszorc-personal-blog-article.html": _blog("trafilatura_gregoryszorc-personal-blog-article.html", "https://gregoryszorc.com/blog/2020/01/13/mercurial's-journey-to-and-reflections-on-python-3/"),
    "blogs/trafilatura_lemire.me-wordpress-article.html": _blog("trafilatura_lemire.me-wordpress-article.html", "https://lemire.me/blog/2019/08/02/json-parsing-simdjson-vs-json-for-modern-c/"),
}


def golden_paths(case: str) -> tuple[Path, Path]:
    """(markdown, json) expected-output files of a case, next to its fixture."""
    stem = (FIXTURES / case).with_suffix("")
    return stem.with_name(stem.name + ".golden.md"), stem.with_name(stem.name + ".golden.json")


def write_golden(case: str) -> None:
    out = CASES[case]()
    md, meta = golden_paths(case)
    md.write_text(out["content"] + "\n", encoding="utf-8")
    rest = {k: v for k, v in out.items() if k != "content"}
    meta.write_text(json.dumps(rest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
