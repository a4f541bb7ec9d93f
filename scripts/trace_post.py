"""Trace one Substack post from ``-a links=`` to the stored document: which project files run, and how often the
control flow goes back to a file it had already left (issue 13: "a house a Scrapy engineer can walk").

    .venv/bin/python scripts/trace_post.py            # prints files entered, moves, returns, per-file calls

The post is the synthetic API fixture ``tests/fixtures/substack/synthetic_post_chunking-for-rag.json`` served on a
loopback port under the publication's API path; the crawl is ``scrapy crawl substack -a user="Jane Doe" -a
links=https://jane.substack.com/p/chunking-for-rag`` run in this process (embedded warehouse in a temporary
folder), traced with ``sys.setprofile``. Only frames of files under ``twin_crawler/`` count, module bodies
(imports) do not: a *move* is a change of project file between two consecutive project frames (a call into another
file, or a return to the caller's file); a *return* is a move to a file the flow had already been in.
"""

from __future__ import annotations

import http.server
import os
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = str(ROOT / "twin_crawler") + os.sep
POST = ROOT / "tests" / "fixtures" / "substack" / "synthetic_post_chunking-for-rag.json"
API_PATH = "/pub/jane/api/v1/posts/chunking-for-rag"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = POST.read_bytes() if self.path.split("?")[0] == API_PATH else b"[]"
        self.send_response(200 if body != b"[]" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class Trace:
    """Counts project files entered, moves between them and returns to a file already left.

    One sequence per thread (the warehouse writes from a thread). ``window=True`` counts only the post's path:
    from the spider's ``start()`` to the return of the warehouse's ``upsert_many``.
    """

    def __init__(self, *, window: bool = False) -> None:
        self.sequences: dict[int, list[str]] = {}
        self.calls: Counter[str] = Counter()
        self.window = window
        self.active = not window

    def _note(self, frame: FrameType | None) -> None:
        if frame is None:
            return
        filename = frame.f_code.co_filename
        if not filename.startswith(PACKAGE) or frame.f_code.co_name == "<module>":
            return
        name = filename[len(PACKAGE):]
        sequence = self.sequences.setdefault(threading.get_ident(), [])
        if not sequence or sequence[-1] != name:
            sequence.append(name)

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        code = frame.f_code
        if self.window and event == "call" and code.co_name == "start" and "/spiders/" in code.co_filename:
            self.active = True
        if not self.active:
            return
        if event == "call":
            self._note(frame)
            if code.co_filename.startswith(PACKAGE) and code.co_name != "<module>":
                self.calls[code.co_filename[len(PACKAGE):]] += 1
        elif event == "return":
            self._note(frame.f_back)
            if self.window and code.co_name == "upsert_many" and "/warehouse/" in code.co_filename:
                self.active = False

    def summary(self) -> dict[str, int]:
        files: set[str] = set()
        moves = returns = 0
        for sequence in self.sequences.values():
            seen: set[str] = set()
            for name in sequence:
                returns += name in seen
                seen.add(name)
            moves += max(len(sequence) - 1, 0)
            files |= seen
        return {"files entered": len(files), "moves": moves, "returns": returns}


class Both:
    """Feeds one profile event to the whole-run trace and to the post-path window."""

    def __init__(self) -> None:
        self.run, self.post = Trace(), Trace(window=True)

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        self.run(frame, event, arg)
        self.post(frame, event, arg)


def main() -> int:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    data_dir = tempfile.mkdtemp(prefix="twin-trace-")
    os.environ.update({"TWIN_DATA_DIR": data_dir, "SCRAPY_SETTINGS_MODULE": "twin_crawler.settings"})
    os.chdir(ROOT)
    from scrapy.cmdline import execute  # imported before tracing: imports are not the walk being measured

    import twin_crawler.settings  # noqa: F401

    argv = ["scrapy", "crawl", "substack", "-a", "user=Jane Doe",
            "-a", "links=https://jane.substack.com/p/chunking-for-rag",
            "-s", f"TWIN_SUBSTACK_API_URL={base}", "-s", f"TWIN_SUBSTACK_PUBLICATION_URL={base}/pub/{{subdomain}}",
            "-s", f"TWIN_SUBSTACK_CUSTOM_DOMAIN_URL={base}/custom/{{domain}}", "-s", "LOG_LEVEL=WARNING",
            "-s", "TWIN_ALLOW_LOOPBACK=True", "-s", "ROBOTSTXT_OBEY=False"]
    trace = Both()
    threading.setprofile(trace)
    sys.setprofile(trace)
    try:
        execute(argv)
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
        server.shutdown()
    from twin_crawler.warehouse import open_warehouse

    warehouse = open_warehouse(None, data_dir=data_dir)
    stored = warehouse.count("articles")
    warehouse.close()
    print(f"{'':>14}  {'post path':>10} {'whole run':>10}")
    for key, value in trace.post.summary().items():
        print(f"{key:>14}: {value:>10} {trace.run.summary()[key]:>10}")
    print(f"{'exit code':>14}: {code}")
    print(f"{'stored':>14}: {stored} article(s)")
    print("calls per file on the post path (top 15):")
    for name, count in trace.post.calls.most_common(15):
        print(f"  {count:6d}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
