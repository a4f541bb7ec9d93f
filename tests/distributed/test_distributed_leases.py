"""Leases, the expiring dupefilter, seeds and the ``scrapy seed`` command, on a real redis-server."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import redis
from conftest import free_port
from distributed_helpers import scrapy, scrapy_env, unique_prefix
from scrapy import Request

from twin_crawler.distributed import Keys
from twin_crawler.distributed.dupefilter import ExpiringDupeFilter
from twin_crawler.distributed.leases import LeaseStore
from twin_crawler.distributed.seeds import SeedError, make_seed, parse_seed


@pytest.fixture
def store(redis_url: str) -> LeaseStore:
    return LeaseStore(redis.Redis.from_url(redis_url), Keys(unique_prefix(), "article"), lease_seconds=0.5)


def test_a_popped_request_is_leased_not_lost_and_an_ack_forgets_it(store: LeaseStore) -> None:
    r, k = store.server, store.keys
    r.zadd(k.frontier, {b"low": 0, b"high": -5})  # scrapy-redis scores -priority: the lowest score goes first
    lease = store.pop_request()
    assert lease is not None and lease.member == b"high"
    assert store.sizes() == {"seeds": 0, "frontier": 1, "leases": 1}
    assert store.ack([lease.id]) == 1
    assert store.sizes() == {"seeds": 0, "frontier": 1, "leases": 0}
    assert r.hlen(k.lease_data) == 0 and r.hlen(k.lease_meta) == 0


def test_an_expired_lease_goes_back_with_its_priority_and_a_heartbeat_keeps_it(store: LeaseStore) -> None:
    r, k = store.server, store.keys
    r.zadd(k.frontier, {b"a": -3, b"b": -1})
    kept, lost = store.pop_request(), store.pop_request()
    assert kept is not None and lost is not None
    for _ in range(4):  # 0.8 s > the 0.5 s lease: only the heartbeated lease survives
        time.sleep(0.2)
        assert store.extend([kept.id]) == 1
    assert store.requeue_expired() == 1
    assert r.zrange(k.frontier, 0, -1, withscores=True) == [(b"b", -1.0)]
    assert store.ack([lost.id]) == 0  # too late: its member is back in the frontier for another worker
    assert store.extend([lost.id]) == 0  # and a heartbeat does not revive it


def test_release_gives_requests_and_seeds_back_at_once(store: LeaseStore) -> None:
    r, k = store.server, store.keys
    r.zadd(k.frontier, {b"req": -2})
    r.rpush(k.seeds, b"seed-1", b"seed-2")
    request, seed = store.pop_request(), store.pop_seed()
    assert request is not None and seed is not None and seed.seed and seed.member == b"seed-1"
    assert store.release([request.id, seed.id]) == 2
    assert r.lrange(k.seeds, 0, -1) == [b"seed-1", b"seed-2"]  # back at the front, order kept
    assert r.zrange(k.frontier, 0, -1, withscores=True) == [(b"req", -2.0)]
    assert store.sizes()["leases"] == 0


def test_the_dupefilter_forgets_after_its_ttl(redis_url: str) -> None:
    df = ExpiringDupeFilter(redis.Redis.from_url(redis_url), f"{unique_prefix()}:df", ttl=0.3)
    assert not df.request_seen(Request("http://127.0.0.1/a?x=1&y=2"))
    assert df.request_seen(Request("http://127.0.0.1/a?y=2&x=1"))  # canonical URL: same fingerprint
    time.sleep(0.4)
    assert not df.request_seen(Request("http://127.0.0.1/a?x=1&y=2"))


def test_seeds_are_validated_field_by_field() -> None:
    seed = parse_seed(json.dumps({"url": "https://example.com/p", "user": " Ada   Lovelace ", "meta": {"k": 1}}))
    assert (seed.url, seed.user, seed.platform, seed.meta) == ("https://example.com/p", "Ada Lovelace", None, {"k": 1})
    assert parse_seed(seed.to_json()) == seed
    for raw, message in [("[1]", "JSON object"), ('{"url": "https://e.com/"}', "'user'"),
                         ('{"url": "ftp://e.com/", "user": "A"}', "not an http"),
                         ('{"url": "https://e.com/", "user": "A", "platform": "myspace"}', "unknown platform"),
                         ('{"url": "https://e.com/", "user": "A", "meta": {"twin_link": 1}}', "reserved"),
                         ('{"url": "https://e.com/", "user": "A", "extra": 1}', "unknown field")]:
        with pytest.raises(SeedError, match=message):
            parse_seed(raw)
    with pytest.raises(SeedError, match="meta"):
        make_seed("https://e.com/", "A", meta=[1])


def test_the_seed_command_pushes_json_seeds_and_reports_sizes(redis_url: str, tmp_path: Path) -> None:
    prefix, env = unique_prefix(), scrapy_env(redis_url, None)
    links = tmp_path / "links.txt"
    links.write_text("https://example.com/b\n# a comment\nhttps://example.com/c\n")
    result = scrapy("seed", "article", "https://example.com/a", "--user", "Ada Lovelace", "--links", f"@{links}",
                    "--meta", '{"playwright": true}', "-s", f"TWIN_REDIS_PREFIX={prefix}", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"pushed 3 seeds to {prefix}:article:seeds on {redis_url}"
    raw = redis.Redis.from_url(redis_url).lrange(f"{prefix}:article:seeds", 0, -1)
    assert [json.loads(x) for x in raw] == [
        {"url": f"https://example.com/{c}", "user": "Ada Lovelace", "meta": {"playwright": True}} for c in "abc"]
    status = scrapy("seed", "article", "--status", "-s", f"TWIN_REDIS_PREFIX={prefix}", env=env, cwd=tmp_path)
    assert json.loads(status.stdout) == {"seeds": 3, "frontier": 0, "leases": 0}


@pytest.mark.parametrize(("args", "code", "message"), [
    (["article", "https://example.com/a"], 2, "'user'"),
    (["article", "--user", "Ada", "not a url"], 2, "not an http"),
    (["nosuchspider", "--user", "Ada", "https://example.com/a"], 2, "unknown spider 'nosuchspider'"),
    (["article", "--user", "Ada"], 2, "no URLs"),
    (["article", "--user", "Ada", "--meta", "{", "https://example.com/a"], 2, "--meta is not valid JSON"),
])
def test_the_seed_command_refuses_bad_input_in_one_line(redis_url: str, tmp_path: Path, args: list[str], code: int,
                                                        message: str) -> None:
    result = scrapy("seed", *args, env=scrapy_env(redis_url, None), cwd=tmp_path)
    assert result.returncode == code
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ") and message in result.stderr


def test_the_seed_command_names_an_unreachable_redis_without_its_password(tmp_path: Path) -> None:
    url = f"redis://:hunter2secret@127.0.0.1:{free_port()}/0"
    result = scrapy("seed", "article", "--user", "Ada", "https://example.com/a", env=scrapy_env(url, None), cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.startswith("error: cannot reach Redis at redis://***@127.0.0.1:") and result.stderr.count("\n") == 1
    assert "hunter2secret" not in result.stderr + result.stdout
