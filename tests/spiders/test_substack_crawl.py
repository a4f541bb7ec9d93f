"""End to end on loopback: the Substack API served under its real paths, through the full stack (the embedded warehouse; every backend has the contract suite).

The API responses are the SYNTHETIC fixtures of tests/fixtures/substack (SOURCES.md, built from the real ``post``
object); the custom-domain pages are the real captures.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from conftest import LoopbackSite, Reply, assert_ok, crawl, stored

FIX = Path(__file__).parents[1] / "fixtures" / "substack"
JANE_POSTS = ("chunking-for-rag", "paid-deep-dive", "guest-essay", "episode-1")
STORED = ["https://janes.blog/p/custom-domain-post", "https://jane.substack.com/p/chunking-for-rag",
          "https://jane.substack.com/p/paid-deep-dive"]


def archive(prefix: str, name: str) -> Callable[[Any], Reply]:
    """``{prefix}/api/v1/archive?offset=N``: the synthetic page for N, an empty list past the last one."""

    def reply(handler: Any) -> Reply:
        offset = parse_qs(urlsplit(handler.path).query).get("offset", ["0"])[0]
        page = FIX / f"synthetic_archive_{name}_offset{offset}.json"
        return Reply(page.read_bytes() if page.exists() else b"[]", content_type="application/json")

    return reply


def substack_site(site: LoopbackSite, *, profile: bool = True) -> list[str]:
    """Serve the API: substack.com at ``/``, publication ``jane`` at ``/pub/jane``, ``janes.blog`` at ``/custom/janes.blog``."""
    if profile:
        site.add_file("/api/v1/user/jane/public_profile", FIX / "synthetic_public_profile_jane.json", content_type="application/json")
    for prefix, name, slugs in (("/pub/jane", "jane", JANE_POSTS), ("/custom/janes.blog", "janes.blog", ("custom-domain-post",))):
        site.add(f"{prefix}/api/v1/archive", archive(prefix, name))
        for slug in slugs:
            site.add_file(f"{prefix}/api/v1/posts/{slug}", FIX / f"synthetic_post_{slug}.json", content_type="application/json")
    return ["-s", f"TWIN_SUBSTACK_API_URL={site.url}", "-s", f"TWIN_SUBSTACK_PUBLICATION_URL={site.url}/pub/{{subdomain}}",
            "-s", f"TWIN_SUBSTACK_CUSTOM_DOMAIN_URL={site.url}/custom/{{domain}}", "-s", "TWIN_SUBSTACK_PAGE_SIZE=2"]


def test_handle_discovers_every_publication_then_rerun_is_unchanged(
        site: LoopbackSite, embedded_env: dict[str, str], open_embedded: Callable[[], Any]) -> None:
    settings = substack_site(site)
    first = crawl("substack", "-a", "user=Jane Doe", "-a", "handle=jane", *settings, env=embedded_env)
    assert_ok(first)
    docs = stored(open_embedded, "articles")
    assert [d["link"] for d in docs] == sorted(STORED)
    by_link = {d["link"]: d for d in docs}
    free = by_link["https://jane.substack.com/p/chunking-for-rag"]
    assert free["platform"] == "substack" and free["source_id"] == "9001" and free["kind"] == "newsletter"
    assert free["author_full_name"] == "Jane Doe" and free["byline"] == "Jane Doe" and not free["is_paywalled"]
    content = free["content"]["Content"]
    assert "![" not in content and "](" not in content  # the text convention: images and links beside the text
    assert free["images"] == [{"src": "https://substack-post-media.s3.amazonaws.com/public/images/jane-1.png",
                               "alt": "Diagram 1", "caption": "Figure 1: the pipeline"}]
    assert "Figure 1: the pipeline" in content  # the caption is the author's words: kept as text too
    assert "https://example.org/chunking" in free["links"]
    assert "## Why Chunking for RAG matters" in content and "```\ndef chunk(text):" in content
    for phrase in ("Subscribe", "Share", "Leave a comment", "Type your email", "Thanks for reading"):
        assert phrase not in content
    assert by_link["https://jane.substack.com/p/paid-deep-dive"]["is_paywalled"]
    # Archive walked until an empty page, the overlapping post fetched once, the guest post and podcast skipped.
    assert site.hits["/pub/jane/api/v1/archive?sort=new&search=&offset=5&limit=2"] == 1
    assert site.hits["/custom/janes.blog/api/v1/archive?sort=new&search=&offset=1&limit=2"] == 1
    assert site.hits["/pub/jane/api/v1/posts/paid-deep-dive"] == 1
    assert "skipped/other-author=1" in first.report and "skipped/podcast-without-text=1" in first.report

    second = crawl("substack", "-a", "user=Jane Doe", *settings, env=embedded_env)  # the handle is remembered
    assert_ok(second)
    assert stored(open_embedded, "articles") == docs
    w = open_embedded()
    runs = sorted(w.find("runs"), key=lambda r: r["started_at"])
    w.close()
    assert [(r["totals"].get("new", 0), r["totals"].get("paywalled", 0), r["totals"].get("unchanged", 0)) for r in runs] \
        == [(2, 1, 0), (0, 0, 3)]


def test_rate_limited_post_is_retried_and_stored(site: LoopbackSite, tmp_path: Path) -> None:
    served = {"n": 0}
    body = (FIX / "synthetic_post_chunking-for-rag.json").read_bytes()

    def limited(handler: Any) -> Reply:
        served["n"] += 1
        if served["n"] <= 2:
            return Reply(b'{"error":"Too Many Requests"}', status=429, headers={"Retry-After": "1"}, content_type="application/json")
        return Reply(body, content_type="application/json")

    site.add("/pub/jane/api/v1/posts/chunking-for-rag", limited)
    env = {"TWIN_DATA_DIR": str(tmp_path / "data")}
    result = crawl("substack", "-a", "user=Jane Doe", "-a", "links=https://jane.substack.com/p/chunking-for-rag?r=2x9k",
                   "-s", f"TWIN_SUBSTACK_PUBLICATION_URL={site.url}/pub/{{subdomain}}", env=env)
    assert_ok(result)
    assert served["n"] == 3
    from twin_crawler.warehouse import open_warehouse

    w = open_warehouse(None, data_dir=env["TWIN_DATA_DIR"])
    docs = w.find("articles")
    w.close()
    assert [d["link"] for d in docs] == ["https://jane.substack.com/p/chunking-for-rag"]  # ``?r=`` dropped


def test_handle_that_is_a_publication_subdomain(site: LoopbackSite, tmp_path: Path) -> None:
    """public_profile 404s: the handle is crawled as a publication; the guest author is still filtered out."""
    settings = substack_site(site, profile=False)
    result = crawl("substack", "-a", "user=Jane Doe", "-a", "handle=jane", *settings, env={"TWIN_DATA_DIR": str(tmp_path)})
    assert_ok(result)
    assert site.hits["/api/v1/user/jane/public_profile"] == 1
    assert site.hits["/pub/jane/api/v1/posts/chunking-for-rag"] == 1 and "skipped/other-author=1" in result.report
    assert site.hits["/custom/janes.blog/api/v1/archive?sort=new&search=&offset=0&limit=2"] == 0


def test_custom_domain_links_via_preloads_and_via_api(site: LoopbackSite, tmp_path: Path) -> None:
    """The twin router sniffs an unknown host as Substack: ``_preloads`` gives the post, else the host's API does."""
    site.add_file("/p/the-most-precious-resource-is-agency", FIX / "metascraper_substack-custom-domain-post.html")
    shell = '<html><head><link rel="preconnect" href="https://substackcdn.com"></head><body><div id="entry"></div></body></html>'
    site.add("/p/custom-domain-post", shell)
    site.add_file("/api/v1/posts/custom-domain-post", FIX / "synthetic_post_custom-domain-post.json", content_type="application/json")
    links = f"{site.url}/p/the-most-precious-resource-is-agency,{site.url}/p/custom-domain-post"
    env = {"TWIN_DATA_DIR": str(tmp_path)}
    result = crawl("twin", "-a", "user=Simon Sarris", "-a", f"links={links}", env=env)
    assert_ok(result)
    from twin_crawler.warehouse import open_warehouse

    w = open_warehouse(None, data_dir=str(tmp_path))
    docs = {d["link"]: d for d in w.find("articles")}
    w.close()
    assert set(docs) == {"https://map.simonsarris.com/p/the-most-precious-resource-is-agency",
                         "https://janes.blog/p/custom-domain-post"}
    assert all(d["platform"] == "substack" for d in docs.values())
    assert docs["https://map.simonsarris.com/p/the-most-precious-resource-is-agency"]["source_id"] == "28170348"
    assert site.hits["/api/v1/posts/custom-domain-post"] == 1


