"""Issue 14: page parsing in a pool of worker processes (real processes, no sleeps: events and bounded polls).

The pool runs module-level functions of tests/pool_tasks.py and twin_crawler.parse_tasks; an article parsed in a
worker must equal the one parsed in the crawl process, byte for byte, on every real blog fixture.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pool_tasks
import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from twin_crawler import parse_tasks
from twin_crawler.arguments import ArgumentError
from twin_crawler.extensions.parsepool import ParsePoolExtension, workers_setting
from twin_crawler.pages.article import ArticlePage, NotAnArticle, PageError
from twin_crawler.parsepool import ParsePool, ParserCrash

BLOGS = Path(__file__).parents[1] / "fixtures" / "blogs"
PAGES = sorted(p for p in BLOGS.glob("*.html"))


def alive(pid: int) -> bool:
    """A live process (a zombie counts as left behind, so it is alive here)."""
    return Path(f"/proc/{pid}").exists()


def outcome(url: str, text: str) -> object:
    try:
        return ArticlePage(url, text, min_words=30).to_item("Jane Doe", url)
    except (NotAnArticle, PageError) as exc:
        return type(exc).__name__, str(exc)


def test_every_fixture_gives_byte_identical_content_in_the_pool() -> None:
    assert len(PAGES) >= 5
    responses = [HtmlResponse(f"https://blog.example/{p.stem}", body=p.read_bytes()) for p in PAGES]
    in_process = [outcome(r.url, r.text) for r in responses]

    async def pooled() -> list[object]:
        pool = ParsePool(1)
        try:
            results = []
            for r in responses:
                try:
                    results.append(await pool.run(parse_tasks.article, r.url, r.body, r.encoding, 30, "Jane Doe", r.url))
                except (NotAnArticle, PageError) as exc:
                    results.append((type(exc).__name__, str(exc)))
            return results
        finally:
            pool.close()

    in_pool = asyncio.run(pooled())
    assert in_pool == in_process
    assert any(not isinstance(r, tuple) and r.content.Content for r in in_pool)  # real articles compared, not only errors


def test_work_runs_in_a_worker_and_close_leaves_no_process() -> None:
    async def go() -> tuple[list[tuple[str, bool]], list[int]]:
        pool = ParsePool(1)
        results = [await pool.run(pool_tasks.echo_pid, f"https://x.example/{i}", os.getpid()) for i in range(3)]
        children = pool.children()
        pool.close()
        return results, children

    results, children = asyncio.run(go())
    assert [r[1] for r in results] == [True, True, True]
    assert len(children) == 1
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(alive(pid) for pid in children)


ORPHAN_OWNER = """
import asyncio, os, sys, time
import pool_tasks
from twin_crawler.parsepool import ParsePool

async def main():
    pool = ParsePool(1)
    await pool.run(pool_tasks.echo_pid, "https://x.example/1", os.getpid())
    print(*pool.children(), flush=True)
    time.sleep(60)  # SIGKILLed by the test long before: no close(), no engine_stopped

asyncio.run(main())
"""


def test_workers_of_a_sigkilled_crawl_exit_on_their_own() -> None:
    """A crawl killed with SIGKILL cannot close its pool: its workers read end-of-file on their socket and exit."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(pool_tasks.__file__).parent), *sys.path])}
    owner = subprocess.Popen([sys.executable, "-c", ORPHAN_OWNER], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert owner.stdout is not None
        children = [int(pid) for pid in owner.stdout.readline().split()]
        assert len(children) == 1 and alive(children[0])
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    deadline = time.monotonic() + 20  # a bounded poll for the worker's exit
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in children)


def test_a_worker_that_dies_is_replaced_and_the_page_parsed_in_process() -> None:
    async def go() -> tuple[str, tuple[str, bool], int]:
        pool = ParsePool(1)
        try:
            first = await pool.run(pool_tasks.die_in_worker, "https://x.example/crash", os.getpid())
            after = await pool.run(pool_tasks.echo_pid, "https://x.example/next", os.getpid())
            return first, after, pool.crashes
        finally:
            pool.close()

    first, after, crashes = asyncio.run(go())
    assert first == "parsed https://x.example/crash in-process"
    assert after == ("https://x.example/next", True) and crashes == 1  # a new worker took the next page


