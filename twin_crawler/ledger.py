"""Every link ends in exactly one known state; the ledger remembers which, for the run report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

# Terminal states, in the order the run report shows them.
STATES = ("new", "updated", "unchanged", "paywalled", "skipped", "blocked", "unsupported", "dropped", "failed", "dead_lettered")
PENDING = "pending"


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

    def alias(self, item_link: str, crawled_link: str) -> None:
        """Record that the document ``item_link`` is what ``crawled_link`` produced."""
        if item_link != crawled_link and crawled_link in self.entries:
            self.aliases[item_link] = crawled_link

    def record(self, link: str, state: str, *, platform: str = "article", reason: str | None = None) -> None:
        """Set the state of ``link``; a later record replaces an earlier one (a retry that succeeds, say)."""
        if state not in STATES:
            raise ValueError(f"unknown link state {state!r}")
        entry = self.register(link, platform)
        entry.state, entry.reason = state, reason
        for listener in self.listeners:
            listener(entry)
        if self.stats is not None:
            self.stats.inc_value(f"twin/records/{state}")
            if reason:
                self.stats.inc_value(f"twin/{state}/{reason}")

    def state(self, link: str) -> str | None:
        entry = self.entries.get(self.aliases.get(link, link))
        return entry.state if entry else None

    def counts(self) -> Counter[tuple[str, str, str]]:
        """(platform, domain, state) -> number of links."""
        return Counter((e.platform, e.domain, e.state) for e in self.entries.values())

    def totals(self) -> Counter[str]:
        return Counter(e.state for e in self.entries.values())

    def reasons(self) -> Counter[tuple[str, str]]:
        return Counter((e.state, e.reason) for e in self.entries.values() if e.reason)

    def publish(self) -> None:
        """Final per-state counts into Scrapy stats (``twin/links/...``)."""
        if self.stats is None:
            return
        for state, count in self.totals().items():
            self.stats.set_value(f"twin/links/{state}", count)
        for (platform, domain, state), count in self.counts().items():
            self.stats.set_value(f"twin/links/{platform}/{domain}/{state}", count)
        self.stats.set_value("twin/links/total", len(self.entries))
