"""Spiders: one per platform, plus ``twin`` (the router). Crawl policy lives in platform handlers."""
