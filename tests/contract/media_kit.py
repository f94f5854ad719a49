"""A client of every kind for the media scenarios, whose waits move the emulator's clock.

The media scenarios run like the contract suite's (one ``async def`` per behaviour, on the
blocking httpx client, async httpx under asyncio and trio, and aiohttp), against an emulator
whose clock is a :class:`~meshapi.testing.FakeClock`. The clients get the same clock as
their runtime and a transport whose ``sleep`` advances it: a retry's backoff or a video
wait's poll interval takes no real time, and a video task moves on as the SDK waits for it.
"""

from __future__ import annotations

import inspect
import os
import random
from typing import Any, Awaitable, Callable, Dict, List, Optional, TypeVar, Union

import anyio
import anyio.lowlevel

from meshapi import AsyncMeshAPI, MeshAPI
from meshapi.testing import FakeClock
from meshapi.testing.pytest_plugin import GatewayFixture
from meshapi_core.calls import Runtime
from meshapi_core.http import Request

from .conftest import backend_of

T = TypeVar("T")


class SleepMovesClock:
    """A blocking transport whose ``sleep`` advances ``clock`` instead of waiting."""

    def __init__(self, inner: Any, clock: FakeClock) -> None:
        self.inner = inner
        self.clock = clock
        self.slept: List[float] = []

    def open_stream(self, request: Request) -> Any:
        return self.inner.open_stream(request)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)

    def close(self) -> None:
        self.inner.close()


class AsyncSleepMovesClock:
    """The async twin of :class:`SleepMovesClock`."""

    def __init__(self, inner: Any, clock: FakeClock) -> None:
        self.inner = inner
        self.clock = clock
        self.slept: List[float] = []

    async def open_stream(self, request: Request) -> Any:
        return await self.inner.open_stream(request)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)
        await anyio.lowlevel.checkpoint()

    async def aclose(self) -> None:
        await self.inner.aclose()


def runtime_of(clock: FakeClock) -> Runtime:
    return Runtime(
        clock=clock.time,
        wall_clock=clock.time,
        random=random.Random(7).random,
        new_idempotency_key=lambda: os.urandom(8).hex(),
    )


def make_client(kind: str, gw: GatewayFixture, **options: Any) -> Union[MeshAPI, AsyncMeshAPI]:
    clock = gw.gateway.clock
    assert isinstance(clock, FakeClock)
    token = options.pop("token", gw.token)
    if kind == "httpx-sync":
        from meshapi_httpx import HttpxTransport

        return MeshAPI(
            base_url=gw.base_url,
            token=token,
            transport=SleepMovesClock(HttpxTransport(), clock),
            runtime=runtime_of(clock),
            **options,
        )
    if kind.startswith("aiohttp"):
        from meshapi_aiohttp import AiohttpTransport

        inner: Any = AiohttpTransport()
    else:
        from meshapi_httpx import AsyncHttpxTransport

        inner = AsyncHttpxTransport()
    return AsyncMeshAPI(
        base_url=gw.base_url,
        token=token,
        transport=AsyncSleepMovesClock(inner, clock),
        runtime=runtime_of(clock),
        **options,
    )


class Api:
    """One client of some kind; methods are reached by name and awaited when async."""

    def __init__(self, kind: str, client: Union[MeshAPI, AsyncMeshAPI], gw: GatewayFixture):
        self.kind = kind
        self.client = client
        self.gw = gw

    @property
    def gateway(self) -> Any:
        return self.gw.gateway

    @property
    def transport(self) -> Any:
        return self.client._transport

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """``client.<name>(*args, **kwargs)``, awaited if it returns an awaitable."""
        target: Any = self.client
        for part in name.split("."):
            target = getattr(target, part)
        result = target(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    def open(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """``client.<name>(...)`` not awaited: a stream object."""
        target: Any = self.client
        for part in name.split("."):
            target = getattr(target, part)
        return target(*args, **kwargs)

    async def each(self, iterable: Any) -> List[Any]:
        """Every item of a stream or pages, sync or async."""
        if hasattr(iterable, "__aiter__"):
            return [item async for item in iterable]
        return list(iterable)

    async def run(self, value: Any) -> Any:
        """``value`` awaited if it is awaitable (a byte stream's ``read()``, ``write_to()``)."""
        return await value if inspect.isawaitable(value) else value

    async def aclose(self) -> None:
        if isinstance(self.client, MeshAPI):
            self.client.close()
            self.client._transport.close()
        else:
            await self.client.aclose()
            await self.client._transport.aclose()


Scenario = Callable[[Api], Awaitable[T]]


class Runner:
    """Runs a scenario for one kind against one emulator (with a fake clock)."""

    def __init__(self, kind: str, gw: GatewayFixture) -> None:
        self.kind = kind
        self.gw = gw

    def __call__(self, scenario: Scenario[T], **options: Any) -> T:
        async def main() -> T:
            api = Api(self.kind, make_client(self.kind, self.gw, **options), self.gw)
            try:
                return await scenario(api)
            finally:
                await api.aclose()

        return anyio.run(main, backend=backend_of(self.kind))


def headers_of(entry: Any) -> Dict[str, str]:
    return dict(entry.headers)


def requests_to(gw: GatewayFixture, prefix: str, method: Optional[str] = None) -> List[Any]:
    return [
        r
        for r in gw.gateway.requests
        if r.path.startswith(prefix) and (method is None or r.method == method)
    ]
