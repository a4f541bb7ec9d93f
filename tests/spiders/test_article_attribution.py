"""Nothing stored under the author that they did not write (issue 10 §1): multi-author and news sites on loopback.

Whatever link of such a site the user gives — one of their articles, a stub of theirs, the blog root, a section
page, a sitemap — no document of another author is stored, and discovery never leaves the listing it started from.
"""

from __future__ import annotations

from pathlib import Path

from article_sites import JANE, OLIVIA, TOM, docs_site, multi_author_blog, news_site
from conftest import LoopbackSite, assert_ok, crawl

from twin_crawler.warehouse import open_warehouse


def run(site: LoopbackSite, tmp_path: Path, *paths: str) -> tuple[dict[str, str], str]:
    """Crawl ``paths`` as Jane; returns {stored link: author_full_name} and the run report."""
    data = tmp_path / "data"
    links = ",".join(site.url + p for p in paths)
    result = crawl("article", "-a", f"user={JANE}", "-a", f"links={links}", env={"TWIN_DATA_DIR": str(data)})
    assert_ok(result)
    w = open_warehouse(None, data_dir=data)
    try:
        return {d["link"].removeprefix(site.url): d["author_full_name"] for d in w.find("articles")}, result.report
    finally:
        w.close()


def test_given_articles_never_trigger_discovery(site: LoopbackSite, tmp_path: Path) -> None:
    built = multi_author_blog(site)
    jane = built.by_author[JANE][0]
    stored, report = run(site, tmp_path, jane, "/2024/05/jane-note/")
    assert stored == {jane: JANE}
    assert "dropped/too-short=1" in report and "index-page" not in report  # the true reason, once
    assert site.hits["/feed/"] == site.hits["/sitemap.xml"] == site.hits["/"] == 0


def test_a_multi_author_blog_root_gives_only_the_authors_posts(site: LoopbackSite, tmp_path: Path) -> None:
    built = multi_author_blog(site)
    stored, report = run(site, tmp_path, "/")
    assert sorted(stored) == sorted(built.by_author[JANE])
    assert all(a == JANE for a in stored.values())
    assert "skipped/other-author=2" in report
    assert all(site.hits[p] == 0 for p in built.never), {p: site.hits[p] for p in built.never}  # feed answered: no sitemap


def test_a_user_given_sitemap_is_the_authors_but_bylines_still_count(site: LoopbackSite, tmp_path: Path) -> None:
    built = multi_author_blog(site)
    stored, _ = run(site, tmp_path, "/sitemap.xml")
    assert sorted(stored) == sorted(built.by_author[JANE])
    assert site.hits["/about/"] == 1  # in the sitemap the user gave; not an article of Jane's, so not stored


def test_a_news_section_stays_in_its_section_and_skips_other_journalists(site: LoopbackSite, tmp_path: Path) -> None:
    built = news_site(site)
    stored, report = run(site, tmp_path, "/world/jane-brief", "/world/")
    assert sorted(stored) == sorted(built.by_author[JANE])  # the short brief too: a given link
    assert not {OLIVIA, TOM} & set(stored.values())
    assert f"skipped/other-author={len(built.by_author[OLIVIA]) + len(built.by_author[TOM])}" in report
    assert site.hits["/robots.txt"] >= 1 and site.hits["/sitemap-news.xml.gz"] == 1  # robots Sitemap: + gzip index
    assert all(site.hits[p] == 0 for p in built.never), {p: site.hits[p] for p in built.never}


def test_a_blog_listing_never_harvests_docs_from_the_root_sitemap(site: LoopbackSite, tmp_path: Path) -> None:
    built = docs_site(site)
    stored, _ = run(site, tmp_path, "/blog/")
    assert sorted(stored) == sorted(built.by_author[JANE])
    assert site.hits["/sitemap.xml"] == 1 and site.hits["/docs/manual.html"] == 0
