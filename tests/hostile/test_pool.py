"""The async httpx transport's own pool (``meshapi_httpx/_pool.py``): each request gets a
connection of its own, idle connections are reused (the last used first), the limits hold,
a request past them waits at most the pool timeout, and neither a failure nor a cancellation
loses a place or a connection. On asyncio and on trio, against a keep-alive server on
127.0.0.1 that counts the connections it accepted.
"""

from __future__ import annotations

import threading
from typing import Any, Awaitable, Callable, List

import anyio
import httpx
import pytest

from meshapi import APITimeoutError, AsyncMeshAPI, Timeout
from meshapi_httpx import AsyncHttpxTransport, _direct, _pool
from meshapi_httpx._pool import AsyncStackPool

from ._server import Conn, RawServer, Seen, json_head, response
from .conftest import TOKEN, Api
from .test_waits import COMPLETION

BACKENDS = ["asyncio", "trio"]
BODY = b'{"ok":true}'


def keep_alive(seen: Seen, conn: Conn) -> bool:
    return conn.send(response(200, BODY, {"Content-Type": "application/json"}))


def stack_client(**limits: Any) -> httpx.AsyncClient:
    """An httpx client on the SDK's pool, with these limits."""
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(**limits))
    transport._pool = AsyncStackPool(transport._pool)  # type: ignore[assignment]
    return httpx.AsyncClient(transport=transport)


def pool_of(client: httpx.AsyncClient) -> AsyncStackPool:
    pool = client._transport._pool  # type: ignore[attr-defined]
    assert isinstance(pool, AsyncStackPool)
    return pool


def go(backend: str, main: Callable[[], Awaitable[Any]]) -> Any:
    return anyio.run(main, backend=backend)


async def gather(count: int, call: Callable[[], Awaitable[Any]]) -> List[Any]:
    out: List[Any] = []

    async def one() -> None:
        out.append(await call())

    async with anyio.create_task_group() as tg:
        for _ in range(count):
            tg.start_soon(one)
    return out


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_sdk_client_sends_through_the_stack_pool(backend: str) -> None:
    async def main() -> Any:
        transport = AsyncHttpxTransport()
        try:
            assert transport._direct is not None
            return transport._direct.transport._pool  # type: ignore[union-attr]
        finally:
            await transport.aclose()

    pool = go(backend, main)
    assert isinstance(pool, AsyncStackPool)
    assert pool._max_connections == _direct.ASYNC_LIMITS.max_connections == 100
    assert pool._max_idle == _direct.ASYNC_LIMITS.max_keepalive_connections == 100


def test_with_a_proxy_in_the_environment_httpx_keeps_its_own_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    client, direct = _direct.new_async_client()
    assert direct is None
    assert not any(isinstance(getattr(t, "_pool", None), AsyncStackPool) for t in [
        client._transport, *client._mounts.values()  # type: ignore[attr-defined]
    ])  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_requests_then_reuse(backend: str) -> None:
    async def main() -> Any:
        async with stack_client(max_connections=100, max_keepalive_connections=100) as client:
            first = await gather(20, lambda: client.get(server.url))
            opened = len(server.conns)
            second = await gather(20, lambda: client.get(server.url))
            for _ in range(5):
                await client.get(server.url)
            return first + second, opened, len(pool_of(client).connections)

    with RawServer(keep_alive) as server:
        replies, opened, held = go(backend, main)
        total = len(server.conns)
    assert [r.status_code for r in replies] == [200] * 40
    assert 1 <= opened <= 20
    assert total == opened  # the second wave and the sequential calls opened none
    assert held == opened


