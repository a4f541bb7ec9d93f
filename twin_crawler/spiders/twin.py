"""The router: mixed links, each sent to its platform's parser by parsed host."""

from __future__ import annotations

from .base import TwinBaseSpider


class TwinSpider(TwinBaseSpider):
    """Routes every link to medium, substack, linkedin, github or article by its host; custom domains of Medium
    and Substack are recognised from their first page (one request, verdict cached per host).

    Arguments: ``user`` (or ``config``), ``links``/``config``, ``force``, ``reprocess``. ``handle`` is not used:
    discovery from a handle belongs to the platform spiders.
    """

    name = "twin"
    platform = None
