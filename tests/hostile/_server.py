"""A raw HTTP/1.1 server on 127.0.0.1 that answers whatever bytes a test tells it to.

It runs in threads, so the blocking client, asyncio and trio all talk to the same server.
Each accepted connection gets its own thread, which reads request heads (and bodies, by
``content-length``), records each one, and hands the socket to the test's *answer*: a
function that writes what it likes, paces its writes with :meth:`Conn.pause` (which ends at
once when the server stops), and returns ``True`` to keep the connection for another request.

A server made with ``read_bodies=False`` reads only the heads: a request's body stays unread
in the socket (an edge that refuses a body on its ``content-length`` does that), so closing
the connection afterwards resets it. :meth:`Conn.abort` makes the close a reset in any case.

Stopping the server shuts every socket down, so an answer blocked on a client that stopped
reading wakes up; :attr:`Conn.client_closed` is set when the client hangs up, which is how
tests see that a client closed a connection rather than read it to the end.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import struct
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = [
    "Conn",
    "RawServer",
    "Seen",
    "chunk",
    "gzip_of",
    "json_head",
    "response",
    "sse_head",
]


@dataclass
class Seen:
    """One request as the server read it."""

    method: str
    target: str
    headers: List[Tuple[str, str]]
    body: bytes
    conn: int

    def header(self, name: str) -> Optional[str]:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Conn:
    """One accepted connection."""

    index: int
    sock: socket.socket
    server: RawServer
    client_closed: threading.Event = field(default_factory=threading.Event)
    _buffer: bytes = b""

    def send(self, data: bytes) -> bool:
        """Write ``data``; ``False`` once the client has gone (or the server is stopping)."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            self.client_closed.set()
            return False

    def pause(self, seconds: float) -> bool:
        """Pace the next write; ``False`` when the server is stopping (end the answer)."""
        return not self.server.stopping.wait(seconds)

    def abort(self) -> None:
        """Make the close that follows this answer a reset (``SO_LINGER`` 0), not a FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def until_client_closes(self) -> None:
        """Read (and drop) until the client hangs up or the server stops: silence."""
        try:
            while self.sock.recv(65536):
                pass
        except OSError:
            pass
        self.client_closed.set()

    def read_request(self) -> Optional[Seen]:
        while b"\r\n\r\n" not in self._buffer:
            data = self._recv()
            if not data:
                return None
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        request_line, *lines = head.decode("latin-1").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = [(k, v.strip()) for k, v in (line.split(":", 1) for line in lines)]
        seen = Seen(method, target, headers, b"", self.index)
        if not self.server.read_bodies:
            return seen
        length = int(seen.header("content-length") or 0)
        while len(self._buffer) < length:
            data = self._recv()
            if not data:
                return None
            continue
        seen.body, self._buffer = self._buffer[:length], self._buffer[length:]
        return seen

    def _recv(self) -> bytes:
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            self.client_closed.set()
        self._buffer += data
        return data


Answer = Callable[[Seen, Conn], bool]


class RawServer:
    """See the module docs. Use as a context manager; :attr:`url` is its base URL."""

    def __init__(self, answer: Answer, *, read_bodies: bool = True) -> None:
        self.answer = answer
        self.read_bodies = read_bodies
        self.seen: List[Seen] = []
        self.conns: List[Conn] = []
        self.stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._threads: List[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> RawServer:
        thread = threading.Thread(target=self._accept, name="raw-server", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        for sock in [self._listener, *(c.sock for c in self.conns)]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                conn = Conn(len(self.conns), sock, self)
                self.conns.append(conn)
                thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
                self._threads.append(thread)
            thread.start()

    def _serve(self, conn: Conn) -> None:
        try:
            while not self.stopping.is_set():
                seen = conn.read_request()
                if seen is None:
                    return
                with self._lock:
                    self.seen.append(seen)
                if not self.answer(seen, conn):
                    return
        except OSError:
            pass
        finally:
            conn.sock.close()


def response(status: int, body: bytes = b"", headers: Optional[Dict[str, str]] = None) -> bytes:
    """A whole response with a ``content-length``."""
    lines = [f"HTTP/1.1 {status} Whatever"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def json_head(status: int = 200, length: Optional[int] = None, **headers: str) -> bytes:
    """The head of a JSON response: ``content-length`` if given, else chunked."""
    lines = [f"HTTP/1.1 {status} Whatever", "Content-Type: application/json"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    lines.append(
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    )
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def sse_head(**headers: str) -> bytes:
    """The head of an SSE response, chunked."""
    lines = ["HTTP/1.1 200 OK", "Content-Type: text/event-stream", "Transfer-Encoding: chunked"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunk(data: bytes) -> bytes:
    """One HTTP chunk."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def gzip_of(data: bytes) -> bytes:
    return gzip.compress(data, 6)


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode()
