"""Issue 15, point 7: IPv4-embedding IPv6 forms refused, TWIN_WORKER_IDLE_CLOSE read from the environment, no
empty twin.db after a refused run, junk cleaned from items, secret query parameters masked, no telnet console."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from conftest import LoopbackSite, NxServer, assert_ok, crawl, unique_db
from distributed_helpers import Worker, article_html, loopback_settings, scrapy_env, unique_prefix
from scrapy.exceptions import DropItem, IgnoreRequest
from scrapy.http import Request
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from twin_crawler.items import Article, ArticleContent, normalise_name
from twin_crawler.middlewares.ssrf import SSRFGuardMiddleware, address_refusal, host_refusal
from twin_crawler.pipelines.clean import CleanPipeline
from twin_crawler.secrets import scrub
from twin_crawler.warehouse.embedded import EmbeddedWarehouse

EMBEDDED_FORMS = [  # (host, reason without TWIN_ALLOW_LOOPBACK, reason with it)
    ("[::127.0.0.1]", "ssrf-loopback", None), ("[::7f00:1]", "ssrf-loopback", None),
    ("[::169.254.169.254]", "ssrf-metadata", "ssrf-metadata"), ("[::10.0.0.1]", "ssrf-private", None),
    ("[64:ff9b::127.0.0.1]", "ssrf-loopback", None), ("[64:ff9b::a9fe:a9fe]", "ssrf-metadata", "ssrf-metadata"),
    ("[64:ff9b::192.168.1.1]", "ssrf-private", None), ("[64:ff9b:1::10.0.0.1]", "ssrf-private", None),
    ("[2002:7f00:1::]", "ssrf-loopback", None), ("[2002:a9fe:a9fe::1]", "ssrf-metadata", "ssrf-metadata"),
    ("[64:ff9b::8.8.8.8]", None, None), ("[::8.8.8.8]", None, None), ("[2606:4700::1111]", None, None),
    ("[::]", "ssrf-unspecified", "ssrf-unspecified"),
]


@pytest.mark.parametrize(("host", "strict", "allowed"), EMBEDDED_FORMS)
def test_ipv6_forms_embedding_internal_ipv4_are_refused(host: str, strict: str | None, allowed: str | None) -> None:
    assert host_refusal(host, allow_loopback=False) == strict
    assert host_refusal(host, allow_loopback=True) == allowed
    assert address_refusal(host.strip("[]"), allow_loopback=False) == strict  # the resolver's check, same answer


def test_the_downloader_guard_refuses_them_too() -> None:
    mw = SSRFGuardMiddleware(get_crawler(settings_dict={"TWIN_ALLOW_LOOPBACK": False}))
    for url in ("http://[::127.0.0.1]:8080/", "http://[64:ff9b::7f00:1]/", "http://[64:ff9b::a9fe:a9fe]/latest"):
        with pytest.raises(IgnoreRequest):
            mw.process_request(Request(url))


@pytest.mark.slow
def test_worker_idle_close_from_the_environment_stops_the_worker(redis_url: str, nx_server: NxServer,
                                                                 tmp_path: Path) -> None:
    env = {**scrapy_env(redis_url, nx_server.uri(unique_db())), "TWIN_WORKER_IDLE_CLOSE": "1"}
    worker = Worker("article", loopback_settings(unique_prefix()), env, tmp_path, "idle")  # no -s for it
    try:
        assert worker.wait(60) == 0, worker.stderr()[-3000:]  # before the fix: ran until killed
    finally:
        worker.stop()


def test_a_refused_run_removes_the_warehouse_it_created_and_keeps_an_existing_one(tmp_path: Path) -> None:
    fresh = EmbeddedWarehouse(tmp_path / "new" / "data" / "twin.db")
    fresh.get_or_create_user("Ada Lovelace")  # prepare may create the author before a later check refuses
    fresh.discard()
    assert list(tmp_path.iterdir()) == []
    kept = EmbeddedWarehouse(tmp_path / "twin.db")
    kept.close()
    again = EmbeddedWarehouse(tmp_path / "twin.db")
    again.discard()
    assert (tmp_path / "twin.db").exists()
    # Through the crawl command: a refused run leaves no data directory behind.
    result = crawl("article", "-a", "user=Ada Lovelace", "-a", "links=http://127.0.0.1:9/p", "-s",
                   "TWIN_MAX_LINKS=none", env={"TWIN_DATA_DIR": str(tmp_path / "refused")})
    assert result.returncode == 2 and not (tmp_path / "refused").exists(), result.stderr[-2000:]


def article(**overrides: object) -> Article:
    fields: dict = {"link": "https://blog.example/p", "platform": "article", "author_full_name": "Ada Lovelace",
                    "author_id": "a1", "content": ArticleContent(Title="T", Content="word " * 50)}
    fields.update(overrides)
    return Article(**fields)


def clean(item: Article) -> Article:
    return asyncio.run(CleanPipeline(get_crawler()).process_item(item))


def test_junk_is_cleaned_or_dropped_before_storage() -> None:
    hostile = "Ada\x1b[31m Love\u202elace\x07\x1b]0;owned\x07"
    assert normalise_name(hostile) == "Ada Lovelace" and len(normalise_name("A" * 10_000)) <= 201
    assert normalise_name("Ada \ufffd\ufffd Lovelace") == "Ada Lovelace"
    link_text = "click " * 200_000  # 1.2 MB of anchor text
    item = clean(article(author_full_name=hostile, title="Title\x1b[2J\x00 here",
                         content=ArticleContent(Title="T\x1b[0m", Subtitle="S" * 5000,
                                                Content=f"{'word ' * 50}\n\n[{link_text}](https://x.example/) end")))
    assert item.author_full_name == "Ada Lovelace" and item.title == "Title here" and item.content.Title == "T"
    assert len(item.content.Subtitle) <= 501
    assert len(item.content.Content) < 1000 and item.content.Content.endswith("…](https://x.example/) end")
    with pytest.raises(DropItem, match="garbled-text"):
        clean(article(content=ArticleContent(Title="T", Content="w\ufffd\ufffdrd " * 100)))
    assert clean(article(content=ArticleContent(Title="T", Content="caf\ufffd " + "word " * 200))).content  # one is not junk
    with pytest.raises(DropItem, match="no-author"):
        clean(article(author_full_name="\x1b[31m\x07"))


QUERY_TOKEN = "FAKEqueryTOKEN0123456789secret"


def test_secret_query_parameters_are_masked_in_text() -> None:
    text = f"GET https://x.example/feed?page=2&access_token={QUERY_TOKEN}&X-Amz-Signature=abc#top sid={QUERY_TOKEN}"
    assert scrub(text) == f"GET https://x.example/feed?page=2&access_token=***&X-Amz-Signature=***#top sid={QUERY_TOKEN}"


@pytest.mark.slow
def test_a_link_with_a_token_is_fetched_but_the_token_is_stored_and_logged_nowhere(site: LoopbackSite,
                                                                                   tmp_path: Path) -> None:
    site.add("/post", article_html(7))
    link = f"{site.url}/post?access_token={QUERY_TOKEN}&page=1"
    # The base settings module (not tests' local overlay): the telnet console must be off by default there.
    result = crawl("article", "-a", "user=Ada Lovelace", "-a", f"links={link}", "-O", str(tmp_path / "out.jsonl"),
                   "-s", "TWIN_ALLOW_LOOPBACK=True", "-s", "ROBOTSTXT_OBEY=False", "-s", "LOG_LEVEL=DEBUG",
                   "-s", "AUTOTHROTTLE_ENABLED=False", settings="twin_crawler.settings",
                   env={"TWIN_DATA_DIR": str(tmp_path / "data"), "TWIN_RAW_ARCHIVE": str(tmp_path / "archive")})
    assert_ok(result)
    assert f"/post?access_token={QUERY_TOKEN}&page=1" in site.hits  # the site got what it needs
    assert QUERY_TOKEN not in result.stderr + result.stdout
    files = [p for p in tmp_path.rglob("*") if p.is_file()]  # warehouse (documents, runs, crawl log), archive, feed
    assert len(files) >= 4 and [p for p in files if QUERY_TOKEN.encode() in p.read_bytes()] == []
    exported = json.loads((tmp_path / "out.jsonl").read_text().splitlines()[0])
    assert exported["link"].endswith("/post?access_token=***&page=1")
    assert "Telnet console listening" not in result.stderr and "extensions.telnet.TelnetConsole" not in result.stderr
    assert get_project_settings().getbool("TELNETCONSOLE_ENABLED") is False
