"""Spider arguments shared by every spider: user, links, handle, config (and a few per-spider flags)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from twin_crawler.items import normalise_name

COMMON_ARGUMENTS: dict[str, str] = {
    "user": "the author's full name (required unless config gives it, or the platform names the author)",
    "links": "comma/newline separated URLs, or @file with one URL per line",
    "handle": "the author's account on the platform, to discover everything published there",
    "config": "LLM-Engineers-Handbook YAML: parameters: {user_full_name, links} or {author_links: [{user_full_name, links}]}",
    "force": "1 to refetch links crawled within TWIN_RECRAWL_AFTER",
    "reprocess": "1 to re-run extraction from the raw archive, with no network",
}
# Arguments tools add on their own: scrapyd passes _job (and _version) to every spider it runs.
TOOL_ARGUMENTS = frozenset({"_job", "_version", "setting", "settings"})
DEFAULT_MAX_LINKS = 10_000
# Input files (links=@file, config=) are read up to this size: /dev/zero or a runaway file otherwise grows memory
# until the process is killed. 10 MB is ~100 000 long URLs, ten times TWIN_MAX_LINKS.
MAX_INPUT_BYTES = 10 * 1024 * 1024


class ArgumentError(ValueError):
    """A bad spider argument; the message is one actionable line."""


@dataclass
class SpiderArguments:
    """Parsed, validated spider arguments."""

    user: str | None = None
    links: list[str] = field(default_factory=list)
    handle: str | None = None
    config: str | None = None
    flags: dict[str, str] = field(default_factory=dict)
    authors: dict[str, str] = field(default_factory=dict)
    """link -> its author's full name, when a multi-author config (``author_links``) names several authors."""

    def flag(self, name: str) -> bool:
        return self.flags.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def read_capped(path: Path, what: str) -> str:
    """The UTF-8 text of ``path``, read up to MAX_INPUT_BYTES (never more is held in memory)."""
    with path.open("rb") as stream:
        data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise ArgumentError(f"{what}: file {str(path)!r} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB; split it")
    return data.decode("utf-8")


def _read_links_file(spec: str) -> str:
    if not spec[1:].strip():
        raise ArgumentError("links: '@' must be followed by a file name, e.g. -a links=@links.txt")
    try:
        path = Path(spec[1:]).expanduser()
    except RuntimeError:  # ``@~nosuchuser/links.txt``: pathlib cannot find that home directory
        raise ArgumentError(f"links: file {spec[1:81]!r} does not exist (no such home directory)") from None
    try:
        return read_capped(path, "links")
    except ArgumentError:
        raise  # over the input cap
    except FileNotFoundError:
        raise ArgumentError(f"links: file {str(path)!r} does not exist") from None
    except UnicodeDecodeError:
        raise ArgumentError(f"links: file {str(path)!r} is not UTF-8 text") from None
    except OSError as exc:
        raise ArgumentError(f"links: cannot read {str(path)!r}: {exc.strerror}") from None
    except ValueError:  # a NUL in the name (not from a shell; from an API caller or a fuzzer)
        raise ArgumentError(f"links: {spec[1:81]!r} is not a file name") from None


def split_links(value: str) -> list[str]:
    """``a,b`` / one per line / ``@file`` -> list; ``#`` starts a comment in files."""
    text = _read_links_file(value.strip()) if value.strip().startswith("@") else value
    links: list[str] = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        links.extend(part.strip() for part in line.split(",") if part.strip())
    return links


