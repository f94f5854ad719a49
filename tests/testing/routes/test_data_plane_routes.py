"""The data-plane routes of the emulator, Sans-IO: validation errors in the gateway's shapes,
determinism, and fault injection on every new route."""

from __future__ import annotations

import json
from typing import Any, Dict, Tuple

import pytest

from meshapi.testing import FakeClock, Gateway, faults

from .._helpers import gw_request, sse_data

ROUTES = {
    "/v1/responses": {"model": "openai/gpt-4o-mini", "input": "hi"},
    "/v1/embeddings": {"model": "openai/text-embedding-3-small", "input": "hi"},
    "/v1/chat/compare": {
        "models": ["openai/gpt-4o-mini", "mesh/echo"],
        "messages": [{"role": "user", "content": "hi"}],
    },
    "/v1/moderations": {"input": "hi"},
    "/v1/web/search": {"query": "hi"},
    "/v1/router/select": {"messages": [{"role": "user", "content": "hi"}]},
    "/v1/messages": {
        "model": "anthropic/claude-haiku-4.5",
        "max_tokens": 16,
        "messages": [{"role": "user", "content": "hi"}],
    },
}
STREAMS = ("/v1/responses", "/v1/chat/compare", "/v1/messages")


def make() -> Gateway:
    return Gateway(clock=FakeClock(), seed=3)


def post(gateway: Gateway, path: str, body: Any, token: str = "") -> Tuple[int, Any]:
    plan = gateway.handle(gw_request("POST", path, token or gateway.token, body))
    raw = plan.read_body()
    return plan.status, json.loads(raw) if raw else None


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_every_route_answers_deterministically(path: str) -> None:
    first, second = make(), make()
    assert post(first, path, ROUTES[path]) == post(second, path, ROUTES[path])
    assert post(first, path, ROUTES[path])[0] == 200


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_every_route_needs_a_data_plane_key(path: str) -> None:
    gateway = make()
    status, body = post(gateway, path, ROUTES[path], token=gateway.admin_token)
    assert status == 403 and body["error"]["code"] == "forbidden"
    plan = gateway.handle(gw_request("POST", path, None, ROUTES[path]))
    assert plan.status == 401


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_injected_faults_reach_every_route(path: str) -> None:
    gateway = make()
    gateway.inject(faults.Status(503), route=path)
    status, body = post(gateway, path, ROUTES[path])
    assert status == 503 and body["error"]["code"] == "provider_not_available"
    gateway.inject(faults.Malformed(), route=path)
    plan = gateway.handle(gw_request("POST", path, gateway.token, ROUTES[path]))
    with pytest.raises(ValueError):
        json.loads(plan.read_body())


@pytest.mark.parametrize("path", STREAMS)
def test_streams_can_be_cut_and_carry_error_frames(path: str) -> None:
    gateway = make()
    body = {**ROUTES[path], "stream": True}
    gateway.inject(faults.ErrorFrame(after_events=1, code="upstream_error"), route=path)
    plan = gateway.handle(gw_request("POST", path, gateway.token, body))
    frames = sse_data(plan.read_body())
    assert len(frames) == 2
    assert json.loads(frames[-1])["error"]["code"] == "upstream_error"


# -- validation: 422 in the gateway's envelope, Anthropic's 400 for messages --------------------

