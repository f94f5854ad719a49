"""The data-plane declarations and models, without I/O: params in every form, no client
defaults, typed stream events, terminal events, error frames and envelopes."""

from __future__ import annotations

import json
from typing import Any, List

import pydantic
import pytest

from meshapi_core.endpoint import CursorPaging, RetryClass, Send
from meshapi_core.endpoints import all_endpoints
from meshapi_core.endpoints.api_versions import API_VERSIONS_LIST
from meshapi_core.endpoints.compare import COMPARE_STREAM
from meshapi_core.endpoints.messages import MESSAGES_STREAM
from meshapi_core.endpoints.responses import (
    RESPONSES_CREATE,
    RESPONSES_GET,
    RESPONSES_LIST,
    RESPONSES_STREAM,
)
from meshapi_core.errors import (
    AuthenticationError,
    BadRequestError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    error_from_response,
    inband_error,
)
from meshapi_core.http import Response
from meshapi_core.models.compare import CompareParams
from meshapi_core.models.embeddings import EmbeddingsParams, MultimodalEmbeddingInput
from meshapi_core.models.messages import ContentBlockDeltaEvent, MessagesParams
from meshapi_core.models.moderations import ModerationInputItem, ModerationParams
from meshapi_core.models.responses import (
    BuiltinTool,
    ResponsesDeltaEvent,
    ResponsesFunctionTool,
    ResponsesLifecycleEvent,
    ResponsesParams,
    ResponsesResponse,
    ResponsesStreamEvent,
)
from meshapi_core.models.router import RouterSelectParams
from meshapi_core.models.web import WebSearchParams
from meshapi_core.params import bind, encode_json
from meshapi_core.streams import StreamDecoder

HEADERS = {"x-request-id": "req_hdr"}


def frame(obj: object, event: str = "") -> bytes:
    head = f"event: {event}\n".encode() if event else b""
    return head + b"data: " + json.dumps(obj).encode() + b"\n\n"


def feed(endpoint: Any, *pieces: bytes) -> List[Any]:
    decoder = StreamDecoder(endpoint.stream, HEADERS)
    out: List[Any] = []
    for piece in pieces:
        out += list(decoder.feed(piece))
    decoder.end()
    return out


# -- declarations --------------------------------------------------------------------------


def test_declarations() -> None:
    assert RESPONSES_CREATE.retry is RetryClass.KEYED
    assert RESPONSES_STREAM.retry is RetryClass.NEVER
    assert RESPONSES_LIST.retry is RetryClass.SAFE and RESPONSES_LIST.send is Send.QUERY
    assert isinstance(RESPONSES_LIST.paging, CursorPaging)
    assert RESPONSES_GET.path_for({"response_id": "resp_1"}) == "/v1/responses/resp_1"
    assert COMPARE_STREAM.stream is not None and COMPARE_STREAM.stream.event_field == "event"
    names = {f"{e.method} {e.path}" for e in all_endpoints().values()}
    for wanted in (
        "POST /v1/responses",
        "GET /v1/responses",
        "GET /v1/responses/{response_id}",
        "POST /v1/embeddings",
        "POST /v1/chat/compare",
        "POST /v1/moderations",
        "POST /v1/web/search",
        "POST /v1/router/select",
        "POST /v1/messages",
        "GET /v1/api-versions",
    ):
        assert wanted in names


# -- params ----------------------------------------------------------------------------------


def test_no_client_side_defaults_are_sent() -> None:
    assert WebSearchParams(query="x").to_json_dict() == {"query": "x"}
    assert ModerationParams(input="x").to_json_dict() == {"input": "x"}
    assert RouterSelectParams(messages=[{"role": "user", "content": "x"}]).to_json_dict() == {
        "messages": [{"role": "user", "content": "x"}]
    }
    body = CompareParams(models=["a/b", "c/d"], messages=[{"role": "user", "content": "x"}])
    assert "skip_comparison" not in body.to_json_dict()
    assert encode_json(ResponsesParams(input="x"), flag="stream") == b'{"input":"x","stream":true}'


