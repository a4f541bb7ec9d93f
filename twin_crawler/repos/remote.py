"""Which repository links may be cloned, and from where: https GitHub links (with their ``/tree/<ref>``), and
``file://`` mirrors only when a setting allows them. Everything a git remote could abuse is refused here, before
git ever sees it (``ext::`` helpers, ``--upload-pack``, ssh and scp-style remotes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from twin_crawler.pages.github import NAME, ref_from_url
from twin_crawler.urls import Route

# Remote helpers (``ext::sh -c ...``, ``fd::``) run arbitrary commands; git also reads ``ext://`` as one.
REMOTE_HELPER = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9+.-]*::")
SCP_LIKE = re.compile(r"^\s*[^/:@\s]+@[^/:\s]+:")
# Clone options that execute commands or rewrite configuration (GitPython's unsafe_git_clone_options, and more).
OPTION_WORDS = ("--upload-pack", "--receive-pack", "--exec", "--config", "--template", "--separate-git-dir",
                "--bundle-uri", "-u ", "-c ")
REFUSED_SCHEMES = frozenset({"ssh", "git", "git+ssh", "ssh+git", "ext", "fd", "ftp", "ftps", "rsync"})
ALLOWED = "only https://github.com/<owner>/<repo> links are cloned (file:// when TWIN_GITHUB_ALLOW_FILE_URLS=True)"


class RemoteRefused(ValueError):
    """A link that must never reach git; the message is one actionable line."""


@dataclass(frozen=True, slots=True)
class RepoRoute(Route):
    """A repository Route that also carries the ref of a ``/tree/<ref>`` link and, for mirrors, the clone URL."""

    ref: str | None = None
    clone_url: str | None = None


def _shown(text: str) -> str:
    return repr(text.strip()[:80])


def check_hostile(text: str) -> None:
    """Raise RemoteRefused for links that smuggle a command or an option into ``git clone``."""
    lowered = text.lower()
    if REMOTE_HELPER.match(text) or "ext://" in lowered:
        raise RemoteRefused(f"{_shown(text)} refused: git remote helpers (ext::, fd::) can run commands; {ALLOWED}")
    if text.strip().startswith("-") or any(word in lowered for word in OPTION_WORDS):
        raise RemoteRefused(f"{_shown(text)} refused: it contains a git option (--upload-pack, -c, ...); {ALLOWED}")
    if SCP_LIKE.match(text):
        raise RemoteRefused(f"{_shown(text)} refused: ssh remotes (user@host:path) are not cloned; {ALLOWED}")
    scheme = text.strip().split("://", 1)[0].lower() if "://" in text else ""
    if scheme in REFUSED_SCHEMES:
        raise RemoteRefused(f"{_shown(text)} refused: {scheme}:// remotes are not cloned; {ALLOWED}")


def file_route(text: str, allow_file: bool) -> RepoRoute:
    """The Route of a ``file://`` repository (a local mirror): absolute path, no query/fragment."""
    if not allow_file:
        raise RemoteRefused(f"{_shown(text)} refused: file:// repositories are disabled; set "
                            "TWIN_GITHUB_ALLOW_FILE_URLS=True to clone local mirrors")
    try:
        parts = urlsplit(text.strip())
    except ValueError as exc:  # ``file://[x/...``: urlsplit's bracket checks
        raise RemoteRefused(f"{_shown(text)} refused: a file:// repository is file:///absolute/path ({exc})") from None
    path = unquote(parts.path)
    if parts.netloc not in ("", "localhost") or parts.query or parts.fragment or not path.startswith("/"):
        raise RemoteRefused(f"{_shown(text)} refused: a file:// repository is file:///absolute/path")
    if any(ch in path for ch in "\x00\r\n") or "/../" in path + "/" or "/./" in path + "/":
        raise RemoteRefused(f"{_shown(text)} refused: the path must be a plain absolute path")
    clean = str(PurePosixPath(path))
    name = PurePosixPath(clean).name.removesuffix(".git") or "repository"
    owner = PurePosixPath(clean).parent.name or "local"
    link = "file://" + clean
    return RepoRoute("github", "repository", link, "local", f"{owner}/{name}", ref=None, clone_url=link)


def special_route(url: str, allow_file: bool) -> RepoRoute | None:
    """A RepoRoute for links the generic router cannot express (file mirrors, refs), None for ordinary links;
    RemoteRefused for hostile remotes."""
    check_hostile(url)
    text = url.strip()
    if text.lower().startswith("file:"):
        return file_route(text, allow_file)
    try:
        parts = urlsplit(text)
    except ValueError:
        return None  # malformed (``http://[::1``): the generic router refuses it with its own one-line message
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() != "https" or host not in ("github.com", "www.github.com"):
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 4 or segments[2] not in ("tree", "blob"):
        return None
    owner, repo = segments[0], segments[1].removesuffix(".git")
    if not (NAME.fullmatch(owner) and NAME.fullmatch(repo)):
        raise RemoteRefused(f"{_shown(text)} refused: {owner}/{repo} is not a GitHub repository name")
    return RepoRoute("github", "repository", f"https://github.com/{owner}/{repo}", "github.com", f"{owner}/{repo}",
                     ref=ref_from_url(text))


def clone_url_for(full_name: str, base: str) -> str:
    """``<base>/<owner>/<repo>.git``; ``base`` is https://github.com or a ``file://`` mirror root."""
    owner, _, repo = full_name.partition("/")
    if not (NAME.fullmatch(owner) and NAME.fullmatch(repo)):
        raise RemoteRefused(f"{full_name!r} is not a GitHub repository name")
    return f"{base.rstrip('/')}/{owner}/{repo}.git"


def check_clone_url(url: str, allow_file: bool) -> None:
    """The last gate before git: https (or file:// when allowed), nothing hostile."""
    check_hostile(url)
    scheme = urlsplit(url).scheme.lower()
    if scheme == "https" or (scheme == "file" and allow_file):
        return
    raise RemoteRefused(f"{_shown(url)} refused: {ALLOWED}")