def test_a_worker_killed_with_pages_queued_has_each_parsed_once_in_process(tmp_path: Path) -> None:
    """SIGKILL on a worker busy with one page and holding three more: all four come back, each parsed once in the
    crawl process (none lost, none twice), and a new worker takes the next page."""
    urls = [f"https://x.example/{i}" for i in range(4)]

    async def go() -> tuple[list[tuple[str, bool]], tuple[str, bool], int, list[int], list[int]]:
        pool = ParsePool(1, max_pending=4)
        try:
            tasks = [asyncio.ensure_future(pool.run(pool_tasks.hold, url, str(tmp_path), os.getpid())) for url in urls]
            deadline = time.monotonic() + 30
            while not (tmp_path / "started-0").exists() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)  # a bounded poll: the worker holds page 0, pages 1-3 wait in its socket
            killed = pool.children()
            os.kill(killed[0], signal.SIGKILL)
            done = await asyncio.gather(*tasks)
            after = await pool.run(pool_tasks.echo_pid, "https://x.example/next", os.getpid())
            return done, after, pool.crashes, killed, pool.children()
        finally:
            pool.close()

    done, after, crashes, killed, now = asyncio.run(go())
    assert done == [(url, False) for url in urls]  # every page answered by the crawl process
    calls = (tmp_path / "calls").read_text(encoding="utf-8").splitlines()
    assert sorted(line for line in calls if line.endswith(" crawl")) == [f"{url} crawl" for url in urls]  # once each
    assert [line for line in calls if line.endswith(" worker")] == [f"{urls[0]} worker"]  # the queued never started
    assert after == ("https://x.example/next", True) and crashes == 1
    assert len(killed) == 1 and len(now) == 1 and now != killed and not alive(killed[0])  # replaced and reaped


def test_pages_in_flight_across_two_workers_come_back_to_their_callers() -> None:
    """Forty pages in flight at once over two workers, bodies from 1 KB to 1.2 MB each way (more than a socket
    takes in one write or gives in one read): each caller gets its own page's answer, and both workers took pages."""
    bodies = [f"page {i};".encode() * (100 + 15_000 * (i % 9)) for i in range(40)]
    urls = [f"https://x.example/{i}" for i in range(40)]

    async def go() -> tuple[list[tuple[str, bytes, int, int]], list[int]]:
        pool = ParsePool(2, max_pending=40)
        try:
            results = await asyncio.gather(*(pool.run(pool_tasks.echo_body, url, body, tag=i)
                                             for i, (url, body) in enumerate(zip(urls, bodies, strict=True))))
            return list(results), pool.children()
        finally:
            pool.close()

    results, children = asyncio.run(go())
    assert [r[:3] for r in results] == [(url, body, i) for i, (url, body) in enumerate(zip(urls, bodies, strict=True))]
    assert len(children) == 2 and {r[3] for r in results} == set(children)


def test_an_exception_raised_in_the_worker_reaches_the_caller_intact() -> None:
    """An exception of the page's function is no crash: same type, message (and reason) as in-process; the worker
    lives on."""
    async def go() -> tuple[list[BaseException], int, list[int], list[int]]:
        pool = ParsePool(1)
        try:
            await pool.run(pool_tasks.echo_pid, "https://x.example/first", os.getpid())
            before = pool.children()
            caught = []
            for fn in (pool_tasks.raise_value_error, pool_tasks.raise_not_an_article):
                try:
                    await pool.run(fn, "https://x.example/page")
                except Exception as exc:
                    caught.append(exc)
            return caught, pool.crashes, before, pool.children()
        finally:
            pool.close()

    caught, crashes, before, after = asyncio.run(go())
    assert [(type(exc), str(exc)) for exc in caught] == [
        (ValueError, "cannot read https://x.example/page"),
        (NotAnArticle, "index-page: https://x.example/page lists 12 posts")]
    assert isinstance(caught[1], NotAnArticle) and caught[1].reason == "index-page"
    assert "raise_value_error" in str(caught[0].__cause__)  # the worker's traceback, as the cause
    assert crashes == 0 and before == after


def test_a_worker_imports_the_preload_not_scrapy_and_ignores_sigint() -> None:
    """A worker is not a copy of the crawl's ``__main__``: the parser's modules, not Scrapy; Ctrl-C is the
    crawl's to handle."""
    async def go() -> tuple[bool, bool, bool, list[int], list[int]]:
        pool = ParsePool(1)
        try:
            scrapy = await pool.run(pool_tasks.imported, "https://x.example/a", "scrapy")
            trafilatura = await pool.run(pool_tasks.imported, "https://x.example/b", "trafilatura")
            before = pool.children()
            os.kill(before[0], signal.SIGINT)
            here = await pool.run(pool_tasks.imported, "https://x.example/c", "twin_crawler.parse_worker")
            return scrapy, trafilatura, here, before, pool.children()
        finally:
            pool.close()

    scrapy, trafilatura, here, before, after = asyncio.run(go())
    assert (scrapy, trafilatura, here) == (False, True, True)
    assert before == after  # SIGINT left it alone


def test_close_with_a_page_in_flight_stops_the_worker_and_the_page_is_parsed_here(tmp_path: Path) -> None:
    async def go() -> tuple[tuple[str, bool], list[int], int]:
        pool = ParsePool(1)
        held = asyncio.ensure_future(pool.run(pool_tasks.hold, "https://x.example/held", str(tmp_path), os.getpid()))
        deadline = time.monotonic() + 30
        while not (tmp_path / "started-held").exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)  # a bounded poll: the worker holds the page (and never gets "release")
        children = pool.children()
        pool.close()
        pool.close()  # idempotent
        return await held, children, pool.crashes

    result, children, crashes = asyncio.run(go())
    assert result == ("https://x.example/held", False) and crashes == 0
    assert len(children) == 1 and not alive(children[0])  # stopped and reaped by close()


