"""Helpers for the reliability/fault tests: article pages with unique text, and a raw-socket server for
faults an HTTP server library will not produce (connection resets, truncated bodies, lying Content-Length).
(Their own promises are tested in tests/middlewares/test_reliability_helpers.py.)
"""

from __future__ import annotations

import random
import socket
import struct
import threading
from collections import Counter

VOCABULARY = ["".join(random.Random(n).choice("bcdfghjklmnprstvwz") + random.Random(n * 7 + 1).choice("aeiou")
                      + random.Random(n * 13 + 2).choice("bcdfghklmnprst") + random.Random(n * 17 + 3).choice("aeiouy")
                      + str(n % 97)) for n in range(4000)]


def article_html(key: str, words: int = 220) -> str:
    """A page the article parser accepts: article markup and ``words`` words of text unique to ``key``."""
    rng = random.Random(key)
    paragraphs = []
    for _ in range(5):
        paragraphs.append("<p>" + " ".join(rng.choice(VOCABULARY) for _ in range(words // 5)) + ".</p>")
    return (f'<html lang="en"><head><title>Post {key}</title><meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="2024-03-01T10:00:00Z"></head>'
            f"<body><nav>Home About</nav><article><h1>Post {key}</h1>{''.join(paragraphs)}</article></body></html>")


class RawServer:
    """A socket server on 127.0.0.1 answering by path prefix with deliberately broken HTTP:

    - ``/reset/...``: reads the request, then closes with RST (SO_LINGER 0);
    - ``/truncated/...``: promises 5000 bytes, sends 100, closes;
    - ``/huge/...``: claims a 10 GB body (Content-Length), sends a little, closes.
    """

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.hits: Counter[str] = Counter()
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            path = data.split(b" ", 2)[1].decode()
            self.hits[path] += 1
            if path.startswith("/reset/"):
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            length = 10 * 1024**3 if path.startswith("/huge/") else 5000
            head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
            conn.sendall(head.encode() + b"<html><body>" + b"x" * 88)

    def close(self) -> None:
        self._stop = True
        self.sock.close()
