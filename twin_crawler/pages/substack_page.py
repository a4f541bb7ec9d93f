"""Substack post pages (custom domains): the ``_preloads`` post object, else the rendered body with JSON-LD."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from twin_crawler.urls import canonicalize

from .html import canonical_url, html_language, iter_ld, meta, parse_datetime, parse_html, person_name
from .markdown import strip_repeats
from .substack import SubstackPost, parse_post
from .substack_text import body_to_markdown

PRELOADS = re.compile(r"""window\._preloads\s*=\s*JSON\.parse\(\s*"((?:[^"\\]|\\.)*)"\s*\)""", re.S)


def preloads(html: str) -> dict[str, Any] | None:
    """``window._preloads = JSON.parse("...")`` of a page, decoded (a JS string holding JSON), or None."""
    match = PRELOADS.search(html)
    if not match:
        return None
    try:
        # The literal is a JavaScript string; JSON reads it once \xNN escapes are spelled as \u00NN.
        text = json.loads('"' + re.sub(r"\\x([0-9a-fA-F]{2})", r"\\u00\1", match.group(1)) + '"')
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def parse_post_page(url: str, html: str) -> SubstackPost | None:
    """A post page: its ``_preloads`` post, else the rendered body with JSON-LD; None when it holds no post."""
    data = preloads(html)
    if data and isinstance(data.get("post"), dict) and data["post"].get("body_html"):
        return parse_post(data["post"], url, language=data.get("language"))
    tree = parse_html(html)
    bodies = tree.xpath("//div[contains(@class,'available-content')]//div[contains(concat(' ',@class,' '),' body ')]")
    if not bodies:
        return None
    ld = next(iter_ld(tree, {"NewsArticle", "Article", "BlogPosting"}), {})
    converted = body_to_markdown(bodies[0], url)
    paywalled = ld.get("isAccessibleForFree") is False or bool(tree.xpath("//div[contains(@class,'available-content')]//*[contains(@class,'paywall')]"))
    title = (tree.xpath("string(//h1[contains(@class,'post-title')])") or ld.get("headline") or meta(tree, "og:title") or "").strip()
    subtitle = tree.xpath("string(//h3[contains(@class,'subtitle')])").strip()
    author = person_name(ld.get("author"))
    page_link = canonical_url(tree) or str(ld.get("url") or url)
    return SubstackPost(
        id=None, slug=urlsplit(page_link).path.rstrip("/").rsplit("/", 1)[-1], title=title,
        subtitle=subtitle, link=canonicalize(page_link), audience="only_paid" if paywalled else "everyone",
        type="newsletter", markdown=strip_repeats(converted.markdown, title, subtitle),
        published_at=parse_datetime(ld.get("datePublished")), modified_at=parse_datetime(ld.get("dateModified")),
        bylines=[{"name": n.strip()} for n in (author or "").split(",") if n.strip()],
        description=str(ld.get("description") or meta(tree, "description", "og:description") or "") or None,
        language=html_language(tree), links=converted.links, images=converted.images,
    )