# ---------------------------------------------------------------- cross-posts (issue 3, "Across both")
MEDIUM_FIXTURE = Path(__file__).parents[1] / "fixtures" / "medium" / "metascraper_medium-webpack-3-release.html"
MEDIUM_LINK = "https://medium.com/p/15fd2dd8f07b"
SUBSTACK_LINK = "https://jane.substack.com/p/webpack-3"


def cross_posted(site: LoopbackSite) -> list[str]:
    """The real Medium page, and a SYNTHETIC Substack post carrying the same article text (as an author pasting
    their Medium story into Substack would), wrapped in Substack's subscribe widgets."""
    import html as html_lib
    import json

    from twin_crawler.pages.medium import parse_post_page as parse_medium

    medium_html = MEDIUM_FIXTURE.read_text(encoding="utf-8")
    story = parse_medium(MEDIUM_LINK, medium_html)
    paragraphs = "".join(f"<p>{html_lib.escape(p)}</p>" for p in story.content.split("\n\n") if p.strip())
    post = json.loads((FIX / "synthetic_post_chunking-for-rag.json").read_text(encoding="utf-8"))
    widget = post["body_html"][post["body_html"].index('<div class="subscription-widget-wrap-editor"'):].split("</form></div></div>")[0]
    post.update(id=9100, slug="webpack-3", title=story.title, subtitle="", canonical_url=SUBSTACK_LINK,
                body_html=paragraphs + widget + "</form></div></div>")
    site.add("/p/15fd2dd8f07b", medium_html)
    site.add("/pub/jane/api/v1/posts/webpack-3", json.dumps(post), content_type="application/json")
    return ["-s", f"TWIN_MEDIUM_BASE_URL={site.url}", "-s", f"TWIN_SUBSTACK_PUBLICATION_URL={site.url}/pub/{{subdomain}}",
            "-s", "TWIN_BROWSER=off"]


