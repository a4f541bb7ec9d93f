"""Items: strict models adapted by itemadapter; JSONL feed export round-trips every item type."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import BytesIO

import pytest
from itemadapter import ItemAdapter
from pydantic import ValidationError
from scrapy.exporters import JsonLinesItemExporter

from twin_crawler.items import (
    Article,
    ArticleContent,
    Document,
    DocumentImage,
    Post,
    PostContent,
    Repository,
    SkippedFile,
)

ITEMS: list[Document] = [
    Article(link="https://blog.example/p", platform="article", author_full_name="Jane Doe",
            published_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), tags=["a"],
            content=ArticleContent(Title="T", Subtitle="S", Content="Body **md**", language="en"),
            links=["https://docs.example/a"], images=[DocumentImage(src="https://img.example/2.png", caption="C")]),
    Post(link="https://www.linkedin.com/posts/x-activity-7200000000000000000-abcd", platform="linkedin",
         author_full_name="Jane Doe", content=PostContent(text="hi", image="https://img.example/1.png"),
         images=[DocumentImage(src="https://img.example/1.png")]),
    Repository(link="https://github.com/o/r", platform="github", author_full_name="o", name="o/r",
               content={"a.py": "x = 1\n\t \n"}, skipped=[SkippedFile(path="b.bin", reason="binary")]),
]


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: type(i).__name__)
def test_jsonl_export_round_trips(item: Document) -> None:
    out = BytesIO()
    exporter = JsonLinesItemExporter(out)
    exporter.start_exporting()
    exporter.export_item(item)
    exporter.finish_exporting()
    data = json.loads(out.getvalue())
    assert type(item).model_validate(data) == item
    assert ItemAdapter(item).asdict()["link"] == item.link


def test_items_are_strict() -> None:
    with pytest.raises(ValidationError):
        Post(link="https://x.example/p", platform="linkedin", author_full_name="J", content=PostContent(text="t"),
             unexpected=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Post(link="https://x.example/p", platform="myspace", author_full_name="J", content=PostContent(text="t"))  # type: ignore[arg-type]


def test_naive_datetimes_become_utc_and_aware_ones_are_converted() -> None:
    a = ITEMS[0].model_copy()
    a.published_at = datetime(2024, 1, 1, 12, 0)
    assert a.published_at.tzinfo is UTC
    b = Article.model_validate({**ITEMS[0].model_dump(), "published_at": "2024-01-01T12:00:00+02:00"})
    assert b.published_at == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)


def test_content_is_a_dict_of_strings_for_the_handbook() -> None:
    dumped = ITEMS[0].model_dump()
    assert set(dumped["content"]) == {"Title", "Subtitle", "Content", "language"}
    assert all(isinstance(v, str) for v in dumped["content"].values())
    assert set(ITEMS[1].model_dump()["content"]) == {"text", "image"}


def test_links_and_images_are_validated_urls_beside_content() -> None:
    dumped = ITEMS[0].model_dump()
    assert dumped["links"] == ["https://docs.example/a"] and "links" not in dumped["content"]
    assert dumped["images"] == [{"src": "https://img.example/2.png", "alt": "", "caption": "C"}]
    with pytest.raises(ValidationError):
        ITEMS[0].model_copy().links = ["/relative"]
    with pytest.raises(ValidationError):
        DocumentImage(src="data:image/png;base64,AAAA")
