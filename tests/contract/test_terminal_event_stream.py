"""The terminal-event stream kind on every transport: a Responses stream is complete on
``response.completed`` (no ``[DONE]`` follows), and a stream cut before it is interrupted."""

from __future__ import annotations

from typing import Any, List

import pytest

from meshapi import StreamInterruptedError
from meshapi.testing import faults
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import Api, Runner

ROUTE = "/v1/responses"
PARAMS = {"model": "openai/gpt-4o-mini", "input": "Say hello."}


async def events(api: Api) -> List[Any]:
    stream = api.last_stream = api.client.responses.stream(PARAMS)
    if api.is_sync:
        with stream:
            return list(stream)
    async with stream:
        return [event async for event in stream]


def test_complete_on_the_terminal_event(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_reply("hello there")

    async def scenario(api: Api) -> Any:
        return await events(api), api.last_stream

    got, stream = run(scenario)
    assert got[-1].type == "response.completed"
    assert stream.completed
    assert "".join(e.delta for e in got if e.type == "response.output_text.delta") == (
        "hello there"
    )
    assert stream.request_id == meshapi_gateway.gateway.last_request.request_id


@pytest.mark.parametrize("cut", [faults.Drop(after_events=4), faults.Reset(after_events=6)])
def test_cut_before_the_terminal_event(
    run: Runner, meshapi_gateway: GatewayFixture, cut: Any
) -> None:
    meshapi_gateway.gateway.inject(cut, route=ROUTE)

    async def scenario(api: Api) -> Any:
        with pytest.raises(StreamInterruptedError) as caught:
            await events(api)
        return caught.value, api.last_stream

    error, stream = run(scenario)
    assert not stream.completed
    assert error.request_id == meshapi_gateway.gateway.last_request.request_id
