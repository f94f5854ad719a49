"""Servers for the TLS, proxy and HTTP/2 tests, on 127.0.0.1, each on an event loop of its
own in a background thread (so blocking clients, asyncio and trio all talk to them):

- :class:`TLSFront` terminates TLS with a certificate of the test's (made with trustme) and
  relays the plain bytes to a backend: the emulator, whose routes and realtime sessions then
  run over ``https://`` and ``wss://``;
- :class:`ConnectProxy` is an HTTP proxy that opens ``CONNECT`` tunnels and records every
  byte it relays, both ways, so a test can check what a proxy could read.
"""

from __future__ import annotations

import base64
import ssl
import threading
from contextlib import ExitStack
from functools import partial
from typing import Any, List, Optional, Tuple

import anyio
import anyio.abc
from anyio.from_thread import BlockingPortal, start_blocking_portal
from anyio.streams.tls import TLSStream

__all__ = ["ConnectProxy", "TLSFront"]

_READ = 65_536


async def _pump(
    source: anyio.abc.ByteStream, sink: anyio.abc.ByteStream, record: Optional[bytearray]
) -> None:
    """Copy ``source`` to ``sink`` until either ends (keeping a copy in ``record``)."""
    try:
        while True:
            data = await source.receive(_READ)
            if record is not None:
                record += data
            await sink.send(data)
    except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
        pass


async def _relay(
    a: anyio.abc.ByteStream,
    b: anyio.abc.ByteStream,
    a_to_b: Optional[bytearray] = None,
    b_to_a: Optional[bytearray] = None,
) -> None:
    """Relay both ways; when one side ends, close both."""
    try:
        async with anyio.create_task_group() as group:

            async def one_way(src: Any, dst: Any, record: Optional[bytearray]) -> None:
                await _pump(src, dst, record)
                group.cancel_scope.cancel()

            group.start_soon(one_way, a, b, a_to_b)
            group.start_soon(one_way, b, a, b_to_a)
    finally:
        with anyio.CancelScope(shield=True):
            await a.aclose()
            await b.aclose()


class _Background:
    """A TCP server on 127.0.0.1 served by ``_handle`` on an event loop in a thread."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._portal: Optional[BlockingPortal] = None
        self._scope: Optional[anyio.CancelScope] = None
        self.port = 0
        self.accepted = 0
        self._lock = threading.Lock()

    def __enter__(self) -> Any:
        self._portal = self._stack.enter_context(start_blocking_portal("asyncio"))
        listener = self._portal.call(partial(anyio.create_tcp_listener, local_host="127.0.0.1"))
        self.port = listener.extra(anyio.abc.SocketAttribute.local_port)
        started = threading.Event()
        self._portal.start_task_soon(self._serve, listener, started)
        started.wait(5)
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._portal is not None
        scope = self._scope
        if scope is not None:
            self._portal.call(scope.cancel)
        self._stack.close()

    async def _serve(self, listener: anyio.abc.SocketListener, started: threading.Event) -> None:
        with anyio.CancelScope() as self._scope:
            started.set()
            async with listener:
                await listener.serve(self._accepted)

    async def _accepted(self, stream: anyio.abc.SocketStream) -> None:
        with self._lock:
            self.accepted += 1
        try:
            await self._handle(stream)
        finally:
            with anyio.CancelScope(shield=True):
                await stream.aclose()

    async def _handle(self, stream: anyio.abc.SocketStream) -> None:
        raise NotImplementedError


class TLSFront(_Background):
    """TLS on ``127.0.0.1:<port>`` with ``context``, relayed in clear to ``backend``.

    ``accepted`` counts TCP connections (handshakes that fail included), ``handshakes`` the
    TLS sessions that opened.
    """

    def __init__(self, context: ssl.SSLContext, backend: Tuple[str, int]) -> None:
        super().__init__()
        self.context = context
        self.backend = backend
        self.handshakes = 0

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    async def _handle(self, stream: anyio.abc.SocketStream) -> None:
        try:
            with anyio.fail_after(10):
                tls = await TLSStream.wrap(
                    stream, server_side=True, ssl_context=self.context, standard_compatible=False
                )
        except (ssl.SSLError, OSError, anyio.EndOfStream, anyio.BrokenResourceError, TimeoutError):
            return  # the client refused our certificate (or went away)
        with self._lock:
            self.handshakes += 1
        upstream = await anyio.connect_tcp(*self.backend)
        await _relay(tls, upstream)


class ConnectProxy(_Background):
    """An HTTP proxy that opens ``CONNECT`` tunnels (nothing else) and records everything.

    ``heads`` are the request heads it read (``CONNECT host:port`` and headers), ``from_client``
    and ``to_client`` every byte relayed each way. With ``credentials`` (``user:password``)
    it asks for ``Proxy-Authorization: Basic`` and answers ``407`` without it.
    """

    def __init__(self, credentials: Optional[str] = None) -> None:
        super().__init__()
        self.heads: List[str] = []
        self.from_client = bytearray()
        self.to_client = bytearray()
        self._expected = (
            None
            if credentials is None
            else "Basic " + base64.b64encode(credentials.encode()).decode()
        )

    def url(self, credentials: Optional[str] = None) -> str:
        auth = f"{credentials}@" if credentials else ""
        return f"http://{auth}127.0.0.1:{self.port}"

    @property
    def targets(self) -> List[str]:
        """The ``host:port`` of each tunnel asked for."""
        return [head.split(" ")[1] for head in self.heads]

    async def _handle(self, stream: anyio.abc.SocketStream) -> None:
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            try:
                data = await stream.receive(_READ)
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                return
            buffer += data
            self.from_client += data
        head, rest = buffer.split(b"\r\n\r\n", 1)
        text = head.decode("latin-1")
        self.heads.append(text)
        lines = text.split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        if method != "CONNECT":
            await self._answer(stream, b"HTTP/1.1 405 Only CONNECT\r\nContent-Length: 0\r\n\r\n")
            return
        if self._expected is not None:
            given = [
                line.split(":", 1)[1].strip()
                for line in lines[1:]
                if line.lower().startswith("proxy-authorization:")
            ]
            if given != [self._expected]:
                await self._answer(
                    stream,
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
                )
                return
        host, _, port = target.rpartition(":")
        try:
            upstream = await anyio.connect_tcp(host.strip("[]"), int(port))
        except OSError:
            await self._answer(stream, b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        await self._answer(stream, b"HTTP/1.1 200 Connection established\r\n\r\n")
        if rest:
            await upstream.send(rest)
        await _relay(stream, upstream, self.from_client, self.to_client)

    async def _answer(self, stream: anyio.abc.SocketStream, data: bytes) -> None:
        self.to_client += data
        await stream.send(data)

    def saw(self, secret: str) -> bool:
        """Whether ``secret`` passed through the proxy, either way, in any form it could read."""
        needles = [secret.encode(), base64.b64encode(secret.encode())]
        return any(n in self.from_client or n in self.to_client for n in needles)
