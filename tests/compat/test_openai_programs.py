"""openai-python programs run unchanged (import and construction aside) against the emulator:
the blocking ones on httpx, the async ones under asyncio and under trio.

The programs live in ``openai_sync.py`` and ``openai_async.py``; a test here scripts the
emulator (a tool call, a fault, a hand-made reply), runs one, and checks both what it returned
and what reached the gateway.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, TypeVar
from unittest import mock

import anyio
import httpx
import pytest

from meshapi import (
    ChatCompletion,
    ChatCompletionMessage,
    ChatCompletionParams,
    Choice,
    MeshAPI,
    ResponseMessage,
)
from meshapi.testing import faults
from meshapi.testing.pytest_plugin import GatewayFixture

from . import openai_async, openai_sync

T = TypeVar("T")
CHAT = "/v1/chat/completions"
PARIS = {"city": "Paris"}


@pytest.fixture(params=["asyncio", "trio"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run_async(backend: str, program: Callable[..., Awaitable[T]], *args: Any) -> T:
    async def main() -> T:
        return await program(*args)

    return anyio.run(main, backend=backend)


def chat_requests(gw: GatewayFixture) -> List[Dict[str, Any]]:
    return [r.json for r in gw.gateway.requests if r.path == CHAT]


def check_tool_loop(gw: GatewayFixture, messages: List[Any], text: str) -> None:
    first, second = chat_requests(gw)
    assert first["messages"] == [messages[0]]
    sent = second["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool"]
    call = sent[1]["tool_calls"][0]
    assert call["function"] == {"name": "get_weather", "arguments": json.dumps(PARIS, separators=(",", ":"))}
    assert sent[2] == {
        "role": "tool",
        "tool_call_id": call["id"],
        "content": openai_sync.get_weather("Paris"),
    }
    assert isinstance(messages[1], ResponseMessage)  # appended as the reply gave it
    assert text and messages[-1].content == text


# --- the tool loop -------------------------------------------------------------------------


def test_tool_loop(meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_tool_call("get_weather", PARIS)
    messages, text = openai_sync.tool_loop(meshapi_gateway.base_url, meshapi_gateway.token)
    check_tool_loop(meshapi_gateway, messages, text)


def test_streamed_tool_loop(meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_tool_call("get_weather", PARIS, chunks=4)
    messages, text = openai_sync.streamed_tool_loop(meshapi_gateway.base_url, meshapi_gateway.token)
    check_tool_loop(meshapi_gateway, messages, text)


def test_async_tool_loop(backend: str, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_tool_call("get_weather", PARIS)
    messages, text = run_async(
        backend, openai_async.tool_loop, meshapi_gateway.base_url, meshapi_gateway.token
    )
    check_tool_loop(meshapi_gateway, messages, text)


GEMINI_CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
    "thought_signature": "CiQBcsjafQ==",
}
REASONING = [{"type": "reasoning.encrypted", "data": "gAAAAB", "id": "r1", "format": "google"}]


def test_a_reply_goes_back_with_everything_it_carried(meshapi_gateway: GatewayFixture) -> None:
    # A Gemini thinking model's reply: a thought_signature on the call, reasoning_details,
    # and a field this release does not know; all of it must travel back.
    reply = {
        "id": "chatcmpl-g",
        "object": "chat.completion",
        "model": "google/gemini-2.5-pro",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [GEMINI_CALL],
                    "reasoning_details": REASONING,
                    "annotations": [{"type": "note"}],
                },
            }
        ],
    }
    meshapi_gateway.gateway.inject(faults.Status(200, body=reply), route=CHAT)
    messages, _ = openai_sync.tool_loop(meshapi_gateway.base_url, meshapi_gateway.token)
    assistant = chat_requests(meshapi_gateway)[1]["messages"][1]
    assert assistant == {**reply["choices"][0]["message"]}  # type: ignore[index]
    sent_back = messages[1]
    assert isinstance(sent_back, ResponseMessage) and sent_back.tool_calls is not None
    assert sent_back.tool_calls[0].thought_signature == "CiQBcsjafQ=="


def test_a_streamed_reply_goes_back_with_everything_it_carried(
    meshapi_gateway: GatewayFixture,
) -> None:
    def frame(delta: Dict[str, Any], finish: Any = None) -> str:
        chunk = {"id": "c", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return f"data: {json.dumps(chunk)}\n\n"

    body = (
        frame({"role": "assistant", "reasoning_details": REASONING})
        + frame({"tool_calls": [{**GEMINI_CALL, "index": 0,
                                 "function": {"name": "get_weather", "arguments": '{"city":'}}]})
        + frame({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]})
        + frame({}, "tool_calls")
        + "data: [DONE]\n\n"
    )
    meshapi_gateway.gateway.inject(
        faults.Status(200, body=body, content_type="text/event-stream"), route=CHAT
    )
    openai_sync.streamed_tool_loop(meshapi_gateway.base_url, meshapi_gateway.token)
    assistant = chat_requests(meshapi_gateway)[1]["messages"][1]
    assert assistant["tool_calls"] == [GEMINI_CALL]
    assert assistant["reasoning_details"] == REASONING


def test_a_messages_reply_goes_back_as_it_is(meshapi_gateway: GatewayFixture) -> None:
    client = MeshAPI(api_key=meshapi_gateway.token, base_url=meshapi_gateway.base_url)
    model = "anthropic/claude-haiku-4.5"
    history: List[Any] = [{"role": "user", "content": "What is 3*4?"}]
    reply = client.messages.create(model=model, max_tokens=64, messages=history)
    client.messages.create(
        model=model, max_tokens=64, messages=[*history, reply, {"role": "user", "content": "+1?"}]
    )
    client.messages.create(
        model=model,
        max_tokens=64,
        messages=[*history, {"role": "assistant", "content": reply.content}],
    )
    client.close()
    _, second, third = (r.json for r in meshapi_gateway.gateway.requests)
    blocks = [{"type": "text", "text": reply.text}]
    assert second["messages"][1] == {"role": "assistant", "content": blocks}
    assert third["messages"][1] == {"role": "assistant", "content": blocks}


# --- structured outputs --------------------------------------------------------------------


def test_structured_output(meshapi_gateway: GatewayFixture) -> None:
    parsed, refusal = openai_sync.structured_output(meshapi_gateway.base_url, meshapi_gateway.token)
    assert isinstance(parsed, openai_sync.MathReasoning) and refusal is None
    assert parsed.steps and isinstance(parsed.steps[0], openai_sync.Step)
    sent = chat_requests(meshapi_gateway)[0]["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["strict"] is True
    assert sent["json_schema"]["name"] == "MathReasoning"
    schema = sent["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["steps", "final_answer"]
    step = schema["$defs"]["Step"]
    assert step["additionalProperties"] is False and step["required"] == ["explanation", "output"]


def test_structured_output_refused(meshapi_gateway: GatewayFixture) -> None:
    reply = {
        "id": "c",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": None, "refusal": "I can't help."},
            }
        ],
    }
    meshapi_gateway.gateway.inject(faults.Status(200, body=reply), route=CHAT)
    parsed, refusal = openai_sync.structured_output(meshapi_gateway.base_url, meshapi_gateway.token)
    assert (parsed, refusal) == (None, "I can't help.")


def test_structured_tools(meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_tool_call("GetDeliveryDate", {"order_id": "12345"})
    found = openai_sync.structured_tools(meshapi_gateway.base_url, meshapi_gateway.token)
    assert found == [openai_sync.GetDeliveryDate(order_id="12345")]
    (tool,) = chat_requests(meshapi_gateway)[0]["tools"]
    assert tool["function"]["strict"] is True
    assert tool["function"]["description"] == "Get the delivery date for a customer's order."
    assert tool["function"]["parameters"]["additionalProperties"] is False


def test_responses_structured(meshapi_gateway: GatewayFixture) -> None:
    event = openai_sync.responses_structured(meshapi_gateway.base_url, meshapi_gateway.token)
    assert isinstance(event, openai_sync.CalendarEvent)
    (request,) = meshapi_gateway.gateway.requests
    fmt = request.json["text"]["format"]
    assert (fmt["type"], fmt["name"], fmt["strict"]) == ("json_schema", "CalendarEvent", True)


def test_async_structured(backend: str, meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_tool_call("GetDeliveryDate", {"order_id": "7"})
    parsed, orders = run_async(
        backend, openai_async.structured, meshapi_gateway.base_url, meshapi_gateway.token
    )
    assert isinstance(parsed, openai_sync.MathReasoning)
    assert orders == ["7"]
    parsed_response, text = run_async(
        backend, openai_async.responses, meshapi_gateway.base_url, meshapi_gateway.token
    )
    assert isinstance(parsed_response, openai_sync.MathReasoning) and text == "2 + 2 = 4."


def test_a_model_class_given_to_create_is_explained(meshapi_gateway: GatewayFixture) -> None:
    client = MeshAPI(api_key=meshapi_gateway.token, base_url=meshapi_gateway.base_url)
    with pytest.raises(ValueError, match=r"use|\.parse\(") as refused:
        client.chat.completions.create(
            model=openai_sync.MODEL,
            messages=[{"role": "user", "content": "hi"}],
            response_format=openai_sync.MathReasoning,  # type: ignore[call-overload]
        )
    client.close()
    message = str(refused.value)
    assert "client.chat.completions.parse(..., response_format=MathReasoning)" in message
    assert "discriminator" not in message and "union_tag" not in message
    assert meshapi_gateway.gateway.requests == []


# --- streams -------------------------------------------------------------------------------


def test_stream_create(meshapi_gateway: GatewayFixture) -> None:
    text, total = openai_sync.stream_create(meshapi_gateway.base_url, meshapi_gateway.token)
    assert text == "1, 2, 3, 4, 5." and total is not None and total > 0
    (sent,) = chat_requests(meshapi_gateway)
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}


def test_async_stream_create(backend: str, meshapi_gateway: GatewayFixture) -> None:
    text, total = run_async(
        backend, openai_async.stream_create, meshapi_gateway.base_url, meshapi_gateway.token
    )
    assert text == "1, 2, 3, 4, 5." and total is not None
    text, final = run_async(
        backend, openai_async.stream_helper, meshapi_gateway.base_url, meshapi_gateway.token
    )
    assert text == final == "1, 2, 3."


def test_responses_stream(meshapi_gateway: GatewayFixture) -> None:
    assert openai_sync.responses_stream(meshapi_gateway.base_url, meshapi_gateway.token) == (
        "2 + 2 = 4."
    )


def test_stream_true_in_the_params_is_still_refused(meshapi_gateway: GatewayFixture) -> None:
    client = MeshAPI(api_key=meshapi_gateway.token, base_url=meshapi_gateway.base_url)
    params = ChatCompletionParams(model="auto", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(ValueError, match="create\\(\\.\\.\\., stream=True\\)"):
        client.chat.completions.create(params.model_copy(update={"stream": True}))
    assert isinstance(client.chat.completions.create(params, stream=True).final(), ChatCompletion)
    client.close()


# --- raw and streaming responses -----------------------------------------------------------


def test_raw_response(meshapi_gateway: GatewayFixture) -> None:
    status, request_id, content = openai_sync.raw_response(
        meshapi_gateway.base_url, meshapi_gateway.token
    )
    assert (status, content) == (200, "2 + 2 = 4.")
    assert request_id == meshapi_gateway.gateway.requests[0].request_id


def test_streaming_response(meshapi_gateway: GatewayFixture, tmp_path: Path) -> None:
    lines, size = openai_sync.streaming_response(
        meshapi_gateway.base_url, meshapi_gateway.token, tmp_path
    )
    assert lines[-1] == "data: [DONE]"
    assert all(line.startswith("data: ") for line in lines)
    assert size > 1000
    assert not list(tmp_path.glob("*.part"))
    server = meshapi_gateway.server
    assert server.wait_for_closed_connections(server.accepted_connections)


def test_async_raw_and_streaming(
    backend: str, meshapi_gateway: GatewayFixture, tmp_path: Path
) -> None:
    seen = run_async(
        backend,
        openai_async.raw_and_streaming,
        meshapi_gateway.base_url,
        meshapi_gateway.token,
        tmp_path,
    )
    assert seen["raw"] == (200, "2 + 2 = 4.")
    assert seen["parsed"] == (seen["request_id"], "2 + 2 = 4.")
    assert seen["lines"][-1] == "data: [DONE]"
    assert seen["size"] > 1000


# --- errors, audio, models, settings -------------------------------------------------------


def test_errors(meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Status(429, retry_after=7), route=CHAT)
    seen = openai_sync.errors(meshapi_gateway.base_url, meshapi_gateway.token)
    assert seen["not_found"] == (404, "model_not_found")
    assert seen["rate_limited"] == "7"
    assert seen["connection"] == "APIConnectionError"
    assert seen["conflict_is_a_bad_request"] is True


def test_server_errors_by_openai_names(meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Status(500), route=CHAT)
    assert openai_sync.errors(meshapi_gateway.base_url, meshapi_gateway.token)["server"] == 500
    meshapi_gateway.gateway.inject(faults.Status(409, code="conflict"), route=CHAT)
    seen = openai_sync.errors(meshapi_gateway.base_url, meshapi_gateway.token)
    assert seen["status"][0] == 409 and json.loads(seen["status"][1])["error"]["code"] == "conflict"


def test_audio(meshapi_gateway: GatewayFixture, tmp_path: Path) -> None:
    size, text, english = openai_sync.audio(meshapi_gateway.base_url, meshapi_gateway.token, tmp_path)
    assert size == (tmp_path / "speech.mp3").stat().st_size > 0
    assert text == english == "Today is a wonderful day."
    speech, transcription, translation = meshapi_gateway.gateway.requests
    assert (speech.path, speech.json["voice"]) == ("/v1/audio/speech", "alloy")
    assert transcription.path == "/v1/audio/transcriptions"
    assert translation.path == "/v1/audio/translations"


def test_async_errors_and_audio(backend: str, meshapi_gateway: GatewayFixture) -> None:
    seen = run_async(
        backend, openai_async.errors_and_audio, meshapi_gateway.base_url, meshapi_gateway.token
    )
    assert seen["not_found"] == 404
    assert seen["transcript"] == "Good morning."
    assert seen["models"] > 0 and seen["http_client_open"] is True


def test_models(meshapi_gateway: GatewayFixture) -> None:
    ids, model, as_dict, as_json = openai_sync.models(meshapi_gateway.base_url, meshapi_gateway.token)
    assert openai_sync.MODEL in ids and model == openai_sync.MODEL
    assert as_dict["id"] == model and json.loads(as_json) == as_dict


def test_client_settings(meshapi_gateway: GatewayFixture) -> None:
    answers = openai_sync.client_settings(meshapi_gateway.base_url, meshapi_gateway.token)
    assert answers == ["2 + 2 = 4."] * 3
    for request in meshapi_gateway.gateway.requests:
        assert request.headers["x-team"] == "compat"
        assert request.query["source"] == ["compat"]


# --- mocks ---------------------------------------------------------------------------------


def test_a_mocked_create_returns_a_hand_made_reply() -> None:
    # How openai users unit-test: patch the method, return a reply built by hand.
    client = MeshAPI(api_key="rsk_test", base_url="http://127.0.0.1:9")
    reply = ChatCompletion(
        id="chatcmpl-1",
        object="chat.completion",
        created=0,
        model=openai_sync.MODEL,
        choices=[
            Choice(
                index=0,
                finish_reason="stop",
                message=ChatCompletionMessage(role="assistant", content="mocked"),
            )
        ],
    )
    with mock.patch.object(client.chat.completions, "create", return_value=reply) as create:
        assert openai_sync.answer(client, "hi") == "mocked"
    create.assert_called_once()
    assert create.call_args.kwargs["messages"] == [{"role": "user", "content": "hi"}]
    client.close()


def test_an_httpx_mock_transport_answers_through_http_client() -> None:
    # The other way: an httpx client with a MockTransport, given as http_client.
    seen: List[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "id": "chatcmpl-2",
                "object": "chat.completion",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": "from the mock"},
                    }
                ],
            },
            headers={"x-request-id": "req_mock"},
        )

    http_client = httpx.Client(transport=httpx.MockTransport(handler))
    client = MeshAPI(api_key="rsk_test", base_url="https://api.meshapi.ai/v1", http_client=http_client)
    assert openai_sync.answer(client, "hi") == "from the mock"
    (request,) = seen
    assert request.url == "https://api.meshapi.ai/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer rsk_test"
    client.close()
    http_client.close()
