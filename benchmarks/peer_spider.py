"""Benchmark 10's peer (issue 14): a plain Scrapy spider + trafilatura on the same URLs, the way a typical public
crawler for this job is written — ``trafilatura.extract`` on ``response.text`` in the callback, one dict per page,
no pipelines. Same project settings (reactor, concurrency, timeouts) minus twin-crawler's components, as the bare
spider it extends.

    python -m benchmarks.peer_spider URLFILE
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import trafilatura
from scrapy.http import Response

from .bare_spider import BareSpider, main


class PeerSpider(BareSpider):
    """Fetch every URL of ``urlfile`` and extract its text with trafilatura."""

    name = "peer"

    def parse(self, response: Response) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        text = getattr(response, "text", None)
        if text is None:
            return
        content = trafilatura.extract(text, url=response.url, with_metadata=True, include_comments=False,
                                      include_tables=True, output_format="markdown")
        if content:
            yield {"url": response.url, "content": content}


if __name__ == "__main__":
    main(sys.argv[1], PeerSpider)
