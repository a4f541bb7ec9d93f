"""The factored Linguist vendor pattern answers exactly like the plain alternation of vendor.yml's rules."""

from __future__ import annotations

import random
import re
from importlib import resources

import yaml

from twin_crawler.repos.rules import is_vendored


def test_factored_vendor_pattern_is_equivalent() -> None:
    text = resources.files("twin_crawler").joinpath("data/linguist_vendor.yml").read_text(encoding="utf-8")
    naive = re.compile("|".join(f"(?:{rule})" for rule in yaml.safe_load(text)))
    rng = random.Random(3)
    words = ["node_modules", "vendor", "cache", "dist", "deps", "jquery", "min", "import", "a", "3rdparty", "Godeps",
             "bootstrap", "font-awesome", "tiny_mce", "src", ".github", "docs", "rebar", "configure", "d3"]
    suffixes = ["", ".js", ".css", ".min.js", ".d.ts", ".py", "-1.2.js", ".m4"]
    paths = ["/".join(rng.choice(words) + rng.choice(suffixes) for _ in range(rng.randint(1, 4))) for _ in range(5000)]
    matches = [p for p in paths if naive.search(p)]
    assert 500 < len(matches) < 4500  # the sample exercises both answers
    assert [p for p in paths if is_vendored(p)] == matches
