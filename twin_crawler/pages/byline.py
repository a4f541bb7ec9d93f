"""Does a page's byline name someone other than the author? (Discovered pages are stored only when it does not.)

A byline is a claim of authorship, so it is read conservatively: only something that looks like a person's name
can name "someone else". A missing byline, a handle (``mlabonne``), ``admin`` or ``Editorial Team`` says nothing
and the page is kept — a personal blog often has no byline at all, and dropping the author's own posts for a
noisy byline is a loss too. trafilatura's author guess drags page furniture in (``Jakob Ulbrich Follow``), which
is stripped before comparing.
"""

from __future__ import annotations

import re
import unicodedata

SEPARATORS = re.compile(r"\s*(?:,|;|&|\||/|\band\b|\bund\b|\bet\b|\by\b)\s*", re.IGNORECASE)
URL = re.compile(r"(?:https?://|www\.)\S*", re.IGNORECASE)
PREFIX = re.compile(r"(?i)^\s*(?:by|von|par|written by|posted by|author:?)\s+")
# Words that are furniture or roles, never part of a person's name.
NOT_NAME = frozenset(
    {"follow", "following", "subscribe", "team", "staff", "editor", "editors", "editorial", "admin", "administrator",
     "guest", "contributor", "contributors", "desk", "news", "newsroom", "reporter", "writer", "posted", "comments",
     "share", "updated", "published", "min", "read", "blog", "the", "of", "in", "on"}
)
ROLE_WORDS = frozenset({"team", "staff", "editor", "editors", "editorial", "admin", "administrator", "desk", "newsroom", "blog"})


def _tokens(name: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", plain)


def person_names(byline: str | None) -> list[list[str]]:
    """The byline's person names as token lists; parts that are not a plausible name are left out."""
    if not byline:
        return []
    names: list[list[str]] = []
    for part in SEPARATORS.split(PREFIX.sub("", URL.sub(" ", byline))):
        tokens = _tokens(part)
        if any(t in ROLE_WORDS for t in tokens) or re.search(r"\d|@", part):
            continue  # "Editorial Team", "Staff writer", a handle or URL: not a person
        tokens = [t for t in tokens if t not in NOT_NAME]
        # A person's name here: 2-4 words, at least two of them longer than an initial.
        if 2 <= len(tokens) <= 4 and sum(len(t) > 1 for t in tokens) >= 2:
            names.append(tokens)
    return names


def _parts(tokens: list[str]) -> set[str]:
    """Name words without initials, hyphenated names split (``Paul-Emil`` -> ``paul``, ``emil``)."""
    return {p for t in tokens for p in re.split(r"['’-]", t) if len(p) > 1}


def same_person(name: list[str], author: str) -> bool:
    """Every word of the shorter name (initials aside) matches a word of the other, exactly or as a short form
    (``Max`` ~ ``Maxime``): ``Jane Doe`` ~ ``Jane A. Doe`` ~ ``Doe`` ~ ``Paul-Emil Doe``; ``John Doe`` is not
    ``Jane Doe``."""
    a, b = _parts(name), _parts(_tokens(author))
    if not a or not b:
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return all(any(w == v or (len(w) >= 3 and v.startswith(w)) or (len(v) >= 3 and w.startswith(v)) for v in long)
               for w in short)


def names_someone_else(byline: str | None, author: str) -> bool:
    """True when the byline names at least one person and none of them is ``author``."""
    names = person_names(byline)
    return bool(names) and not any(same_person(n, author) for n in names)
