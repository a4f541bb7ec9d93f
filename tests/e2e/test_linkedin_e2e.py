"""LinkedIn end to end on loopback: logged-out links into both warehouses (twice), auth walls, and the opt-in
logged-in activity feed read by Chromium through scrapy-playwright with the cookie in the context's storage_state.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from conftest import CrawlResult, LoopbackSite, Reply, assert_ok, crawl

FIXTURES = Path(__file__).parents[1] / "fixtures" / "linkedin"
POST_PATH = "/posts/audiense_demographics-behavioral-segmentation-activity-7247945789950353408-Xq2b"
FEED_UPDATE_PATH = "/feed/update/urn:li:activity:7246889922761027584/"
PULSE = {
    "/pulse/what-set-your-soul-fire-2017-ellyn-shook": "postlight_linkedin-pulse.html",
    "/pulse/ich-war-am-wochenende-auf-einer-hochzeit-im-wendland-inga-hoeltmann": "trafilatura_linkedin-pulse-de.html",
}
HANDLE = "jane-doe"
FEED_PATH = f"/in/{HANDLE}/recent-activity/all/"


def dump(open_embedded: Callable[[], Any], *collections: str) -> dict[str, list[dict[str, Any]]]:
    w = open_embedded()
    try:
        return {c: sorted(w.find(c), key=lambda d: str(d.get("link") or d.get("started_at"))) for c in collections}
    finally:
        w.close()


def guest_site(site: LoopbackSite) -> list[str]:
    site.add_file(POST_PATH, FIXTURES / "derived_guest-post-page.html")
    # A permalink of one card among many: the company page stands in for a page listing several cards.
    site.add_file(FEED_UPDATE_PATH, FIXTURES / "metascraper_linkedin-company-guest-2024.html")
    for path, name in PULSE.items():
        site.add_file(path, FIXTURES / name)
    return [site.url + p for p in (POST_PATH, FEED_UPDATE_PATH, *PULSE)]


def test_logged_out_links_into_the_warehouse_then_rerun_unchanged(
        site: LoopbackSite, embedded_env: dict[str, str], open_embedded: Callable[[], Any], tmp_path: Path) -> None:
    links = guest_site(site)
    base = ["-s", f"TWIN_LINKEDIN_BASE_URL={site.url}", "-a", "user=Jane Doe", "-a", "links=" + ",".join(links)]
    out = tmp_path / "out.jsonl"
    first = crawl("linkedin", *base, "-O", str(out), env=embedded_env)
    assert_ok(first)
    docs = dump(open_embedded, "posts", "articles")
    posts, articles = docs["posts"], docs["articles"]
    assert [p["link"] for p in posts] == [f"{site.url}/feed/update/urn:li:activity:{i}/"
                                          for i in ("7246889922761027584", "7247945789950353408")]
    audiense = posts[1]
    assert audiense["platform"] == "linkedin" and audiense["author_full_name"] == "Jane Doe"
    assert audiense["source_id"] == "7247945789950353408"
    assert set(audiense["content"]) == {"text", "image"}  # the Handbook's posts.content shape
    assert audiense["content"]["text"].startswith("Demographics are a thing of the past for savvy agencies.")
    assert audiense["content"]["image"].startswith("https://media.licdn.com/")
    assert str(audiense["published_at"]).startswith("2024-10-04")
    assert audiense["extra"]["share_url"] == site.url + POST_PATH
    assert posts[0]["content"]["text"].startswith("Understanding your client's audience")
    assert [a["link"] for a in articles] == ["https://www.linkedin.com" + p for p in sorted(PULSE)]
    assert articles[0]["content"]["language"] == "de" and articles[0]["title"].startswith("Ich war am Wochenende")
    assert articles[1]["content"]["Content"].startswith("*This article was originally published")
    assert sum(1 for _ in out.read_text().splitlines()) == 4

    second = crawl("linkedin", *base, "-a", "force=1", env=embedded_env)
    assert_ok(second)
    again = dump(open_embedded, "posts", "articles", "runs")
    assert {k: again[k] for k in ("posts", "articles")} == docs  # nothing rewritten
    assert [r["totals"].get("unchanged", 0) for r in again["runs"]] == [0, 4]
    assert [r["totals"].get("new", 0) for r in again["runs"]] == [4, 0]


def test_guest_link_redirected_to_the_authwall_is_blocked(site: LoopbackSite, tmp_path: Path) -> None:
    site.add(POST_PATH, Reply(b"", status=302, headers={"Location": "/authwall?trk=public_post&sessionRedirect=x"}))
    site.add("/authwall", (FIXTURES / "derived_guest-post-page.html").read_text(encoding="utf-8")
             .replace('<main class="main papabear:flex">', '<main class="main">').split("<section")[0] + "</body></html>")
    env = {"TWIN_DATA_DIR": str(tmp_path / "data")}
    result = crawl("linkedin", "-s", f"TWIN_LINKEDIN_BASE_URL={site.url}", "-a", "user=Jane Doe",
                   "-a", f"links={site.url}{POST_PATH}", env=env)
    assert_ok(result, exit_code=1)  # blocked: exit 1
    assert site.hits["/authwall?trk=public_post&sessionRedirect=x"] == 1
    assert "blocked/authwall" in result.report
    from twin_crawler.warehouse import open_warehouse

    w = open_warehouse(None, data_dir=tmp_path / "data")
    assert w.find("posts") == [] and w.find("articles") == []
    w.close()


@pytest.mark.parametrize(("args", "env", "needle"), [
    (["-a", "session=1"], {}, "TWIN_LINKEDIN_LI_AT"),
    (["-a", "session=1"], {"TWIN_LINKEDIN_LI_AT": "li_at=AQEDARpasted-with-its-name"}, "does not look like a cookie"),
    ([], {}, "session=1"),  # a member's list of posts needs the opt-in
    (["-a", "session=1", "-a", "scrolls=many"], {"TWIN_LINKEDIN_LI_AT": "AQEDARcookievalue"}, "scrolls"),
])
def test_session_misuse_is_one_line_exit_2(args: list[str], env: dict[str, str], needle: str, tmp_path: Path) -> None:
    result = crawl("linkedin", "-a", "user=Jane Doe", "-a", f"handle={HANDLE}", *args,
                   env={"TWIN_DATA_DIR": str(tmp_path / "data"), **env})
    assert result.returncode == 2, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and needle in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert all(value not in result.stderr for value in env.values())  # the cookie is never echoed


def feed_site(site: LoopbackSite, secret: str, total: int = 11, page: int = 3) -> None:
    """The logged-in feed: the page and its API answer only with the right li_at; otherwise the auth wall."""
    posts = [{"id": str(7300000000000000000 - i * 10**15), "author": "Jane Doe",
              "text": f"Post number {i} about evaluation.\nSecond line of post {i}.",
              "image": f"{site.url}/media/{i}.jpg" if i % 2 == 0 else None, "repost": i == 1} for i in range(total)]

    def has_cookie(handler: BaseHTTPRequestHandler) -> bool:
        return f"li_at={secret}" in (handler.headers.get("Cookie") or "").split("; ")

    def feed_page(handler: BaseHTTPRequestHandler) -> Reply:
        if not has_cookie(handler):
            return Reply(b"", status=302, headers={"Location": "/authwall?trk=feed"})
        return Reply((FIXTURES / "synthetic_activity-feed-shell.html").read_bytes())

    def api(handler: BaseHTTPRequestHandler) -> Reply:
        if not has_cookie(handler):
            return Reply(b"{}", status=401, content_type="application/json")
        start = int(handler.path.rsplit("=", 1)[1])
        return Reply(json.dumps(posts[start:start + page]), content_type="application/json")

    site.add(FEED_PATH, feed_page)
    site.add("/voyager/feed", api)
    site.add("/authwall", '<html><body><h1>Join LinkedIn</h1><form><input name="session_key">'
                          '<input name="session_password" type="password"></form></body></html>')


def session_crawl(site: LoopbackSite, env: dict[str, str], *args: str) -> CrawlResult:
    return crawl("linkedin", "-s", "TWIN_BROWSER_SCHEMES=http", "-s", f"TWIN_LINKEDIN_BASE_URL={site.url}",
                 "-s", "TWIN_LINKEDIN_SCROLL_WAIT=2", "-s", "LOG_LEVEL=DEBUG", "-a", "user=Jane Doe",
                 "-a", f"handle={HANDLE}", "-a", "session=1", *args, env=env)


def test_logged_in_feed_read_in_chromium(site: LoopbackSite, chromium: str, tmp_path: Path) -> None:
    secret = "AQEDAR" + uuid.uuid4().hex + "-secret"
    feed_site(site, secret)
    out = tmp_path / "feed.jsonl"
    env = {"TWIN_DATA_DIR": str(tmp_path / "data"), "TWIN_LINKEDIN_LI_AT": secret, "TWIN_BROWSER_EXECUTABLE": chromium}
    result = session_crawl(site, env, "-a", "scrolls=2", "-O", str(out))
    assert_ok(result)
    assert "Browser chromium launched" in result.stderr  # a real browser, through scrapy-playwright
    # Initial page + 2 scrolls = 3 API pages of 3 cards; the scroll limit kept the 4th page unrequested.
    assert [p for p in site.hits if p.startswith("/voyager/")] == [f"/voyager/feed?start={n}" for n in (0, 3, 6)]
    from twin_crawler.warehouse import open_warehouse

    w = open_warehouse(None, data_dir=tmp_path / "data")
    posts = sorted(w.find("posts"), key=lambda d: d["source_id"], reverse=True)
    stored = json.dumps([posts, w.find("runs"), w.find("users")], default=str)
    (user,) = w.find("users")
    w.close()
    assert user["handles"] == {"linkedin": HANDLE}  # remembered once the feed was read (issue 10, 3c)
    assert len(posts) == 8  # 9 cards read, the repost skipped
    first = posts[0]
    assert first["link"] == f"{site.url}/feed/update/urn:li:activity:7300000000000000000/"
    assert first["content"] == {"text": "Post number 0 about evaluation.\nSecond line of post 0.",
                                "image": f"{site.url}/media/0.jpg"}
    assert str(first["published_at"]).startswith("2025-02-25")
    assert first["extra"]["via"] == "feed"
    assert "Post number 1 " not in stored
    # The cookie is nowhere: not in logs (DEBUG), the report, the warehouse or the feed export.
    for text in (result.stderr, result.stdout, stored, out.read_text()):
        assert secret not in text


def test_logged_in_feed_with_a_rejected_cookie_is_blocked(site: LoopbackSite, chromium: str, tmp_path: Path) -> None:
    feed_site(site, "the-right-cookie-value")
    env = {"TWIN_DATA_DIR": str(tmp_path / "data"), "TWIN_LINKEDIN_LI_AT": "AQEDARexpiredcookie",
           "TWIN_BROWSER_EXECUTABLE": chromium}
    result = session_crawl(site, env)
    assert_ok(result, exit_code=1)  # blocked: exit 1
    assert site.hits["/authwall?trk=feed"] == 1 and not any(p.startswith("/voyager/") for p in site.hits)
    assert "blocked/authwall" in result.report
    assert "AQEDARexpiredcookie" not in result.stderr
    from twin_crawler.warehouse import open_warehouse

    w = open_warehouse(None, data_dir=tmp_path / "data")
    assert w.find("posts") == []
    assert not w.find("users")[0].get("handles")  # the feed was never read: the handle is not remembered
    w.close()
