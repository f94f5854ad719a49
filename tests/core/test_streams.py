"""The stream machine: SSE bytes to typed chunks, [DONE], error frames, early ends."""

from __future__ import annotations

import json
from typing import List

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meshapi_core.errors import (
    MeshAPIError,
    RateLimitError,
    ResponseDecodeError,
    StreamInterruptedError,
    StreamTimeoutError,
)
from meshapi_core.models.chat import ChatCompletionChunk
from meshapi_core.streams import StreamDecoder

HEADERS = {"x-request-id": "req_hdr"}


def frame(obj: object) -> bytes:
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


def delta(text: str) -> bytes:
    return frame({"id": "c", "choices": [{"index": 0, "delta": {"content": text}}]})


DONE = b"data: [DONE]\n\n"


def decode(*pieces: bytes) -> List[ChatCompletionChunk]:
    decoder = StreamDecoder(ChatCompletionChunk, HEADERS)
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
    decoder = StreamDecoder(ChatCompletionChunk, HEADERS)
    assert len(list(decoder.feed(delta("a") + b"data: [DO"))) == 1
    with pytest.raises(StreamInterruptedError) as info:
        decoder.end()
    assert info.value.error_code == "stream_interrupted"
    assert info.value.request_id == "req_hdr"
    assert "after 1 chunks" in info.value.message


def test_done_without_a_blank_line_is_not_complete() -> None:
    with pytest.raises(StreamInterruptedError):
        decode(delta("a"), b"data: [DONE]\n")


def test_bytes_after_done_are_ignored_up_to_the_drain_limit() -> None:
    decoder = StreamDecoder(ChatCompletionChunk, HEADERS, drain_limit=10)
    assert list(decoder.feed(DONE + delta("ignored"))) == []
    assert decoder.done
    assert not decoder.exhausted
    assert list(decoder.feed(b"x" * 11)) == []
    assert decoder.exhausted
    decoder.end()


def test_in_band_error_frame_after_chunks() -> None:
    decoder = StreamDecoder(ChatCompletionChunk, HEADERS)
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
    decoder = StreamDecoder(ChatCompletionChunk, HEADERS, max_event_size=64)
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


def test_idle_timeout_is_not_reset_by_keep_alive_comments() -> None:
    now = [0.0]
    decoder = StreamDecoder(ChatCompletionChunk, HEADERS, idle_timeout=5.0, clock=lambda: now[0])
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
