"""Every link ends in exactly one known state; the ledger remembers which, for the run report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

# Terminal states, in the order the run report shows them.
STATES = ("new", "updated", "unchanged", "duplicate", "paywalled", "skipped", "blocked", "unsupported", "dropped", "failed",
          "dead_lettered")
PENDING = "pending"
# States that make a run exit 1 (cron and CI must see them): the link was wanted and did not arrive.
FAILED_STATES = frozenset({"failed", "dead_lettered", "blocked", PENDING})
EXIT_OK, EXIT_SOME_FAILED = 0, 1


class Stats(Protocol):
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...
    def set_value(self, key: str, value: Any) -> None: ...


@dataclass
class Entry:
    """One link's state."""

    link: str
    platform: str
    domain: str
    state: str = PENDING
    reason: str | None = None


class Ledger:
    """Links registered by the spider and their final states. Aliases map item links back to the link crawled."""

    def __init__(self, stats: Stats | None = None) -> None:
        self.entries: dict[str, Entry] = {}
        self.aliases: dict[str, str] = {}
        self.claims: dict[str, str] = {}  # document link -> the crawled link that produced it first
        self.stats = stats
        # Called with the entry after every record (the JOBDIR resume log persists stored links this way).
        self.listeners: list[Callable[[Entry], None]] = []

    def register(self, link: str, platform: str, domain: str | None = None) -> Entry:
        """Start tracking ``link`` (no-op when already tracked)."""
        key = self.aliases.get(link, link)
        entry = self.entries.get(key)
        if entry is None:
            entry = Entry(link, platform, (domain or urlsplit(link).hostname or "-").removeprefix("www."))
            self.entries[key] = entry
        return entry

    def alias(self, new_link: str, old_link: str) -> None:
        """Records for ``new_link`` go to ``old_link``'s entry (a link whose secret query values were masked)."""
        if new_link != old_link:
            self.aliases[new_link] = self.aliases.get(old_link, old_link)

    def claim(self, item_link: str, crawled_link: str) -> str | None:
        """Record that the document ``item_link`` is what ``crawled_link`` produced.

        Returns None when ``crawled_link`` is the first link of this run to produce that document (its outcome
        will be recorded under ``item_link``), else the link that did: ``crawled_link`` is then recorded
        ``duplicate`` (two given links of one post: its ``*.substack.com`` and custom-domain URLs) and its copy
        of the document must not go on. Before this both ended ``pending`` (the second alias replaced the first).
        """
        if crawled_link not in self.entries:
            return None
        owner = self.claims.setdefault(item_link, crawled_link)
        if owner == crawled_link:
            if item_link != crawled_link:
                self.aliases[item_link] = crawled_link
            return None
        self._set(self.entries[crawled_link], "duplicate", f"duplicate-of {owner}")
        return owner

    def record(self, link: str, state: str, *, platform: str = "article", reason: str | None = None) -> None:
        """Set the state of ``link``; a later record replaces an earlier one (a retry that succeeds, say)."""
        if state not in STATES:
            raise ValueError(f"unknown link state {state!r}")
        self._set(self.register(link, platform), state, reason)

    def _set(self, entry: Entry, state: str, reason: str | None) -> None:
        entry.state, entry.reason = state, reason
        for listener in self.listeners:
            listener(entry)
        if self.stats is not None:
            self.stats.inc_value(f"twin/records/{state}")  # events; the per-reason counts are final (publish)

    def pending(self) -> list[str]:
        """Links that never reached a terminal state (a bug or an interrupted run)."""
        return [e.link for e in self.entries.values() if e.state == PENDING]

    def exit_code(self, *, count_pending: bool = True) -> int:
        """0: every link ended stored, unchanged, duplicate or left out by policy; 1: some failed, were
        dead-lettered or blocked, or never ended (the documents that were stored stay stored). A distributed
        worker does not count pending links: another worker may have taken them from the shared frontier."""
        failed = FAILED_STATES if count_pending else FAILED_STATES - {PENDING}
        return EXIT_SOME_FAILED if any(e.state in failed for e in self.entries.values()) else EXIT_OK

    def state(self, link: str) -> str | None:
        entry = self.entries.get(self.aliases.get(link, link))
        return entry.state if entry else None

    def counts(self) -> Counter[tuple[str, str, str]]:
        """(platform, domain, state) -> number of links."""
        return Counter((e.platform, e.domain, e.state) for e in self.entries.values())

    def totals(self) -> Counter[str]:
        return Counter(e.state for e in self.entries.values())

    def reasons(self) -> Counter[tuple[str, str]]:
        """(state, reason) -> links; ``duplicate-of <link>`` reasons are counted as ``duplicate-of``."""
        return Counter((e.state, reason_kind(e.reason)) for e in self.entries.values() if e.reason)

    def publish(self) -> None:
        """Final per-state counts into Scrapy stats (``twin/links/...``)."""
        if self.stats is None:
            return
        for state, count in self.totals().items():
            self.stats.set_value(f"twin/links/{state}", count)
        # Counted from the final states, so a link recorded twice (a retry, a reason corrected) counts once.
        for (state, reason), count in self.reasons().items():
            self.stats.set_value(f"twin/{state}/{reason}", count)
        for (platform, domain, state), count in self.counts().items():
            self.stats.set_value(f"twin/links/{platform}/{domain}/{state}", count)
        self.stats.set_value("twin/links/total", len(self.entries))


def reason_kind(reason: str) -> str:
    """The reason without its per-link detail: ``duplicate-of https://…`` -> ``duplicate-of``."""
    return reason.split(" ", 1)[0]
