"""The warehouse stays readable by the LLM-Engineers-Handbook feature pipeline, and the CLI fails in one line."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import LoopbackSite, crawl

BLOGS = Path(__file__).parents[1] / "fixtures" / "blogs"


def test_documents_have_the_handbook_shape(site: LoopbackSite, backend_env: dict[str, str],
                                           open_backend: Callable[[], Any]) -> None:
    url = site.add_file("/2019/11/standalone-wasm.html", BLOGS / "readability_v8-blog_source.html")
    result = crawl("twin", "-a", "user=Maxime  Labonne", "-a", f"links={url}", env=backend_env)
    assert result.returncode == 0, result.stderr[-2000:]
    w = open_backend()
    [user] = w.find("users")
    [article] = w.find("articles")
    w.close()
    # NoSQLBaseDocument.from_mongo: UUID(_id); UserDocument(first_name, last_name); ArticleDocument fields.
    assert uuid.UUID(user["_id"]) and (user["first_name"], user["last_name"]) == ("Maxime", "Labonne")
    assert uuid.UUID(article["_id"]) and uuid.UUID(article["author_id"]) == uuid.UUID(user["_id"])
    assert article["author_full_name"] == "Maxime Labonne" and article["platform"] == "article"
    assert article["link"] == url
    assert set(article["content"]) == {"Title", "Subtitle", "Content", "language"}
    assert all(isinstance(v, str) for v in article["content"].values())
    assert article["content"]["Title"] == "Outside the web: standalone WebAssembly binaries using Emscripten"


def test_links_of_platforms_without_a_parser_are_reported_unsupported(tmp_path: Path) -> None:
    import asyncio

    from spider_helpers import offline_spider

    from twin_crawler.spiders.article import ArticleCrawl

    class ArticleOnlyRouter(ArticleCrawl):  # a router built from the article mixin alone
        name = "article-only-router"
        platform = None

    spider = offline_spider(ArticleOnlyRouter, tmp_path, user="Jane Doe",
                            links="https://github.com/o/r,https://jane.substack.com/p/x,https://blog.example.org/2024/a-post")

    from test_spiders_contract import first_requests

    produced = asyncio.run(first_requests(spider))
    assert len(produced) == 1  # only the blog post is fetched
    assert spider.ledger.state("https://github.com/o/r") == "unsupported"
    assert spider.ledger.state("https://jane.substack.com/p/x") == "unsupported"
    assert spider.ledger.state("https://blog.example.org/2024/a-post") == "pending"


def test_unreachable_warehouse_is_one_line_and_exit_3(tmp_path: Path) -> None:
    result = crawl("article", "-a", "user=Jane Doe", "-a", "links=https://blog.example.org/a",
                   env={"TWIN_MONGODB_URI": "mongodb://admin:hunter22pw@127.0.0.1:9/twin?serverSelectionTimeoutMS=300"})
    assert result.returncode == 3
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "unreachable" in lines[0], result.stderr
    assert "Traceback" not in result.stderr and "hunter22pw" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-a", "links=https://blog.example.org/a"], "user: the author's full name is required"),
        (["-a", "user=   ", "-a", "links=https://blog.example.org/a"], "user: the author's full name is empty"),
        (["-a", "user=J D", "-a", "links=ftp://blog.example.org/a"], "only http:// and https://"),
        (["-a", "user=J D", "-a", "links=@/nonexistent/links.txt"], "does not exist"),
        (["-a", "user=J D", "-a", "links=https://blog.example.org/a", "-a", "colour=blue"], "unknown argument 'colour'"),
        (["-a", "user=J D"], "nothing to crawl"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(args: list[str], needle: str, tmp_path: Path) -> None:
    result = crawl("article", *args, env={"TWIN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and needle in errors[0], result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_site_with_robots_txt_is_one_line_per_failure(tmp_path: Path) -> None:
    from conftest import free_port

    from twin_crawler.warehouse import open_warehouse

    url = f"http://127.0.0.1:{free_port()}/2024/01/a-post"  # nothing listens there
    result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={url}", "-s", "ROBOTSTXT_OBEY=True",
                   "-s", "RETRY_TIMES=1", "-s", "TWIN_RETRY_BACKOFF_BASE=0.01", env={"TWIN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1, result.stderr[-2000:]  # the link failed: exit 1 for cron
    assert "Traceback" not in result.stderr  # Scrapy's robots.txt middleware logs one with every network failure
    w = open_warehouse(None, data_dir=tmp_path)
    letters = [d["url"] for d in w.find("dead_letters")]
    w.close()
    assert letters == [url]  # the page is dead-lettered; its robots.txt, which cannot be replayed, is not
    assert "dead_lettered" in result.report
