"""Spiders: one per platform, plus ``twin`` (the router). Crawl policy lives in one mixin per platform (``XxxCrawl``)."""