@pytest.mark.parametrize("backend", BACKENDS)
def test_max_connections_holds_and_the_rest_wait_their_turn(backend: str) -> None:
    async def main() -> Any:
        async with stack_client(max_connections=2, max_keepalive_connections=2) as client:
            replies = await gather(12, lambda: client.get(server.url))
            return replies, pool_of(client)._in_use

    with RawServer(keep_alive) as server:
        replies, in_use = go(backend, main)
        opened = len(server.conns)
    assert [r.status_code for r in replies] == [200] * 12
    assert opened <= 2
    assert in_use == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_idle_connections_beyond_the_keep_alive_limit_are_closed(backend: str) -> None:
    async def main() -> Any:
        async with stack_client(max_connections=10, max_keepalive_connections=3) as client:
            pool = pool_of(client)
            made: List[Any] = []
            create = pool._inner.create_connection

            def counted(origin: Any) -> Any:
                made.append(create(origin))
                return made[-1]

            pool._inner.create_connection = counted  # type: ignore[method-assign]
            await gather(10, lambda: client.get(server.url))
            kept = set(pool.connections)
            return (
                len(made),
                len(kept),
                pool._idle_count,
                [c.is_closed() for c in made if c not in kept],
            )

    with RawServer(keep_alive) as server:
        made, held, idle, dropped = go(backend, main)
        opened = len(server.conns)
    assert made == opened
    assert idle == held == min(3, made)
    assert dropped == [True] * (made - held)


def stalls_second(release: threading.Event) -> Any:
    """The first request gets its head and half a body, then waits for ``release``."""

    def answer(seen: Seen, conn: Conn) -> bool:
        if len(conn.server.seen) == 1:
            conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345")
            release.wait(10)
            return conn.send(b"67890")
        return keep_alive(seen, conn)

    return answer


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_request_past_the_limit_waits_at_most_the_pool_timeout(backend: str) -> None:
    release = threading.Event()

    async def main() -> Any:
        async with stack_client(max_connections=1) as client:
            held = await client.send(client.build_request("GET", server.url), stream=True)
            with pytest.raises(httpx.PoolTimeout):
                await client.get(server.url, timeout=httpx.Timeout(5.0, pool=0.1))
            release.set()
            await held.aread()
            await held.aclose()
            again = await client.get(server.url)
            return again.status_code, pool_of(client)._in_use, len(pool_of(client)._waiters)

    with RawServer(stalls_second(release)) as server:
        status, in_use, waiting = go(backend, main)
        opened = len(server.conns)
    assert (status, in_use, waiting) == (200, 0, 0)
    assert opened == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cancelled_wait_gives_up_its_turn(backend: str) -> None:
    release = threading.Event()

    async def main() -> Any:
        async with stack_client(max_connections=1) as client:
            held = await client.send(client.build_request("GET", server.url), stream=True)
            with anyio.move_on_after(0.1) as scope:
                await client.get(server.url)
            assert scope.cancelled_caught
            assert len(pool_of(client)._waiters) == 0
            release.set()
            await held.aread()
            await held.aclose()
            replies = await gather(3, lambda: client.get(server.url))
            return [r.status_code for r in replies], pool_of(client)._in_use

    with RawServer(stalls_second(release)) as server:
        statuses, in_use = go(backend, main)
    assert statuses == [200] * 3
    assert in_use == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cancelled_response_frees_its_place_and_drops_its_connection(backend: str) -> None:
    release = threading.Event()

    async def main() -> Any:
        async with stack_client(max_connections=1) as client:
            with anyio.move_on_after(0.1):
                await client.get(server.url)  # the body never ends: cancelled mid-body
            release.set()
            reply = await client.get(server.url)
            return reply.status_code, pool_of(client)._in_use

    with RawServer(stalls_second(release)) as server:
        status, in_use = go(backend, main)
        assert server.conns[0].client_closed.wait(5)
        opened = len(server.conns)
    assert (status, in_use) == (200, 0)
    assert opened == 2


