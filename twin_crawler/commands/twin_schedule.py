"""``scrapy twin-schedule --authors FILE --scrapyd URL [--once]``: post every author's crawl jobs to scrapyd.

(The module name has a hyphen because Scrapy names project commands after their module.) Deployment, cron and
systemd lines: ``twin_crawler/scheduling/__init__.py`` and the README.
"""

from __future__ import annotations

import argparse
from functools import partial

from scrapy.commands import ScrapyCommand
from scrapy.utils.conf import get_config

from twin_crawler import settings as defaults
from twin_crawler.scheduling import DurationError, parse_duration
from twin_crawler.scheduling.authors import AuthorsError, load_authors
from twin_crawler.scheduling.scrapyd import Scrapyd, ScrapydError
from twin_crawler.scheduling.timer import Timer, post_round

from . import EXIT_USAGE, fail

EXIT_SCRAPYD = 4


def deploy_default(option: str, fallback: str) -> str:
    """A value from scrapy.cfg ``[deploy]`` (the section scrapyd-deploy uses), else ``fallback``."""
    config = get_config()
    return config.get("deploy", option, fallback=fallback) if config.has_section("deploy") else fallback


class Command(ScrapyCommand):
    """Post one scrapyd job per author and platform, now and every ``TWIN_RECRAWL_AFTER`` (``--once``: now only)."""

    requires_project = True
    requires_crawler_process = False  # no crawl runs in this process: it only talks to scrapyd

    def syntax(self) -> str:
        return "--authors FILE [--scrapyd URL] [--project NAME] [--once] [--every DURATION]"

    def short_desc(self) -> str:
        return "Schedule every author's crawls on scrapyd, every TWIN_RECRAWL_AFTER"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--authors", required=True, help="YAML author list (configs/authors.example.yaml)")
        parser.add_argument("--scrapyd", default=None, help="scrapyd URL (default: scrapy.cfg [deploy] url)")
        parser.add_argument("--project", default=None, help="scrapyd project (default: scrapy.cfg [deploy] project)")
        parser.add_argument("--once", action="store_true", help="post one round of jobs and exit (for cron)")
        parser.add_argument("--every", default=None, help="time between rounds (default: TWIN_RECRAWL_AFTER)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            authors, settings = load_authors(opts.authors)
            every = parse_duration(opts.every or self.settings.get("TWIN_RECRAWL_AFTER", defaults.TWIN_RECRAWL_AFTER),
                                   name="--every" if opts.every else "TWIN_RECRAWL_AFTER")
            if every < 1 and not opts.once:
                raise DurationError("the time between rounds is under a second; set --every (e.g. --every 24h) or use --once")
            client = Scrapyd(opts.scrapyd or deploy_default("url", "http://127.0.0.1:6800/"))
        except (AuthorsError, DurationError, ScrapydError) as exc:
            fail(str(exc))
            self.exitcode = EXIT_USAGE
            return
        project = opts.project or deploy_default("project", self.settings.get("BOT_NAME", "twin_crawler"))
        say = partial(print, flush=True)
        round_ = partial(post_round, client, project, authors, settings, say)
        if opts.once:
            try:
                round_()
            except ScrapydError as exc:
                fail(str(exc))
                self.exitcode = EXIT_SCRAPYD
            return
        timer = Timer(every)
        timer.install_signal_handlers()
        say(f"posting jobs for {len(authors)} author(s) to {client.display} every {every:.0f}s (Ctrl-C stops)")
        timer.run(round_, say)
