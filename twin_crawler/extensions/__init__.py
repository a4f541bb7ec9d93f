"""Scrapy extensions: the run report (and, optionally, Prometheus metrics)."""
