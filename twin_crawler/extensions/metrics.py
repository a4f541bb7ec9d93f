"""Prometheus metrics of a running crawl (off by default): Scrapy stats, ``twin/...`` counters, frontier sizes.

Enable with ``TWIN_METRICS_PORT=9410`` (or a range, ``9410-9419``: the first free port, so several workers on one
machine each get one) and scrape ``http://<TWIN_METRICS_HOST>:<port>/metrics``. Metric families:

- ``twin_stat{spider, key}``: every numeric stat under ``twin/`` (``key`` without the prefix: ``warehouse/new``);
- ``scrapy_stat{spider, key}``: every other numeric Scrapy stat (``downloader/request_count``, ...);
- ``twin_frontier_size{spider, queue}``: in distributed mode, seeds waiting, frontier requests, leases held (fleet-wide).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from twin_crawler.extensions import engine_scheduler

logger = logging.getLogger(__name__)


def parse_ports(spec: str) -> list[int]:
    """``"9410"`` -> [9410]; ``"9410-9419"`` -> that range; raises ValueError otherwise."""
    first, _, last = spec.strip().partition("-")
    low, high = int(first), int(last or first)
    if not 0 < low <= high < 65536:
        raise ValueError(f"TWIN_METRICS_PORT {spec!r} is not a port or a port range")
    return list(range(low, high + 1))


class CrawlCollector(Collector):
    """Reads the crawler's stats at each scrape (no copies to keep in sync)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    def collect(self) -> Iterator[Metric]:
        spider = getattr(self.crawler.spider, "name", "") or ""
        twin = GaugeMetricFamily("twin_stat", "twin-crawler counters (Scrapy stats under twin/)", labels=["spider", "key"])
        other = GaugeMetricFamily("scrapy_stat", "numeric Scrapy stats", labels=["spider", "key"])
        stats = self.crawler.stats.get_stats() if self.crawler.stats is not None else {}
        for key, value in sorted(stats.items()):
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if key.startswith("twin/"):
                twin.add_metric([spider, key.removeprefix("twin/")], float(value))
            else:
                other.add_metric([spider, key], float(value))
        yield twin
        yield other
        # The distributed scheduler, when it is the engine's (not imported here: a crawl on one machine never loads
        # scrapy-redis); its lease store reads the fleet-wide queue sizes.
        leases = getattr(engine_scheduler(self.crawler), "leases", None)
        if leases is not None:
            sizes = GaugeMetricFamily("twin_frontier_size", "distributed queues (all workers)", labels=["spider", "queue"])
            try:
                for queue, size in leases.sizes().items():
                    sizes.add_metric([spider, queue], float(size))
            except Exception as exc:  # Redis down: the other metrics are still worth serving
                logger.debug("frontier sizes unavailable: %s", exc)
            yield sizes


class PrometheusMetrics:
    """Serves ``/metrics`` on a loopback (by default) port from spider open until the engine stops."""

    def __init__(self, crawler: Crawler, ports: list[int], host: str) -> None:
        self.crawler = crawler
        self.ports = ports
        self.host = host
        self.port: int | None = None
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(CrawlCollector(crawler))
        self._server: Any = None
        crawler.signals.connect(self.start, signal=signals.spider_opened)
        crawler.signals.connect(self.stop, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrometheusMetrics:
        spec = str(crawler.settings.get("TWIN_METRICS_PORT") or "").strip()
        if spec in ("", "0"):
            raise NotConfigured  # off by default; no reason given, so Scrapy does not log a warning every run
        try:
            ports = parse_ports(spec)
        except ValueError:
            raise NotConfigured(f"TWIN_METRICS_PORT {spec!r} is not a port or a port range (9410 or 9410-9419)") from None
        return cls(crawler, ports, crawler.settings.get("TWIN_METRICS_HOST") or "127.0.0.1")

    def start(self) -> None:
        for port in self.ports:
            try:
                self._server, _ = start_http_server(port, addr=self.host, registry=self.registry)
            except OSError:
                continue  # taken (another worker on this machine): try the next port of the range
            self.port = port
            self.crawler.stats.set_value("twin/metrics/port", port)  # type: ignore[union-attr]
            logger.info("Prometheus metrics on http://%s:%d/metrics", self.host, port)
            return
        logger.error("no free port for metrics in %s on %s; metrics are off", self.ports, self.host)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
