"""The contract suite: one set of scenarios, run on every transport and event loop.

Each scenario is an ``async def`` taking an :class:`Api`. The same scenario runs on the
blocking httpx client (whose calls simply block inside the scenario's loop), on the async
httpx client under asyncio and under trio, and on the aiohttp client under asyncio, against
the gateway emulator on 127.0.0.1. A behaviour that differs between transports fails here.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, TypeVar, Union

import anyio
import pytest

from meshapi import AsyncMeshAPI, ChatCompletion, ChatCompletionChunk, ChatCompletionParams, MeshAPI
from meshapi.testing.pytest_plugin import GatewayFixture

T = TypeVar("T")

KINDS = ["httpx-sync", "httpx-asyncio", "httpx-trio", "aiohttp-asyncio"]
ASYNC_KINDS = KINDS[1:]

PARAMS = ChatCompletionParams.model_validate(
    {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}
)


class Api:
    """One client of some kind, behind an async interface the scenarios share."""

    def __init__(self, kind: str, client: Union[MeshAPI, AsyncMeshAPI]) -> None:
        self.kind = kind
        self.client = client
        self.last_stream: Any = None

    @property
    def is_sync(self) -> bool:
        return isinstance(self.client, MeshAPI)

    async def create(self, params: ChatCompletionParams = PARAMS, **options: Any) -> ChatCompletion:
        if isinstance(self.client, MeshAPI):
            return self.client.chat.completions.create(params, **options)
        return await self.client.chat.completions.create(params, **options)

    async def chunks(
        self,
        params: ChatCompletionParams = PARAMS,
        *,
        stop_after: Optional[int] = None,
        **options: Any,
    ) -> List[ChatCompletionChunk]:
        """Stream, collecting chunks; with ``stop_after``, ``break`` after that many."""
        got: List[ChatCompletionChunk] = []
        if isinstance(self.client, MeshAPI):
            stream = self.last_stream = self.client.chat.completions.stream(params, **options)
            for chunk in stream:
                got.append(chunk)
                if stop_after is not None and len(got) >= stop_after:
                    break
            return got
        astream = self.last_stream = self.client.chat.completions.stream(params, **options)
        async with astream:  # async generators are closed late on break; `with` closes now
            async for chunk in astream:
                got.append(chunk)
                if stop_after is not None and len(got) >= stop_after:
                    break
        return got

    async def models(self) -> List[Any]:
        if isinstance(self.client, MeshAPI):
            return self.client.models.list()
        return await self.client.models.list()

    async def aclose(self) -> None:
        if isinstance(self.client, MeshAPI):
            self.client.close()
        else:
            await self.client.aclose()


def make_client(
    kind: str, base_url: str, token: str, **options: Any
) -> Union[MeshAPI, AsyncMeshAPI]:
    if kind == "httpx-sync":
        return MeshAPI(base_url=base_url, token=token, **options)
    transport = "aiohttp" if kind.startswith("aiohttp") else "httpx"
    return AsyncMeshAPI(base_url=base_url, token=token, transport=transport, **options)


def backend_of(kind: str) -> str:
    return "trio" if kind.endswith("trio") else "asyncio"


Scenario = Callable[[Api], Awaitable[T]]


class Runner:
    """Runs a scenario for one kind against one emulator."""

    def __init__(self, kind: str, gw: GatewayFixture) -> None:
        self.kind = kind
        self.gw = gw

    def __call__(self, scenario: Scenario[T], *, token: Optional[str] = None, **options: Any) -> T:
        async def main() -> T:
            api = Api(
                self.kind,
                make_client(self.kind, self.gw.base_url, token or self.gw.token, **options),
            )
            try:
                return await scenario(api)
            finally:
                await api.aclose()

        return anyio.run(main, backend=backend_of(self.kind))


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def run(kind: str, meshapi_gateway: GatewayFixture) -> Runner:
    return Runner(kind, meshapi_gateway)


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Call a blocking emulator helper (a wait on an event) without blocking the loop."""
    return await anyio.to_thread.run_sync(fn, *args)


def text_of(chunks: List[ChatCompletionChunk]) -> str:
    return "".join(c.choices[0].delta.content for c in chunks if c.choices)


Opts = Dict[str, Any]
AsyncChunks = AsyncIterator[ChatCompletionChunk]