def closes_after_reply(closed: threading.Event) -> Any:
    """A reply that looks kept alive, then the server hangs up anyway."""

    def answer(seen: Seen, conn: Conn) -> bool:
        keep_alive(seen, conn)
        if len(conn.server.seen) == 1:
            conn.sock.close()
            closed.set()
            return False
        return True

    return answer


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_connection_the_server_closed_while_idle_is_not_reused(backend: str) -> None:
    closed = threading.Event()

    async def main() -> Any:
        async with stack_client(max_connections=5) as client:
            first = await client.get(server.url)
            await anyio.to_thread.run_sync(closed.wait, 5)
            second = await client.get(server.url)
            return first.status_code, second.status_code

    with RawServer(closes_after_reply(closed)) as server:
        statuses = go(backend, main)
        opened = len(server.conns)
    assert statuses == (200, 200)
    assert opened == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_expired_idle_connection_is_closed(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(_pool, "_clock", lambda: now[0])

    async def main() -> Any:
        async with stack_client(max_connections=5) as client:
            await gather(2, lambda: client.get(server.url))  # two connections, both idle
            pool = pool_of(client)
            before = set(pool.connections)
            now[0] += 10.0  # past httpx's 5 s keep-alive expiry
            await client.get(server.url)  # reuses the newest; the oldest is closed
            after = set(pool.connections)
            return (
                len(before),
                len(after),
                pool._idle_count,
                [c.is_closed() for c in before - after],
            )

    with RawServer(keep_alive) as server:
        before, after, idle, dropped = go(backend, main)
    assert (before, after, idle) == (2, 1, 1)
    assert dropped == [True]


@pytest.mark.parametrize("backend", BACKENDS)
def test_closing_the_client_closes_every_connection(backend: str) -> None:
    async def main() -> None:
        client = stack_client(max_connections=10)
        await gather(4, lambda: client.get(server.url))
        await client.aclose()

    with RawServer(keep_alive) as server:
        go(backend, main)
        assert all(conn.client_closed.wait(5) for conn in server.conns)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_failed_connect_frees_its_place(backend: str) -> None:
    import socket

    with socket.socket() as spare:  # a port nothing listens on
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]

    async def main() -> Any:
        async with stack_client(max_connections=1) as client:
            for _ in range(3):
                with pytest.raises(httpx.ConnectError):
                    await client.get(f"http://127.0.0.1:{port}")
            return pool_of(client)._in_use, len(pool_of(client).connections)

    assert go(backend, main) == (0, 0)


def stalled_completion(release: threading.Event, saw: threading.Event) -> Any:
    """The first reply's body stops halfway until ``release``; the others are whole."""

    def answer(seen: Seen, conn: Conn) -> bool:
        if len(conn.server.seen) == 1:
            saw.set()
            conn.send(json_head(length=len(COMPLETION)) + COMPLETION[:10])
            release.wait(10)
            return conn.send(COMPLETION[10:])
        return conn.send(json_head(length=len(COMPLETION)) + COMPLETION)

    return answer


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_sdk_reports_a_pool_timeout_as_its_own(backend: str) -> None:
    release, saw = threading.Event(), threading.Event()

    async def main() -> Any:
        transport = AsyncHttpxTransport()
        assert transport._direct is not None
        limited = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=1))
        transport._direct.transport._pool = AsyncStackPool(limited._pool)  # type: ignore[union-attr]
        api = Api("httpx-" + backend, AsyncMeshAPI(
            base_url=server.url, token=TOKEN, transport=transport, max_retries=0
        ))  # fmt: skip
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(api.create)  # holds the one connection until released
                await anyio.to_thread.run_sync(saw.wait, 5)
                with pytest.raises(APITimeoutError) as info:
                    await api.create(timeout=Timeout(5.0, pool=0.1))
                release.set()
            return info.value, (await api.create()).choices[0].message.content
        finally:
            await api.aclose()

    with RawServer(stalled_completion(release, saw)) as server:
        error, content = go(backend, main)
        opened = len(server.conns)
    assert error.error_code == "timeout"
    assert content == "hi"
    assert opened == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_deadline_bounds_a_wait_for_a_connection(backend: str) -> None:
    import time

    release, saw = threading.Event(), threading.Event()

    async def main() -> Any:
        transport = AsyncHttpxTransport()
        assert transport._direct is not None
        limited = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=1))
        transport._direct.transport._pool = AsyncStackPool(limited._pool)  # type: ignore[union-attr]
        api = Api("httpx-" + backend, AsyncMeshAPI(
            base_url=server.url, token=TOKEN, transport=transport, max_retries=0
        ))  # fmt: skip
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(api.create)  # holds the one connection until released
                await anyio.to_thread.run_sync(saw.wait, 5)
                started = time.monotonic()
                with pytest.raises(APITimeoutError):
                    await api.create(timeout=Timeout(5.0, pool=5.0), deadline=0.3)
                took = time.monotonic() - started
                release.set()
            return took, transport._direct.transport._pool._in_use  # type: ignore[union-attr]
        finally:
            await api.aclose()

    with RawServer(stalled_completion(release, saw)) as server:
        took, in_use = go(backend, main)
    assert 0.3 <= took < 0.3 + 1.0  # the deadline, not the 5 s pool timeout
    assert in_use == 0
