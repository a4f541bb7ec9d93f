"""``scrapy seed SPIDER --user NAME URL...``: push JSON seeds for distributed workers onto Redis.

Examples::

    scrapy seed article --user "Maxime Labonne" https://mlabonne.github.io/blog/
    scrapy seed twin --config configs/paul_iusztin.yaml
    scrapy seed substack --user "Paul Iusztin" --platform substack --links @custom-domains.txt
    scrapy seed article --status            # seeds waiting, frontier size, leases outstanding
"""

from __future__ import annotations

import argparse
import json
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.spiderloader import get_spider_loader

from twin_crawler.arguments import ArgumentError, read_config, split_links
from twin_crawler.distributed import Keys, RedisUnavailable, connect, redis_url
from twin_crawler.distributed.seeds import Seed, SeedError, make_seed
from twin_crawler.help_text import RawHelpFormatter
from twin_crawler.items import PLATFORMS
from twin_crawler.secrets import redact_uri

from . import EXIT_USAGE, EXIT_WAREHOUSE, fail


class Command(ScrapyCommand):
    """Validate seeds (author name, URLs, platform, meta) and append them to ``<prefix>:<spider>:seeds``."""

    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "SPIDER [URL ...] --user NAME [--links LIST|@FILE] [--config FILE] [--platform P] [--meta JSON]"

    def short_desc(self) -> str:
        return "Push seeds {url, user, platform?, meta?} for distributed workers (Redis)"

    def long_desc(self) -> str:
        return (f"{self.short_desc()}.\n\n"
                "Each URL becomes one JSON seed on <TWIN_REDIS_PREFIX>:<SPIDER>:seeds in REDIS_URL; workers running\n"
                "`scrapy crawl SPIDER` with SCRAPY_SETTINGS_MODULE=twin_crawler.settings.distributed crawl them.\n\n"
                "Examples\n"
                '  scrapy seed article --user "Maxime Labonne" https://mlabonne.github.io/blog/\n'
                "  scrapy seed twin --config configs/paul_iusztin.yaml\n"
                '  scrapy seed substack --user "Paul Iusztin" --platform substack --links @custom-domains.txt\n'
                "  scrapy seed article --status      (seeds waiting, frontier size, leases outstanding)")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.formatter_class = RawHelpFormatter  # the examples keep their lines
        parser.add_argument("--user", help="the author's full name")
        parser.add_argument("--links", help="comma/newline separated URLs, or @file")
        # No colon at a wrapped line's end: Scrapy's help formatter would turn that line into a heading.
        parser.add_argument("--config", help="LLM-Engineers-Handbook YAML with parameters user_full_name and links")
        parser.add_argument("--platform", choices=PLATFORMS, help="force this platform's parser (custom domains)")
        parser.add_argument("--meta", help="JSON object merged into the seed's requests, e.g. '{\"playwright\": true}'")
        parser.add_argument("--status", action="store_true", help="print queue sizes instead of pushing")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if not args:
            return self._fail("give the spider the workers run, e.g. scrapy seed article --user NAME URL", EXIT_USAGE)
        spider, urls = args[0], args[1:]
        known = get_spider_loader(self.settings).list()
        if spider not in known:
            return self._fail(f"unknown spider {spider!r}; available: {', '.join(sorted(known))}", EXIT_USAGE)
        keys = Keys.from_settings(self.settings, spider)
        try:
            seeds = [] if opts.status else self._seeds(urls, opts)
        except (ArgumentError, SeedError) as exc:
            return self._fail(str(exc), EXIT_USAGE)
        try:
            client = connect(self.settings)
            if opts.status:
                sizes = [client.llen(keys.seeds), client.zcard(keys.frontier), client.zcard(keys.leases)]
                print(json.dumps(dict(zip(("seeds", "frontier", "leases"), sizes, strict=True))))
                return None
            client.rpush(keys.seeds, *[seed.to_json() for seed in seeds])
        except RedisUnavailable as exc:
            return self._fail(str(exc), EXIT_WAREHOUSE)
        print(f"pushed {len(seeds)} seeds to {keys.seeds} on {redact_uri(redis_url(self.settings))}")
        return None

    def _seeds(self, urls: list[str], opts: argparse.Namespace) -> list[Seed]:
        pairs: list[tuple[str, str | None]] = [(url, opts.user) for url in urls]
        if opts.config:  # one author, or several (``author_links``): each link is seeded with its own author
            for config_user, config_links in read_config(opts.config):
                pairs.extend((link, opts.user or config_user) for link in config_links)
        if opts.links:
            pairs.extend((link, opts.user) for link in split_links(opts.links))
        if not pairs:
            raise SeedError("seed: no URLs; give them as arguments, --links LIST|@FILE, or --config FILE")
        try:
            meta = json.loads(opts.meta) if opts.meta else None
        except ValueError:
            raise SeedError("seed: --meta is not valid JSON") from None
        return [make_seed(link, user, opts.platform, meta) for link, user in pairs]

    def _fail(self, message: str, code: int) -> None:
        fail(message)
        self.exitcode = code
