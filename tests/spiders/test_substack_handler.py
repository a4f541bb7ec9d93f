"""The Substack crawl policy offline: profile -> publications, archive paging and dedup, author filter, pickling."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.request import request_from_dict
from spider_helpers import offline_spider, outputs

from twin_crawler.items import Article
from twin_crawler.spiders.substack import SubstackSpider
from twin_crawler.urls import route

FIX = Path(__file__).parents[1] / "fixtures" / "substack"


def build(tmp_path: Path, settings: dict[str, Any] | None = None, **kwargs: Any) -> SubstackSpider:
    return offline_spider(SubstackSpider, tmp_path, {"TWIN_SUBSTACK_PAGE_SIZE": 2, **(settings or {})},
                          user="Jane Doe", **kwargs)


def respond(request: Request, body: bytes, status: int = 200) -> TextResponse:
    return TextResponse(request.url, body=body, status=status, request=request, encoding="utf-8")


def assert_picklable(spider: SubstackSpider, requests: list[Any]) -> None:
    for request in requests:
        restored = request_from_dict(pickle.loads(pickle.dumps(request.to_dict(spider=spider))), spider=spider)
        assert restored.url == request.url and restored.meta == request.meta


def test_profile_lists_every_publication_including_custom_domains(tmp_path: Path) -> None:
    spider = build(tmp_path, handle="@jakubslys")
    (profile_request,) = list(spider.discover_substack("@jakubslys"))
    assert profile_request.url == "https://substack.com/api/v1/user/jakubslys/public_profile"
    archives = outputs(spider.parse_substack_profile(respond(profile_request, (FIX / "api_v1_user_public_profile_jakubslys.json").read_bytes())))
    assert [r.url for r in archives] == ["https://iam.slys.dev/api/v1/archive?sort=new&search=&offset=0&limit=2"]
    ident = archives[0].meta["twin_sub_author"]
    assert 254824415 in ident["ids"] and "jakubslys" in ident["handles"] and "jakub slys" in ident["names"]
    assert_picklable(spider, [profile_request, *archives])


def test_profile_404_falls_back_to_the_publication(tmp_path: Path) -> None:
    spider = build(tmp_path, handle="decodingml")
    (profile_request,) = list(spider.discover_substack("decodingml"))
    (archive,) = outputs(spider.parse_substack_profile(respond(profile_request, b"not found", status=404)))
    assert archive.url.startswith("https://decodingml.substack.com/api/v1/archive?sort=new&search=&offset=0")


def test_archive_walk_dedups_and_stops_on_an_empty_page(tmp_path: Path) -> None:
    spider = build(tmp_path, handle="jane")
    base = "https://jane.substack.com"
    ident = spider.substack_ident([1001], ["jane"], ["Jane Doe"])
    first = spider._substack_archive(base, 0, ident)
    out = outputs(spider.parse_substack_archive(respond(first, (FIX / "synthetic_archive_jane_offset0.json").read_bytes())))
    assert [r.url for r in out] == [f"{base}/api/v1/posts/chunking-for-rag", f"{base}/api/v1/posts/paid-deep-dive",
                                    f"{base}/api/v1/archive?sort=new&search=&offset=2&limit=2"]
    assert [r.meta["twin_link"] for r in out[:2]] == [f"{base}/p/chunking-for-rag", f"{base}/p/paid-deep-dive"]
    second = outputs(spider.parse_substack_archive(respond(out[2], (FIX / "synthetic_archive_jane_offset2.json").read_bytes())))
    assert [r.url for r in second] == [f"{base}/api/v1/posts/guest-essay", f"{base}/api/v1/archive?sort=new&search=&offset=4&limit=2"]
    assert outputs(spider.parse_substack_archive(respond(second[1], b"[]"))) == []  # an empty page ends the walk
    # A page of nothing new (an API that ignores ``offset``) also ends it instead of looping forever.
    assert outputs(spider.parse_substack_archive(respond(first, (FIX / "synthetic_archive_jane_offset0.json").read_bytes()))) == []
    assert spider.crawler.stats.get_value("twin/discovered/substack") == 3
    assert_picklable(spider, [*out, *second])


def test_posts_other_authors_podcasts_and_bad_json(tmp_path: Path) -> None:
    spider = build(tmp_path, handle="jane")
    ident = spider.substack_ident([1001], ["jane"], ["Jane Doe"])
    results: dict[str, list[Any]] = {}
    for slug in ("chunking-for-rag", "guest-essay", "episode-1", "paid-deep-dive"):
        link = f"https://jane.substack.com/p/{slug}"
        spider.ledger.register(link, "substack")
        request = spider._substack_post("https://jane.substack.com", slug, link, ident)
        results[slug] = outputs(spider.parse_substack_post(respond(request, (FIX / f"synthetic_post_{slug}.json").read_bytes())))
    (article,) = results["chunking-for-rag"]
    assert isinstance(article, Article) and article.source_id == "9001" and not article.is_paywalled
    (paid,) = results["paid-deep-dive"]
    assert paid.is_paywalled and paid.content.Content.startswith("paid part 1:")
    assert results["guest-essay"] == [] and spider.ledger.entries["https://jane.substack.com/p/guest-essay"].reason == "other-author"
    assert results["episode-1"] == [] and spider.ledger.entries["https://jane.substack.com/p/episode-1"].reason == "podcast-without-text"
    assert spider.ledger.state("https://jane.substack.com/p/guest-essay") == "skipped"
    # A post given as a link is the user's choice: no author filter (``ident`` None).
    guest = json.loads((FIX / "synthetic_post_guest-essay.json").read_text())
    request = spider._substack_post("https://jane.substack.com", "guest-essay", "https://jane.substack.com/p/guest-essay", None)
    assert len(outputs(spider.parse_substack_post(respond(request, json.dumps(guest).encode())))) == 1
    broken = spider._substack_post("https://jane.substack.com", "x", "https://jane.substack.com/p/x", None)
    spider.ledger.register("https://jane.substack.com/p/x", "substack")
    assert outputs(spider.parse_substack_post(respond(broken, b"<html>oops</html>"))) == []
    assert spider.ledger.entries["https://jane.substack.com/p/x"].reason == "unreadable-post"


def test_seeds_and_handles(tmp_path: Path) -> None:
    import pytest

    from twin_crawler.arguments import ArgumentError

    with pytest.raises(ArgumentError, match="is not a Substack handle"):
        build(tmp_path, handle="jane..x")
    spider = build(tmp_path, handle="jane.substack.com")
    # normalised at once, remembered on the author only once discovery answers (tests/spiders/test_failed_handles.py)
    assert spider.args.handle == "jane" and spider.author and "substack" not in spider.author["handles"]
    (custom,) = list(spider.seed_substack(route("https://iam.slys.dev/p/some-post?utm_source=x")))
    assert custom.callback == spider.parse_substack_page and custom.url == "https://iam.slys.dev/p/some-post"
    (publication,) = list(spider.seed_substack(route("https://jane.substack.com/")))
    assert publication.url.startswith("https://jane.substack.com/api/v1/archive?")
    (by_id,) = list(spider.seed_substack(route("https://substack.com/home/post/p-167180194")))
    assert by_id.url == "https://substack.com/api/v1/posts/by-id/167180194"
    (domain,) = list(spider.discover_substack("iam.slys.dev"))
    assert domain.url.startswith("https://iam.slys.dev/api/v1/archive?")


def test_custom_domain_page_given_to_the_substack_spider(tmp_path: Path) -> None:
    spider = build(tmp_path, links="https://map.simonsarris.com/p/the-most-precious-resource-is-agency,https://blog.example.org/p/x")
    (request,) = list(spider.seed_substack(route("https://map.simonsarris.com/p/the-most-precious-resource-is-agency")))
    (other,) = list(spider.seed_substack(route("https://blog.example.org/p/x")))
    (article,) = outputs(spider.parse_substack_page(respond(request, (FIX / "metascraper_substack-custom-domain-post.html").read_bytes())))
    assert isinstance(article, Article) and article.link == "https://map.simonsarris.com/p/the-most-precious-resource-is-agency"
    spider.ledger.register("https://blog.example.org/p/x", "substack")
    assert outputs(spider.parse_substack_page(respond(other, b"<html><body><p>a plain blog</p></body></html>"))) == []
    assert spider.ledger.entries["https://blog.example.org/p/x"].reason == "not-substack"


def test_discovery_limit_stops_the_walk(tmp_path: Path) -> None:
    spider = build(tmp_path, {"TWIN_MAX_DISCOVERED": 1}, handle="jane")
    first = spider._substack_archive("https://jane.substack.com", 0, spider.substack_ident([1001], ["jane"]))
    out = outputs(spider.parse_substack_archive(respond(first, (FIX / "synthetic_archive_jane_offset0.json").read_bytes())))
    assert [r.url for r in out] == ["https://jane.substack.com/api/v1/posts/chunking-for-rag"]  # no next page


def test_share_links_and_notes(tmp_path: Path) -> None:
    spider = build(tmp_path, handle="jane")
    (share,) = list(spider.seed_substack(route("https://open.substack.com/pub/decodingml/p/real-time-feature-pipelines-with?r=1ttoeh")))
    assert share.url == "https://decodingml.substack.com/api/v1/posts/real-time-feature-pipelines-with"
    (post,) = list(spider.seed_substack(route("https://decodingml.substack.com/p/real-time-feature-pipelines-with?r=1ttoeh")))
    assert post.url == share.url and post.meta["twin_link"] == "https://decodingml.substack.com/p/real-time-feature-pipelines-with"
    note = route("https://substack.com/@jane/note/c-123456")
    assert list(spider.seed_substack(note)) == [] and spider.ledger.state(note.link) == "unsupported"
    (profile,) = list(spider.seed_substack(route("https://substack.com/@jane")))
    assert profile.url == "https://substack.com/api/v1/user/jane/public_profile"
