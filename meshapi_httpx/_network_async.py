"""The async httpx client's connections: an answer that comes while the request is still being
sent is kept, and each exchange learns whether its connection was reused.

An edge that refuses a body (``413``) answers as soon as it has read the request's head, and
closes. A client still sending the body then fails to write, and must read the answer that
came before the failure: httpcore does (it ignores the write error and reads the response),
and the blocking client and trio find the answer in the socket. On asyncio they did not:
anyio reads a socket only while a read is waiting, so the answer stays in the kernel's buffer
while the body is written, and when the write fails asyncio closes the socket, answer and
all; httpx then reported a ``ReadError``, and the request was sent again, body and all.

Theory of operation. :func:`install_async` wraps the network backend of each connection pool
of an ``httpx.AsyncClient`` (the way ``_deadline.py`` does for the blocking client), so that
every connection is an :class:`_AsyncStream` around httpcore's own. On asyncio, a write that
may have to wait for the server to read (one after which the request has sent more than
:data:`UNWATCHED` bytes since the server last spoke; any socket buffer takes that much at
once) lets the connection read while it waits, into anyio's own buffer, where httpcore's
next read finds it: the connection's asyncio transport is given a :class:`_Watch` protocol
for the length of the write, which passes everything on to anyio's protocol and stops
reading once :data:`EARLY_ANSWER_LIMIT` bytes have come. If the socket is readable before
such a write starts (the server answered, and perhaps reset the connection, between two
writes), the write first waits until the watch has taken that in: a write that fails at once
closes the socket as surely as one that waited. Under trio, and on a stream whose asyncio
transport cannot be found, writes are left as they are.

The streams are also :class:`~meshapi_httpx._exchange.Tracked`: they tell the running exchange
whether its connection was reused and whether any byte of the response came back.

The bound: what the server sends while a request is written is held up to
:data:`EARLY_ANSWER_LIMIT` bytes, plus one read of asyncio's (256 KiB).
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any, Iterable, Optional

import httpcore
import httpx

from ._common import wrap_backends
from ._exchange import Tracked

__all__ = ["EARLY_ANSWER_LIMIT", "UNWATCHED", "install_async"]

UNWATCHED = 4 * 1024
"""A request that has sent at most this many bytes since the server last answered cannot be
waiting for the server to read them (every kernel's socket buffer takes that much at once),
so its writes are left alone."""

EARLY_ANSWER_LIMIT = 64 * 1024
"""What a connection reads, at most (plus one read), while a request is still being sent."""

_SocketOption = Any


class _Watch(asyncio.Protocol):
    """Stands in for anyio's protocol while a request is written: passes everything on, and
    stops reading once :data:`EARLY_ANSWER_LIMIT` bytes came."""

    def __init__(self, transport: Any, inner: asyncio.Protocol) -> None:
        self._transport = transport
        self._inner = inner
        self._received = 0
        self.heard = asyncio.Event()
        """Set once the server sent anything, ended the connection, or broke it."""

    def data_received(self, data: bytes) -> None:
        self._inner.data_received(data)
        self.heard.set()
        self._received += len(data)
        if self._received >= EARLY_ANSWER_LIMIT:
            self._transport.pause_reading()

    def eof_received(self) -> Optional[bool]:
        self.heard.set()
        return self._inner.eof_received()

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self.heard.set()
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()


def _asyncio_transport(stream: httpcore.AsyncNetworkStream) -> Any:
    """The asyncio transport under one of httpcore's anyio streams (through TLS), or
    ``None`` (trio, or a shape this release of anyio or httpcore does not have)."""
    inner = getattr(stream, "_stream", None)  # httpcore's AnyIOStream around anyio's stream
    while inner is not None and hasattr(inner, "transport_stream"):  # anyio's TLSStream
        inner = inner.transport_stream
    transport = getattr(inner, "_transport", None)  # anyio's asyncio SocketStream
    needed = ("get_protocol", "set_protocol", "is_reading", "pause_reading", "resume_reading")
    if transport is None or not all(hasattr(transport, name) for name in needed):
        return None
    return transport


class _AsyncStream(Tracked, httpcore.AsyncNetworkStream):
    """httpcore's stream, keeping what the server says while a request is written (on
    asyncio) and telling the running exchange whether it was reused and answered."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._transport = _asyncio_transport(inner)
        self._unanswered = 0  # bytes written since the server last sent any

    async def read(self, max_bytes: int, timeout: Optional[float] = None) -> bytes:
        record = self._touched()
        data = await self._inner.read(max_bytes, timeout)
        self._unanswered = 0
        return self._read(record, data)

    async def write(self, buffer: bytes, timeout: Optional[float] = None) -> None:
        if not buffer:
            return
        self._touched()
        self._unanswered += len(buffer)
        transport = self._transport
        if transport is None or self._unanswered <= UNWATCHED or transport.is_closing():
            await self._inner.write(buffer, timeout)
            return
        protocol = transport.get_protocol()
        reading = transport.is_reading()
        watch = _Watch(transport, protocol)
        transport.set_protocol(watch)
        transport.resume_reading()
        try:
            if self._inner.get_extra_info("is_readable"):
                # The server spoke (or ended the connection) between two writes: take what it
                # said in first, as a write that fails at once would close the socket unread.
                import anyio  # here, as in _async.py: only this path needs it

                with anyio.move_on_after(timeout):
                    await watch.heard.wait()
            await self._inner.write(buffer, timeout)
        finally:
            transport.set_protocol(protocol)
            if not reading and not transport.is_closing():
                transport.pause_reading()

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> httpcore.AsyncNetworkStream:
        return _AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    """httpcore's backend, making :class:`_AsyncStream` connections."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: Optional[float] = None,
        local_address: Optional[str] = None,
        socket_options: Optional[Iterable[_SocketOption]] = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: Optional[float] = None,
        socket_options: Optional[Iterable[_SocketOption]] = None,
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - the SDK does not use unix sockets
        return _AsyncStream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore's retries only
        await self._inner.sleep(seconds)


def install_async(client: httpx.AsyncClient) -> bool:
    """Wrap the network backend of every connection pool of ``client``; ``True`` when every
    pool was reached, else ``False``."""
    return wrap_backends(client, httpx.AsyncHTTPTransport, _AsyncBackend)
