"""The plugin's ready-made clients: pointed at the emulator, retrying without real waits."""

from __future__ import annotations

import time
from typing import Any, Dict

import anyio
import pytest

from meshapi import AsyncMeshAPI, MeshAPI, RateLimitError
from meshapi.testing import faults
from meshapi.testing.pytest_plugin import GatewayFixture

PARAMS: Dict[str, Any] = {"model": "mesh/echo", "messages": [{"role": "user", "content": "hi"}]}


def test_meshapi_client_retries_without_waiting(
    meshapi_client: MeshAPI, meshapi_gateway: GatewayFixture
) -> None:
    gateway = meshapi_gateway.gateway
    gateway.inject(faults.Status(429, retry_after=30), times=3)
    started = time.monotonic()
    reply = meshapi_client.chat.completions.create(**PARAMS)
    assert time.monotonic() - started < 5  # three Retry-After: 30 waits, none slept
    assert reply.choices[0].message.content == "hi"
    assert [r.status for r in gateway.requests] == [429, 429, 429, 200]
    gateway.inject(faults.Status(503), times=10)
    with pytest.raises(Exception) as info:
        meshapi_client.models.list()
    assert info.value.status_code == 503
    assert len(gateway.requests) == 4 + 4  # the usual three retries, then the error


def test_meshapi_client_keeps_the_refusal_of_long_waits(
    meshapi_client: MeshAPI, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.inject(faults.Status(429, retry_after=3600))
    with pytest.raises(RateLimitError):
        meshapi_client.chat.completions.create(**PARAMS)
    assert len(meshapi_gateway.gateway.requests) == 1


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_meshapi_async_client_retries_without_waiting(
    meshapi_async_client: AsyncMeshAPI, meshapi_gateway: GatewayFixture, backend: str
) -> None:
    gateway = meshapi_gateway.gateway
    gateway.inject(faults.Status(503, retry_after=30), times=2)

    async def call() -> str:
        first = await meshapi_async_client.chat.completions.create(**PARAMS)
        second = await meshapi_async_client.models.get("mesh/echo")
        return f"{first.choices[0].message.content} {second.id}"

    started = time.monotonic()
    assert anyio.run(call, backend=backend) == "hi mesh/echo"
    assert time.monotonic() - started < 5
    assert [r.status for r in gateway.requests] == [503, 503, 200, 200]
    assert meshapi_gateway.server.wait_for_open_connections(0)  # nothing left to close