def test_upstream_timeout_travels_as_timeout() -> None:
    params = bind(ResponsesParams, None, {"input": "x", "upstream_timeout": 30})
    assert params.to_json_dict() == {"input": "x", "timeout": 30.0}
    assert ResponsesParams.model_validate({"input": "x", "timeout": 5}).upstream_timeout == 5


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("text", str),
        (["a", "b"], str),
        ([1, 2, 3], int),
        ([[1, 2], [3]], list),
        (
            [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}],
            MultimodalEmbeddingInput,
        ),
    ],
)
def test_embedding_inputs(value: Any, kind: type) -> None:
    params = EmbeddingsParams(input=value)
    first = params.input if isinstance(params.input, str) else params.input[0]
    assert isinstance(first, kind)
    assert params.to_json_dict()["input"] == value


def test_tools_and_items_are_told_apart() -> None:
    params = ResponsesParams(
        input="x",
        tools=[{"type": "function", "name": "f"}, {"type": "web_search_preview", "size": "low"}],
    )
    assert params.tools is not None
    function, hosted = params.tools
    assert isinstance(function, ResponsesFunctionTool) and isinstance(hosted, BuiltinTool)
    assert params.to_json_dict()["tools"] == [
        {"type": "function", "name": "f"},
        {"type": "web_search_preview", "size": "low"},
    ]
    moderation = ModerationParams(input=[{"type": "text", "text": "hi"}])
    assert isinstance(moderation.input, list)
    assert isinstance(moderation.input[0], ModerationInputItem)


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        (WebSearchParams, {"query": ""}, "query"),
        (WebSearchParams, {"query": "x", "max_results": 21}, "max_results"),
        (WebSearchParams, {"query": "x", "search_depth": "deep"}, "search_depth"),
        (CompareParams, {"models": ["a/b"], "messages": []}, "models"),
        (RouterSelectParams, {"messages": []}, "messages"),
        (MessagesParams, {"max_tokens": 0, "messages": []}, "max_tokens"),
        (ResponsesParams, {"input": "x", "max_tool_calls": 11}, "max_tool_calls"),
        (EmbeddingsParams, {"input": "x", "encoding_format": "hex"}, "encoding_format"),
        (ResponsesParams, {"input": "x", "temprature": 1}, "temprature"),
    ],
)
def test_bad_params_name_the_field(model: Any, fields: Any, param: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        bind(model, None, fields)
    assert caught.value.param == param
    assert not isinstance(caught.value.__cause__, pydantic.ValidationError)


# -- replies and events ------------------------------------------------------------------------


def test_response_keeps_provider_fields_and_reads_its_text() -> None:
    reply = ResponsesResponse.model_validate(
        {
            "id": "resp_1",
            "status": "completed",
            "output": [
                {"type": "reasoning", "summary": []},
                {"type": "message", "content": [{"type": "output_text", "text": "a"},
                                                {"type": "refusal", "refusal": "no"},
                                                {"type": "output_text", "text": "b"}]},
            ],
            "created_at": "2026-09-01T00:00:00Z",
            "service_tier": "default",
        }
    )  # fmt: skip
    assert reply.output_text == "ab"
    assert reply.model_extra == {"service_tier": "default"}
    assert ResponsesResponse().usage is None and ResponsesResponse().output_text == ""
    assert ResponsesResponse(output="legacy text").output_text == "legacy text"


def test_responses_stream_ends_on_the_terminal_event_and_reads_no_further() -> None:
    events = feed(
        RESPONSES_STREAM,
        frame({"type": "response.created", "response": {"id": "r", "status": "in_progress"}}),
        frame({"type": "response.output_text.delta", "delta": "Hi", "output_index": 0}),
        frame({"type": "response.mcp_call.in_progress", "item_id": "x"}),
        frame({"type": "response.completed", "response": {"id": "r", "status": "completed"}}),
        b"data: {not json\n\n",
    )
    assert [type(e) for e in events] == [
        ResponsesLifecycleEvent,
        ResponsesDeltaEvent,
        ResponsesStreamEvent,
        ResponsesLifecycleEvent,
    ]
    assert events[1].delta == "Hi"
    assert events[2].model_extra == {"item_id": "x"}
    assert events[3].response.status == "completed"


@pytest.mark.parametrize("terminal", ["response.failed", "response.incomplete"])
def test_other_terminal_events(terminal: str) -> None:
    events = feed(RESPONSES_STREAM, frame({"type": terminal, "response": {"status": "x"}}))
    assert events[-1].type == terminal


def test_responses_stream_tolerates_chat_shaped_chunks() -> None:
    chunk = {"id": "c", "object": "chat.completion.chunk", "choices": [{"delta": {"content": "x"}}]}
    events = feed(RESPONSES_STREAM, frame(chunk), b"data: [DONE]\n\n")
    assert type(events[0]) is ResponsesStreamEvent
    assert events[0].model_extra["choices"][0]["delta"]["content"] == "x"


def test_compare_keeps_the_event_name_and_a_string_error_is_data() -> None:
    events = feed(
        COMPARE_STREAM,
        frame({"model": "a/b", "delta": "Hi"}, event="delta"),
        frame({"model": "c/d", "error": "timed out", "error_code": "gateway_timeout"}, "x"),
        frame({"partial": True}),
        b"data: [DONE]\n\n",
    )
    assert [e.event for e in events] == ["delta", "x", None]
    assert events[1].error == "timed out"


def test_compare_object_error_frame_fails() -> None:
    decoder = StreamDecoder(COMPARE_STREAM.stream, HEADERS)  # type: ignore[arg-type]
    with pytest.raises(ServerError) as caught:
        list(decoder.feed(frame({"error": {"code": "upstream_error", "message": "x"}})))
    assert caught.value.request_id == "req_hdr"


def test_messages_events_and_the_anthropic_error_frame() -> None:
    decoder = StreamDecoder(MESSAGES_STREAM.stream, HEADERS)  # type: ignore[arg-type]
    first = list(
        decoder.feed(
            frame({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "text_delta", "text": "Hi"}}, "content_block_delta")
        )
    )  # fmt: skip
    assert isinstance(first[0], ContentBlockDeltaEvent) and first[0].delta.text == "Hi"
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    with pytest.raises(ServerError) as caught:
        list(decoder.feed(frame(error, "error")))
    assert caught.value.error_code == "overloaded_error"
    assert caught.value.request_id == "req_hdr"


