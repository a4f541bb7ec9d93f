"""Scrapy extensions: the run report, JOBDIR resume, dead letters, the log secret guard (and, optionally, Prometheus metrics)."""