def test_a_page_that_kills_the_parser_twice_is_a_parser_crash() -> None:
    async def go() -> None:
        pool = ParsePool(1)
        try:
            await pool.run(pool_tasks.always_fails, "https://x.example/poison", os.getpid())
        finally:
            pool.close()

    with pytest.raises(ParserCrash) as caught:
        asyncio.run(go())
    assert caught.value.reason == "parser-crash" and "https://x.example/poison" in str(caught.value)


def test_at_most_max_pending_pages_are_in_the_pool(tmp_path: Path) -> None:
    async def go() -> list[str]:
        pool = ParsePool(1, max_pending=1)
        try:
            tasks = [asyncio.ensure_future(pool.run(pool_tasks.wait_for, f"https://x.example/{i}", str(tmp_path)))
                     for i in range(3)]
            deadline = time.monotonic() + 30
            while not list(tmp_path.glob("started-*")) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)  # a bounded poll for the first page to start
            for _ in range(20):
                await asyncio.sleep(0)  # let the other callers try to get in
            started = len(list(tmp_path.glob("started-*")))
            (tmp_path / "release").touch()
            done = await asyncio.gather(*tasks)
            assert started == 1  # the other two waited for a slot instead of queueing their bodies
            return done
        finally:
            pool.close()

    assert asyncio.run(go()) == [f"https://x.example/{i}" for i in range(3)]
    assert len(list(tmp_path.glob("started-*"))) == 3


def test_a_full_pool_that_shares_parses_the_next_page_in_the_crawl_process(tmp_path: Path) -> None:
    """TWIN_PARSE_SHARE: with the worker's slot taken, the next page is parsed here instead of waiting for it."""
    async def go() -> tuple[tuple[str, bool], tuple[str, bool], int]:
        pool = ParsePool(1, max_pending=1, share=True)
        try:
            held = asyncio.ensure_future(pool.run(pool_tasks.wait_for, "https://x.example/held", str(tmp_path)))
            deadline = time.monotonic() + 30
            while not list(tmp_path.glob("started-*")) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)  # a bounded poll: the worker holds the only slot
            shared = await pool.run(pool_tasks.echo_pid, "https://x.example/shared", os.getpid())
            (tmp_path / "release").touch()
            await held
            # a free slot again: the next page goes to the worker
            pooled = await pool.run(pool_tasks.echo_pid, "https://x.example/pooled", os.getpid())
            return shared, pooled, pool.shared
        finally:
            pool.close()

    shared, pooled, count = asyncio.run(go())
    assert shared == ("https://x.example/shared", False)  # the crawl process parsed it
    assert pooled == ("https://x.example/pooled", True)
    assert count == 1


def test_no_workers_parses_in_process() -> None:
    async def go() -> tuple[str, bool]:
        return await ParsePool(0).run(pool_tasks.echo_pid, "https://x.example/a", os.getpid())

    assert asyncio.run(go()) == ("https://x.example/a", False)


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("3", 3), (None, max((os.cpu_count() or 1) - 1, 0)), ("", max((os.cpu_count() or 1) - 1, 0))])
def test_the_setting(value: str | None, expected: int) -> None:
    assert workers_setting(Settings({"TWIN_PARSE_WORKERS": value})) == expected


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_a_bad_setting_is_one_line(value: str) -> None:
    with pytest.raises(ArgumentError, match="TWIN_PARSE_WORKERS"):
        workers_setting(Settings({"TWIN_PARSE_WORKERS": value}))


def test_a_bad_setting_stops_the_crawl_before_it_starts() -> None:
    from twin_crawler.checks import check_settings

    with pytest.raises(ArgumentError, match="TWIN_PARSE_WORKERS='many'"):
        check_settings(Settings({"TWIN_PARSE_WORKERS": "many"}))


@pytest.mark.parametrize(("value", "expected"), [(None, True), ("False", False), ("1", True)])
def test_the_extension_shares_by_setting_and_reports_what_the_crawl_process_parsed(value: str | None, expected: bool) -> None:
    settings = {"TWIN_PARSE_WORKERS": "1"} | ({"TWIN_PARSE_SHARE": value} if value is not None else {})
    crawler = get_crawler(Spider, settings)
    crawler.stats.open_spider()
    extension = ParsePoolExtension.from_crawler(crawler)
    assert extension.pool.share is expected and extension.pool.workers == 1
    extension.pool.shared = 3  # as if three pages had found the pool full
    extension.engine_stopped()
    assert extension.pool.closed
    assert crawler.stats.get_value("twin/parse_pool/in_crawl") == 3


def test_a_worker_that_cannot_start_leaves_the_page_to_the_crawl_process() -> None:
    """Out of file descriptors, no socket pair for a worker: the page is parsed in the crawl process, not failed."""
    import resource

    async def go() -> tuple[str, bool]:
        pool = ParsePool(1)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")), hard))  # nothing more opens
        try:
            return await pool.run(pool_tasks.echo_pid, "https://x.example/1", os.getpid())
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
            pool.close()

    assert asyncio.run(go()) == ("https://x.example/1", False)