def test_messages_stream_ends_on_message_stop() -> None:
    events = feed(MESSAGES_STREAM, frame({"type": "ping"}), frame({"type": "message_stop"}))
    assert events[-1].type == "message_stop"


@pytest.mark.parametrize(
    "body",
    [
        b'[{"label": "2026-08", "baseline": true}]',
        b'{"versions": [{"label": "2026-08", "baseline": true}], "baseline": "2026-08"}',
    ],
)
def test_api_versions_bare_or_wrapped(body: bytes) -> None:
    versions = API_VERSIONS_LIST.reply.decode(Response(200, {}, body))
    assert [(v.label, v.baseline) for v in versions] == [("2026-08", True)]


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "family"),
    [
        (400, "invalid_request_error", BadRequestError),
        (401, "authentication_error", AuthenticationError),
        (403, "permission_error", PermissionDeniedError),
        (404, "not_found_error", NotFoundError),
        (413, "request_too_large", BadRequestError),
        (429, "rate_limit_error", RateLimitError),
        (500, "api_error", ServerError),
        (529, "overloaded_error", ServerError),
    ],
)
def test_anthropic_envelope(status: int, kind: str, family: type) -> None:
    body = json.dumps({"type": "error", "error": {"type": kind, "message": "m"}}).encode()
    error = error_from_response(status, {"x-request-id": "req_1"}, body)
    assert type(error) is family
    assert error.error_code == kind and error.message == "m" and error.request_id == "req_1"


def test_a_resource_with_an_error_field_is_not_an_inband_error() -> None:
    failed = b'{"id": "resp_1", "status": "failed", "error": {"code": "provider_job_failed"}}'
    assert inband_error(200, {}, failed) is None
    envelope = b'{"error": {"code": "upstream_error"}, "request_id": "req_1"}'
    assert inband_error(200, {}, envelope) is not None
    anthropic = b'{"type": "error", "error": {"type": "api_error", "message": "x"}}'
    assert isinstance(inband_error(200, {}, anthropic), ServerError)
    assert inband_error(200, {}, b'{"type": "message", "error": {"type": "x"}}') is None
