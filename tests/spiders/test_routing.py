"""Routing by parsed host: the real link shapes of the issue and the traps around them."""

from __future__ import annotations

import pytest

from twin_crawler.urls import LinkError, canonicalize, medium_post_id, route

CASES = [
    # (url, platform, kind, canonical link)
    ("https://decodingml.substack.com/p/real-time-feature-pipelines-with?r=1ttoeh", "substack", "post",
     "https://decodingml.substack.com/p/real-time-feature-pipelines-with"),
    ("https://medium.com/decodingml/an-end-to-end-framework-for-production-ready-llm-systems-by-building-your-llm-twin-2cc6bb01141f",
     "medium", "post", "https://medium.com/p/2cc6bb01141f"),
    ("https://maximelabonne.substack.com/p/uncensor-any-llm-with-abliteration-d30148b7d43e", "substack", "post",
     "https://maximelabonne.substack.com/p/uncensor-any-llm-with-abliteration-d30148b7d43e"),
    ("https://mlabonne.github.io/blog/posts/2024-07-29_Finetune_Llama31.html", "article", "page",
     "https://mlabonne.github.io/blog/posts/2024-07-29_Finetune_Llama31.html"),
    ("https://github.com/iusztinpaul/hands-on-llms", "github", "repository", "https://github.com/iusztinpaul/hands-on-llms"),
    ("http://www.medium.com/@user/slug-1a2b3c4d5e6f", "medium", "post", "https://medium.com/p/1a2b3c4d5e6f"),
    ("https://medium.com.evil.example/x", "article", "page", "https://medium.com.evil.example/x"),
    # more shapes: subdomains, /p/<id>, upper case, tracking parameters, fragments, look-alikes
    ("https://pauliusztin.medium.com/some-story-7a518e4da3", "medium", "post", "https://medium.com/p/7a518e4da3"),
    ("https://medium.com/p/2cc6bb01141f?source=rss-abc------2", "medium", "post", "https://medium.com/p/2cc6bb01141f"),
    ("HTTPS://MEDIUM.COM/@PaulIusztin", "medium", "profile", "https://medium.com/@PaulIusztin"),
    ("https://pauliusztin.medium.com/", "medium", "profile", "https://pauliusztin.medium.com/"),
    ("https://notmedium.com/p/2cc6bb01141f", "article", "page", "https://notmedium.com/p/2cc6bb01141f"),
    ("https://medium.company.example/a-b-2cc6bb01141f", "article", "page", "https://medium.company.example/a-b-2cc6bb01141f"),
    ("https://substack.com/@decodingml", "substack", "profile", "https://substack.com/@decodingml"),
    ("https://decodingml.substack.com/", "substack", "publication", "https://decodingml.substack.com/"),
    ("https://evilsubstack.com/p/x", "article", "page", "https://evilsubstack.com/p/x"),
    ("https://substack.com.evil.example/p/x", "article", "page", "https://substack.com.evil.example/p/x"),
    ("https://www.linkedin.com/pulse/what-set-your-soul-fire-2017-ellyn-shook", "linkedin", "article",
     "https://www.linkedin.com/pulse/what-set-your-soul-fire-2017-ellyn-shook"),
    ("https://www.linkedin.com/posts/pauliusztin_llm-activity-7200012345678901234-AbCd?utm_source=share&utm_medium=member_desktop",
     "linkedin", "post", "https://www.linkedin.com/posts/pauliusztin_llm-activity-7200012345678901234-AbCd"),
    ("https://www.linkedin.com/feed/update/urn:li:activity:7200012345678901234/", "linkedin", "post",
     "https://www.linkedin.com/feed/update/urn:li:activity:7200012345678901234/"),
    ("https://de.linkedin.com/in/pauliusztin", "linkedin", "profile", "https://de.linkedin.com/in/pauliusztin"),
    ("https://linkedin.com.evil.example/posts/x", "article", "page", "https://linkedin.com.evil.example/posts/x"),
    ("http://GitHub.com/iusztinpaul/hands-on-llms.git", "github", "repository", "https://github.com/iusztinpaul/hands-on-llms"),
    ("https://github.com/iusztinpaul/hands-on-llms/tree/main/modules", "github", "repository",
     "https://github.com/iusztinpaul/hands-on-llms"),
    ("https://github.com/iusztinpaul", "github", "user", "https://github.com/iusztinpaul"),
    ("https://gist.github.com/someone/abc", "article", "page", "https://gist.github.com/someone/abc"),
    ("https://github.com.evil.example/a/b", "article", "page", "https://github.com.evil.example/a/b"),
    ("https://Blog.Example.ORG:443/post#comments", "article", "page", "https://blog.example.org/post"),
    ("http://blog.example.org:8080/a?utm_campaign=x&b=2&a=1", "article", "page", "http://blog.example.org:8080/a?a=1&b=2"),
]


