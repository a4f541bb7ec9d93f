"""The one registry of platform handlers; each platform issue fills in its line.

Handlers are imported lazily so that a crawl only imports what it uses (a GitHub-only crawl never imports the
browser integration).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .handler import PlatformHandler

HANDLERS: dict[str, str] = {
    "article": "twin_crawler.spiders.article:ArticleHandler",
    "github": "twin_crawler.spiders.github:GithubHandler",
    "linkedin": "twin_crawler.spiders.linkedin:LinkedinHandler",
    "medium": "twin_crawler.spiders.medium:MediumHandler",
    "substack": "twin_crawler.spiders.substack:SubstackHandler",
}


def handler_class(platform: str) -> type[PlatformHandler] | None:
    """The handler class for ``platform``, or None while that platform has no parser."""
    target = HANDLERS.get(platform)
    if target is None:
        return None
    module, _, name = target.partition(":")
    cls: type[PlatformHandler] = getattr(importlib.import_module(module), name)
    return cls
