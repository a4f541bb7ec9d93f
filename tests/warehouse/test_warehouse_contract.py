"""One contract, every backend: embedded file, pymongo -> nx-27017 (and a real MongoDB when given)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import NxServer, unique_db

from twin_crawler.items import Article, ArticleContent, DocumentImage
from twin_crawler.pipelines.warehouse import document_for
from twin_crawler.warehouse import Outcome, WarehouseError, WarehouseUnavailable, open_warehouse


def doc(link: str, text: str = "hello world", **extra: Any) -> dict[str, Any]:
    return {
        "link": link, "platform": "article", "author_id": "a1", "author_full_name": "Jane Doe",
        "content": {"Title": "T", "Subtitle": "", "Content": text, "language": "en"},
        "published_at": datetime(2024, 5, 1, 12, 30, tzinfo=UTC), "also_published_at": [], **extra,
    }


def test_upsert_outcomes_and_fields(open_backend: Callable[[], Any]) -> None:
    w = open_backend()
    assert w.upsert_many("articles", [doc("https://a.example/1"), doc("https://a.example/2")]) == [Outcome.NEW, Outcome.NEW]
    first = w.get("articles", "https://a.example/1")
    assert isinstance(first["_id"], str) and len(first["_id"]) == 36
    assert first["content"] == {"Title": "T", "Subtitle": "", "Content": "hello world", "language": "en"}
    assert first["published_at"] == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert first["first_seen_at"].tzinfo is not None and first["last_crawled_at"] == first["first_seen_at"]
    # Same document again: unchanged, and nothing at all is rewritten.
    assert w.upsert("articles", doc("https://a.example/1")) is Outcome.UNCHANGED
    assert w.get("articles", "https://a.example/1") == first
    # A change: updated, identity and first_seen_at kept.
    assert w.upsert("articles", doc("https://a.example/1", text="hello again")) is Outcome.UPDATED
    again = w.get("articles", "https://a.example/1")
    assert again["_id"] == first["_id"] and again["first_seen_at"] == first["first_seen_at"]
    assert again["content"]["Content"] == "hello again" and again["last_crawled_at"] >= first["last_crawled_at"]
    assert len(w.find("articles")) == 2
    w.close()


def test_mixed_batch_reports_each_outcome(open_backend: Callable[[], Any]) -> None:
    w = open_backend()
    w.upsert_many("posts", [doc("https://p/1"), doc("https://p/2")])
    out = w.upsert_many("posts", [doc("https://p/1"), doc("https://p/2", text="changed"), doc("https://p/3")])
    assert out == [Outcome.UNCHANGED, Outcome.UPDATED, Outcome.NEW]
    assert sorted(d["link"] for d in w.find("posts")) == ["https://p/1", "https://p/2", "https://p/3"]
    w.close()


def test_also_published_at_is_a_set_and_survives_updates(open_backend: Callable[[], Any]) -> None:
    w = open_backend()
    w.upsert("articles", doc("https://m/1"))
    w.add_to_set("articles", "https://m/1", "also_published_at", "https://s/1")
    w.add_to_set("articles", "https://m/1", "also_published_at", "https://s/1")
    w.upsert("articles", doc("https://m/1", text="edited"))
    assert w.get("articles", "https://m/1")["also_published_at"] == ["https://s/1"]
    w.close()


def test_links_and_images_sit_beside_content(open_backend: Callable[[], Any]) -> None:
    """The text convention's fields round-trip through both backends; ``content`` stays the Handbook's dict."""
    article = Article(
        link="https://a.example/post", platform="article", author_full_name="Jane Doe", author_id="a1",
        content=ArticleContent(Title="T", Subtitle="S", Content="See the docs.", language="en"),
        links=["https://docs.example/page", "https://other.example/"],
        images=[DocumentImage(src="https://cdn.example/i.png", alt="Alt", caption="A caption")],
    )
    w = open_backend()
    assert w.upsert("articles", document_for(article)) is Outcome.NEW
    stored = w.get("articles", "https://a.example/post")
    assert stored["content"] == {"Title": "T", "Subtitle": "S", "Content": "See the docs.", "language": "en"}
    assert stored["links"] == ["https://docs.example/page", "https://other.example/"]
    assert stored["images"] == [{"src": "https://cdn.example/i.png", "alt": "Alt", "caption": "A caption"}]
    assert Article.model_validate({k: v for k, v in stored.items() if k in Article.model_fields}) == article
    article.links = ["https://docs.example/page"]  # a changed link list is a changed document
    assert w.upsert("articles", document_for(article)) is Outcome.UPDATED
    assert w.get("articles", "https://a.example/post")["links"] == ["https://docs.example/page"]
    w.close()


def test_users_are_case_and_space_insensitive(open_backend: Callable[[], Any]) -> None:
    w = open_backend()
    a = w.get_or_create_user("Paul  Iusztin")
    b = w.get_or_create_user(" paul iusztin ")
    assert a["_id"] == b["_id"] and (a["first_name"], a["last_name"]) == ("Paul", "Iusztin")
    assert w.get_or_create_user("Maxime Labonne")["_id"] != a["_id"]
    w.set_user_handle(a["_id"], "medium", "pauliusztin")
    assert w.get_or_create_user("PAUL IUSZTIN")["handles"] == {"medium": "pauliusztin"}
    assert w.find_user_by_handle("medium", "PaulIusztin")["_id"] == a["_id"]
    with pytest.raises(WarehouseError):
        w.get_or_create_user("   ")
    assert len(w.find("users")) == 2
    w.close()


def test_repository_content_keys_with_dots_and_slashes(open_backend: Callable[[], Any]) -> None:
    w = open_backend()
    content = {"src/main.py": "print('x')\n\tend  \n", "README.md": "# hi\n"}
    w.upsert("repositories", {"link": "https://github.com/o/r", "platform": "github", "name": "o/r", "content": content})
    assert w.get("repositories", "https://github.com/o/r")["content"] == content
    w.close()


def test_unreachable_mongodb_is_one_clear_error() -> None:
    with pytest.raises(WarehouseUnavailable) as info:
        open_warehouse("mongodb://user:s3cretpw@127.0.0.1:1/twin?serverSelectionTimeoutMS=300")
    message = str(info.value)
    assert "unreachable" in message and "s3cretpw" not in message and "\n" not in message


def test_non_mongodb_uri_is_refused() -> None:
    with pytest.raises(WarehouseUnavailable, match="mongodb://"):
        open_warehouse("postgres://127.0.0.1/x")


def test_the_uris_own_timeouts_win_over_the_defaults(nx_server: NxServer) -> None:
    """pymongo lets a keyword beat the URI; the warehouse passes its 5 s timeouts only where the URI names none."""
    from twin_crawler.warehouse.mongo import MongoWarehouse

    given = MongoWarehouse(nx_server.uri(unique_db()) + "?serverSelectionTimeoutMS=1234&connecttimeoutms=2345")
    default = MongoWarehouse(nx_server.uri(unique_db()))
    try:
        assert given._client.options.server_selection_timeout == 1.234
        assert given._client.options.pool_options.connect_timeout == 2.345
        assert default._client.options.server_selection_timeout == 5.0
        assert default._client.options.pool_options.connect_timeout == 5.0
    finally:
        given.close()
        default.close()


def test_find_by_links_reads_only_the_links_asked(open_backend: Callable[[], Any]) -> None:
    w = open_backend()
    w.set_by_links("crawl_log", [{"link": f"https://a.example/{i}", "crawled_ts": float(i)} for i in range(1200)])
    asked = [f"https://a.example/{i}" for i in (3, 999, 1199, 3)] + ["https://a.example/missing"]
    found = w.find_by_links("crawl_log", asked)
    assert sorted(found) == ["https://a.example/1199", "https://a.example/3", "https://a.example/999"]
    assert found["https://a.example/999"]["crawled_ts"] == 999.0
    many = w.find_by_links("crawl_log", [f"https://a.example/{i}" for i in range(0, 1200, 2)])  # > one query's chunk
    assert len(many) == 600
    assert w.find_by_links("crawl_log", []) == {}


def test_set_by_links_creates_and_updates_in_place(open_backend: Callable[[], Any]) -> None:
    w = open_backend()
    w.set_by_links("crawl_log", [{"link": "https://a.example/1", "etag": "a", "status": 200}])
    first = w.get("crawl_log", "https://a.example/1")
    assert isinstance(first["_id"], str) and len(first["_id"]) == 36
    w.set_by_links("crawl_log", [{"_id": "ignored", "link": "https://a.example/1", "etag": "b"},
                                 {"link": "https://a.example/2", "etag": "c"}])
    again = w.get("crawl_log", "https://a.example/1")
    assert (again["_id"], again["etag"], again["status"]) == (first["_id"], "b", 200)  # same document, kept fields
    assert w.count("crawl_log") == 2
    w.set_by_links("crawl_log", [])
