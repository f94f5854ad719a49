"""The hostile-server suite: one scenario, every transport.

A scenario is an ``async def`` taking an :class:`Api`; :func:`run` runs it on one *kind* of
client: the blocking httpx client (whose calls simply block inside the scenario's loop), the
async httpx client on asyncio and on trio, and the aiohttp client on asyncio, each against a
raw server on 127.0.0.1 (``_server.py``); and, where an emulator fault can play the hostile
server, the emulator's in-process transports, blocking and async.
"""

from __future__ import annotations

import inspect
import zlib
from functools import lru_cache
from typing import Any, Awaitable, Callable, List, Optional, TypeVar, Union

import anyio
import pytest

from meshapi import AsyncMeshAPI, ChatCompletionParams, MeshAPI
from meshapi.testing import AsyncInProcessTransport, InProcessTransport

T = TypeVar("T")

SOCKET_KINDS = ["httpx-sync", "httpx-asyncio", "httpx-trio", "aiohttp-asyncio"]
ASYNC_SOCKET_KINDS = SOCKET_KINDS[1:]
IN_PROCESS_KINDS = ["inproc-sync", "inproc-asyncio"]

TOKEN = "rsk_hostile_0123456789SECRET"
PARAMS = ChatCompletionParams.model_validate(
    {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
)

Client = Union[MeshAPI, AsyncMeshAPI]


def make_client(kind: str, base_url: str, token: str = TOKEN, **options: Any) -> Client:
    """A client of ``kind`` for ``base_url`` (the in-process kinds take a ``gateway``)."""
    options.setdefault("max_retries", 0)
    if kind == "inproc-sync":
        return MeshAPI(
            base_url=base_url, token=token, transport=InProcessTransport(options.pop("gateway")),
            **options,
        )  # fmt: skip
    if kind == "inproc-asyncio":
        transport = AsyncInProcessTransport(options.pop("gateway"))
        return AsyncMeshAPI(base_url=base_url, token=token, transport=transport, **options)
    if kind == "httpx-sync":
        return MeshAPI(base_url=base_url, token=token, **options)
    transport = "aiohttp" if kind.startswith("aiohttp") else "httpx"
    return AsyncMeshAPI(base_url=base_url, token=token, transport=transport, **options)


def backend_of(kind: str) -> str:
    return "trio" if kind.endswith("trio") else "asyncio"


class Api:
    """One client of some kind, behind an async interface the scenarios share."""

    def __init__(self, kind: str, client: Client) -> None:
        self.kind = kind
        self.client = client
        self.stream: Any = None

    @property
    def is_sync(self) -> bool:
        return isinstance(self.client, MeshAPI)

    async def call(self, method: Callable[[Any], Any]) -> Any:
        """``method(client)``, awaited when the client is async."""
        result = method(self.client)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def create(self, **options: Any) -> Any:
        return await self.call(lambda c: c.chat.completions.create(PARAMS, **options))

    async def chunks(self, *, stop_after: Optional[int] = None, **options: Any) -> List[Any]:
        """Stream a chat completion, collecting its chunks (``break`` after ``stop_after``)."""
        got: List[Any] = []
        stream = self.stream = self.client.chat.completions.stream(PARAMS, **options)
        if isinstance(self.client, MeshAPI):
            with stream:
                for item in stream:
                    got.append(item)
                    if stop_after is not None and len(got) >= stop_after:
                        break
            return got
        async with stream:
            async for item in stream:
                got.append(item)
                if stop_after is not None and len(got) >= stop_after:
                    break
        return got

    async def aclose(self) -> None:
        if isinstance(self.client, MeshAPI):
            self.client.close()
        else:
            await self.client.aclose()


Scenario = Callable[[Api], Awaitable[T]]


def run(kind: str, base_url: str, scenario: Scenario[T], **options: Any) -> T:
    """Run ``scenario`` on a fresh client of ``kind`` (closed afterwards)."""

    async def main() -> T:
        api = Api(kind, make_client(kind, base_url, **options))
        try:
            return await scenario(api)
        finally:
            await api.aclose()

    return anyio.run(main, backend=backend_of(kind))


@pytest.fixture(params=SOCKET_KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=ASYNC_SOCKET_KINDS)
def async_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def gzip_bomb(size: int, unit: bytes = b" ", prefix: bytes = b"") -> bytes:
    """``prefix`` then ``size`` bytes of ``unit``, gzip-compressed (about size / 1000)."""
    return _bomb(size, unit, prefix)


@lru_cache(maxsize=8)
def _bomb(size: int, unit: bytes, prefix: bytes) -> bytes:
    deflate = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = unit * ((1 << 20) // len(unit))
    out = [deflate.compress(prefix)]
    left = size
    while left > 0:
        piece = block[: min(left, len(block))]
        out.append(deflate.compress(piece))
        left -= len(piece)
    out.append(deflate.flush())
    return b"".join(out)