def read_config(path: str) -> list[tuple[str | None, list[str]]]:
    """[(user_full_name, links)] from a Handbook YAML file: ``digital_data_etl_*.yaml`` (``parameters:
    {user_full_name, links}``, one author) or ``end_to_end_data.yaml`` (``parameters.author_links``, several)."""
    try:
        data = yaml.safe_load(read_capped(Path(path).expanduser(), "config"))
    except FileNotFoundError:
        raise ArgumentError(f"config: file {path!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ArgumentError(f"config: cannot read {path!r}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ArgumentError(f"config: {path!r} is not valid YAML{where}") from None
    except ArgumentError:
        raise  # over the input cap
    except RuntimeError:  # ``~nosuchuser/x.yaml``: pathlib cannot find that home directory
        raise ArgumentError(f"config: file {path[:80]!r} does not exist (no such home directory)") from None
    except ValueError:  # a NUL in the name
        raise ArgumentError(f"config: {path[:80]!r} is not a file name") from None
    params = data.get("parameters") if isinstance(data, Mapping) else None
    if not isinstance(params, Mapping):
        raise ArgumentError(f"config: {path!r} has no 'parameters:' mapping (expected parameters: {{user_full_name, links}})")
    groups = params.get("author_links")
    if groups is None:
        return [_author_links(params, path, "parameters")]
    if not isinstance(groups, list) or not groups or not all(isinstance(g, Mapping) for g in groups):
        raise ArgumentError(f"config: 'parameters.author_links' in {path!r} must be a list of {{user_full_name, links}}")
    found = [_author_links(g, path, f"parameters.author_links[{i}]") for i, g in enumerate(groups)]
    for i, (user, _) in enumerate(found):
        if not user or not normalise_name(user):
            raise ArgumentError(f"config: 'parameters.author_links[{i}].user_full_name' in {path!r} is missing or empty")
    return found


def _author_links(params: Mapping[str, Any], path: str, where: str) -> tuple[str | None, list[str]]:
    links = params.get("links") or []
    if not isinstance(links, list) or not all(isinstance(x, str) for x in links):
        raise ArgumentError(f"config: '{where}.links' in {path!r} must be a list of URLs")
    user = params.get("user_full_name")
    if user is not None and not isinstance(user, str):
        raise ArgumentError(f"config: '{where}.user_full_name' in {path!r} must be a string")
    return user, [x.strip() for x in links if x.strip()]


def parse_arguments(
    kwargs: Mapping[str, Any],
    *,
    extra: Mapping[str, str] | None = None,
    user_required: bool = True,
    max_links: int = DEFAULT_MAX_LINKS,
) -> SpiderArguments:
    """Validate raw ``-a`` arguments. ``extra`` lists the spider's own flags (name -> help)."""
    allowed = {**COMMON_ARGUMENTS, **(extra or {})}
    unknown = sorted(k for k in kwargs if k not in allowed and k not in TOOL_ARGUMENTS)
    if unknown:
        raise ArgumentError(f"unknown argument {unknown[0]!r}; this spider accepts: {', '.join(sorted(allowed))}")
    args = SpiderArguments(flags={k: str(v) for k, v in kwargs.items() if k in (extra or {}) or k in ("force", "reprocess")})
    if kwargs.get("config") is not None:
        args.config = str(kwargs["config"])
        groups = read_config(args.config)
        if len(groups) == 1:
            args.user, args.links = groups[0]
        else:
            if kwargs.get("user") is not None:
                raise ArgumentError(f"user: {args.config!r} names {len(groups)} authors (author_links); drop -a user")
            for user, links in groups:
                name = normalise_name(user or "")
                for link in links:
                    args.authors.setdefault(link, name)  # a link listed twice stays with its first author
                args.links.extend(links)
    if kwargs.get("user") is not None:
        args.user = str(kwargs["user"])
    if args.user is not None:
        args.user = normalise_name(args.user)
        if not args.user:
            raise ArgumentError("user: the author's full name is empty; give it as -a user=\"First Last\"")
    if kwargs.get("links") is not None:
        args.links = [*args.links, *split_links(str(kwargs["links"]))]
    if len(args.links) > max_links:
        raise ArgumentError(f"links: {len(args.links)} links given, the limit is {max_links} (TWIN_MAX_LINKS); split the list")
    handle = kwargs.get("handle")
    if handle is not None:
        handle = str(handle).strip().lstrip("@")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", handle):
            raise ArgumentError(f"handle: {str(kwargs['handle'])[:60]!r} is not an account name (letters, digits, . _ -)")
        args.handle = handle
    if user_required and args.user is None and not args.authors:
        raise ArgumentError('user: the author\'s full name is required, e.g. -a user="Paul Iusztin" (or -a config=FILE)')
    return args
