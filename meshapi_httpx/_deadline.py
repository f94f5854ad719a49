"""A whole-exchange time limit for the blocking httpx client, enforced on every socket wait.

httpx's timeouts are per phase and fixed when a request starts: each read may wait up to the
read timeout, so a server that sends one byte just inside it holds the caller indefinitely.
``Timeout.total`` must bound the exchange however the bytes are paced, and a blocking socket
can only be bounded by the timeout of each wait on it.

Theory of operation. The transport wraps the network backend of its client's connection
pools (:func:`install`): every connection the pool opens from then on is a
:class:`_DeadlineStream` around httpcore's own. The transport marks the calling thread with
the exchange's absolute deadline (:func:`under`) while it sends the request and while it
reads each piece of the body (httpx does every socket wait of a blocking client on the
calling thread); each connect, TLS handshake, read and write on a wrapped stream then waits at
most until that deadline, and one that starts after it fails at once: a connect or write with
httpcore's timeout error, which httpx reports as its own (``ConnectTimeout``...), a read with
:class:`DeadlinePassed`, which ends the exchange without breaking a connection other streams
share (HTTP/2); the transport reports either as the SDK's timeout. Outside :func:`under`
(another library's requests on a shared client) nothing changes. The same streams also tell
the running exchange whether its connection was reused and whether any byte of the response
came back (``_exchange.py``).

HTTP/2 (a client of yours made with ``http2=True``, shared between threads, which httpcore
does not make safe): httpcore reads a shared connection for every stream on it, one thread at
a time, under a lock. A thread waiting for that lock is not woken by its own deadline; it
takes its turn when the reading thread has received a frame (for any stream) or its read
timed out, then reads within its own deadline. So on a shared HTTP/2 connection an exchange
can outlast its deadline by the longest silence of the whole connection, at most the
per-read timeout; the async transports have no such lock (their waits are cancelled at the
deadline).

The bound: the exchange ends within one scheduling delay of its deadline, whatever the
server does, except for what no socket timeout covers: DNS resolution (``getaddrinfo``) and
writes, which are bounded per piece of :data:`WRITE_PIECE` bytes. A pool whose backend cannot
be reached (an httpx transport other than ``httpx.HTTPTransport``) keeps the per-phase limits,
and the transport checks the deadline after each piece of the body instead, so the overshoot
there is at most one read timeout. Connections a client had opened before it was handed to
the transport are not wrapped either and get the same per-piece check.
"""

from __future__ import annotations

import ssl
import threading
import time
from typing import Any, Iterable, Optional

import httpcore
import httpx

from ._common import wrap_backends
from ._exchange import Tracked

__all__ = ["WRITE_PIECE", "DeadlinePassed", "bounded", "install", "under"]

WRITE_PIECE = 64 * 1024
"""Writes are cut into pieces this large, each bounded by the time left when it starts."""

_SocketOption = Any


class _State(threading.local):
    deadline: Optional[float] = None  # a time.monotonic() value, or None for no limit


_state = _State()

_MESSAGE = "the exchange's total time limit ran out"


def _left(timeout: Optional[float], error: type[Exception]) -> Optional[float]:
    """``timeout`` shortened to the time left before this thread's deadline."""
    deadline = _state.deadline
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error(_MESSAGE)
    return left if timeout is None or timeout > left else timeout


class DeadlinePassed(BaseException):
    """A read stopped at the deadline of the thread's exchange.

    A ``BaseException``, like a cancellation, so httpcore treats it as one: it closes the
    stream that was reading, not the connection. On HTTP/2 the connection is shared by
    every stream on it, and httpcore marks it broken for all of them on any read *error*
    (a ``ReadTimeout`` included); one exchange's deadline must end that exchange only. Nothing
    is lost by stopping a read that timed out: no byte was taken from the socket (a TLS
    record half read stays in the TLS layer's buffer). The transport turns it into the
    SDK's timeout error.
    """


class under:
    """Marks the calling thread with ``deadline`` (``time.monotonic()``) while inside."""

    __slots__ = ("_deadline", "_previous")

    def __init__(self, deadline: float) -> None:
        self._deadline = deadline
        self._previous: Optional[float] = None

    def __enter__(self) -> None:
        self._previous = _state.deadline
        _state.deadline = self._deadline

    def __exit__(self, *exc_info: object) -> None:
        _state.deadline = self._previous


class _DeadlineStream(Tracked, httpcore.NetworkStream):
    """httpcore's stream, with every wait bounded by the thread's deadline, and telling the
    running exchange whether it was reused and answered (``_exchange.py``)."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: Optional[float] = None) -> bytes:
        record = self._touched()
        deadline = _state.deadline
        if deadline is None:  # outside under(): httpcore's own limits
            return self._read(record, self._inner.read(max_bytes, timeout))
        left = deadline - time.monotonic()
        if left <= 0:
            raise DeadlinePassed(_MESSAGE)
        if timeout is not None and timeout < left:
            left = timeout
        try:
            return self._read(record, self._inner.read(max_bytes, left))
        except httpcore.ReadTimeout:
            if time.monotonic() >= deadline:
                raise DeadlinePassed(_MESSAGE) from None
            raise

    def write(self, buffer: bytes, timeout: Optional[float] = None) -> None:
        if not buffer:  # h11's end of a body with a Content-Length: nothing to send
            return
        self._touched()
        if _state.deadline is None:
            self._inner.write(buffer, timeout)
            return
        if len(buffer) <= WRITE_PIECE:
            self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))
            return
        view = memoryview(buffer)
        for start in range(0, len(buffer), WRITE_PIECE):
            piece = bytes(view[start : start + WRITE_PIECE])
            self._inner.write(piece, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.start_tls(
            ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def bounded(stream: object) -> bool:
    """Whether every wait on ``stream`` (a response's ``network_stream``) is bounded by
    :func:`under`: whether the pool that opened it had its backend wrapped."""
    return isinstance(stream, _DeadlineStream)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's backend, making :class:`_DeadlineStream` connections."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: Optional[float] = None,
        local_address: Optional[str] = None,
        socket_options: Optional[Iterable[_SocketOption]] = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, _left(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: Optional[float] = None,
        socket_options: Optional[Iterable[_SocketOption]] = None,
    ) -> httpcore.NetworkStream:  # pragma: no cover - the SDK does not use unix sockets
        stream = self._inner.connect_unix_socket(
            path, _left(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore's retries only
        self._inner.sleep(seconds)


def install(client: httpx.Client) -> bool:
    """Wrap the network backend of every connection pool of ``client``; ``True`` when every
    pool was reached (so the total limit is enforced on every wait), else ``False``."""
    return wrap_backends(client, httpx.HTTPTransport, _DeadlineBackend)
