"""Long-form text: blog articles, Medium stories, Substack posts, LinkedIn Pulse articles."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Document, DocumentImage, StrictModel, WebUrl


class ArticleContent(StrictModel):
    """The ``content`` dict the LLM-Engineers-Handbook feature pipeline reads (keys are part of the contract)."""

    Title: str = ""
    """Article title."""
    Subtitle: str = ""
    """Subtitle or description."""
    Content: str
    """Main text as markdown: no navigation, comments, footers or boilerplate."""
    language: str = ""
    """ISO 639-1 code, empty when unknown."""


class Article(Document):
    """An article; goes to the ``articles`` collection."""

    content: ArticleContent
    """Handbook-compatible content dict."""
    byline: str | None = None
    """Author name as printed on the page."""
    description: str | None = None
    """Meta description / teaser."""
    tags: list[str] = Field(default_factory=list)
    """Tags or categories."""
    kind: Literal["article", "response", "newsletter", "podcast"] = "article"
    """What sort of text it is: Medium responses (comments) are tagged ``response``."""
    modified_at: str | None = None
    """Last modification time reported by the source (ISO 8601), when given."""
    links: list[WebUrl] = Field(default_factory=list)
    """Outbound links of the text, in order: absolute, canonical, tracking parameters removed, deduplicated (the
    text keeps only the link text)."""
    images: list[DocumentImage] = Field(default_factory=list)
    """Images of the document (src, alt, caption), in order; never inside ``content``."""

    @property
    def collection(self) -> str:
        return "articles"

    def text_for_hash(self) -> str:
        return "\n".join((self.content.Title, self.content.Subtitle, self.content.Content))