@pytest.mark.parametrize(("url", "platform", "kind", "link"), CASES)
def test_route(url: str, platform: str, kind: str, link: str) -> None:
    r = route(url)
    assert (r.platform, r.kind, r.link) == (platform, kind, link)


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/x", "javascript:alert(1)", "file:///etc/passwd", "example.org/no-scheme", "https://", "",
     "https://exa mple.org/", "http://[::1/", "https://bad..host/x", "mailto:me@example.org"],
)
def test_route_refuses_uncrawlable_links(url: str) -> None:
    with pytest.raises(LinkError):
        route(url)


def test_canonical_form_is_stable() -> None:
    url = "https://Example.org/a/?utm_source=x&z=1&a=2#frag"
    assert canonicalize(url) == canonicalize(canonicalize(url)) == "https://example.org/a/?a=2&z=1"


def test_medium_post_id_requires_a_slug_or_p_path() -> None:
    assert medium_post_id("/p/2cc6bb01141f") == "2cc6bb01141f"
    assert medium_post_id("/@u/title-words-2cc6bb01141f") == "2cc6bb01141f"
    assert medium_post_id("/@u/2cc6bb01141f") is None  # a bare hex segment without a slug is not an id
    assert medium_post_id("/tag/python") is None


@pytest.mark.parametrize(("a", "b"), [
    ("https://example.org/a%7Eb", "https://example.org/a~b"),  # an unreserved character, escaped or not
    ("https://example.org/a%7eb", "https://example.org/a~b"),  # lower-case escape
    ("https://example.org/caf%C3%A9", "https://example.org/café"),  # a unicode path, as a browser shows it
    ("https://example.org/caf%c3%a9", "https://example.org/caf%C3%A9"),
    ("https://example.org/%E4%B8%AD%E6%96%87/", "https://example.org/中文/"),
    ("https://example.org/s?q=a+b", "https://example.org/s?q=a%20b"),  # space in a query: '+' or '%20'
    ("https://example.org/s?q=caf%C3%A9&a=", "https://example.org/s?a&q=café"),  # blank value kept, sorted
    ("https://example.org/a/./b/../c", "https://example.org/a/c"),  # dot segments, as a browser resolves them
])
def test_one_canonical_link_per_encoding_of_a_page(a: str, b: str) -> None:
    assert canonicalize(a) == canonicalize(b)
    assert canonicalize(canonicalize(a)) == canonicalize(a)


@pytest.mark.parametrize(("url", "canonical"), [
    ("https://example.org/café?utm_source=x&q=1", "https://example.org/caf%C3%A9?q=1"),
    ("https://example.org/a%2Fb", "https://example.org/a%2Fb"),  # an escaped '/' is not a path separator
    ("https://example.org/a%3Fb", "https://example.org/a%3Fb"),  # nor an escaped '?' a query
    ("https://example.org/s?q=%E9", "https://example.org/s?q=%E9"),  # non-UTF-8 escapes keep their bytes
    ("https://example.org/s?b=2&a=1&a=", "https://example.org/s?a=&a=1&b=2"),
    ("https://example.org/s?UTM_Medium=x&%72ef=y&k=v", "https://example.org/s?k=v"),  # tracking, however spelt
])
def test_canonical_encoding(url: str, canonical: str) -> None:
    assert canonicalize(url) == canonical
