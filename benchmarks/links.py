"""How links end (issue 10): the blog fixtures given one by one as links, and the benchmark corpus from its root.

``.venv/bin/python -m benchmarks.links [--pages N]`` prints, for each case, links given, stored and dropped by
reason (the run report's reasons line). Not a timing: it counts outcomes, on loopback only.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from .corpus import build
from .measure import VENV_BIN, crawl_env
from .server import NOT_FOUND, Answer, Site, corpus_site

BLOGS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "blogs"


def crawl(user: str, links: str, *settings: str) -> str:
    """The run report's table and reasons line of one ``article`` crawl."""
    with tempfile.TemporaryDirectory() as data:
        cmd = [str(VENV_BIN / "scrapy"), "crawl", "article", "-a", f"user={user}", "-a", f"links={links}",
               "-s", f"TWIN_DATA_DIR={data}", "-s", "LOG_LEVEL=WARNING", *settings]
        result = subprocess.run(cmd, env=crawl_env(), capture_output=True, text=True, timeout=1800)
    return result.stderr.split("twin-crawler run report", 1)[-1].strip() + f"\nexit code {result.returncode}"


def fixtures() -> str:
    pages = {f"/{p.name}": p.read_bytes() for p in sorted(BLOGS.glob("*.html"))}

    def answer(path: str) -> Answer:
        body = pages.get(path)
        return (200, "text/html; charset=utf-8", body) if body is not None else NOT_FOUND

    site = Site(answer)
    try:
        # The user is not the fixtures' authors: given links are the user's claim and are stored regardless.
        return crawl("Test User", ",".join(site.origin + p for p in pages))
    finally:
        site.close()


def corpus(pages: int) -> str:
    with corpus_site(build(pages)) as site:
        return crawl("Jane Doe", site.origin + "/", "-s", "TWIN_MAX_DISCOVERED=1000000")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=2000, help="benchmark corpus size (default 2000)")
    args = parser.parse_args()
    print(f"blog fixtures ({len(list(BLOGS.glob('*.html')))} pages given as links):\n{fixtures()}\n")
    print(f"benchmark corpus ({args.pages} pages, the blog root given):\n{corpus(args.pages)}")


if __name__ == "__main__":
    main()
