"""The browser path: a Cloudflare-blocked Medium page is retried in Debian's Chromium through scrapy-playwright."""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from conftest import Reply

from twin_crawler.warehouse import open_warehouse

POST_ID = "0f1e2d3c4b5a"
CHALLENGE = ("<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
             "<div id='challenge-platform'>Verify you are human.</div></body></html>")
# SYNTHETIC page: the static HTML holds only Medium's meta tags and an empty root; the story is built by
# JavaScript into the 2022 ``pw-*`` DOM, so only a browser can read it.
JS_PAGE = f"""<!doctype html><html lang="en"><head><title>Loading…</title>
<meta property="al:android:url" content="medium://p/{POST_ID}"><meta property="al:android:app_name" content="Medium">
<meta property="og:title" content="Rendered by the Browser"><meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-02-03T04:05:06.000Z"></head>
<body><div id="root"><noscript>You need to enable JavaScript to run this app.</noscript></div><script>
const words = ["Chromium", "executed", "this", "script", "and", "built", "the", "story", "you", "are", "reading"];
const article = document.createElement("article");
const section = document.createElement("section");
section.innerHTML = '<h1 class="pw-post-title">Rendered by the Browser</h1>'
  + '<p class="pw-post-body-paragraph">' + words.join(" ") + '.</p>'
  + '<h1>A heading made in JavaScript</h1><p class="pw-post-body-paragraph">Second paragraph, also scripted.</p>';
article.appendChild(section);
document.getElementById("root").replaceChildren(article);
</script></body></html>"""


def cloudflare(handler: BaseHTTPRequestHandler) -> Reply:
    """Like Cloudflare's bot check: plain HTTP clients get the challenge, a real browser navigation passes."""
    if handler.headers.get("Sec-Fetch-Mode") == "navigate" and handler.headers.get("sec-ch-ua"):
        return Reply(JS_PAGE)
    return Reply(CHALLENGE, status=403, headers={"cf-mitigated": "challenge"})


def test_browser_renders_blocked_page_and_stores_its_text(run_crawl: Callable[..., Any], site: Any, chromium: str,
                                                           tmp_path: Path) -> None:
    """with chromium, the browser path renders a JavaScript-built Medium-like page from the loopback server and its
    text is stored."""
    site.add(f"/p/{POST_ID}", cloudflare)
    env = {"TWIN_DATA_DIR": str(tmp_path / "data"), "TWIN_BROWSER_EXECUTABLE": chromium}
    result = run_crawl("medium", "-a", "user=Jane Doe", "-a", f"links=https://medium.com/@janedoe/rendered-by-the-browser-{POST_ID}",
                       "-s", f"TWIN_MEDIUM_BASE_URL={site.url}", "-s", "TWIN_BROWSER_SCHEMES=http",
                       env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    # First the plain request (challenged), then the same URL navigated by Chromium.
    assert site.hits[f"/p/{POST_ID}"] == 2
    first, second = (headers for path, headers in site.requests if path == f"/p/{POST_ID}")
    assert "Sec-Fetch-Mode" not in first and second.get("Sec-Fetch-Mode") == "navigate"
    warehouse = open_warehouse(None, data_dir=tmp_path / "data")
    try:
        docs = warehouse.find("articles")
        run = warehouse.find("runs")[-1]
    finally:
        warehouse.close()
    assert [d["link"] for d in docs] == [f"https://medium.com/p/{POST_ID}"]
    content = docs[0]["content"]["Content"]
    assert "Chromium executed this script and built the story you are reading." in content
    assert "## A heading made in JavaScript" in content and "Second paragraph, also scripted." in content
    assert "enable JavaScript" not in content and "Just a moment" not in content
    assert docs[0]["title"] == "Rendered by the Browser" and docs[0]["byline"] == "Jane Doe"
    assert run["totals"] == {"new": 1}
    assert run["stats"].get("twin/blocked/browser_retry") == 1
