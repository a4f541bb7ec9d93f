"""Input files are read up to 10 MB (issue 15, point 6): ``links=@/dev/zero`` or a huge ``config=`` is one
``ArgumentError`` line, with bounded memory, instead of growing until the process is killed."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from twin_crawler.arguments import MAX_INPUT_BYTES, ArgumentError, parse_arguments


def refused_with_peak(**kwargs: str) -> tuple[str, int]:
    tracemalloc.start()
    try:
        with pytest.raises(ArgumentError) as caught:
            parse_arguments({"user": "Ada Lovelace", **kwargs})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return str(caught.value), peak


@pytest.mark.parametrize("argument", ["links", "config"])
def test_dev_zero_is_refused_in_one_line_with_bounded_memory(argument: str) -> None:
    value = "@/dev/zero" if argument == "links" else "/dev/zero"
    message, peak = refused_with_peak(**{argument: value})
    assert message == f"{argument}: file '/dev/zero' is larger than 10 MB; split it"
    assert peak < 3 * MAX_INPUT_BYTES  # the bounded read (+1 byte), not an ever-growing buffer


def test_a_file_over_the_cap_is_refused_and_one_at_the_cap_is_read(tmp_path: Path) -> None:
    links = "https://example.org/a\nhttps://example.org/b\n"
    at_cap = tmp_path / "links.txt"
    at_cap.write_text(links + "#" * (MAX_INPUT_BYTES - len(links) - 1) + "\n")
    assert at_cap.stat().st_size == MAX_INPUT_BYTES
    assert parse_arguments({"user": "Ada", "links": f"@{at_cap}"}).links == ["https://example.org/a", "https://example.org/b"]
    over = tmp_path / "big.yaml"
    over.write_bytes(b"parameters:\n  user_full_name: Ada\n  links: []\n" + b"#" * MAX_INPUT_BYTES)
    message, _ = refused_with_peak(config=str(over))
    assert message.startswith("config: file ") and message.endswith("is larger than 10 MB; split it")
    with pytest.raises(ArgumentError, match="^links: file .* is larger than 10 MB"):
        parse_arguments({"user": "Ada", "links": f"@{over}"})
