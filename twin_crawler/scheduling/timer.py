"""The timer scrapyd lacks: post every author's jobs, then wait ``TWIN_RECRAWL_AFTER``, until stopped."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType

from .authors import Author, Job, jobs_for
from .scrapyd import Scrapyd, ScrapydError

logger = logging.getLogger(__name__)
Say = Callable[[str], None]


def post_round(client: Scrapyd, project: str, authors: list[Author], settings: dict[str, str], say: Say) -> list[str]:
    """Schedule one job per author and platform; returns the job ids posted.

    A job whose previous run is still pending or running is not posted again, so a slow crawl never piles up
    behind itself; a spider the deployed project does not have is reported and left out.
    """
    deployed = client.spiders(project)
    active = client.active_job_ids(project)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    posted: list[str] = []
    for author in authors:
        for job in jobs_for(author):
            posted.extend(_post(client, project, job, settings, deployed, active, stamp, say))
    return posted


def _post(client: Scrapyd, project: str, job: Job, settings: dict[str, str], deployed: set[str],
          active: list[str], stamp: str, say: Say) -> list[str]:
    who = job.args["user"]
    if job.spider not in deployed:
        say(f"skipped {job.spider} for {who}: the deployed project has no {job.spider!r} spider (redeploy with scrapyd-deploy)")
        return []
    if any(jobid.startswith(job.key + "--") for jobid in active):
        say(f"skipped {job.spider} for {who}: its previous job is still pending or running")
        return []
    jobid = client.schedule(project, job.spider, job.args, settings, f"{job.key}--{stamp}")
    say(f"scheduled {job.spider} for {who}: job {jobid}")
    return [jobid]


class Timer:
    """Rounds every ``every`` seconds; SIGINT/SIGTERM end the wait at once (a round in progress finishes)."""

    def __init__(self, every: float) -> None:
        self.every = every
        self.stopped = threading.Event()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopped.set()

    def run(self, round_: Callable[[], object], say: Say) -> None:
        while not self.stopped.is_set():
            try:
                round_()
            except ScrapydError as exc:
                # scrapyd restarting or briefly down must not end the timer: the next round tries again.
                say(f"warning: {exc}; retrying in {self.every:.0f}s")
            self.stopped.wait(self.every)
        say("timer stopped")
