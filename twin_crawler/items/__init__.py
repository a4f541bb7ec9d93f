"""Typed items: strict pydantic models adapted by itemadapter."""

from .article import Article, ArticleContent
from .author import name_key, normalise_name, split_full_name
from .base import PLATFORMS, Document, DocumentImage, Platform
from .post import Post, PostContent
from .repository import Repository, SkippedFile

ITEM_TYPES: tuple[type[Document], ...] = (Article, Post, Repository)

__all__ = [
    "ITEM_TYPES",
    "PLATFORMS",
    "Article",
    "ArticleContent",
    "Document",
    "DocumentImage",
    "Platform",
    "Post",
    "PostContent",
    "Repository",
    "SkippedFile",
    "name_key",
    "normalise_name",
    "split_full_name",
]
