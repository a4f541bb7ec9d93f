"""The Prometheus extension: off by default, serves Scrapy stats and twin/... counters on a loopback port."""

from __future__ import annotations

import socket
import urllib.request

import pytest
from conftest import free_port
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from twin_crawler.extensions.metrics import PrometheusMetrics, parse_ports


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def test_metrics_are_off_by_default() -> None:
    with pytest.raises(NotConfigured) as off:
        PrometheusMetrics.from_crawler(get_crawler())
    assert not off.value.args  # Scrapy logs a warning for a NotConfigured with a reason: none for the default


def test_a_bad_port_setting_disables_metrics_with_the_reason() -> None:
    with pytest.raises(NotConfigured, match="not a port"):
        PrometheusMetrics.from_crawler(get_crawler(settings_dict={"TWIN_METRICS_PORT": "http"}))
    assert parse_ports("9410-9412") == [9410, 9411, 9412]
    with pytest.raises(ValueError):
        parse_ports("9412-9410")


def test_stats_and_twin_counters_are_exposed_live() -> None:
    port = free_port()
    crawler = get_crawler(settings_dict={"TWIN_METRICS_PORT": str(port)})
    metrics = PrometheusMetrics.from_crawler(crawler)
    metrics.start()
    try:
        assert crawler.stats is not None
        crawler.stats.inc_value("twin/warehouse/new", 3)
        crawler.stats.set_value("downloader/request_count", 7)
        crawler.stats.set_value("finish_reason", "finished")  # not numeric: left out
        body = scrape(port)
        assert 'twin_stat{key="warehouse/new",spider=""} 3.0' in body
        assert 'scrapy_stat{key="downloader/request_count",spider=""} 7.0' in body
        assert "finish_reason" not in body
        crawler.stats.inc_value("twin/warehouse/new")
        assert 'twin_stat{key="warehouse/new",spider=""} 4.0' in scrape(port)  # read at scrape time
        assert crawler.stats.get_value("twin/metrics/port") == port
    finally:
        metrics.stop()
    with socket.socket() as s:  # stopped: nothing listens any more
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_a_taken_port_moves_on_to_the_next_of_the_range() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        first = taken.getsockname()[1]
        crawler = get_crawler(settings_dict={"TWIN_METRICS_PORT": f"{first}-{first + 20}"})
        metrics = PrometheusMetrics.from_crawler(crawler)
        metrics.start()
        try:
            assert metrics.port is not None and metrics.port > first
            assert "twin_stat" in scrape(metrics.port)
        finally:
            metrics.stop()
