"""Running one control-plane scenario on every transport, with a client of each realm.

A scenario is an ``async def`` taking :class:`Clients`: ``dp`` (a data-plane client on the
built-in ``rsk_`` key), ``admin`` (a control-plane client on the built-in ``mak_`` key) and
``jwt`` (a control-plane client on a dashboard session), all of one kind: blocking httpx,
async httpx on asyncio or trio, or aiohttp on asyncio. :func:`do` and :func:`every` let the
same scenario await an async call and take a blocking one as it is.
"""

from __future__ import annotations

import inspect
from typing import Any, Awaitable, Callable, List, TypeVar, Union

import anyio
import pytest

from meshapi import AsyncMeshAPI, AsyncMeshAPIAdmin, MeshAPI, MeshAPIAdmin
from meshapi.testing.pytest_plugin import GatewayFixture
from tests.contract.conftest import KINDS, backend_of, make_client

T = TypeVar("T")

AnyAdmin = Union[MeshAPIAdmin, AsyncMeshAPIAdmin]
AnyData = Union[MeshAPI, AsyncMeshAPI]


def make_admin(kind: str, base_url: str, token: str, **options: Any) -> Any:
    """A control-plane client of ``kind``."""
    if kind == "httpx-sync":
        return MeshAPIAdmin(base_url=base_url, token=token, **options)
    transport = "aiohttp" if kind.startswith("aiohttp") else "httpx"
    return AsyncMeshAPIAdmin(base_url=base_url, token=token, transport=transport, **options)


async def do(value: Any) -> Any:
    """``await`` what an async client returned; a blocking client's value as it is."""
    if inspect.isawaitable(value):
        return await value
    return value


async def every(pages: Any) -> List[Any]:
    """Every item of a list call, walking every page."""
    if hasattr(pages, "__aiter__"):
        return [item async for item in pages]
    return list(pages)


class Clients:
    """One client per realm, all of one kind; ``any`` holds every client."""

    def __init__(self, kind: str, gw: GatewayFixture, **options: Any) -> None:
        self.kind = kind
        self.gw = gw
        self.dp: Any = make_client(kind, gw.base_url, gw.token, **options)
        self.admin: Any = make_admin(kind, gw.base_url, gw.admin_token, **options)
        self.jwt: Any = make_admin(kind, gw.base_url, gw.jwt, **options)
        self.extra: List[Any] = []

    def admin_client(self, token: str) -> Any:
        """Another control-plane client of this kind (closed with the others)."""
        client = make_admin(self.kind, self.gw.base_url, token)
        self.extra.append(client)
        return client

    def data_client(self, token: str) -> Any:
        """Another data-plane client of this kind (closed with the others)."""
        client = make_client(self.kind, self.gw.base_url, token)
        self.extra.append(client)
        return client

    async def aclose(self) -> None:
        for client in (self.dp, self.admin, self.jwt, *self.extra):
            await do(client.close() if hasattr(client, "close") else client.aclose())


Scenario = Callable[[Clients], Awaitable[T]]


class Runner:
    """Runs a scenario for one kind against one emulator."""

    def __init__(self, kind: str, gw: GatewayFixture) -> None:
        self.kind = kind
        self.gw = gw

    def __call__(self, scenario: Scenario[T], **options: Any) -> T:
        async def main() -> T:
            clients = Clients(self.kind, self.gw, **options)
            try:
                return await scenario(clients)
            finally:
                await clients.aclose()

        return anyio.run(main, backend=backend_of(self.kind))


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def run(kind: str, meshapi_gateway: GatewayFixture) -> Runner:
    return Runner(kind, meshapi_gateway)
