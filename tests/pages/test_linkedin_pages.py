"""Golden tests of the LinkedIn page parsers on real captures (tests/fixtures/linkedin, see SOURCES.md).

Real: three Pulse generations and the 2024 guest company page. Derived/synthetic (marked in their names): a public
post page built around two real cards, and a rendered logged-in activity feed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from twin_crawler.items import Post
from twin_crawler.pages.linkedin import (
    AUTHWALL_REDIRECT,
    LinkedinPostsPage,
    activity_time,
    authwall_reason,
    has_login_form,
    permalink,
)
from twin_crawler.pages.linkedin_pulse import NotAPulseArticle, parse_pulse

FIXTURES = Path(__file__).parents[1] / "fixtures" / "linkedin"
PAGE_FURNITURE = ["Sign in", "Report this", "More articles", "Show more", "comments", "Like", "Follow", "Published"]

PULSE = {
    "postlight_linkedin-pulse.html": dict(
        title="What will set your soul on fire in 2017", byline="Ellyn Shook",
        published=datetime(2016, 12, 19, tzinfo=UTC), language="en",
        canonical="https://www.linkedin.com/pulse/what-set-your-soul-fire-2017-ellyn-shook",
        first="*This article was originally published on The Huffington Post and can be read here.*",
        contains=["1. **Double down on people.**", "Connect with me @EllynJShook1"], words=(420, 470),
    ),
    "metascraper_linkedin-pulse-2019.html": dict(
        title="How Can AI Change Financial Services? Consolidation of the #FinAI tweetstorm", byline="Ramya Joseph",
        published=datetime(2016, 5, 26, 19, 38, 36, tzinfo=UTC), language="en",
        canonical="https://www.linkedin.com/pulse/how-can-ai-change-financial-services-consolidation-finai-ramya-joseph",
        first="We had a tweetstorm today on #FinAI and the role AI will play to change financial services.",
        contains=["1/ Fintech in 2016 is similar to the Internet in 1996", "Please reach out by email or connect / DM."],
        words=(1400, 1460),
    ),
    "trafilatura_linkedin-pulse-de.html": dict(
        title="Ich war am Wochenende auf einer Hochzeit im Wendland.", byline="Inga Hoeltmann",
        published=datetime(2019, 8, 19, 7, 1, 37, tzinfo=UTC), language="de",  # <html lang="en"> is only the reader's UI
        canonical="https://de.linkedin.com/pulse/ich-war-am-wochenende-auf-einer-hochzeit-im-wendland-inga-hoeltmann",
        first="Das Wendland ist eine schöne, aber sehr ländliche Region",
        contains=["Der Breitbandausbau ist in vielen Bereichen", "Beschämend."], words=(560, 600),
    ),
}


@pytest.mark.parametrize("name", sorted(PULSE))
def test_pulse_article(name: str) -> None:
    case = PULSE[name]
    data = parse_pulse("https://www.linkedin.com/pulse/x", (FIXTURES / name).read_bytes())
    assert (data.title, data.byline, data.published_at, data.language, data.canonical) == (
        case["title"], case["byline"], case["published"], case["language"], case["canonical"])
    assert data.content.startswith(str(case["first"]))
    for text in case["contains"]:  # type: ignore[attr-defined]
        assert text in data.content, text
    low, high = case["words"]  # type: ignore[misc]
    assert low <= len(data.content.split()) <= high
    for text in PAGE_FURNITURE + [str(case["title"])]:
        assert text not in data.content, text
    assert not any(line.startswith("    ") for line in data.content.split("\n"))  # no accidental code blocks


def test_pulse_json_ld_is_preferred_and_body_is_required() -> None:
    # SYNTHETIC: the JSON-LD Article block newer Pulse pages carry (schema.org shape), with a body element.
    html = ('<html lang="en"><head><script type="application/ld+json">{"@context":"http://schema.org","@type":"Article",'
            '"headline":"Evaluating RAG","author":{"@type":"Person","name":"Jane Doe"},"datePublished":"2024-05-02T08:00:00.000Z",'
            '"inLanguage":"fr-FR","keywords":"rag, evals"}</script></head><body><h1>Other</h1>'
            '<div class="article-content__body"><p>Le texte de l\'article, assez long pour compter.</p></div></body></html>')
    data = parse_pulse("https://www.linkedin.com/pulse/evaluating-rag-jane-doe", html)
    assert (data.title, data.byline, data.language, data.tags) == ("Evaluating RAG", "Jane Doe", "fr", ["rag", "evals"])
    assert data.published_at == datetime(2024, 5, 2, 8, tzinfo=UTC)
    assert data.content == "Le texte de l'article, assez long pour compter."
    with pytest.raises(NotAPulseArticle):
        parse_pulse("https://www.linkedin.com/pulse/x", "<html><body><h1>Sign in</h1><p>Join now</p></body></html>")


def test_activity_id_encodes_the_post_time() -> None:
    # The first 41 bits are Unix milliseconds (PLATFORMS.md [L9]); checked against the real card's "4d" label
    # on a page captured 2024-10-05.
    assert activity_time("7247945789950353408") == datetime(2024, 10, 4, 12, 28, 56, 645000, tzinfo=UTC)
    assert activity_time("12345") is None and activity_time("not-an-id") is None and activity_time(None) is None
    assert permalink("7247945789950353408") == "https://www.linkedin.com/feed/update/urn:li:activity:7247945789950353408/"


def guest_posts(body: bytes | str) -> list[Post]:
    return LinkedinPostsPage("https://www.linkedin.com/company/x", body).to_items("Jane Doe", via="guest")


def test_guest_company_page_cards() -> None:
    posts = guest_posts((FIXTURES / "metascraper_linkedin-company-guest-2024.html").read_bytes())
    assert len(posts) == 10
    assert [p.extra["repost"] for p in posts].count(True) == 6
    own = posts[1]
    assert (own.source_id, own.extra["byline"]) == ("7247945789950353408", "Audiense")
    assert own.link == "https://www.linkedin.com/feed/update/urn:li:activity:7247945789950353408/"
    assert (own.author_full_name, own.extra["via"]) == ("Jane Doe", "guest")
    assert own.content.text.startswith("Demographics are a thing of the past for savvy agencies.")
    assert "\n\nHere's why demographics are a dead end:\n\n❌" in own.content.text  # pre-wrap line breaks kept
    image = own.content.image
    assert image and image.startswith("https://media.licdn.com/dms/image/v2/D4D22AQFSC3zD64u9iA/")
    assert [i.src for i in own.images] == [image]
    repost = posts[0]
    assert repost.extra["byline"] == "🇨🇦 Andrew Jenkins" and repost.extra["repost"]
    # A repost is dated by the reposted ugcPost id (2024-09-30), not by the repost activity (2024-10-05).
    assert repost.published_at == datetime(2024, 9, 30, 18, 1, 23, 737000, tzinfo=UTC)
    assert all(p.published_at and p.published_at.year == 2024 for p in posts)
    assert not any("Report this post" in p.content.text or "Sign in" in p.content.text for p in posts)


def test_public_post_page_selects_its_own_card() -> None:
    page = LinkedinPostsPage("https://www.linkedin.com/posts/x", (FIXTURES / "derived_guest-post-page.html").read_bytes())
    assert [p.source_id for p in page.to_items("Jane Doe", via="guest")] == ["7247945789950353408", "7247234919192530944"]

    def chosen(key: str | None, share_url: str | None = None) -> Post:
        post = page.to_item("Jane Doe", key=key, share_url=share_url)
        assert post is not None
        return post

    assert chosen("7247234919192530944").source_id == "7247234919192530944"  # the key decides, not the position
    assert chosen("7247945788914319360").source_id == "7247945789950353408"  # a share id names the same post
    assert chosen(None).source_id == "7247945789950353408"
    assert "share_url" not in chosen(None).extra
    assert chosen(None, "https://www.linkedin.com/posts/jane_x-activity-1").extra["share_url"] == (
        "https://www.linkedin.com/posts/jane_x-activity-1")
    empty = LinkedinPostsPage("https://www.linkedin.com/posts/x", "<html><body><p>nothing</p></body></html>")
    assert empty.to_item("Jane Doe", key="7247945789950353408") is None


def test_json_ld_posting_without_card_markup() -> None:
    # SYNTHETIC: the SocialMediaPosting JSON-LD public posts reportedly carry (PLATFORMS.md §3, unverified).
    html = ('<html><head><script type="application/ld+json">{"@context":"http://schema.org","@type":"SocialMediaPosting",'
            '"@id":"https://www.linkedin.com/posts/jane_x-activity-7247945789950353408-AbCd","articleBody":"Hello from JSON-LD",'
            '"author":{"@type":"Person","name":"Jane Doe","url":"https://www.linkedin.com/in/jane"}}</script></head><body></body></html>')
    [post] = guest_posts(html)
    assert (post.source_id, post.content.text, post.extra["byline"]) == ("7247945789950353408", "Hello from JSON-LD", "Jane Doe")


def test_logged_in_feed_cards() -> None:
    body = (FIXTURES / "synthetic_activity-feed-rendered.html").read_bytes()
    posts = LinkedinPostsPage("https://www.linkedin.com/in/jane/recent-activity/all/", body, feed=True).to_items("Jane Doe", via="feed")
    assert [(p.source_id, p.extra["repost"]) for p in posts] == [
        ("7300000000000000001", False), ("7299000000000000002", True), ("7298000000000000003", False)]
    first = posts[0]
    assert first.extra["byline"] == "Jane Doe"
    assert first.content.text == ("Shipping a RAG system is 20% retrieval, 80% evaluation.\n\nThree things I measure on every "
                          "release:\n1. recall@k on a frozen question set\n2. answer faithfulness\n3. latency at p95 #LLM")
    assert first.content.image == "https://media.licdn.com/dms/image/v2/SYNTHETIC/feedshare-shrink_800/0/1700000000000"
    assert posts[2].content.image is None


@pytest.mark.parametrize(("url", "html", "expected"), [
    ("https://www.linkedin.com/authwall?trk=bf&sessionRedirect=x", "", "authwall"),
    ("https://www.linkedin.com/login?fromSignIn=true", "", "authwall"),
    ("https://www.linkedin.com/posts/x", '<script>window.location.href = "https://www.linkedin.com/authwall?trk=gf";</script>',
     "authwall-redirect"),
    ("https://www.linkedin.com/posts/x", '<meta http-equiv="refresh" content="0; url=/uas/login?session_redirect=x">',
     "authwall-redirect"),
])
def test_authwall_is_recognised(url: str, html: str, expected: str) -> None:
    assert authwall_reason(url, html) == expected
    # On a page with content of its own only the URL counts: real pages carry such scripts and forms.
    assert authwall_reason(url, html, has_content=True) == (expected if url.endswith(("bf&sessionRedirect=x", "true"))
                                                            else None)


def test_real_guest_pages_are_not_walls() -> None:
    for path in FIXTURES.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert authwall_reason("https://www.linkedin.com/posts/x", text, has_content=True) is None, path.name
        assert AUTHWALL_REDIRECT.search(text) is None or path.name.startswith("synthetic"), path.name
    # Guest pages embed a sign-in form: it makes a wall only of a page without content.
    assert has_login_form((FIXTURES / "metascraper_linkedin-company-guest-2024.html").read_text(encoding="utf-8"))
    sign_in_only = '<html><body><h1>Sign in</h1><form><input name="session_key"><input name="session_password"></form></body></html>'
    assert authwall_reason("https://www.linkedin.com/posts/x", sign_in_only) == "authwall"
