"""What every spider callback and errback shares, as two decorators on real spider methods.

``@settles`` wraps a parse method (``parse_substack_post``, ...): it runs under the author of the link (the
``twin_user`` meta of a multi-author config or a worker's seed), stamps that author's id on documents, and maps a
one-document page's item back to the link crawled (a second link to the same document is its duplicate).
``@on_failure`` wraps an errback: the request failed for good, and the method gets ``(request, reason)``.
Both keep the method a spider method, so requests stay picklable (JOBDIR, the Redis frontier) and ``scrapy parse
-c parse_substack_post`` can call it.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from twin_crawler.authors import CURRENT_AUTHOR, SEED_USER_META, in_author_context
from twin_crawler.exceptions import exception_reason
from twin_crawler.items import Document, name_key
from twin_crawler.meta import LINK, LISTING

if TYPE_CHECKING:
    from .base import TwinBaseSpider

logger = logging.getLogger(__name__)
S = TypeVar("S", bound="TwinBaseSpider")
# What a seed or a callback returns: requests and items, from a plain or an async generator (or nothing).
Output = Iterable[Any] | AsyncIterable[Any] | None


async def aiterate(result: Output) -> AsyncIterator[Any]:
    """Any callback output as one async iterator."""
    if result is None:
        return
    if isinstance(result, AsyncIterable):
        async for out in result:
            yield out
    else:
        for out in result:
            yield out


def stamp_author(item: Document, author: dict[str, Any] | None) -> None:
    """Put the author record's warehouse id on an item named for that author, so that CleanPipeline needs no
    second user look-up; an item naming someone else (a GitHub owner, a placeholder) is left to its fallback."""
    if item.author_id is not None or not author or "_id" not in author:
        return
    if name_key(item.author_full_name) == name_key(str(author["full_name"])):
        item.author_id = author["_id"]


def settles(method: Callable[[S, Response], Output]) -> Callable[[S, Response], AsyncIterator[Any]]:
    """Decorate a spider callback: author context, author id on documents, link -> document claims."""

    @functools.wraps(method)
    async def callback(spider: S, response: Response) -> AsyncIterator[Any]:
        meta = meta_of(response)
        link = meta.get(LINK)
        name = meta.get(SEED_USER_META)
        author = await spider.author_cache.resolve(spider.warehouse(), name) if name else None
        async for out in in_author_context(aiterate(method(spider, response)), author):
            if isinstance(out, Document):
                stamp_author(out, author or spider._author)
                # A listing page (``twin_listing`` meta: a feed read in the browser) yields many documents, each
                # its own ledger link; only a one-document page maps its item's link back to the link crawled.
                if link and not meta.get(LISTING):
                    owner = spider.ledger.claim(out.link, link)
                    if owner is not None:
                        logger.info("%s is the same document as %s: recorded as its duplicate", link, owner)
                        continue
            yield out

    return callback


def meta_of(source: Request | Response) -> dict[str, Any]:
    """The request meta of a request or a response; empty for a response built without a request (parser tests,
    replays): it decides nothing."""
    if isinstance(source, Response) and source.request is None:
        return {}
    return source.meta


def give_up_reason(failure: Failure) -> str | None:
    """The ledger reason of a request that failed for good; None when it was left out on purpose."""
    if getattr(failure.value, "twin_skipped", False):
        return None  # incremental: fresh / not modified; the ledger already says why
    assert failure.value is not None  # a Failure always wraps an exception
    return exception_reason(failure.value)


def on_failure(method: Callable[[S, Request, str], None]) -> Callable[[S, Failure], None]:
    """Decorate a spider errback taking ``(request, reason)``; runs under the request's author."""

    @functools.wraps(method)
    def errback(spider: S, failure: Failure) -> None:
        reason = give_up_reason(failure)
        if reason is None:
            return
        request: Request = failure.request  # type: ignore[attr-defined]
        with request_author(spider, request):
            method(spider, request, reason)

    return errback


@contextlib.contextmanager
def request_author(spider: TwinBaseSpider, request: Request) -> Iterator[None]:
    """``CURRENT_AUTHOR`` set to the author a request was made for (its ``twin_user`` meta), else unset."""
    name = request.meta.get(SEED_USER_META)
    token = CURRENT_AUTHOR.set(spider.author_cache.known(name) if name else None)
    try:
        yield
    finally:
        CURRENT_AUTHOR.reset(token)
