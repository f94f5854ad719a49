"""The connection pool of the async client the transport makes: a stack of idle connections.

httpcore's ``AsyncConnectionPool`` re-examines every connection and every waiting request
each time a request starts or a response closes: it asks each idle connection whether its
socket is readable (a system call), counts the idle ones once per idle connection, and hands
every queued request the first idle connection it sees, so that when many requests start in
one pass of the event loop all but one of them find it taken, and go round again. At 50
requests in flight that is most of the client's CPU (see ``bench/README.md``).

This pool keeps the same connections (httpcore's, made by the pool it replaces, with its TLS
settings, backend and keep-alive expiry) and gives each request one of them in constant time:

- an idle connection is popped from a stack kept per origin (the last one used first, so the
  others expire when fewer are needed), checked as httpcore checks it (its keep-alive has not
  expired and the server has not closed it), and belongs to that request alone;
- else, while fewer than ``max_connections`` are in use, a new one is made;
- else the request waits, first come first served, at most the ``pool`` timeout
  (``httpcore.PoolTimeout``, which httpx and the transport report as for any pool);
- when the response is closed, the connection goes back on its stack if it is idle (its body
  read to the end) and fewer than ``max_keepalive_connections`` are idle, and is closed
  otherwise; a waiting request is then given the freed place.

It serves HTTP/1.1 without a proxy, which is what the transport's own client sends (a proxy
in the environment keeps httpx's pool: see ``_direct.py``). httpx sees the same interface:
``handle_async_request``, ``aclose``.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any, AsyncIterator, Deque, Dict, List, Optional, Set, Tuple

import httpcore

__all__ = ["AsyncStackPool"]


_clock = time.monotonic  # the keep-alive clock (httpcore's is time.monotonic too)

_Key = Tuple[bytes, bytes, int]  # an origin's scheme, host and port (httpcore's is unhashable)


class _Waiter:
    __slots__ = ("event", "granted")

    def __init__(self, event: Any) -> None:
        self.event = event
        self.granted = False


class AsyncStackPool:
    """An async pool of httpcore connections; see the module docs. ``inner`` is the pool it
    replaces: it makes the connections and says the limits."""

    def __init__(self, inner: httpcore.AsyncConnectionPool) -> None:
        self._inner = inner
        self._max_connections: int = inner._max_connections
        self._max_idle: int = inner._max_keepalive_connections
        self._expiry: float = inner._keepalive_expiry or float("inf")
        self._idle: Dict[_Key, List[Tuple[float, Any]]] = {}
        self._idle_count = 0
        self._connections: Set[Any] = set()
        self._in_use = 0
        self._waiters: Deque[_Waiter] = deque()
        self._closed = False

    @property
    def connections(self) -> List[Any]:
        """Every connection the pool holds, idle or in use."""
        return list(self._connections)

    @property
    def _network_backend(self) -> Any:
        # The inner pool's, which makes the connections: the SDK wraps it where it would wrap
        # httpcore's own pool (``_common.wrap_backends``), so reuse and early answers are seen.
        return self._inner._network_backend

    @_network_backend.setter
    def _network_backend(self, backend: Any) -> None:
        self._inner._network_backend = backend

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        """Send ``request`` on a connection of its own; the response's stream gives the
        connection back when it is closed."""
        if self._closed:
            raise RuntimeError("The connection pool was closed")
        if self._in_use < self._max_connections and not self._waiters:
            self._in_use += 1
        else:
            await self._wait(request)
        origin = request.url.origin
        key = (origin.scheme, origin.host, origin.port)
        try:
            connection = await self._idle_connection(key)
            if connection is None:
                connection = self._inner.create_connection(origin)
                self._connections.add(connection)
            try:
                response = await connection.handle_async_request(request)
            except BaseException:
                import anyio

                with anyio.CancelScope(shield=True):
                    await self._give_back(connection, key)
                raise
        except BaseException:
            self._free()
            raise
        response.stream = _PooledStream(response.stream, self, connection, key)
        return response

    async def _idle_connection(self, key: _Key) -> Optional[Any]:
        stack = self._idle.get(key)
        while stack:
            connection = stack.pop()[1]
            self._idle_count -= 1
            if connection.is_idle() and not connection.has_expired():
                return connection
            # its keep-alive expired, or the server closed it: dropped
            await self._drop(connection)
        return None

    async def _wait(self, request: httpcore.Request) -> None:
        import anyio

        timeout = request.extensions.get("timeout", {}).get("pool")
        waiter = _Waiter(anyio.Event())
        self._waiters.append(waiter)
        try:
            with anyio.fail_after(timeout):
                await waiter.event.wait()
        except TimeoutError:
            if not waiter.granted:
                self._waiters.remove(waiter)
                raise httpcore.PoolTimeout("no connection became free in time") from None
            # granted as the time ran out: take the place after all
        except BaseException:
            if waiter.granted:
                self._free()
            else:
                self._waiters.remove(waiter)
            raise

    def _free(self) -> None:
        """A place is free: give it to the first waiting request, if any."""
        if self._waiters:
            waiter = self._waiters.popleft()
            waiter.granted = True
            waiter.event.set()
        else:
            self._in_use -= 1

    async def _give_back(self, connection: Any, key: _Key) -> None:
        """Put ``connection`` back on its stack if it can serve another request, else close
        it; and close the stack's oldest connection if its keep-alive has expired (so idle
        connections no request needs are not kept open past it)."""
        if (
            self._closed
            or not connection.is_idle()
            or connection.is_closed()
            or self._idle_count >= self._max_idle
        ):
            await self._drop(connection)
            return
        now = _clock()
        stack = self._idle.setdefault(key, [])
        stack.append((now, connection))
        self._idle_count += 1
        if now - stack[0][0] > self._expiry:
            self._idle_count -= 1
            await self._drop(stack.pop(0)[1])

    async def _drop(self, connection: Any) -> None:
        self._connections.discard(connection)
        if not connection.is_closed():
            await connection.aclose()

    async def _release(self, connection: Any, key: _Key) -> None:
        try:
            await self._give_back(connection, key)
        finally:
            self._free()

    async def aclose(self) -> None:
        """Close every connection."""
        self._closed = True
        connections, self._connections = self._connections, set()
        self._idle.clear()
        self._idle_count = 0
        for connection in connections:
            await connection.aclose()

    async def __aenter__(self) -> AsyncStackPool:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _PooledStream:
    """A response's body; closing it gives the connection back to the pool."""

    __slots__ = ("_closed", "_connection", "_key", "_pool", "_stream")

    def __init__(self, stream: Any, pool: AsyncStackPool, connection: Any, key: _Key) -> None:
        self._stream = stream
        self._pool = pool
        self._connection = connection
        self._key = key
        self._closed = False

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._stream.__aiter__()  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        import anyio

        with anyio.CancelScope(shield=True):
            try:
                await self._stream.aclose()
            finally:
                await self._pool._release(self._connection, self._key)
