"""A minimal, fast stand-in for the gateway, for benchmarks only.

HTTP/1.1 on raw :mod:`asyncio` protocols: keep-alive, ``Content-Length`` bodies in, a
``Content-Length`` JSON reply or a chunked SSE stream out. Every reply is canned and cached,
so the server spends a few microseconds per request and nearly nothing per chunk:

- ``POST /v1/chat/completions`` without ``"stream": true``: one chat completion whose message
  is :data:`REPLY_CONTENT`.
- the same with ``"stream": true``: ``max_tokens`` chunks whose contents are ``"t0 "``,
  ``"t1 "``, ... (see :func:`stream_contents`), a last chunk with ``finish_reason`` and usage,
  then ``data: [DONE]``. Each SSE frame is its own HTTP chunk, as a real gateway flushes them.
  With ``"model": "bench-hold"`` only the first frame is sent until ``POST /admin/release``,
  and the connection then closes.
- ``POST /admin/prepare?n=N``: build the reply for streams of ``N`` chunks ahead of time.
- ``GET /admin/stats``: what was served since ``POST /admin/reset``: requests, streams, chunks,
  an order-independent checksum of every content sent (:func:`checksum`), the server's own CPU
  seconds (``time.process_time``) and how many streams are being held.

Run it as ``python bench/server.py``: it binds 127.0.0.1 on a free port and prints the port;
``python bench/server.py --tls CHAIN.pem KEY.pem`` serves HTTPS (for :mod:`bench.wire`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
import zlib
from typing import Dict, Iterable, List, Optional, Tuple

REPLY_CONTENT = "Hello! This is the benchmark server speaking; every reply is the same."
HOLD_MODEL = "bench-hold"
_MASK = (1 << 64) - 1


def stream_contents(n: int) -> List[str]:
    """The contents of the ``n`` content chunks of a stream: ``"t0 "``, ``"t1 "``, ..."""
    return [f"t{i} " for i in range(n)]


def checksum(contents: Iterable[str]) -> int:
    """The CRC-32 of one reply's (or stream's) contents, concatenated."""
    return zlib.crc32("".join(contents).encode())


def _completion_body() -> bytes:
    body = {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1767225600,
        "model": "bench/echo",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": REPLY_CONTENT},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 14, "total_tokens": 26},
    }
    return json.dumps(body, separators=(",", ":")).encode()


def _frame(content: Optional[str], finish: Optional[str], usage: bool) -> bytes:
    delta = {} if content is None else {"content": content}
    chunk: Dict[str, object] = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1767225600,
        "model": "bench/echo",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage:
        chunk["usage"] = {"prompt_tokens": 12, "completion_tokens": 1, "total_tokens": 13}
    data = b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n"
    return b"%x\r\n%s\r\n" % (len(data), data)


_JSON_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    b"x-request-id: req_bench\r\ncontent-length: %d\r\n\r\n"
)
_SSE_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
    b"x-request-id: req_bench\r\ntransfer-encoding: chunked\r\n\r\n"
)
_CLOSE_HEAD = _SSE_HEAD[:-2] + b"connection: close\r\n\r\n"
_DONE = b"e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n"
_COMPLETION = _completion_body()
_COMPLETION_REPLY = (_JSON_HEAD % len(_COMPLETION)) + _COMPLETION
_COMPLETION_SUM = checksum([REPLY_CONTENT])


class _Streams:
    """Cached stream replies: for each length, (first frame, the rest, checksum)."""

    def __init__(self) -> None:
        self._cache: Dict[int, Tuple[bytes, bytes, int]] = {}

    def get(self, n: int) -> Tuple[bytes, bytes, int]:
        if n not in self._cache:
            contents = stream_contents(n)
            frames = [_frame(c, None, False) for c in contents]
            frames.append(_frame(None, "stop", True))
            first = _SSE_HEAD + frames[0]
            rest = b"".join(frames[1:]) + _DONE
            self._cache[n] = (first, rest, checksum(contents))
        return self._cache[n]


class Stats:
    """Counters since the last reset, and the CPU the server spent since then."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.streams = 0
        self.chunks = 0
        self.checksum = 0
        self.connections = 0
        self.cpu_at_reset = time.process_time()

    def as_json(self, held: int) -> bytes:
        return json.dumps(
            {
                "requests": self.requests,
                "streams": self.streams,
                "chunks": self.chunks,
                "checksum": self.checksum,
                "connections": self.connections,
                "cpu_s": time.process_time() - self.cpu_at_reset,
                "held": held,
            }
        ).encode()


