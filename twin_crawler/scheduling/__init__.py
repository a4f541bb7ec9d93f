"""Scheduled crawls: the author list, the scrapyd client and the timer behind ``scrapy twin-schedule``.

scrapyd runs the deployed project (``scrapyd-deploy`` from the repository root) but has no cron of its own.
``scrapy twin-schedule --authors configs/authors.yaml --scrapyd http://127.0.0.1:6800`` posts one job per
author and platform every ``TWIN_RECRAWL_AFTER`` (incremental re-crawls make the repeat cheap). Run it as a
service, or from cron with ``--once``:

    # systemd: /etc/systemd/system/twin-schedule.service
    [Service]
    WorkingDirectory=/srv/twin-crawler
    ExecStart=/srv/twin-crawler/.venv/bin/scrapy twin-schedule --authors configs/authors.yaml --scrapyd http://127.0.0.1:6800
    Restart=on-failure

    # cron (every 6 hours; jobs still running are not posted twice):
    0 */6 * * * cd /srv/twin-crawler && .venv/bin/scrapy twin-schedule --authors configs/authors.yaml --scrapyd http://127.0.0.1:6800 --once
"""

from .duration import DurationError, parse_duration

__all__ = ["DurationError", "parse_duration"]