def test_cross_post_on_medium_and_substack_is_stored_once(site: LoopbackSite, tmp_path: Path) -> None:
    settings = cross_posted(site)
    env = {"TWIN_DATA_DIR": str(tmp_path)}
    result = crawl("twin", "-a", "user=Jane Doe", "-a", f"links={SUBSTACK_LINK},{MEDIUM_LINK}", *settings, env=env)
    assert_ok(result)
    assert site.hits["/p/15fd2dd8f07b"] == 1 and site.hits["/pub/jane/api/v1/posts/webpack-3"] == 1
    from twin_crawler.warehouse import open_warehouse

    w = open_warehouse(None, data_dir=str(tmp_path))
    docs = w.find("articles")
    w.close()
    assert len(docs) == 1, [d["link"] for d in docs]
    (doc,) = docs
    assert {doc["link"], *doc["also_published_at"]} == {SUBSTACK_LINK, MEDIUM_LINK}
    assert "dropped/cross-post=1" in result.report


def test_cross_post_found_whichever_platform_came_first(site: LoopbackSite, tmp_path: Path) -> None:
    """Substack crawled in one run, Medium in a later one: the Medium copy is recorded on the stored document."""
    settings = cross_posted(site)
    env = {"TWIN_DATA_DIR": str(tmp_path)}
    assert_ok(crawl("substack", "-a", "user=Jane Doe", "-a", f"links={SUBSTACK_LINK}", *settings, env=env))
    assert_ok(crawl("twin", "-a", "user=Jane Doe", "-a", f"links={MEDIUM_LINK}", *settings, env=env))
    from twin_crawler.warehouse import open_warehouse

    w = open_warehouse(None, data_dir=str(tmp_path))
    docs = w.find("articles")
    w.close()
    assert [(d["link"], d["platform"], d["also_published_at"]) for d in docs] == [(SUBSTACK_LINK, "substack", [MEDIUM_LINK])]
