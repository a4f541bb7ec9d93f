"""Substack post pages (custom domains): the ``_preloads`` post object, else the rendered body with JSON-LD."""

from __future__ import annotations

import json
import re
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from .html import PageError, canonical_url, html_language, iter_ld, meta, person_name
from .markdown import Converted
from .substack import SubstackError, SubstackPostPage
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


class SubstackHtmlPage(SubstackPostPage):
    """A post page (a custom domain's): its ``_preloads`` post object, else the rendered body with JSON-LD read
    into the same fields. ``SubstackError`` from the fields when the page holds no post."""

    @cached_property
    def _preloaded(self) -> dict[str, Any] | None:
        data = preloads(self.text)
        if data and isinstance(data.get("post"), dict) and data["post"].get("body_html"):
            return data
        return None

    @cached_property
    def _rendered_body(self) -> lxml.html.HtmlElement:
        bodies = self.tree.xpath("//div[contains(@class,'available-content')]//div[contains(concat(' ',@class,' '),' body ')]")
        if not bodies:
            raise SubstackError(f"{self.url}: no Substack post on the page")
        return bodies[0]

    @property
    def teaser_stands_in(self) -> bool:  # type: ignore[override]
        return self._preloaded is not None  # a rendered page's text is what it shows, never a teaser

    def _object(self) -> Any:
        if self._preloaded is not None:
            self._language = self._language or self._preloaded.get("language")
            return self._preloaded["post"]
        tree = self.tree
        self._rendered_body  # noqa: B018 - a page without a post body holds no post
        ld = next(iter_ld(tree, {"NewsArticle", "Article", "BlogPosting"}), {})
        paywalled = ld.get("isAccessibleForFree") is False or bool(tree.xpath("//div[contains(@class,'available-content')]//*[contains(@class,'paywall')]"))
        page_link = canonical_url(tree) or str(ld.get("url") or self.url)
        author = person_name(ld.get("author"))
        return {  # the rendered page in the API's shape (Substack's post object is the one source of truth)
            "slug": urlsplit(page_link).path.rstrip("/").rsplit("/", 1)[-1], "canonical_url": page_link,
            "title": tree.xpath("string(//h1[contains(@class,'post-title')])") or ld.get("headline") or meta(tree, "og:title") or "",
            "subtitle": tree.xpath("string(//h3[contains(@class,'subtitle')])"),
            "audience": "only_paid" if paywalled else "everyone", "type": "newsletter",
            "post_date": ld.get("datePublished"), "updated_at": ld.get("dateModified"),
            "publishedBylines": [{"name": n.strip()} for n in (author or "").split(",") if n.strip()],
            "description": str(ld.get("description") or meta(tree, "description", "og:description") or "") or None,
            "language": html_language(tree),
        }

    @cached_property
    def _converted(self) -> Converted | None:
        if self._preloaded is not None:
            return super()._converted
        return body_to_markdown(self._rendered_body, self.url)


def parse_post_page(url: str, html: str) -> SubstackHtmlPage | None:
    """The post of a post page, read; None when it holds no post or is no readable page."""
    try:
        return SubstackHtmlPage(url, html).read()
    except PageError:
        return None
