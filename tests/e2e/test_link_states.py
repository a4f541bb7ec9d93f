"""Every link ends in a known state, and the exit code says how the run went (issue 10 §3, §4a)."""

from __future__ import annotations

from pathlib import Path

import yaml
from article_sites import post
from conftest import LoopbackSite, assert_ok, crawl

from twin_crawler.arguments import ArgumentError, parse_arguments
from twin_crawler.ledger import Ledger
from twin_crawler.warehouse import open_warehouse

SUBSTACK = Path(__file__).parents[1] / "fixtures" / "substack"


# ---------------------------------------------------------------- the ledger, in-process
def test_two_links_of_one_document_end_stored_and_duplicate() -> None:
    ledger = Ledger()
    for link in ("https://jane.substack.com/p/a", "https://janes.blog/p/a"):
        ledger.register(link, "substack")
    assert ledger.claim("https://janes.blog/p/a", "https://jane.substack.com/p/a") is None
    assert ledger.claim("https://janes.blog/p/a", "https://janes.blog/p/a") == "https://jane.substack.com/p/a"
    ledger.record("https://janes.blog/p/a", "new", platform="substack")  # the warehouse outcome of the document
    states = {e.link: (e.state, e.reason) for e in ledger.entries.values()}
    assert states == {"https://jane.substack.com/p/a": ("new", None),
                      "https://janes.blog/p/a": ("duplicate", "duplicate-of https://jane.substack.com/p/a")}
    assert ledger.pending() == [] and ledger.exit_code() == 0


def test_exit_code_and_reasons_counted_once() -> None:
    class Stats(dict):
        def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
            self[key] = self.get(key, start) + count

        def set_value(self, key: str, value: object) -> None:
            self[key] = value

    stats = Stats()
    ledger = Ledger(stats)
    ledger.record("https://x.org/a", "dropped", reason="too-short")
    ledger.record("https://x.org/a", "dropped", reason="too-short")  # recorded twice, counted once
    ledger.register("https://x.org/b", "article")
    assert ledger.exit_code() == 1  # a link that never ended
    ledger.record("https://x.org/b", "blocked", reason="http-403")
    assert ledger.exit_code() == 1
    ledger.record("https://x.org/b", "skipped", reason="other-author")
    assert ledger.exit_code() == 0
    ledger.publish()
    assert stats["twin/dropped/too-short"] == 1 and stats["twin/skipped/other-author"] == 1
    assert "twin/blocked/http-403" not in stats  # not its final state


# ---------------------------------------------------------------- multi-author config, in-process
def test_end_to_end_data_yaml_is_accepted_unchanged(tmp_path: Path) -> None:
    config = tmp_path / "end_to_end_data.yaml"
    config.write_text(yaml.safe_dump({"settings": {"docker": {"skip_build": True}}, "parameters": {
        "author_links": [
            {"user_full_name": "Paul Iusztin", "links": ["https://decodingml.substack.com/p/a?r=1", "https://x.org/p"]},
            {"user_full_name": "Maxime  Labonne", "links": ["https://maximelabonne.substack.com/p/b"]},
        ], "test_split_size": 0.1}}))
    args = parse_arguments({"config": str(config)})
    assert args.user is None and len(args.links) == 3
    assert args.authors == {"https://decodingml.substack.com/p/a?r=1": "Paul Iusztin", "https://x.org/p": "Paul Iusztin",
                            "https://maximelabonne.substack.com/p/b": "Maxime Labonne"}
    try:
        parse_arguments({"config": str(config), "user": "Someone Else"})
    except ArgumentError as exc:
        assert "names 2 authors" in str(exc)
    else:
        raise AssertionError("-a user with a multi-author config must be refused")


def test_multi_author_config_stores_each_link_under_its_author(site: LoopbackSite, tmp_path: Path) -> None:
    site.add("/jane/post", post("Jane writes", "Jane Doe", 90))
    site.add("/olivia/post", post("Olivia writes", "Olivia Larsen", 91))
    config = tmp_path / "end_to_end_data.yaml"
    config.write_text(yaml.safe_dump({"parameters": {"author_links": [
        {"user_full_name": "Jane Doe", "links": [f"{site.url}/jane/post"]},
        {"user_full_name": "Olivia Larsen", "links": [f"{site.url}/olivia/post"]}]}}))
    data = tmp_path / "data"
    result = crawl("twin", "-a", f"config={config}", env={"TWIN_DATA_DIR": str(data)})
    assert_ok(result)
    w = open_warehouse(None, data_dir=data)
    try:
        users = {u["full_name"]: u["_id"] for u in w.find("users")}
        docs = {d["link"].removeprefix(site.url): (d["author_full_name"], d["author_id"]) for d in w.find("articles")}
    finally:
        w.close()
    assert docs == {"/jane/post": ("Jane Doe", users["Jane Doe"]), "/olivia/post": ("Olivia Larsen", users["Olivia Larsen"])}


# ---------------------------------------------------------------- the CLI: exit codes
def test_a_run_with_a_failed_link_exits_1_and_keeps_what_was_stored(site: LoopbackSite, tmp_path: Path) -> None:
    site.add("/good", post("Good one", "Jane Doe", 92))
    data = tmp_path / "data"
    result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={site.url}/good,{site.url}/gone",
                   env={"TWIN_DATA_DIR": str(data)})
    assert_ok(result, exit_code=1)
    assert "failed/http-404=1" in result.report
    w = open_warehouse(None, data_dir=data)
    assert [d["link"] for d in w.find("articles")] == [f"{site.url}/good"]
    w.close()


def test_a_substack_post_by_two_links_leaves_nothing_pending(site: LoopbackSite, tmp_path: Path) -> None:
    """Its ``*.substack.com`` URL and its custom-domain URL: one document, one ``duplicate-of`` link."""
    site.add("/p/custom-domain-post", '<html><head><link rel="preconnect" href="https://substackcdn.com"></head></html>')
    for prefix in ("", "/pub/janes"):
        site.add_file(f"{prefix}/api/v1/posts/custom-domain-post", SUBSTACK / "synthetic_post_custom-domain-post.json",
                      content_type="application/json")
    links = f"https://janes.substack.com/p/custom-domain-post,{site.url}/p/custom-domain-post"
    data = tmp_path / "data"
    result = crawl("twin", "-a", "user=Jane Doe", "-a", f"links={links}", "-s", f"TWIN_SUBSTACK_API_URL={site.url}",
                   "-s", f"TWIN_SUBSTACK_PUBLICATION_URL={site.url}/pub/{{subdomain}}", env={"TWIN_DATA_DIR": str(data)})
    assert_ok(result)  # no pending link (assert_ok checks), exit 0
    assert "duplicate/duplicate-of=1" in result.report
    w = open_warehouse(None, data_dir=data)
    assert [d["link"] for d in w.find("articles")] == ["https://janes.blog/p/custom-domain-post"]
    w.close()