STATS = Stats()
STREAMS = _Streams()
HELD: List[Tuple[asyncio.Transport, bytes]] = []


class BenchProtocol(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._transport: Optional[asyncio.Transport] = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        STATS.connections += 1

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = bytes(buf[:end]).split(b"\r\n")
            length = 0
            close = False
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
                elif name == b"transfer-encoding":
                    self._reply(400, b'{"error":"chunked request bodies are not supported"}')
                    self._close()
                    return
            if len(buf) < end + 4 + length:
                return
            body = bytes(buf[end + 4 : end + 4 + length])
            del buf[: end + 4 + length]
            method, target = lines[0].split(b" ", 2)[:2]
            path, _, query = target.partition(b"?")
            self._handle(method, path, query, body)
            if close:
                self._close()
                return

    def _handle(self, method: bytes, path: bytes, query: bytes, body: bytes) -> None:
        assert self._transport is not None
        if path.endswith(b"/chat/completions") and method == b"POST":
            params = json.loads(body)
            STATS.requests += 1
            if not params.get("stream"):
                STATS.checksum = (STATS.checksum + _COMPLETION_SUM) & _MASK
                self._transport.write(_COMPLETION_REPLY)
                return
            n = int(params.get("max_tokens") or 16)
            first, rest, crc = STREAMS.get(n)
            STATS.streams += 1
            STATS.chunks += n + 1
            STATS.checksum = (STATS.checksum + crc) & _MASK
            if params.get("model") == HOLD_MODEL:
                # Held streams end their connection, so that no client's pool ends up with a
                # thousand idle connections to scan once they are released.
                self._transport.write(_CLOSE_HEAD + first[len(_SSE_HEAD) :])
                HELD.append((self._transport, rest))
            else:
                self._transport.write(first)
                self._transport.write(rest)
        elif path == b"/admin/stats":
            self._reply(200, STATS.as_json(len(HELD)))
        elif path == b"/admin/reset" and method == b"POST":
            STATS.reset()
            self._reply(200, b"{}")
        elif path == b"/admin/prepare" and method == b"POST":  # build a stream's reply now
            STREAMS.get(int(query.partition(b"n=")[2] or 16))
            self._reply(200, b"{}")
        elif path == b"/admin/release" and method == b"POST":
            held = len(HELD)
            for transport, rest in HELD:
                if not transport.is_closing():
                    transport.write(rest)
                    transport.close()
            HELD.clear()
            self._reply(200, b'{"released":%d}' % held)
        else:
            self._reply(404, b'{"error":{"message":"not found","code":"not_found"}}')

    def _reply(self, status: int, body: bytes) -> None:
        assert self._transport is not None
        head = b"HTTP/1.1 %d X\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
        self._transport.write((head % (status, len(body))) + body)

    def _close(self) -> None:
        if self._transport is not None:
            self._transport.close()


async def serve(port: int = 0, tls: Optional[Tuple[str, str]] = None) -> None:
    """Serve on 127.0.0.1 until killed; print the bound port on the first line of stdout.
    With ``tls`` (a certificate chain file and its key file) it speaks HTTPS."""
    loop = asyncio.get_running_loop()
    context = None
    if tls is not None:
        import ssl

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls)
    server = await loop.create_server(
        BenchProtocol, "127.0.0.1", port, backlog=4096, ssl=context
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    args = sys.argv[1:]
    tls = None
    if args[:1] == ["--tls"]:  # --tls CERT_CHAIN KEY [PORT]
        tls, args = (args[1], args[2]), args[3:]
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(int(args[0]) if args else 0, tls))
