"""Calling any method the same way on every client kind, and clients on a fake clock.

``call(api, lambda c: c.templates.get(tid))`` runs the method on whichever client the
scenario got (awaiting it on the async ones); ``walk`` iterates a list method's items with
``for`` or ``async for``. ``FakeTimeRunner`` runs a scenario with a client whose sleeps move
the emulator's :class:`~meshapi.testing.FakeClock` instead of waiting, and whose runtime
reads that clock: waits that would take minutes take none, and every timestamp the gateway
records is exact.
"""

from __future__ import annotations

import inspect
import itertools
from typing import Any, Awaitable, Callable, List, Optional, TypeVar, Union

import anyio

from meshapi import AsyncMeshAPI, MeshAPI
from meshapi.testing import FakeClock
from meshapi.testing.pytest_plugin import GatewayFixture
from meshapi_core.calls import Runtime
from meshapi_core.http import Request
from meshapi_core.transport import AsyncStreamResponse, AsyncTransport, StreamResponse, Transport

from .conftest import Api, backend_of

T = TypeVar("T")


async def call(api: Api, method: Callable[[Any], Any]) -> Any:
    """``method(client)``, awaited when the client is async."""
    result = method(api.client)
    if inspect.isawaitable(result):
        return await result
    return result


async def walk(api: Api, method: Callable[[Any], Any]) -> List[Any]:
    """Every item of a list method, page after page (``for`` or ``async for``)."""
    if api.is_sync:
        return list(method(api.client))
    return [item async for item in method(api.client)]


class FakeSleep:
    """A blocking transport whose ``sleep`` advances ``clock`` instead of waiting."""

    def __init__(self, inner: Transport, clock: FakeClock) -> None:
        self.inner = inner
        self.clock = clock

    def open_stream(self, request: Request) -> StreamResponse:
        return self.inner.open_stream(request)

    def sleep(self, seconds: float) -> None:
        self.clock.sleep(seconds)

    def close(self) -> None:
        self.inner.close()


class AsyncFakeSleep:
    """An async transport whose ``sleep`` advances ``clock`` instead of waiting."""

    def __init__(self, inner: AsyncTransport, clock: FakeClock) -> None:
        self.inner = inner
        self.clock = clock

    async def open_stream(self, request: Request) -> AsyncStreamResponse:
        return await self.inner.open_stream(request)

    async def sleep(self, seconds: float) -> None:
        await self.clock.async_sleep(seconds)

    async def aclose(self) -> None:
        await self.inner.aclose()


def fake_runtime(clock: FakeClock) -> Runtime:
    """A runtime on ``clock``: no jitter surprises (random is 0.5), counted keys."""
    keys = itertools.count()
    return Runtime(clock.time, clock.time, lambda: 0.5, lambda: f"key-{next(keys)}")


class FakeTimeRunner:
    """Runs a scenario for one client kind, on the emulator's fake clock."""

    def __init__(self, kind: str, gw: GatewayFixture, clock: FakeClock) -> None:
        self.kind = kind
        self.gw = gw
        self.clock = clock

    def __call__(
        self,
        scenario: Callable[[Api], Awaitable[T]],
        *,
        token: Optional[str] = None,
        **settings: Any,
    ) -> T:
        token = token or self.gw.token

        async def main() -> T:
            runtime = fake_runtime(self.clock)
            client: Union[MeshAPI, AsyncMeshAPI]
            if self.kind == "httpx-sync":
                from meshapi_httpx import HttpxTransport

                sync = FakeSleep(HttpxTransport(), self.clock)
                client = MeshAPI(
                    base_url=self.gw.base_url,
                    token=token,
                    transport=sync,
                    runtime=runtime,
                    **settings,
                )
                closing: Callable[[], Any] = sync.close
            else:
                inner: AsyncTransport
                if self.kind.startswith("aiohttp"):
                    from meshapi_aiohttp import AiohttpTransport

                    inner = AiohttpTransport()
                else:
                    from meshapi_httpx import AsyncHttpxTransport

                    inner = AsyncHttpxTransport()
                wrapped = AsyncFakeSleep(inner, self.clock)
                client = AsyncMeshAPI(
                    base_url=self.gw.base_url,
                    token=token,
                    transport=wrapped,
                    runtime=runtime,
                    **settings,
                )
                closing = wrapped.aclose
            try:
                return await scenario(Api(self.kind, client))
            finally:
                done = closing()
                if inspect.isawaitable(done):
                    await done

        return anyio.run(main, backend=backend_of(self.kind))
