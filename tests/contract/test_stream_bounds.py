"""A stream longer than max_response_size still streams, but is not kept whole."""

from __future__ import annotations

from typing import Any

import pytest

from meshapi import ResponseTooLargeError
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import PARAMS, Api, Runner


def test_a_long_stream_streams_but_final_is_refused(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.script_reply(chunks=400)

    async def scenario(api: Api) -> Any:
        stream = api.client.chat.completions.stream(PARAMS)
        if api.is_sync:
            count = sum(1 for _ in stream)
            with pytest.raises(ResponseTooLargeError) as refused:
                stream.final()
        else:
            count = 0
            async for _ in stream:
                count += 1
            with pytest.raises(ResponseTooLargeError) as refused:
                await stream.final()
        return count, stream.completed, refused.value

    count, completed, error = run(scenario, max_response_size=16 * 1024)
    assert count == 402 and completed  # every chunk, the finish and usage chunks
    assert error.error_code == "response_too_large" and "max_response_size" in error.message


def test_a_stream_within_the_bound_is_kept_whole(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.script_reply("one two three")

    async def scenario(api: Api) -> Any:
        stream = api.client.chat.completions.stream(PARAMS)
        if api.is_sync:
            return stream.final()
        return await stream.final()

    final = run(scenario, max_response_size=16 * 1024)
    assert final.choices[0].message.content == "one two three"
