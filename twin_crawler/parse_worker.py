"""A parse pool worker process (``twin_crawler.parsepool`` starts it; not run by hand).

It imports this module and the preload modules only (never the crawl's ``__main__``, so not Scrapy), then serves
calls read from its socket, one at a time, until the socket closes (the pool closed, or the crawl process died).

Frames, both on one Unix stream socket:

- call: ``<III`` (call id, header length, raw length), the header (a pickled ``(module, qualname, args, kwargs,
  raw_at)``, ``args`` with ``None`` at ``raw_at``), then the raw bytes that go at ``args[raw_at]`` (the page
  body, never pickled);
- reply: ``<IIB`` (length, call id, ok), then the pickled result, or when not ok the pickled ``(pickled exception
  or None, type module, type qualname, message, traceback text)``.
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import socket
import struct
import sys
import traceback
from collections.abc import Callable
from typing import Any

from twin_crawler.gctune import tune

CALL = struct.Struct("<III")
REPLY = struct.Struct("<IIB")
# After the preload, gctune.tune(): gc.freeze() keeps its ~44,000 objects out of full collections, and a young
# generation of 10,000 allocations (default 700) collects every ~60 pages instead of every 2. Time in collections
# (gc.callbacks), 600 corpus pages: 0.133 ms/page by default, 0.080 frozen, 0.051 with the threshold too (of
# ~10 ms); peak RSS +1.7 MB.


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    """``size`` bytes, or None at end of file."""
    data = sock.recv(size, socket.MSG_WAITALL)
    if len(data) == size:
        return data
    parts, got = [data], len(data)
    while got < size:
        if not data:
            return None
        data = sock.recv(size - got, socket.MSG_WAITALL)
        parts.append(data)
        got += len(data)
    return b"".join(parts)


def _error(exc: BaseException) -> bytes:
    """The reply of a call that raised: the exception pickled apart, so that its type and message still reach the
    caller when it does not pickle, or does not unpickle there."""
    kind = type(exc)
    try:
        blob: bytes | None = pickle.dumps(exc, pickle.HIGHEST_PROTOCOL)
    except Exception:
        blob = None
    info = (blob, kind.__module__, kind.__qualname__, str(exc), traceback.format_exc())
    return pickle.dumps(info, pickle.HIGHEST_PROTOCOL)


def serve(sock: socket.socket) -> None:
    """Answer calls until the socket closes."""
    functions: dict[tuple[str, str], Callable[..., Any]] = {}
    while True:
        head = _recv_exact(sock, CALL.size)
        if head is None:
            return
        call, header_size, raw_size = CALL.unpack(head)
        header = _recv_exact(sock, header_size)
        raw = _recv_exact(sock, raw_size) if raw_size else b""
        if header is None or raw is None:
            return
        try:
            module, qualname, args, kwargs, raw_at = pickle.loads(header)
            if raw_at >= 0:
                args = (*args[:raw_at], raw, *args[raw_at + 1:])
            fn = functions.get((module, qualname))
            if fn is None:
                target: Any = importlib.import_module(module)
                for name in qualname.split("."):
                    target = getattr(target, name)
                fn = functions[module, qualname] = target
            payload, ok = pickle.dumps(fn(*args, **kwargs), pickle.HIGHEST_PROTOCOL), 1
        except BaseException as exc:  # the caller gets what it would have got in-process (SIGINT is ignored)
            payload, ok = _error(exc), 0
        try:
            sock.sendall(REPLY.pack(len(payload), call, ok) + payload)
        except OSError:  # the crawl process is gone: nobody reads the result
            return


def main(fd: int, preload: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the crawl process decides when the pool stops
    for module in filter(None, preload.split(",")):
        importlib.import_module(module)
    tune()  # what the preload built lives as long as the worker: no collection walks it again
    serve(socket.socket(fileno=fd))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # no interpreter teardown of what the preload imported: nothing is left to save
