"""Short social posts (LinkedIn)."""

from __future__ import annotations

from .base import Document, StrictModel


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

    @property
    def collection(self) -> str:
        return "posts"

    def text_for_hash(self) -> str:
        return self.content.text
