"""Per-area tests of the data plane, each scenario on every transport (see
``tests/contract/conftest.py``): the blocking httpx client, async httpx under asyncio and
trio, and aiohttp under asyncio, against the gateway emulator on 127.0.0.1.

The helpers below let one ``async def`` scenario call a method of either client kind:
``await call(api, "web.search", query="x")`` awaits only what the async client returns.
"""

from __future__ import annotations

import inspect
from operator import attrgetter
from typing import Any, Dict, List

import pytest

from meshapi.testing import FakeClock
from tests.contract.conftest import Api, Runner, kind, run  # noqa: F401

__all__ = ["Api", "Runner", "call", "collect", "first_page", "walk"]


@pytest.fixture
def meshapi_gateway_options() -> Dict[str, Any]:
    """A fake clock, so background jobs move only when a test advances it."""
    return {"clock": FakeClock()}


async def call(api: Api, method: str, *args: Any, **kwargs: Any) -> Any:
    """``client.<method>(*args, **kwargs)``, awaited on the async client."""
    result = attrgetter(method)(api.client)(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


async def collect(api: Api, method: str, *args: Any, **kwargs: Any) -> List[Any]:
    """Every event of the stream ``client.<method>(...)`` returns; keeps the stream in
    ``api.last_stream``."""
    stream = api.last_stream = attrgetter(method)(api.client)(*args, **kwargs)
    if api.is_sync:
        with stream:
            return list(stream)
    async with stream:
        return [event async for event in stream]


async def first_page(api: Api, method: str, *args: Any, **kwargs: Any) -> Any:
    """The first page of a list method (fetched by the blocking client, awaited here)."""
    return await call(api, method, *args, **kwargs)


async def walk(api: Api, method: str, *args: Any, **kwargs: Any) -> List[Any]:
    """Every item of every page of a list method."""
    pages = attrgetter(method)(api.client)(*args, **kwargs)
    if api.is_sync:
        return list(pages)
    return [item async for item in pages]
