"""``python -m twin_crawler.corpus.after_crawl CRAWL-ARGS...``: the author a ``scrapy crawl`` command line is for,
and the file ``scripts/crawl.sh`` exports their whole corpus to (``data/<first_last>.jsonl``).

Prints ``NAME<TAB>PATH`` (one line per author of a multi-author config), or nothing when the arguments name no author (``-a handle=`` alone): the script then
skips the export. Reading the arguments is forgiving on purpose; ``scrapy crawl`` already judged them.
"""

from __future__ import annotations

import re
import sys

from twin_crawler.arguments import ArgumentError, read_config
from twin_crawler.items import name_key, normalise_name


def spider_arguments(argv: list[str]) -> dict[str, str]:
    """``-a k=v`` / ``-ak=v`` / ``--set``-free parsing of the ``-a`` options of a crawl command line."""
    found: dict[str, str] = {}
    values = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "-a"]
    values += [a[2:] for a in argv if a.startswith("-a") and len(a) > 2 and "=" in a]
    for value in values:
        key, sep, val = value.partition("=")
        if sep:
            found[key.strip()] = val
    return found


def authors_of(argv: list[str]) -> list[str]:
    args = spider_arguments(argv)
    users: list[str | None] = [args.get("user")]
    if users[0] is None and args.get("config"):
        try:
            users = [user for user, _ in read_config(args["config"])]
        except ArgumentError:
            return []
    return [name for name in (normalise_name(u) for u in users if u is not None) if name]


def export_path(author: str, directory: str = "data") -> str:
    slug = re.sub(r"\W+", "_", name_key(author)).strip("_") or "author"
    return f"{directory}/{slug}.jsonl"


def main(argv: list[str]) -> int:
    for author in authors_of(argv):
        print(f"{author}\t{export_path(author)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
