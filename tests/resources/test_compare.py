"""``client.compare``: per-model failures are data, the SSE event name is kept, ``[DONE]``
ends the stream, and only every model failing is an error."""

from __future__ import annotations

from typing import Any

import pytest

from meshapi import CompareParams, CompareResponse, CompareStreamEvent, ServerError
from meshapi.testing import faults
from meshapi.testing._routes.compare import COMPARISON_MODEL, TIMEOUT_MODEL
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import Api, Runner, call, collect

A, B = "openai/gpt-4o-mini", "mesh/echo"
HELLO = [{"role": "user", "content": "Say hi."}]


def test_create_with_a_failing_model(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        return await call(api, "compare.create", models=[A, B, TIMEOUT_MODEL], messages=HELLO)

    reply = run(scenario)
    assert isinstance(reply, CompareResponse)
    assert reply.comparison_id and reply.comparison_id.startswith("cmp_")
    assert reply.models == [A, B, TIMEOUT_MODEL]
    by_model = {r.model: r for r in reply.results}
    assert by_model[B].content == "Say hi." and by_model[B].error is None
    assert by_model[TIMEOUT_MODEL].error == "Model timed out after 120 s."
    assert by_model[TIMEOUT_MODEL].error_code == "gateway_timeout"
    assert by_model[TIMEOUT_MODEL].latency_ms == 120_000
    assert reply.partial is True
    assert reply.comparison and reply.comparison_model == COMPARISON_MODEL
    assert reply.comparison_usage is not None and reply.comparison_usage.total_tokens
    request = meshapi_gateway.gateway.last_request
    assert request is not None and request.json is not None and "stream" not in request.json


def test_skip_comparison(run: Runner) -> None:
    params = CompareParams.model_validate(
        {"models": [A, B], "messages": HELLO, "skip_comparison": True}
    )

    async def scenario(api: Api) -> Any:
        return await call(api, "compare.create", params)

    reply = run(scenario)
    assert reply.comparison is None and reply.skip_comparison is True and reply.partial is False


def test_stream_keeps_event_names_and_string_errors_are_data(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        events = await collect(
            api,
            "compare.stream",
            models=[A, B, "nope/missing"],
            messages=HELLO,
            skip_comparison=True,
        )
        return events, api.last_stream.completed

    events, completed = run(scenario)
    assert completed
    assert all(isinstance(e, CompareStreamEvent) for e in events)
    names = [e.event for e in events]
    assert names[0] == "start" and names[-1] == "done"
    failure = next(e for e in events if e.event == "model_error")
    assert failure.model == "nope/missing"
    assert failure.error == "Model 'nope/missing' not found."
    assert failure.error_code == "model_not_found"
    text = "".join(e.delta or "" for e in events if e.event == "delta" and e.model == B)
    assert text == "Say hi."
    assert events[-1].partial is True
    request = meshapi_gateway.gateway.last_request
    assert request is not None and request.json is not None and request.json["stream"] is True


def test_stream_with_comparison(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        return await collect(api, "compare.stream", models=[A, B], messages=HELLO)

    events = run(scenario)
    done = [e for e in events if e.event == "model_done"]
    assert {e.model: e.model_extra["content"] for e in done}[B] == "Say hi."  # type: ignore[index]
    comparison = "".join(e.delta or "" for e in events if e.event == "delta")
    assert comparison.startswith("Compared 2 answers")
    assert any(e.event == "comparison_done" for e in events)


def test_error_frame_mid_stream_is_a_failure(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.ErrorFrame(after_events=2), route="/v1/chat/compare")

    async def scenario(api: Api) -> Any:
        with pytest.raises(ServerError) as caught:
            await collect(api, "compare.stream", models=[A, B], messages=HELLO)
        return caught.value

    assert run(scenario).error_code == "upstream_error"


def test_every_model_failing_is_an_error(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(ServerError) as caught:
            await call(api, "compare.create", models=[TIMEOUT_MODEL, "nope/x"], messages=HELLO)
        return caught.value

    error = run(scenario, max_retries=0)
    assert error.error_code == "all_models_failed"
    assert [d["model"] for d in error.details] == [TIMEOUT_MODEL, "nope/x"]


def test_two_models_at_least(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(ValueError, match="models"):
            await call(api, "compare.create", models=[A], messages=HELLO)
        with pytest.raises(ValueError, match="stream"):
            await call(api, "compare.create", models=[A, B], messages=HELLO, stream=True)

    run(scenario)
