"""``client.responses``: create, stream (typed events, terminal event), list (cursor pages),
get, background jobs on the emulator's clock, structured output, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from meshapi import (
    NotFoundError,
    RateLimitError,
    ResponseDecodeError,
    ResponsesDeltaEvent,
    ResponsesLifecycleEvent,
    ResponsesListItem,
    ResponsesOutputItemEvent,
    ResponsesParams,
    ResponsesResponse,
    ResponsesStreamEvent,
    UnprocessableEntityError,
)
from meshapi.testing import FakeClock
from meshapi.testing._routes.responses import DONE_SECONDS, FAIL_MARKER, QUEUED_SECONDS
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import Api, Runner, call, collect, first_page, walk

MODEL = "openai/gpt-4o-mini"


def clock_of(gateway: GatewayFixture) -> FakeClock:
    clock = gateway.gateway.clock
    assert isinstance(clock, FakeClock)
    return clock


def test_create(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        return await call(api, "responses.create", model=MODEL, input="What is 2+2?")

    reply = run(scenario)
    assert isinstance(reply, ResponsesResponse)
    assert reply.status == "completed"
    assert reply.output_text == "2 + 2 = 4."
    assert reply.usage is not None and reply.usage.total_tokens == 9
    assert reply.id and reply.id.startswith("resp_")
    assert reply.model_extra is not None and reply.model_extra["background"] is False
    request = meshapi_gateway.gateway.last_request
    assert request is not None
    assert request.json == {"input": "What is 2+2?", "model": MODEL}
    assert request.headers["idempotency-key"]


def test_create_with_params_object_and_upstream_timeout(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    params = ResponsesParams(
        model=MODEL,
        input=[{"role": "user", "content": [{"type": "input_text", "text": "Count to 3."}]}],
        instructions="Be brief.",
        upstream_timeout=30,
    )

    async def scenario(api: Api) -> Any:
        return await call(api, "responses.create", params, timeout=10)

    assert run(scenario).output_text == "1, 2, 3."
    request = meshapi_gateway.gateway.last_request
    assert request is not None and request.json is not None
    assert request.json["timeout"] == 30
    assert request.json["instructions"] == "Be brief."


def test_stream_is_typed_and_ends_on_the_terminal_event(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.script_reply("one two three")

    async def scenario(api: Api) -> Any:
        events = await collect(api, "responses.stream", model=MODEL, input="hi")
        return events, api.last_stream.completed

    events, completed = run(scenario)
    assert completed
    assert all(isinstance(e, ResponsesStreamEvent) for e in events)
    assert isinstance(events[0], ResponsesLifecycleEvent)
    assert events[0].type == "response.created"
    assert events[0].response is not None and events[0].response.status == "in_progress"
    deltas = [e for e in events if isinstance(e, ResponsesDeltaEvent)]
    assert "".join(e.delta for e in deltas) == "one two three"
    assert any(isinstance(e, ResponsesOutputItemEvent) for e in events)
    last = events[-1]
    assert last.type == "response.completed"
    assert last.response is not None and last.response.output_text == "one two three"
    assert [e.sequence_number for e in events] == list(range(1, len(events) + 1))
    # An event type no model names still arrives, with every field.
    part = next(e for e in events if e.type == "response.content_part.added")
    assert type(part) is ResponsesStreamEvent
    assert part.model_extra is not None and part.model_extra["part"]["type"] == "output_text"
    request = meshapi_gateway.gateway.last_request
    assert request is not None and request.json is not None
    assert request.json["stream"] is True
    assert "idempotency-key" not in request.headers


def test_stream_cut_to_max_output_tokens_ends_incomplete(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        return await collect(
            api, "responses.stream", model=MODEL, input="Count to 50.", max_output_tokens=3
        )

    events = run(scenario)
    assert events[-1].type == "response.incomplete"
    assert events[-1].response.status == "incomplete"
    assert len([e for e in events if e.type == "response.output_text.delta"]) == 3


def test_tool_call_output(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_tool_call("get_weather", {"city": "Paris"}, times=2)
    tools = [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}]

    async def scenario(api: Api) -> Any:
        whole = await call(api, "responses.create", model=MODEL, input="Weather?", tools=tools)
        events = await collect(api, "responses.stream", model=MODEL, input="Weather?", tools=tools)
        return whole, events

    whole, events = run(scenario)
    assert whole.output[0]["type"] == "function_call"
    assert json.loads(whole.output[0]["arguments"]) == {"city": "Paris"}
    pieces = [e.delta for e in events if e.type == "response.function_call_arguments.delta"]
    assert json.loads("".join(pieces)) == {"city": "Paris"}


def test_structured_output_follows_the_schema(run: Runner) -> None:
    schema = {
        "type": "object",
        "properties": {
            "answer": {"type": "string"},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "tags": {"type": "array", "items": {"enum": ["math", "other"]}, "minItems": 1},
        },
        "required": ["answer", "confidence", "tags"],
        "additionalProperties": False,
    }
    text = {"format": {"type": "json_schema", "name": "reply", "schema": schema, "strict": True}}

    async def scenario(api: Api) -> Any:
        return await call(api, "responses.create", model=MODEL, input="What is 2+2?", text=text)

    assert json.loads(run(scenario).output_text) == {
        "answer": "2 + 2 = 4.",
        "confidence": 0,
        "tags": ["math"],
    }


def test_background_job_moves_on_the_clock_and_is_listed(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    clock = clock_of(meshapi_gateway)

    async def scenario(api: Api) -> Any:
        job = await call(
            api, "responses.create", model=MODEL, input="What is 3*3?", background=True
        )
        seen = [job.status]
        listed = await first_page(api, "responses.list")
        clock.advance(QUEUED_SECONDS)
        seen.append((await call(api, "responses.get", job.id)).status)
        clock.advance(DONE_SECONDS)
        done = await call(api, "responses.get", job.id)
        after = await first_page(api, "responses.list")
        return job, seen, listed, done, after

    job, seen, listed, done, after = run(scenario)
    assert seen == ["queued", "in_progress"]
    assert job.output == []
    assert done.status == "completed"
    assert done.output_text == "3 * 3 = 9."
    assert [item.id for item in listed.data] == [job.id]
    assert isinstance(listed.data[0], ResponsesListItem)
    assert listed.data[0].status == "queued" and listed.data[0].usage_synced is False
    assert after.data[0].status == "completed"
    assert after.data[0].usage_synced is True
    assert after.data[0].completed_at == after.data[0].created_at + int(DONE_SECONDS)


def test_web_search_preview_becomes_a_background_job(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        return await call(
            api,
            "responses.create",
            model=MODEL,
            input="News?",
            tools=[{"type": "web_search_preview"}],
        )

    job = run(scenario)
    assert job.status == "queued"
    assert job.model_extra is not None and job.model_extra["background"] is True


def test_failed_background_job(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    clock = clock_of(meshapi_gateway)

    async def scenario(api: Api) -> Any:
        job = await call(
            api, "responses.create", model=MODEL, input=f"x {FAIL_MARKER}", background=True
        )
        clock.advance(DONE_SECONDS)
        return await call(api, "responses.get", job.id)

    failed = run(scenario)
    assert failed.status == "failed"
    assert failed.model_extra is not None
    assert failed.model_extra["error"]["code"] == "provider_job_failed"


def test_list_walks_every_page_by_cursor(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    clock = clock_of(meshapi_gateway)

    async def scenario(api: Api) -> Any:
        ids = []
        for n in range(5):
            job = await call(
                api, "responses.create", model=MODEL, input=f"job {n}", background=True
            )
            ids.append(job.id)
            clock.advance(1)
        page = await first_page(api, "responses.list", limit=2)
        everything = await walk(api, "responses.list", limit=2)
        return ids, page, everything

    ids, page, everything = run(scenario)
    newest_first = list(reversed(ids))
    assert [i.id for i in page.data] == newest_first[:2]
    assert page.has_more and page.last_id == newest_first[1] and page.first_id == newest_first[0]
    assert [i.id for i in everything] == newest_first
    afters = [
        r.query.get("after")
        for r in meshapi_gateway.gateway.requests
        if r.method == "GET" and r.path == "/v1/responses"
    ]
    assert afters[-3:] == [None, [newest_first[1]], [newest_first[3]]]


def test_too_many_active_background_jobs(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        for n in range(10):
            await call(api, "responses.create", model=MODEL, input=f"{n}", background=True)
        with pytest.raises(RateLimitError) as caught:
            await call(api, "responses.create", model=MODEL, input="x", background=True)
        return caught.value

    assert "10 background" in str(run(scenario, max_retries=0))


def test_get_unknown_and_bad_ids(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(NotFoundError):
            await call(api, "responses.get", "resp_nope")
        with pytest.raises(ValueError, match="response_id"):
            await call(api, "responses.get", "..")

    run(scenario)


def test_previous_response_id(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        first = await call(api, "responses.create", model="mesh/echo", input="remember me")
        second = await call(
            api,
            "responses.create",
            model="mesh/echo",
            input="and this",
            previous_response_id=first.id,
        )
        with pytest.raises(NotFoundError) as missing:
            await call(
                api, "responses.create", model=MODEL, input="x", previous_response_id="resp_x"
            )
        return second, missing.value

    second, missing = run(scenario)
    assert second.output_text == "and this"
    assert missing.error_code == "resource_not_found"
    entry = meshapi_gateway.gateway.requests[-2]
    assert [m["content"] for m in entry.messages] == ["remember me", "remember me", "and this"]


def test_stream_of_a_background_request_is_refused(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(Exception) as caught:
            await collect(api, "responses.stream", model=MODEL, input="x", background=True)
        return caught.value

    error = run(scenario)
    assert getattr(error, "status", None) == 400


def test_validation(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(UnprocessableEntityError) as server:
            await call(api, "responses.create", extra_body={"max_output_tokens": 0}, input="x")
        with pytest.raises(ValueError, match="max_output_tokens"):
            await call(api, "responses.create", input="x", max_output_tokens=0)
        with pytest.raises(ValueError, match="stream"):
            await call(api, "responses.create", {"input": "x", "stream": True})
        return server.value

    error = run(scenario)
    assert error.details[0]["loc"] == ["body", "max_output_tokens"]


def test_a_json_answer_to_a_stream_request_is_reported(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(ResponseDecodeError):
            await collect(
                api,
                "responses.stream",
                model=MODEL,
                input="x",
                tools=[{"type": "web_search_preview"}],
            )

    run(scenario)
