"""Short social posts (LinkedIn)."""

from __future__ import annotations

from pydantic import Field

from .base import Document, DocumentImage, StrictModel, WebUrl


class PostContent(StrictModel):
    """The Handbook's ``posts.content``: the text and, optionally, one image URL."""

    text: str
    """Post text, whitespace-normalised."""
    image: str | None = None
    """URL of the post's first image, when it has one."""


class Post(Document):
    """A social post; goes to the ``posts`` collection."""

    content: PostContent
    """Handbook-compatible content dict."""
    links: list[WebUrl] = Field(default_factory=list)
    """Outbound links of the text, in order: absolute, canonical, tracking parameters removed, deduplicated (the
    text keeps only the link text)."""
    images: list[DocumentImage] = Field(default_factory=list)
    """Images of the document (src, alt, caption), in order; never inside ``content``."""

    @property
    def collection(self) -> str:
        return "posts"

    def text_for_hash(self) -> str:
        return self.content.text
