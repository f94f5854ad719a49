"""What openai-python and anthropic-sdk users reach for on day one, on every transport:
raw responses, request ids on replies, stream helpers, refused mistakes, shared pools,
hooks and logs, and errors that name their field."""

from __future__ import annotations

import builtins
import inspect
import logging
from typing import Any, Dict, List

import pytest

from meshapi import (
    AsyncMeshAPI,
    AsyncRawResponse,
    ChatCompletion,
    ChatCompletionParams,
    InvalidArgumentError,
    MeshAPI,
    RawResponse,
    RetryPolicy,
    StreamInterruptedError,
    UnprocessableEntityError,
)
from meshapi.testing import faults
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import PARAMS, Api, Runner, in_thread

CHAT = "/v1/chat/completions"
KEYWORDS: Dict[str, Any] = {
    "model": "openai/gpt-4o-mini",
    "messages": [{"role": "user", "content": "Say hello."}],
}
OUT_OF_RANGE = ChatCompletionParams.model_validate({**KEYWORDS, "extra_body": {"temperature": 9}})


ANEXT = getattr(builtins, "anext", lambda iterator: iterator.__anext__())  # 3.10+: the builtin


async def resolve(value: Any) -> Any:
    """The value of a call of either client: awaited for the async one."""
    return await value if inspect.isawaitable(value) else value


async def close(value: Any) -> None:
    await resolve(value.close() if hasattr(value, "close") else value.aclose())


# -- raw responses -------------------------------------------------------------------------------


