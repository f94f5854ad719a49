"""The contract suite on clients a user hands over, not only the SDK's own.

A *user kind* is ``<transport kind>+<variant>``: the SDK is given the user's own client or
session (``httpx_client=`` / ``aiohttp_session=``) configured the way real code configures
one, and runs the same scenarios as on its own client:

- ``redirects``: ``httpx.Client(follow_redirects=True)`` / ``AsyncClient(follow_redirects=True)``;
- ``session``: a plain ``aiohttp.ClientSession()`` (which follows redirects by default);
- ``mock``: ``httpx.MockTransport`` whose handler forwards each request to the emulator with a
  real httpx transport and answers with a whole ``httpx.Response(status, headers=...,
  content=...)``, the way recorded-reply mocks answer (its body is already read when the SDK
  gets it);
- ``proxy``: ``mounts={"http://": httpx.HTTPTransport(proxy=...)}`` through :class:`ForwardProxy`,
  a plain-HTTP forward proxy on 127.0.0.1 (HTTPS proxies, ``CONNECT`` and HTTP/2 are issue 21's
  end-to-end suite).

A ``mock`` kind reads every body whole before the SDK sees it, so scenarios about a body as it
arrives (cuts, stalls, idle gaps, early ``break``, connection reuse, the deadline of a slow
body) do not apply to it: the conftest runs those on the ``live`` kinds only.
"""

from __future__ import annotations

import select
import socket
import threading
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

import httpx

__all__ = ["USER_KINDS", "ForwardProxy", "close_theirs", "theirs", "variant_of"]

USER_KINDS: Dict[str, Tuple[str, ...]] = {
    # kind: its tags ("live": bodies reach the SDK as they arrive)
    "httpx-sync+redirects": ("live",),
    "httpx-asyncio+redirects": ("live",),
    "aiohttp-asyncio+session": ("live",),
    "httpx-sync+mock": (),
    "httpx-trio+mock": (),
    "httpx-sync+proxy": ("live",),
    "httpx-asyncio+proxy": ("live",),
}


def variant_of(kind: str) -> Optional[str]:
    """``redirects`` for ``httpx-sync+redirects``; ``None`` for the SDK's own client."""
    return kind.partition("+")[2] or None


_HOP_BY_HOP = {"transfer-encoding", "connection", "keep-alive"}


def _whole(upstream: httpx.Response, body: bytes) -> httpx.Response:
    """A whole response, as a recorded-reply mock makes one: the raw (still encoded) body
    as ``content=``, so httpx reads (and decodes) it before the SDK gets it."""
    headers = [(k, v) for k, v in upstream.headers.multi_items() if k.lower() not in _HOP_BY_HOP]
    return httpx.Response(upstream.status_code, headers=headers, content=body)


def _sync_mock() -> Tuple[httpx.Client, List[Any]]:
    real = httpx.HTTPTransport()

    def forward(request: httpx.Request) -> httpx.Response:
        upstream = real.handle_request(request)
        try:
            body = b"".join(upstream.iter_raw())
        finally:
            upstream.close()
        return _whole(upstream, body)

    return httpx.Client(transport=httpx.MockTransport(forward)), [real]


def _async_mock() -> Tuple[httpx.AsyncClient, List[Any]]:
    real = httpx.AsyncHTTPTransport()

    async def forward(request: httpx.Request) -> httpx.Response:
        upstream = await real.handle_async_request(request)
        try:
            body = b"".join([piece async for piece in upstream.aiter_raw()])
        finally:
            await upstream.aclose()
        return _whole(upstream, body)

    return httpx.AsyncClient(transport=httpx.MockTransport(forward)), [real]


def theirs(kind: str) -> Tuple[Any, List[Any]]:
    """The user's client or session for ``kind``, and what else to close with it (made
    inside the running event loop: an aiohttp session needs one)."""
    variant = variant_of(kind)
    sync = kind.startswith("httpx-sync")
    if variant == "redirects":
        made: Any = httpx.Client if sync else httpx.AsyncClient
        return made(follow_redirects=True), []
    if variant == "session":
        import aiohttp

        return aiohttp.ClientSession(), []
    if variant == "mock":
        return _sync_mock() if sync else _async_mock()
    if variant == "proxy":
        url = ForwardProxy.shared().url
        if sync:
            return httpx.Client(mounts={"http://": httpx.HTTPTransport(proxy=url)}), []
        return httpx.AsyncClient(mounts={"http://": httpx.AsyncHTTPTransport(proxy=url)}), []
    raise ValueError(f"not a user kind: {kind}")


async def close_theirs(things: List[Any]) -> None:
    """Close the user's client or session, and what came with it (the SDK closes none)."""
    for thing in things:
        if isinstance(thing, (httpx.Client, httpx.HTTPTransport)):
            thing.close()
        elif isinstance(thing, (httpx.AsyncClient, httpx.AsyncHTTPTransport)):
            await thing.aclose()
        else:
            await thing.close()


class ForwardProxy:
    """A plain-HTTP forward proxy on 127.0.0.1, for tests.

    A client sends it requests in absolute form (``GET http://127.0.0.1:8000/v1/models``);
    for each connection it reads the first request head, connects to the host it names
    (loopback only: anything else is refused with 403) and then relays bytes both ways until
    either side closes, so a cut, a reset or a stall upstream reaches the client as it
    happened. The emulator reads an absolute-form target as its path. Later requests on the
    connection go to the same upstream, which is all the SDK does (httpx keeps one proxy
    connection per origin). An upstream that refuses gets a 502. One thread per connection;
    the threads are daemons, so a proxy left running ends with the test process.
    """

    _shared: Optional[ForwardProxy] = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.relayed: List[str] = []  # the first request line of each relayed connection
        threading.Thread(target=self._accept, name="forward-proxy", daemon=True).start()

    @classmethod
    def shared(cls) -> ForwardProxy:
        """The one proxy of this test process (started on first use)."""
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: Optional[socket.socket] = None
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                data = client.recv(65536)
                if not data:
                    return
                head += data
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            target = urlsplit(request_line.split(" ")[1])
            if target.hostname != "127.0.0.1" or target.scheme != "http":
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", target.port or 80), timeout=5)
            except OSError:
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            upstream.settimeout(None)
            self.relayed.append(request_line)
            upstream.sendall(head)
            _relay(client, upstream)
        except OSError:
            pass
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    sock.close()


def _relay(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until either side closes or fails."""
    other = {a: b, b: a}
    while True:
        readable, _, _ = select.select([a, b], [], [])
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            other[sock].sendall(data)
