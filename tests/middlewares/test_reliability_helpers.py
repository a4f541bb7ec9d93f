"""The reliability helpers keep their promises (so a broken helper cannot make a fault test pass vacuously)."""

from __future__ import annotations

import socket

from reliability_helpers import RawServer, article_html


def test_article_pages_differ_and_are_long_enough() -> None:
    a, b = article_html("a"), article_html("b")
    assert a != b and article_html("a") == a
    assert len(a.split("<p>")[1].split()) >= 40


def test_raw_server_resets_and_truncates() -> None:
    server = RawServer()
    try:
        with socket.create_connection(("127.0.0.1", server.port)) as s:
            s.sendall(b"GET /truncated/1 HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        assert b"Content-Length: 5000" in data and len(data.split(b"\r\n\r\n", 1)[1]) == 100
        with socket.create_connection(("127.0.0.1", server.port)) as s:
            s.sendall(b"GET /reset/1 HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                got = s.recv(10)
            except ConnectionResetError:
                got = None
        assert got in (None, b"")
        assert server.hits["/reset/1"] == 1
    finally:
        server.close()
