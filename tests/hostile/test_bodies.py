"""Every body is bounded, however it is compressed: the memory a server can make the client
hold is the bound plus one decoded piece, measured with ``tracemalloc`` (which sees every
``bytes`` zlib and the libraries make).

The bombs inflate to 64 MiB from about 64 KiB, so one network read of one inflates, without
a bound on each decoding step, to far more than the limits asserted here; they are built once
per session (about 0.2 s each).
"""

from __future__ import annotations

import json
import tracemalloc
from typing import Any, Callable, Tuple

import pytest

from meshapi import (
    APIStatusError,
    BadRequestError,
    ResponseDecodeError,
    ResponseTooLargeError,
    RetryPolicy,
    ServerError,
)
from meshapi.testing import Gateway, faults
from meshapi_core.http import ERROR_BODY_LIMIT

from ._server import Conn, RawServer, Seen, chunk, gzip_of, response, sse_head
from .conftest import IN_PROCESS_KINDS, Api, gzip_bomb, run

BOMB = 64 << 20  # inflated size
LIMIT = 1 << 20  # max_response_size and max_event_size in these tests
PEAK = 12 << 20  # what the client may hold at most, everything included


def measured(call: Callable[[], Any]) -> Tuple[Any, int]:
    """``call()`` and the peak of traced memory while it ran."""
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def gzip_reply(status: int, body: bytes, content_type: str = "application/json") -> Any:
    def answer(seen: Seen, conn: Conn) -> bool:
        conn.send(
            response(status, body, {"Content-Type": content_type, "Content-Encoding": "gzip"})
        )
        return True

    return answer


def test_a_gzip_bomb_of_json_is_refused_within_the_bound(kind: str) -> None:
    bomb = gzip_bomb(BOMB)

    async def scenario(api: Api) -> Any:
        with pytest.raises(ResponseTooLargeError) as info:
            await api.create()
        return info.value

    with RawServer(gzip_reply(200, bomb)) as server:
        error, peak = measured(lambda: run(kind, server.url, scenario, max_response_size=LIMIT))
    assert error.error_code == "response_too_large"
    assert peak < PEAK, f"peak {peak:,} bytes"


def test_a_gzip_bomb_of_sse_is_refused_within_the_bound(kind: str) -> None:
    bomb = gzip_bomb(BOMB, b"a", prefix=b"data: ")

    def answer(seen: Seen, conn: Conn) -> bool:
        conn.send(sse_head(Content_Encoding="gzip"))
        for start in range(0, len(bomb), 16384):
            if not conn.send(chunk(bomb[start : start + 16384])):
                return False
        conn.send(chunk(b""))
        return False

    async def scenario(api: Api) -> Any:
        with pytest.raises(ResponseDecodeError) as info:
            await api.chunks()
        return info.value

    with RawServer(answer) as server:
        error, peak = measured(lambda: run(kind, server.url, scenario, max_event_size=LIMIT))
    assert error.error_code == "event_too_large"
    assert peak < PEAK, f"peak {peak:,} bytes"


def test_a_gzip_bomb_as_an_error_body_is_cut_at_the_error_limit(kind: str) -> None:
    envelope = b'{"error": {"code": "invalid_request", "message": "' + b"x" * 100
    bomb = gzip_bomb(BOMB, b"y", prefix=envelope)

    async def scenario(api: Api) -> Any:
        with pytest.raises(BadRequestError) as info:
            await api.create()
        return info.value

    with RawServer(gzip_reply(400, bomb)) as server:
        error, peak = measured(lambda: run(kind, server.url, scenario))
    assert error.status == 400
    assert len(error.message) < 1000  # an excerpt of a cut (so non-JSON) body
    assert peak < PEAK, f"peak {peak:,} bytes"


def test_a_503_bomb_is_bounded_on_every_retry(kind: str) -> None:
    bomb = gzip_bomb(BOMB)
    policy = RetryPolicy(max_retries=2, initial_backoff=0.0, jitter=0.0)

    async def scenario(api: Api) -> Any:
        with pytest.raises(ServerError) as info:
            await api.create()
        return info.value

    with RawServer(gzip_reply(503, bomb)) as server:
        error, peak = measured(lambda: run(kind, server.url, scenario, retry=policy))
        assert len(server.seen) == 3
    assert error.status == 503
    assert peak < PEAK, f"peak {peak:,} bytes"


def test_a_legitimate_compressed_reply_below_the_bound_is_read(kind: str) -> None:
    content = "z" * (LIMIT // 2)
    body = json.dumps(
        {
            "id": "c", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
        }
    ).encode()  # fmt: skip

    async def scenario(api: Api) -> Any:
        return await api.create()

    with RawServer(gzip_reply(200, gzip_of(body))) as server:
        reply = run(kind, server.url, scenario, max_response_size=LIMIT)
    assert reply.choices[0].message.content == content


def test_error_body_limit_is_small() -> None:
    assert ERROR_BODY_LIMIT == 256 * 1024


# -- a JSON answer to a stream request ------------------------------------------------------


INBAND = json.dumps(
    {
        "error": {"code": "context_window_exceeded", "message": "The prompt is too long."},
        "request_id": "req_inband",
    }
).encode()


def test_a_json_answer_to_a_stream_is_the_error_it_reports(kind: str) -> None:
    def answer(seen: Seen, conn: Conn) -> bool:
        conn.send(response(200, INBAND, {"Content-Type": "application/json"}))
        return True

    async def scenario(api: Api) -> Any:
        with pytest.raises(BadRequestError) as info:
            await api.chunks()
        return info.value

    with RawServer(answer) as server:
        error = run(kind, server.url, scenario)
    assert error.error_code == "context_window_exceeded"
    assert error.message == "The prompt is too long."
    assert error.request_id == "req_inband"


@pytest.mark.parametrize("kind", IN_PROCESS_KINDS)
def test_an_emulated_json_answer_to_a_stream(kind: str) -> None:
    gateway = Gateway()
    gateway.inject(faults.InbandError(code="context_window_exceeded", message="Too long."))

    async def scenario(api: Api) -> Any:
        with pytest.raises(APIStatusError) as info:
            await api.chunks()
        return info.value

    error = run(kind, "http://127.0.0.1", scenario, gateway=gateway, token=gateway.token)
    assert (error.error_code, error.message) == ("context_window_exceeded", "Too long.")
    assert error.request_id


# -- huge messages --------------------------------------------------------------------------


def test_a_huge_error_message_is_shortened(kind: str) -> None:
    body = json.dumps(
        {"error": {"code": "c" * 10_000, "message": "m" * 100_000, "details": ["d" * 100_000]}}
    ).encode()  # under the error body limit, so it is read whole

    def answer(seen: Seen, conn: Conn) -> bool:
        conn.send(response(400, body, {"Content-Type": "application/json"}))
        return True

    async def scenario(api: Api) -> Any:
        with pytest.raises(BadRequestError) as info:
            await api.create()
        return info.value

    with RawServer(answer) as server:
        error = run(kind, server.url, scenario)
    assert 2000 <= len(error.message) < 2100
    assert "more characters" in error.message
    assert len(error.error_code) < 250
    assert len(repr(error.details)) < 70_000
    assert len(str(error)) < 2500
