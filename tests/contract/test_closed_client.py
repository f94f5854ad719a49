"""A closed client says so, in the SDK's own words, on every transport."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from meshapi import ClientContextError, MeshAPI
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import PARAMS, backend_of, make_client


def test_a_call_on_a_closed_client_is_refused(kind: str, meshapi_gateway: GatewayFixture) -> None:
    async def scenario() -> Any:
        client = make_client(kind, meshapi_gateway.base_url, meshapi_gateway.token)
        if isinstance(client, MeshAPI):
            client.chat.completions.create(PARAMS)
            client.close()
            with pytest.raises(ClientContextError, match="closed") as info:
                client.chat.completions.create(PARAMS)
        else:
            await client.chat.completions.create(PARAMS)
            await client.aclose()
            with pytest.raises(ClientContextError, match="closed") as info:
                await client.chat.completions.create(PARAMS)
        return info.value

    error = anyio.run(scenario, backend=backend_of(kind))
    assert isinstance(error, RuntimeError)
    assert error.__cause__ is None and error.__context__ is None
    assert len(meshapi_gateway.gateway.requests) == 1
