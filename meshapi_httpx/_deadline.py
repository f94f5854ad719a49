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
most until that deadline, and one that starts after it fails at once with httpcore's timeout
error, which httpx reports as its own (``ReadTimeout``...) and the transport as the SDK's.
Outside :func:`under` (another library's requests on a shared client) nothing changes.

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
import typing
from typing import Any, Iterable, Optional

import httpcore
import httpx

__all__ = ["WRITE_PIECE", "bounded", "install", "under"]

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


class _DeadlineStream(httpcore.NetworkStream):
    """httpcore's stream, with every wait bounded by the thread's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: Optional[float] = None) -> bytes:
        if _state.deadline is None:  # outside under(): httpcore's own limits
            return self._inner.read(max_bytes, timeout)
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: Optional[float] = None) -> None:
        if not buffer:  # h11's end of a body with a Content-Length: nothing to send
            return
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
    pool was reached (so the total limit is enforced on every wait), else ``False``.

    Reaches into httpx's ``HTTPTransport._pool`` and httpcore's
    ``ConnectionPool._network_backend`` (stable since httpx 0.23 / httpcore 0.17); anything
    else is left alone.
    """
    transports: typing.List[Any] = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    complete = True
    for transport in transports:
        if transport is None:
            continue
        pool = getattr(transport, "_pool", None)
        if not isinstance(transport, httpx.HTTPTransport):
            pool = None
        backend = getattr(pool, "_network_backend", None)
        if backend is None:
            complete = False
        elif not isinstance(backend, _DeadlineBackend):
            pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
    return complete