def test_raw_create(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_reply("Hello there, friend.")

    async def scenario(api: Api) -> Any:
        raw = await resolve(api.client.chat.completions.with_raw_response.create(PARAMS))
        return raw, await resolve(raw.parse())

    raw, completion = run(scenario)
    assert isinstance(raw, (RawResponse, AsyncRawResponse))
    logged = meshapi_gateway.gateway.last_request
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("application/json")
    assert raw.request_id == logged.request_id
    assert (raw.attempts, raw.retries_taken) == (1, 0)
    assert raw.elapsed.total_seconds() > 0
    assert (raw.method, raw.url) == ("POST", meshapi_gateway.url(CHAT))
    assert isinstance(completion, ChatCompletion)
    assert completion.choices[0].message.content == "Hello there, friend."
    assert completion.request_id == raw.request_id
    assert raw.json()["id"] == completion.id
    assert "Hello there" in raw.text


def test_raw_counts_the_retries_a_call_took(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Status(503, retry_after=30), route=CHAT, times=2)

    async def scenario(api: Api) -> Any:
        return await resolve(api.client.chat.completions.with_raw_response.create(PARAMS))

    raw = run(scenario, retry=RetryPolicy.for_testing())
    assert (raw.attempts, raw.retries_taken, raw.status_code) == (3, 2, 200)
    assert raw.elapsed.total_seconds() < 5  # Retry-After: 30, twice, and no wait at all
    assert raw.request_id == meshapi_gateway.gateway.last_request.request_id


def test_raw_stream_gives_the_head_before_the_first_event(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.inject(faults.Stall(after_events=0), route=CHAT)
    server = meshapi_gateway.server

    async def scenario(api: Api) -> Any:
        raw = await resolve(api.client.chat.completions.with_raw_response.stream(PARAMS))
        stream = await resolve(raw.parse())
        seen = (raw.status_code, raw.headers["content-type"], raw.request_id, stream.headers)
        closed = server.closed_connections
        await close(raw)
        assert await in_thread(server.wait_for_closed_connections, closed + 1)
        return seen

    status, content_type, request_id, headers = run(scenario)  # no event ever came
    assert status == 200
    assert content_type.startswith("text/event-stream")
    assert request_id == meshapi_gateway.gateway.last_request.request_id
    assert headers["x-request-id"] == request_id


def test_raw_on_lists_pages_and_gets(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    page_body = {"items": [{"id": "openai/gpt-4o"}], "total": 1, "limit": 2, "offset": 0}
    meshapi_gateway.gateway.inject(faults.Status(200, body=page_body), route="/v1/models/search")

    async def scenario(api: Api) -> Any:
        models = api.client.models.with_raw_response
        listed = await resolve(models.list())
        page = await resolve(models.search(q="gpt", limit=2))
        got = await resolve(models.get("openai/gpt-4o-mini"))
        return [(raw, await resolve(raw.parse())) for raw in (listed, page, got)]

    (listed, catalog), (page_raw, page), (got_raw, model) = run(scenario)
    assert catalog and all(m.request_id == listed.request_id for m in catalog)
    assert page_raw.url.endswith("/v1/models/search?q=gpt&limit=2")
    assert [m.id for m in page.data] == ["openai/gpt-4o"]
    assert page.request_id == page_raw.request_id
    assert model.id == "openai/gpt-4o-mini"
    assert model.request_id == got_raw.request_id
    assert [r.request_id for r in meshapi_gateway.gateway.requests] == [
        listed.request_id, page_raw.request_id, got_raw.request_id,
    ]  # fmt: skip


def test_raw_view_refuses_what_is_not_a_method(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        view = api.client.chat.completions.with_raw_response
        for name in ("_request", "no_such_method"):
            with pytest.raises(AttributeError):
                getattr(view, name)
        with pytest.raises(AttributeError, match="WebSocket"):  # nothing is opened
            _ = api.client.realtime.with_raw_response.connect
        return repr(view)

    assert "Completions" in run(scenario)
    assert meshapi_gateway.server.accepted_connections == 0


# -- request ids on every reply -------------------------------------------------------------------


def test_every_reply_knows_its_request_id(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        client = api.client
        return [
            await resolve(client.chat.completions.create(**KEYWORDS)),
            await resolve(client.models.get("mesh/echo")),
            (await resolve(client.models.list()))[0],
        ]

    replies = run(scenario)
    ids = [r.request_id for r in meshapi_gateway.gateway.requests]
    assert [r.request_id for r in replies] == ids
    assert all(ids)


# -- stream helpers -------------------------------------------------------------------------------


def test_stream_text_and_final(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_reply("one two three four", times=3)

    async def scenario(api: Api) -> Any:
        completions = api.client.chat.completions
        pieces: List[str] = []
        stream = completions.stream(PARAMS)
        async_text = stream.text()
        if api.is_sync:
            pieces.extend(async_text)
        else:
            async for piece in async_text:
                pieces.append(piece)
        final = await resolve(stream.final())
        direct = await resolve(completions.stream(PARAMS).get_final_completion())
        partly = completions.stream(PARAMS)  # one event by hand, then the rest for final()
        first = next(partly) if api.is_sync else await ANEXT(partly)
        rest = await resolve(partly.final())
        return pieces, final, stream.request_id, direct, first, rest

    pieces, final, request_id, direct, first, rest = run(scenario)
    assert pieces == ["one", " two", " three", " four"]
    assert final.choices[0].message.content == "one two three four"
    assert final.choices[0].finish_reason == "stop"
    assert final.usage is not None and final.usage.total_tokens
    assert final.request_id == request_id
    assert direct.choices[0].message.content == "one two three four"
    assert first.choices[0].delta.content == "one"
    assert rest.choices[0].message.content == "one two three four"


def test_final_of_a_stream_closed_early_is_an_error(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.script_reply(chunks=50)

    async def scenario(api: Api) -> Any:
        stream = api.client.chat.completions.stream(PARAMS)
        await resolve(stream.open())
        await close(stream)
        with pytest.raises(RuntimeError, match="closed"):
            await resolve(stream.final())

    run(scenario)


def test_stream_options_are_sent_by_stream_and_refused_by_create(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        completions = api.client.chat.completions
        with pytest.raises(InvalidArgumentError) as refused:
            await resolve(completions.create(**KEYWORDS, stream_options={"include_usage": True}))
        final = await resolve(
            completions.stream(**KEYWORDS, stream_options={"include_usage": True}).final()
        )
        return refused.value, final

    refused, final = run(scenario)
    assert refused.param == "stream_options"
    assert final.usage is not None
    (request,) = meshapi_gateway.gateway.requests
    assert request.json["stream_options"] == {"include_usage": True}
    assert request.json["stream"] is True


def test_a_stream_flag_the_method_contradicts_is_refused_before_sending(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    # create(..., stream=True) as a keyword streams (tests/compat); in the params it is refused
    async def scenario(api: Api) -> Any:
        completions = api.client.chat.completions
        refused = []
        for call in (
            lambda: completions.create({**KEYWORDS, "stream": True}),
            lambda: completions.stream(**KEYWORDS, stream=False),
        ):
            with pytest.raises(InvalidArgumentError) as info:
                await resolve(call())
            refused.append(info.value)
        return refused

    for error in run(scenario):
        assert error.param == "stream"
        assert isinstance(error, ValueError)
    assert meshapi_gateway.gateway.requests == []


# -- with_options -----------------------------------------------------------------------------------


def test_with_options_shares_the_pool_and_closing_it_leaves_the_parent_open(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    server = meshapi_gateway.server

    async def scenario(api: Api) -> Any:
        client = api.client
        await resolve(client.chat.completions.create(PARAMS))
        derived = client.with_options(timeout=5, max_retries=0, headers={"x-team": "blue"})
        assert isinstance(derived, (MeshAPI, AsyncMeshAPI))
        assert derived._transport is client._transport
        await resolve(derived.chat.completions.create(PARAMS))
        await close(derived)
        await resolve(client.chat.completions.create(PARAMS))
        return server.accepted_connections

    assert run(scenario) == 1  # three calls, one connection: the pool is shared
    first, second, third = meshapi_gateway.gateway.requests
    assert "x-team" not in first.headers
    assert second.headers["x-team"] == "blue"
    assert "x-team" not in third.headers


# -- hooks and logs --------------------------------------------------------------------------------


def test_hooks_see_requests_responses_retries_and_stream_ends(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.inject(faults.Status(503, retry_after=5), route=CHAT, times=1)
    seen: List[Any] = []
    hooks = {name: [seen.append] for name in ("request", "response", "retry", "stream_end")}

    async def scenario(api: Api) -> Any:
        await api.create()
        return len(await api.chunks())

    chunks = run(scenario, event_hooks=hooks, retry=RetryPolicy.for_testing())
    kinds = [type(e).__name__ for e in seen]
    assert kinds == [
        "RequestEvent", "ResponseEvent", "RetryEvent", "RequestEvent", "ResponseEvent",
        "RequestEvent", "ResponseEvent", "StreamEndEvent",
    ]  # fmt: skip
    failed, retry, ok = seen[1], seen[2], seen[4]
    assert (failed.status, failed.attempt, failed.error.error_code) == (
        503,
        1,
        "provider_not_available",
    )
    assert (retry.attempt, retry.wait, retry.reason) == (1, 0.0, "HTTP 503 provider_not_available")
    assert (ok.status, ok.attempt) == (200, 2)
    logged = meshapi_gateway.gateway.requests
    assert ok.request_id == logged[1].request_id
    end = seen[-1]
    assert end.completed and end.events == chunks and end.request_id == logged[2].request_id
    assert all(e.path == CHAT for e in seen)


def test_a_hook_that_raises_does_not_break_the_call(
    run: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: Any) -> None:
        raise ValueError("metrics are down")

    async def scenario(api: Api) -> Any:
        return await api.create()

    with caplog.at_level(logging.WARNING, logger="meshapi"):
        assert run(scenario, event_hooks={"response": [broken]}).choices
    assert any("hook" in r.getMessage() and r.exc_info for r in caplog.records)


def test_logs_never_hold_a_secret(
    run: Runner, meshapi_gateway: GatewayFixture, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = meshapi_gateway.gateway
    gateway.inject(faults.Status(429, retry_after=1), route=CHAT, times=1)
    provider_secret = "sk-provider-SECRET-123"
    options = {"extra_headers": {"x-provider-key": provider_secret}}

    async def scenario(api: Api) -> Any:
        await api.create(**options)
        gateway.inject(faults.Drop(after_events=2), route=CHAT)
        with pytest.raises(StreamInterruptedError):
            await api.chunks(**options)
        with pytest.raises(UnprocessableEntityError):  # the gateway's 422
            await api.create(OUT_OF_RANGE, **options)

    with caplog.at_level(logging.DEBUG, logger="meshapi"):
        run(scenario, retry=RetryPolicy.for_testing())
    lines = [r.getMessage() for r in caplog.records if r.name == "meshapi"]
    text = "\n".join(lines)
    assert "Retrying POST /v1/chat/completions in 0 s (attempt 1 failed: HTTP 429" in text
    assert "POST /v1/chat/completions -> 200" in text
    assert "Stream POST /v1/chat/completions ended, interrupted" in text
    assert "Sending POST /v1/chat/completions (attempt 2)" in text
    for record in caplog.records:
        rendered = record.getMessage() + repr(record.__dict__)
        assert meshapi_gateway.token not in rendered
        assert provider_secret not in rendered


# -- errors name the field -------------------------------------------------------------------------


def test_a_gateway_422_prints_which_field(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(UnprocessableEntityError) as info:
            await api.create(OUT_OF_RANGE)
        return info.value

    error = run(scenario)
    assert "temperature" in str(error)
    assert error.status_code == 422
    assert error.body["error"]["code"] == "validation_error"
    assert error.headers["x-request-id"] == error.request_id


# -- Responses and Messages streams fold into their whole reply -------------------------------------


def test_responses_stream_text_and_final(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_reply("Paris is the capital.", times=2)
    fields = {"model": "openai/gpt-4o-mini", "input": "Capital of France?"}

    async def scenario(api: Api) -> Any:
        responses = api.client.responses
        whole = await resolve(responses.create(**fields))
        stream = responses.stream(**fields)
        pieces: List[str] = []
        if api.is_sync:
            pieces.extend(stream.text())
        else:
            async for piece in stream.text():
                pieces.append(piece)
        return whole, pieces, await resolve(stream.get_final_response()), stream.request_id

    whole, pieces, final, request_id = run(scenario)
    assert "".join(pieces) == "Paris is the capital."
    assert type(final) is type(whole)
    assert final.status == "completed"
    assert final.output_text == whole.output_text == "Paris is the capital."
    assert final.request_id == request_id


def test_messages_stream_text_and_final(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_reply("Bonjour tout le monde", times=2)
    fields = {
        "model": "anthropic/claude-haiku-4.5",
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "Say hello in French."}],
    }

    async def scenario(api: Api) -> Any:
        messages = api.client.messages
        whole = await resolve(messages.create(**fields))
        stream = messages.stream(**fields)
        pieces: List[str] = []
        if api.is_sync:
            pieces.extend(stream.text())
        else:
            async for piece in stream.text():
                pieces.append(piece)
        return whole, pieces, await resolve(stream.get_final_message())

    whole, pieces, final = run(scenario)
    assert "".join(pieces) == "Bonjour tout le monde"
    assert type(final) is type(whole)
    keep = {"role", "content", "stop_reason", "model"}
    assert final.model_dump(include=keep) == whole.model_dump(include=keep)
    assert final.usage is not None and final.usage.output_tokens == whole.usage.output_tokens


def test_messages_stream_tool_use_input_is_assembled(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.script_tool_call("get_weather", {"city": "Paris"}, chunks=3, times=2)
    fields = {
        "model": "anthropic/claude-haiku-4.5",
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}],
    }

    async def scenario(api: Api) -> Any:
        messages = api.client.messages
        whole = await resolve(messages.create(**fields))
        return whole, await resolve(messages.stream(**fields).final())

    whole, final = run(scenario)
    tool = [b for b in final.content if b.type == "tool_use"]
    assert tool and tool[0].input == {"city": "Paris"} and tool[0].name == "get_weather"
    assert final.stop_reason == whole.stop_reason == "tool_use"
    blocks = [b.model_dump(exclude={"id"}) for b in final.content]
    assert blocks == [b.model_dump(exclude={"id"}) for b in whole.content]