INVALID: Dict[str, Tuple[Dict[str, Any], Tuple[str, ...]]] = {
    "responses: no input": ({"model": "openai/gpt-4o-mini"}, ("body", "input")),
    "responses: bad max_tool_calls": (
        {"input": "x", "max_tool_calls": 11},
        ("body", "max_tool_calls"),
    ),
    "embeddings: no input": ({"model": "openai/text-embedding-3-small"}, ("body", "input")),
    "embeddings: bad encoding": (
        {"input": "x", "encoding_format": "hex"},
        ("body", "encoding_format"),
    ),
    "compare: one model": ({"models": ["a/b"], "messages": [{"role": "user"}]}, ("body", "models")),
    "moderations: number input": ({"input": 5}, ("body", "input")),
    "web: empty query": ({"query": ""}, ("body", "query")),
    "web: too many results": ({"query": "x", "max_results": 21}, ("body", "max_results")),
    "router: no messages": ({"messages": []}, ("body", "messages")),
    "router: bad api_type": (
        {"messages": [{"role": "user"}], "api_type": "x"},
        ("body", "api_type"),
    ),
}
PATHS = {
    "responses": "/v1/responses",
    "embeddings": "/v1/embeddings",
    "compare": "/v1/chat/compare",
    "moderations": "/v1/moderations",
    "web": "/v1/web/search",
    "router": "/v1/router/select",
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_validation_errors(case: str) -> None:
    body, loc = INVALID[case]
    status, reply = post(make(), PATHS[case.split(":")[0]], body)
    assert status == 422
    assert reply["error"]["code"] == "validation_error"
    assert tuple(reply["error"]["details"][0]["loc"]) == loc


def test_messages_schema_errors_use_the_anthropic_envelope() -> None:
    gateway = make()
    status, reply = post(gateway, "/v1/messages", {"messages": [{"role": "user", "content": "x"}]})
    assert status == 400
    assert reply["type"] == "error"
    assert reply["error"] == {
        "type": "invalid_request_error",
        "message": "max_tokens: Field required",
    }
    for broken in (b"{not json", b""):
        status, reply = post(gateway, "/v1/messages", broken)
        assert status == 400
        assert reply["error"] == {
            "type": "invalid_request_error",
            "message": "There was an error parsing the body",
        }


def test_messages_error_event() -> None:
    gateway = make()
    body = {**ROUTES["/v1/messages"], "stream": True}
    body["messages"] = [{"role": "user", "content": "[[error:api_error]]"}]
    plan = gateway.handle(gw_request("POST", "/v1/messages", gateway.token, body))
    text = plan.read_body().decode()
    assert "event: error\n" in text
    assert json.loads(sse_data(text.encode())[-1]) == {
        "type": "error",
        "error": {"type": "api_error", "message": "Forced api_error for testing."},
    }


def test_responses_list_validates_limit() -> None:
    gateway = make()
    for target, kind in (("/v1/responses?limit=0", "greater_than_equal"),
                         ("/v1/responses?limit=x", "int_parsing"),
                         ("/v1/responses?limit=101", "less_than_equal")):  # fmt: skip
        plan = gateway.handle(gw_request("GET", target, gateway.token))
        reply = json.loads(plan.read_body())
        assert plan.status == 422 and reply["error"]["details"][0]["type"] == kind


def test_responses_are_per_owner() -> None:
    gateway = make()
    _, created = post(gateway, "/v1/responses", ROUTES["/v1/responses"])
    other = gateway.add_key(owner="usr_other")
    plan = gateway.handle(gw_request("GET", f"/v1/responses/{created['id']}", other))
    assert plan.status == 404
    plan = gateway.handle(gw_request("GET", f"/v1/responses/{created['id']}", gateway.token))
    assert plan.status == 200


def test_unstored_responses_are_not_gettable() -> None:
    gateway = make()
    _, created = post(gateway, "/v1/responses", {**ROUTES["/v1/responses"], "store": False})
    plan = gateway.handle(gw_request("GET", f"/v1/responses/{created['id']}", gateway.token))
    assert plan.status == 404


def test_responses_stream_has_no_done_marker() -> None:
    gateway = make()
    body = {**ROUTES["/v1/responses"], "stream": True}
    frames = sse_data(
        gateway.handle(gw_request("POST", "/v1/responses", gateway.token, body)).read_body()
    )
    assert "[DONE]" not in frames
    assert json.loads(frames[-1])["type"] == "response.completed"


def test_compare_stream_ends_with_done() -> None:
    gateway = make()
    body = {**ROUTES["/v1/chat/compare"], "stream": True}
    plan = gateway.handle(gw_request("POST", "/v1/chat/compare", gateway.token, body))
    text = plan.read_body().decode()
    assert text.startswith("event: start\n")
    assert text.endswith("data: [DONE]\n\n")


def test_chat_json_schema_answer() -> None:
    gateway = make()
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 2}},
              "required": ["n"], "additionalProperties": False}  # fmt: skip
    body = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "x"}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "n", "schema": schema}}}  # fmt: skip
    _, reply = post(gateway, "/v1/chat/completions", body)
    assert json.loads(reply["choices"][0]["message"]["content"]) == {"n": 2}
    frames = sse_data(gateway.handle(
        gw_request("POST", "/v1/chat/completions", gateway.token, {**body, "stream": True})
    ).read_body())  # fmt: skip
    text = "".join(
        c["choices"][0]["delta"].get("content", "")
        for c in map(json.loads, frames[:-1])
        if c["choices"]
    )
    assert json.loads(text) == {"n": 2}
    gateway.script_reply("scripted wins")
    _, reply = post(gateway, "/v1/chat/completions", body)
    assert reply["choices"][0]["message"]["content"] == "scripted wins"
