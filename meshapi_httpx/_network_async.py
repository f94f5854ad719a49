"""The async httpx client's connections: each exchange learns whether its connection was
reused, and whether any byte of the response came back (``_exchange.py``).

:func:`install_async` wraps the network backend of each connection pool of an
``httpx.AsyncClient`` (the way ``_deadline.py`` does for the blocking client), so that every
connection is an :class:`_AsyncStream` around httpcore's own.
"""

from __future__ import annotations

import ssl
from typing import Any, Iterable, Optional

import httpcore
import httpx

from ._common import wrap_backends
from ._exchange import Tracked

__all__ = ["install_async"]

_SocketOption = Any


class _AsyncStream(Tracked, httpcore.AsyncNetworkStream):
    """httpcore's stream, telling the running exchange whether it was reused and answered."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: Optional[float] = None) -> bytes:
        record = self._touched()
        return self._read(record, await self._inner.read(max_bytes, timeout))

    async def write(self, buffer: bytes, timeout: Optional[float] = None) -> None:
        if not buffer:
            return
        self._touched()
        await self._inner.write(buffer, timeout)

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
