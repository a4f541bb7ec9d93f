"""The strict base every item derives from, and the validated field types they share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal, get_args
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Platform = Literal["medium", "substack", "linkedin", "github", "article"]
PLATFORMS: tuple[str, ...] = get_args(Platform)  # declared once, in the Literal the items validate against


def _check_web_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {value!r}")
    return value


def _check_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        # Naive datetimes reaching items come from sources that publish UTC without saying so.
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# A URL kept as a validated ``str``: pydantic's HttpUrl objects break JSON feed export and BSON encoding.
WebUrl = Annotated[str, AfterValidator(_check_web_url)]
UtcDatetime = Annotated[datetime | None, AfterValidator(_check_utc)]


class StrictModel(BaseModel):
    """Base of every item: unknown fields are errors, assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=False)


class DocumentImage(StrictModel):
    """One image of a document (images are never inside ``content``: the text convention keeps them here)."""

    src: WebUrl
    """Absolute URL of the full-size image."""
    alt: str = ""
    """Alternative text given by the source."""
    caption: str = ""
    """The caption under it (also kept as text in the content: it is the author's words)."""


class Document(StrictModel):
    """Fields every stored document carries (the warehouse adds ``_id``, ``first_seen_at``, ``last_crawled_at``)."""

    link: str
    """Canonical URL of the document: the upsert key."""
    platform: Platform
    """Where it was published: medium, substack, linkedin, github or article (any other site)."""
    author_full_name: str
    """The author's full name as given by the user (whitespace-normalised)."""
    author_id: str | None = None
    """UUID string of the author in ``users``; filled in by the warehouse pipeline when absent."""
    title: str | None = None
    """Human title of the document."""
    published_at: UtcDatetime = None
    """First publication time, UTC."""
    language: str | None = None
    """ISO 639-1 code when known."""
    source_id: str | None = None
    """The platform's own id (Medium post id, Substack post id, LinkedIn activity id, GitHub repo full name)."""
    is_paywalled: bool = False
    """True when only a preview could be read: the content is not the complete text."""
    content_hash: str | None = None
    """sha256 of the normalised text; computed by the clean pipeline."""
    fingerprint: list[int] = Field(default_factory=list)
    """Sampled shingle hashes of the normalised text, used to find cross-posts; computed by the clean pipeline."""
    also_published_at: list[str] = Field(default_factory=list)
    """Other canonical links where the same text was found (cross-posts)."""
    domain: str | None = None
    """Host the document was fetched from (the ``platform`` of the Handbook's custom-article crawler)."""
    extra: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    """Platform-specific facts that have no field of their own (kept beside ``content``, never inside)."""

    @property
    def collection(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def text_for_hash(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError
