"""The author list the timer schedules (``configs/authors.example.yaml``), turned into scrapyd jobs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from twin_crawler.arguments import ArgumentError, parse_arguments
from twin_crawler.items import normalise_name
from twin_crawler.urls import LinkError, route


class AuthorsError(ValueError):
    """A bad author list; the message is one actionable line."""


@dataclass
class Author:
    """One person: full name, an account per platform (discovery), and extra links."""

    name: str
    handles: dict[str, str] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)


@dataclass
class Job:
    """One scrapyd job: a spider and its arguments, exactly as ``scrapy crawl <spider> -a k=v`` takes them."""

    spider: str
    args: dict[str, str]
    key: str  # author slug + spider: a job with this prefix still pending/running is not posted again


def slug(name: str) -> str:
    """``Paul Iusztin`` -> ``paul-iusztin``: the author's part of a job id."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "author"


def _author(entry: Any, where: str) -> Author:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str) or not normalise_name(entry["name"]):
        raise AuthorsError(f"{where}: each author needs a 'name: First Last'")
    handles = entry.get("handles") or {}
    links = entry.get("links") or []
    if not isinstance(handles, Mapping) or not all(isinstance(v, str) for v in handles.values()):
        raise AuthorsError(f"{where}: 'handles' must map a platform to an account, e.g. medium: pauliusztin")
    if not isinstance(links, list) or not all(isinstance(x, str) for x in links):
        raise AuthorsError(f"{where}: 'links' must be a list of URLs")
    author = Author(normalise_name(entry["name"]), {str(k): v.strip() for k, v in handles.items()}, [x.strip() for x in links if x.strip()])
    try:
        # The same validation a crawl runs, so a typo fails here rather than in a job hours later.
        parse_arguments({"user": author.name, "links": ",".join(author.links)})
        for link in author.links:
            route(link)
        for platform, handle in author.handles.items():
            parse_arguments({"user": author.name, "handle": handle})
            if not re.fullmatch(r"[a-z]+", platform):
                raise ArgumentError(f"handles: {platform!r} is not a platform name")
    except ArgumentError as exc:
        raise AuthorsError(f"{where} ({author.name}): {exc}") from None
    except LinkError as exc:
        raise AuthorsError(f"{where} ({author.name}): links: {exc}") from None
    if not author.handles and not author.links:
        raise AuthorsError(f"{where} ({author.name}): give handles and/or links, or there is nothing to crawl")
    return author


def load_authors(path: str | Path) -> tuple[list[Author], dict[str, str]]:
    """(authors, settings for every job) from the YAML file at ``path``."""
    try:
        data = yaml.safe_load(Path(path).expanduser().read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuthorsError(f"authors: file {str(path)!r} does not exist (start from configs/authors.example.yaml)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthorsError(f"authors: cannot read {str(path)!r}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise AuthorsError(f"authors: {str(path)!r} is not valid YAML{f' at line {mark.line + 1}' if mark else ''}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("authors"), list) or not data["authors"]:
        raise AuthorsError(f"authors: {str(path)!r} needs a non-empty 'authors:' list (see configs/authors.example.yaml)")
    settings = data.get("settings") or {}
    if not isinstance(settings, Mapping):
        raise AuthorsError(f"authors: 'settings' in {str(path)!r} must map setting names to values")
    authors = [_author(entry, f"authors[{i}]") for i, entry in enumerate(data["authors"])]
    return authors, {str(k): str(v) for k, v in settings.items()}


def jobs_for(author: Author) -> list[Job]:
    """One discovery job per platform handle (the platform's spider), one ``twin`` job for the links."""
    key = slug(author.name)
    jobs = [Job(platform, {"user": author.name, "handle": handle}, f"{key}--{platform}")
            for platform, handle in sorted(author.handles.items())]
    if author.links:
        jobs.append(Job("twin", {"user": author.name, "links": ",".join(author.links)}, f"{key}--twin"))
    return jobs
