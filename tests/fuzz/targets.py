"""What the fuzzers exercise, once: the parts of the core that read what a server sends.

Each target takes plain values (bytes, ints, header pairs) and checks the one property every
reader of hostile input must have: only the SDK's own exceptions come out, and what comes
out is bounded. The hypothesis properties (``test_properties.py``, the default run) and the
atheris harness (``fuzz_main.py``, an opt-in long run) both call these, so a finding of
either is a failing call of one function, ready to become a regression test.

Standard library and the SDK only: atheris loads this module with its instrumentation on.
"""

from __future__ import annotations

import json
import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

from meshapi_core.endpoint import BYTES, EMPTY, JSON, SSE, Tagged
from meshapi_core.errors import (
    MAX_CODE,
    MAX_MESSAGE,
    MeshAPIError,
    ResponseDecodeError,
    error_from_frame,
    error_from_response,
    inband_error,
    not_a_stream,
    parse_retry_after,
)
from meshapi_core.http import Response
from meshapi_core.models.base import ResponseModel
from meshapi_core.models.catalog import ModelInfo
from meshapi_core.models.chat import ChatCompletion, ChatCompletionChunk
from meshapi_core.sse import SSEDecoder
from meshapi_core.streams import StreamDecoder

__all__ = [
    "TARGETS",
    "check_error",
    "error_frame",
    "error_response",
    "json_reply",
    "retry_after",
    "sse",
    "stream",
]

Headers = Dict[str, str]


class _Event(ResponseModel):
    """A loosely typed event, the default of the tagged stream below."""

    type: Optional[str] = None
    event: Optional[str] = None


class _Done(ResponseModel):
    type: Optional[str] = None
    event: Optional[str] = None
    value: Optional[int] = None


_TAGGED = SSE(Tagged({"done": _Done}, _Event), terminal=frozenset({"done"}), event_field="event")
_CHAT = SSE(ChatCompletionChunk)
_REPLIES = [JSON(ChatCompletion), JSON(List[ModelInfo]), JSON(Dict[str, Any]), BYTES, EMPTY]


def check_error(error: Any) -> None:
    """``error`` is an SDK error whose text and fields are bounded."""
    assert isinstance(error, MeshAPIError), type(error)
    # the message carries the gateway's words, at most MAX_MESSAGE of them, plus the SDK's
    assert len(error.message) <= MAX_MESSAGE + 600, len(error.message)
    assert len(error.error_code) <= MAX_CODE + 40
    assert error.request_id is None or isinstance(error.request_id, str)
    wait = error.retry_after_seconds
    assert wait is None or (math.isfinite(wait) and 0 <= wait <= 86_400)
    str(error), repr(error)


def sse(chunks: Sequence[bytes], limit: int) -> None:
    """The SSE decoder, fed ``chunks`` with ``max_event_size=limit``."""
    decoder = SSEDecoder(max(1, limit))
    failure: Optional[ResponseDecodeError] = None
    try:
        for data in chunks:
            for event in decoder.feed(data):
                assert len(event.data) <= max(1, limit)
        decoder.close()
    except ResponseDecodeError as error:
        failure = error
    if failure is not None:
        assert failure.error_code == "event_too_large"
        check_error(failure)


def stream(chunks: Sequence[bytes], headers: Headers, tagged: bool, limit: int) -> None:
    """The stream machine on a chat stream, or a tagged one with a terminal event."""
    decoder: StreamDecoder[Any] = StreamDecoder(
        _TAGGED if tagged else _CHAT, headers, max(1, limit)
    )
    try:
        for data in chunks:
            for _chunk in decoder.feed(data):
                pass
            if decoder.done:
                return
        decoder.end()
    except MeshAPIError as error:
        check_error(error)


def error_response(status: int, headers: Headers, body: bytes, now: Optional[float]) -> None:
    """The error mapper on any response; it returns an error, and never raises."""
    check_error(error_from_response(status, headers, body, now=now))
    reported = inband_error(status, headers, body)
    if reported is not None:
        check_error(reported)
    check_error(not_a_stream(status, headers, body, "text/event-stream"))


def error_frame(payload: bytes, headers: Headers) -> None:
    """An in-band error frame, as the stream machine hands it over: JSON whose ``error`` is
    an object."""
    try:
        frame = json.loads(payload)
    except (ValueError, RecursionError):
        return
    if isinstance(frame, dict) and isinstance(frame.get("error"), dict):
        check_error(error_from_frame(frame, headers))


def retry_after(headers: Headers, now: Optional[float]) -> None:
    """``Retry-After`` and ``retry-after-ms`` in any form: a bounded wait or none."""
    wait = parse_retry_after(headers, now)
    assert wait is None or (math.isfinite(wait) and 0 <= wait <= 86_400), wait


def json_reply(status: int, headers: Headers, body: bytes) -> None:
    """Every kind of reply decoder on a 2xx body."""
    response = Response(status, headers, body)
    for reply in _REPLIES:
        try:
            reply.decode(response)
        except MeshAPIError as error:
            check_error(error)


def split(data: bytes, cuts: Sequence[int]) -> List[bytes]:
    """``data`` cut at ``cuts`` (any ints; taken modulo the length)."""
    if not data:
        return [data]
    points = sorted({cut % len(data) for cut in cuts})
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:])]


TARGETS: Tuple[str, ...] = (
    "sse",
    "stream",
    "error_response",
    "error_frame",
    "retry_after",
    "json_reply",
)
