"""``client.messages``: Anthropic-shaped create and stream, the Anthropic error envelope,
and Anthropic ``error`` events in a stream."""

from __future__ import annotations

import json
from typing import Any

import pytest

from meshapi import (
    AuthenticationError,
    BadRequestError,
    ContentBlockDeltaEvent,
    MessageDeltaEvent,
    MessagesPingEvent,
    MessagesResponse,
    MessageStartEvent,
    MessageStopEvent,
    NotFoundError,
    ServerError,
    StreamInterruptedError,
)
from meshapi.testing import faults
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import Api, Runner, call, collect

MODEL = "anthropic/claude-haiku-4.5"
HELLO = [{"role": "user", "content": "What is 3*4?"}]


def test_create(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        return await call(
            api, "messages.create", model=MODEL, max_tokens=64, messages=HELLO, system="Be terse."
        )

    message = run(scenario)
    assert isinstance(message, MessagesResponse)
    assert message.type == "message" and message.role == "assistant"
    assert message.text == "3 * 4 = 12."
    assert message.content[0].type == "text"
    assert message.stop_reason == "end_turn"
    assert message.usage is not None and message.usage.output_tokens == 5
    request = meshapi_gateway.gateway.last_request
    assert request is not None
    assert request.headers["authorization"] == f"Bearer {meshapi_gateway.token}"
    assert request.json == {
        "max_tokens": 64,
        "messages": HELLO,
        "model": MODEL,
        "system": "Be terse.",
    }


def test_stream(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_reply("alpha beta gamma")

    async def scenario(api: Api) -> Any:
        events = await collect(api, "messages.stream", model=MODEL, max_tokens=64, messages=HELLO)
        return events, api.last_stream.completed

    events, completed = run(scenario)
    assert completed
    assert [e.type for e in events] == [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_delta",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert isinstance(events[0], MessageStartEvent) and events[0].message is not None
    assert events[0].message.model == MODEL
    assert isinstance(events[2], MessagesPingEvent)
    deltas = [e for e in events if isinstance(e, ContentBlockDeltaEvent)]
    assert "".join(e.delta.text or "" for e in deltas if e.delta) == "alpha beta gamma"
    final = events[-2]
    assert isinstance(final, MessageDeltaEvent) and final.delta is not None
    assert final.delta.stop_reason == "end_turn"
    assert isinstance(events[-1], MessageStopEvent)
    request = meshapi_gateway.gateway.last_request
    assert request is not None and request.json is not None and request.json["stream"] is True


def test_tool_use(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_tool_call("get_weather", {"city": "Oslo"}, times=2)
    tools = [{"name": "get_weather", "input_schema": {"type": "object"}}]

    async def scenario(api: Api) -> Any:
        whole = await call(
            api, "messages.create", model=MODEL, max_tokens=64, messages=HELLO, tools=tools
        )
        events = await collect(
            api, "messages.stream", model=MODEL, max_tokens=64, messages=HELLO, tools=tools
        )
        return whole, events

    whole, events = run(scenario)
    assert whole.stop_reason == "tool_use"
    assert whole.content[0].type == "tool_use" and whole.content[0].input == {"city": "Oslo"}
    partial = "".join(e.delta.partial_json or "" for e in events if e.type == "content_block_delta")
    assert json.loads(partial) == {"city": "Oslo"}


def test_schema_errors_are_400_in_the_anthropic_envelope(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(BadRequestError) as caught:
            await call(
                api, "messages.create", max_tokens=1, messages=HELLO, extra_body={"top_k": -1}
            )
        return caught.value

    error = run(scenario)
    assert error.status == 400
    assert error.error_code == "invalid_request_error"
    assert "top_k" in error.message
    assert error.request_id == meshapi_gateway.gateway.last_request.request_id


def test_other_errors_in_the_anthropic_envelope(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(NotFoundError) as missing:
            await call(api, "messages.create", model="nope/x", max_tokens=1, messages=HELLO)
        with pytest.raises(ServerError) as overloaded:
            await call(
                api,
                "messages.create",
                model=MODEL,
                max_tokens=1,
                messages=[{"role": "user", "content": "[[error:overloaded_error]]"}],
            )
        return missing.value, overloaded.value

    missing, overloaded = run(scenario, max_retries=0)
    assert missing.error_code == "not_found_error"
    assert overloaded.status == 529 and overloaded.error_code == "overloaded_error"


def test_auth_errors_before_the_route_keep_the_gateway_envelope(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(AuthenticationError):
            await call(api, "messages.create", model=MODEL, max_tokens=1, messages=HELLO)

    run(scenario, token="rsk_unknown")


def test_error_event_raises_the_typed_error(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        got = []
        stream = api.client.messages.stream(
            model=MODEL,
            max_tokens=64,
            messages=[{"role": "user", "content": "[[error:overloaded_error]]"}],
        )
        with pytest.raises(ServerError) as caught:
            if api.is_sync:
                for event in stream:
                    got.append(event)
            else:
                async with stream:
                    async for event in stream:
                        got.append(event)
        return got, caught.value, stream

    got, error, stream = run(scenario)
    assert [e.type for e in got] == ["message_start"]
    assert error.error_code == "overloaded_error"
    assert error.request_id == stream.request_id
    assert not stream.completed


def test_stream_cut_before_message_stop_is_interrupted(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.inject(faults.Drop(after_events=4), route="/v1/messages")

    async def scenario(api: Api) -> Any:
        with pytest.raises(StreamInterruptedError):
            await collect(api, "messages.stream", model=MODEL, max_tokens=64, messages=HELLO)

    run(scenario)


def test_client_side_checks(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(ValueError, match="max_tokens"):
            await call(api, "messages.create", model=MODEL, messages=HELLO)
        with pytest.raises(ValueError, match="role"):
            await call(
                api,
                "messages.create",
                max_tokens=5,
                messages=[{"role": "system", "content": "x"}],
            )

    run(scenario)
