"""The author every document is keyed to."""

from __future__ import annotations

from twin_crawler.sanitise import clean_line

MAX_NAME = 200  # characters; a longer "name" is a selector that swallowed a paragraph


def normalise_name(name: str) -> str:
    """Collapse whitespace, drop terminal escapes and control characters, cap the length: the display form of a
    full name (names come from arguments, configs and bylines of pages: hostile input)."""
    return clean_line(name, MAX_NAME)


def name_key(name: str) -> str:
    """Case-insensitive identity of a full name."""
    return normalise_name(name).casefold()


def split_full_name(name: str) -> tuple[str, str]:
    """First/last name the way the LLM-Engineers-Handbook splits them (last token is the last name)."""
    tokens = normalise_name(name).split(" ")
    if len(tokens) == 1:
        return tokens[0], tokens[0]
    return " ".join(tokens[:-1]), tokens[-1]

