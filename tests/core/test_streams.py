"""The stream machine: SSE bytes to typed chunks, [DONE], error frames, early ends."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ConfigDict

from meshapi_core.endpoint import SSE, Tagged
from meshapi_core.errors import (
    MeshAPIError,
    RateLimitError,
    ResponseDecodeError,
    StreamInterruptedError,
    StreamTimeoutError,
)
from meshapi_core.models.base import ResponseModel
from meshapi_core.models.chat import ChatCompletionChunk
from meshapi_core.streams import StreamDecoder, is_stream_head

HEADERS = {"x-request-id": "req_hdr"}
CHAT = SSE(ChatCompletionChunk)


def frame(obj: object) -> bytes:
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


def delta(text: str) -> bytes:
    return frame({"id": "c", "choices": [{"index": 0, "delta": {"content": text}}]})


DONE = b"data: [DONE]\n\n"


def decode(*pieces: bytes) -> List[ChatCompletionChunk]:
    decoder = StreamDecoder(CHAT, HEADERS)
    chunks = [c for p in pieces for c in decoder.feed(p)]
    decoder.end()
    return chunks


def test_chunks_then_done() -> None:
    chunks = decode(
        delta("Hel"),
        delta("lo"),
        frame({"choices": [], "usage": {"total_tokens": 3}, "cost": "0.1"}),
        DONE,
    )
    assert [c.choices[0].delta.content for c in chunks[:2]] == ["Hel", "lo"]
    assert chunks[2].usage is not None
    assert chunks[2].usage.total_tokens == 3
    assert chunks[2].cost == "0.1"


def test_end_without_done_is_an_interruption() -> None:
    decoder = StreamDecoder(CHAT, HEADERS)
    assert len(list(decoder.feed(delta("a") + b"data: [DO"))) == 1
    with pytest.raises(StreamInterruptedError) as info:
        decoder.end()
    assert info.value.error_code == "stream_interrupted"
    assert info.value.request_id == "req_hdr"
    assert "after 1 events" in info.value.message


def test_done_without_a_blank_line_is_not_complete() -> None:
    with pytest.raises(StreamInterruptedError):
        decode(delta("a"), b"data: [DONE]\n")


def test_nothing_after_done_is_read() -> None:
    decoder = StreamDecoder(CHAT, HEADERS)
    assert list(decoder.feed(DONE + delta("ignored"))) == []
    assert decoder.done
    assert list(decoder.feed(b"x" * 100)) == []
    decoder.end()


def test_in_band_error_frame_after_chunks() -> None:
    decoder = StreamDecoder(CHAT, HEADERS)
    body = delta("a") + frame(
        {"error": {"code": "rate_limit_exceeded", "message": "slow"}, "request_id": "req_frame"}
    )
    got = decoder.feed(body)
    assert next(got).choices[0].delta.content == "a"  # delivered before the error
    with pytest.raises(RateLimitError) as info:
        next(got)
    assert info.value.request_id == "req_frame"
    assert info.value.message == "slow"


def test_in_band_error_frame_without_request_id_uses_the_header() -> None:
    with pytest.raises(MeshAPIError) as info:
        decode(frame({"error": {"code": "upstream_error", "message": "Provider failed"}}))
    assert (info.value.error_code, info.value.request_id) == ("upstream_error", "req_hdr")


def test_string_error_is_data_not_failure() -> None:
    (chunk,) = decode(
        frame({"model": "a", "error": "timed out", "error_code": "gateway_timeout"}), DONE
    )
    assert chunk.model_extra == {"error": "timed out", "error_code": "gateway_timeout"}


def test_an_error_frame_that_is_no_valid_chunk_still_raises_its_error() -> None:
    """An error frame whose other fields do not fit the model is the error it reports, not
    a decode error (the decoder looks for it when validation fails as well)."""
    with pytest.raises(RateLimitError) as info:
        decode(delta("a"), frame({"error": {"code": "rate_limit_exceeded", "message": "m"}, "choices": 5}))
    assert info.value.__context__ is None


def test_done_with_spaces_ends_the_stream_and_errors_say_which_event() -> None:
    decoder = StreamDecoder(CHAT, HEADERS)
    assert len(list(decoder.feed(delta("a") + b"data:  [DONE] \n\n" + delta("after")))) == 1
    assert decoder.done and decoder.chunks == 1
    decoder = StreamDecoder(CHAT, HEADERS)
    with pytest.raises(ResponseDecodeError) as info:
        list(decoder.feed(delta("a") + delta("b") + b"data: [NOT DONE]\n\n"))
    assert "Stream event 3 " in info.value.message
    assert info.value.__context__ is None


class WithErrorField(ResponseModel):
    """A model that declares ``error`` (a compare stream's per-model failure)."""

    error: Optional[Any] = None


class Strict(ResponseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True, populate_by_name=True)
    text: str = ""


@pytest.mark.parametrize("model", [WithErrorField, Strict])
def test_error_frames_are_found_whatever_the_model_does_with_an_error_field(model: Any) -> None:
    decoder = StreamDecoder(SSE(model), HEADERS)
    assert len(list(decoder.feed(frame({"error": "data, not a failure"})))) == 1
    with pytest.raises(RateLimitError):
        list(decoder.feed(frame({"error": {"code": "rate_limit_exceeded", "message": "m"}})))


@pytest.mark.parametrize(
    "payload", [b"data: {oops\n\n", b'data: {"choices": "x"}\n\n', b"data: 42\n\n"]
)
def test_malformed_frames_raise_parse_error(payload: bytes) -> None:
    with pytest.raises(ResponseDecodeError) as info:
        decode(payload)
    assert info.value.error_code == "parse_error"
    assert info.value.request_id == "req_hdr"


def test_lenient_chunks_keep_unknown_fields_and_null_content() -> None:
    (chunk,) = decode(
        frame(
            {"choices": [{"delta": {"content": None, "new": 1}, "finish_reason": "stop"}], "x": 2}
        ),
        DONE,
    )
    assert chunk.choices[0].delta.content == ""
    assert chunk.choices[0].delta.model_extra == {"new": 1}
    assert chunk.model_extra == {"x": 2}
    assert chunk.created is None


def test_tool_call_deltas() -> None:
    chunks = decode(
        frame(
            {
                "choices": [
                    {
                        "index": 0,
                        "delta": {
                            "tool_calls": [
                                {
                                    "index": 0,
                                    "id": "call_1",
                                    "type": "function",
                                    "function": {"name": "get_weather", "arguments": ""},
                                }
                            ]
                        },
                    }
                ]
            }
        ),
        frame(
            {
                "choices": [
                    {"index": 0, "delta": {"tool_calls": [{"function": {"arguments": '{"city":'}}]}}
                ]
            }
        ),
        DONE,
    )
    first = chunks[0].choices[0].delta.tool_calls
    assert first is not None
    assert first[0].function is not None
    assert first[0].function.name == "get_weather"
    second = chunks[1].choices[0].delta.tool_calls
    assert second is not None
    assert second[0].index is None


def test_event_too_large() -> None:
    decoder = StreamDecoder(CHAT, HEADERS, max_event_size=64)
    with pytest.raises(ResponseDecodeError) as info:
        list(decoder.feed(delta("x" * 100)))
    assert info.value.error_code == "event_too_large"


@given(st.lists(st.integers(min_value=1, max_value=40), max_size=30))
def test_any_split_gives_the_same_chunks(cuts: List[int]) -> None:
    body = delta("héllo 日本") + b": ping\r\n\r\n" + delta("🙂") + DONE
    pieces, at = [], 0
    for cut in cuts:
        pieces.append(body[at : at + cut])
        at += cut
    pieces.append(body[at:])
    assert [c.choices[0].delta.content for c in decode(*pieces)] == ["héllo 日本", "🙂"]


KINDS_OF_FRAME = [
    delta("a"),
    delta(""),
    frame({"choices": [{"delta": {"content": None, "role": "assistant"}}], "extra": 1}),
    frame({"model": "m", "error": "a string: data", "choices": []}),
    frame({"choices": [], "usage": {"total_tokens": 3}}),
    frame({"error": {"code": "rate_limit_exceeded", "message": "slow"}, "request_id": "r"}),
    frame({"error": {"code": "upstream_error", "message": "x"}, "choices": 5}),
    b"data: {oops\n\n",
    b"data: 42\n\n",
    b"data:  [DONE] \n\n",
    DONE,
    b": ping\n\n",
]


def _outcome(reads: List[bytes], model: Any = ChatCompletionChunk) -> Any:
    """What a decoder makes of ``reads``: the chunks (as JSON), then how it stopped."""
    decoder = StreamDecoder(SSE(model), HEADERS)
    got: List[Any] = []
    try:
        for data in reads:
            got.extend(c.model_dump(mode="json") for c in decoder.feed(data))
        ending: Any = "open"
    except MeshAPIError as exc:
        ending = (type(exc).__name__, exc.message, exc.request_id, exc.__context__ is None)
    return got, ending, decoder.done, decoder.chunks


@given(st.lists(st.sampled_from(range(len(KINDS_OF_FRAME))), max_size=8))
def test_a_frame_per_read_decodes_as_frames_read_together(picks: List[int]) -> None:
    """``feed`` decodes a read of one frame (how a gateway sends each token) in place and a
    read of several with a generator: the same events, the same errors, the same count,
    on a model that keeps unknown fields (chat's) and on models that see ``error``."""
    frames = [KINDS_OF_FRAME[i] for i in picks]
    for model in (ChatCompletionChunk, WithErrorField, Strict):
        whole = _outcome([b"".join(frames)] if frames else [], model)
        assert whole[1] == "open" or whole[1][3]  # no pydantic or json error as a context
        assert _outcome(frames, model) == whole
        if len(frames) > 1:  # a two-frame read first, then one frame a read
            assert _outcome([frames[0] + frames[1], *frames[2:]], model) == whole


def test_idle_timeout_is_not_reset_by_keep_alive_comments() -> None:
    now = [0.0]
    decoder = StreamDecoder(CHAT, HEADERS, idle_timeout=5.0, clock=lambda: now[0])
    assert len(list(decoder.feed(delta("a")))) == 1
    now[0] = 4.0
    assert list(decoder.feed(b": ping\n\n")) == []
    now[0] = 8.0
    assert len(list(decoder.feed(delta("b")))) == 1  # an event resets the clock
    now[0] = 12.0
    assert list(decoder.feed(b": ping\n\n")) == []
    now[0] = 13.5
    with pytest.raises(StreamTimeoutError) as info:
        list(decoder.feed(b": ping\n\n"))
    assert info.value.error_code == "stream_interrupted"
    assert info.value.request_id == "req_hdr"


class Event(ResponseModel):
    type: str = ""
    delta: str = ""
    event: str = ""


class Created(Event):
    response: Optional[Dict[str, Any]] = None


RESPONSES = SSE(
    Tagged({"response.created": Created}, Event),
    terminal=frozenset({"response.completed", "response.failed"}),
)


def test_tagged_events_and_a_terminal_event_end_the_stream() -> None:
    decoder = StreamDecoder(RESPONSES, HEADERS)
    events = list(
        decoder.feed(
            frame({"type": "response.created", "response": {"id": "r"}})
            + frame({"type": "response.output_text.delta", "delta": "Hi"})
            + frame({"type": "response.brand_new", "x": 1})
            + frame({"type": "response.completed"})
            + frame({"type": "after.the.end"})
        )
    )
    assert [type(e).__name__ for e in events] == ["Created", "Event", "Event", "Event"]
    assert events[1].delta == "Hi"
    assert events[2].model_extra == {"x": 1}
    assert decoder.done
    decoder.end()


def test_a_stream_without_its_terminal_event_is_interrupted() -> None:
    decoder = StreamDecoder(RESPONSES, HEADERS)
    list(decoder.feed(frame({"type": "response.output_text.delta", "delta": "Hi"})))
    with pytest.raises(StreamInterruptedError):
        decoder.end()


def test_tagged_streams_still_raise_error_frames_and_bad_frames() -> None:
    decoder = StreamDecoder(RESPONSES, HEADERS)
    with pytest.raises(RateLimitError):
        list(decoder.feed(frame({"error": {"code": "rate_limit_exceeded", "message": "m"}})))
    with pytest.raises(ResponseDecodeError, match="not a JSON object"):
        list(StreamDecoder(RESPONSES, HEADERS).feed(b"data: [1]\n\n"))


def test_event_names_are_kept_when_declared() -> None:
    kind = SSE(Event, event_field="event")
    decoder = StreamDecoder(kind, HEADERS)
    events = list(decoder.feed(b'event: delta\ndata: {"delta": "a"}\n\ndata: {}\n\n' + DONE))
    assert [e.event for e in events] == ["delta", ""]


@pytest.mark.parametrize(
    ("status", "content_type", "starts"),
    [
        (200, "text/event-stream", True),
        (200, "text/event-stream; charset=utf-8", True),
        (200, "", True),
        (200, "application/json", False),
        (429, "text/event-stream", False),
    ],
)
def test_stream_heads(status: int, content_type: str, starts: bool) -> None:
    headers = {"content-type": content_type} if content_type else {}
    assert is_stream_head(CHAT, status, headers) is starts
