"""Every wait is bounded: a deadline however the server paces its bytes, an idle limit for a
stream that only pings, and no wait at all after ``[DONE]``.

The servers here pace their bytes to stay inside the read timeout (5 s) forever, so only the
bound under test can end the call; each trickle is itself limited (a few seconds), so a client
without the bound fails the test instead of hanging the suite.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import pytest

from meshapi import APITimeoutError, StreamTimeoutError, Timeout
from meshapi.testing import Gateway, ResponsePlan, StallForever, faults

from ._server import Conn, RawServer, Seen, chunk, json_head, sse_head
from .conftest import IN_PROCESS_KINDS, SOCKET_KINDS, Api, run

DEADLINE = 0.4
SLACK = 1.0  # scheduling on a loaded 2-core machine; the bound itself is exact
PATIENT = Timeout(5.0, connect=5.0)  # no phase timeout can fire before the deadline
STEP = 0.05
STEPS = 60  # 3 s of trickle: a client that ignores the deadline outlives it by far

CHUNK = (
    b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",'
    b'"choices":[{"index":0,"delta":{"content":"x"}}]}\n\n'
)
COMPLETION = (
    b'{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,'
    b'"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}'
)


def trickle_body(seen: Seen, conn: Conn) -> bool:
    """A JSON reply whose body comes one byte every STEP."""
    conn.send(json_head(length=len(COMPLETION)))
    for index in range(min(STEPS, len(COMPLETION))):
        if not conn.pause(STEP) or not conn.send(COMPLETION[index : index + 1]):
            return False
    conn.send(COMPLETION[STEPS:])
    return False


def trickle_head(seen: Seen, conn: Conn) -> bool:
    """A head whose bytes come one every STEP, then a whole reply."""
    head = b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * STEPS + b"\r\n"
    for index in range(len(head)):
        if not conn.pause(STEP) or not conn.send(head[index : index + 1]):
            return False
    conn.send(b"Content-Type: application/json\r\n")
    conn.send(b"Content-Length: %d\r\n\r\n%s" % (len(COMPLETION), COMPLETION))
    return False


def trickle_stream(seen: Seen, conn: Conn) -> bool:
    """A stream whose events (real ones: the idle limit is satisfied) come one every STEP."""
    conn.send(sse_head())
    for _ in range(STEPS):
        if not conn.pause(STEP) or not conn.send(chunk(CHUNK)):
            return False
    conn.send(chunk(b"data: [DONE]\n\n") + chunk(b""))
    return False


def elapsed(started: float) -> float:
    return time.monotonic() - started


@pytest.mark.parametrize("answer", [trickle_body, trickle_head], ids=["body", "head"])
def test_a_trickled_reply_ends_at_the_deadline(kind: str, answer: Any) -> None:
    async def scenario(api: Api) -> float:
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as info:
            await api.create(deadline=DEADLINE)
        assert info.value.error_code == "timeout"
        return elapsed(started)

    with RawServer(answer) as server:
        took = run(kind, server.url, scenario, timeout=PATIENT)
    assert DEADLINE * 0.9 <= took < DEADLINE + SLACK


def test_a_trickled_stream_ends_at_the_deadline(kind: str) -> None:
    async def scenario(api: Api) -> Any:
        started = time.monotonic()
        with pytest.raises(StreamTimeoutError):
            await api.chunks(deadline=DEADLINE)
        return elapsed(started), api.stream

    with RawServer(trickle_stream) as server:
        took, stream = run(kind, server.url, scenario, timeout=PATIENT)
        assert server.conns[0].client_closed.wait(5)
    assert DEADLINE * 0.9 <= took < DEADLINE + SLACK
    assert not stream.completed


@pytest.mark.parametrize("kind", IN_PROCESS_KINDS)
def test_an_emulated_trickle_ends_at_the_deadline(kind: str) -> None:
    """The emulator's transports count their waits against the deadline too."""
    gateway = Gateway()
    gateway.script_reply(chunks=STEPS)
    gateway.inject(faults.Delay(between_events=STEP))

    async def scenario(api: Api) -> Any:
        started = time.monotonic()
        with pytest.raises(StreamTimeoutError) as info:
            await api.chunks(deadline=DEADLINE)
        return elapsed(started), info.value

    took, error = run(
        kind, "http://127.0.0.1", scenario, gateway=gateway, token=gateway.token, timeout=PATIENT
    )
    assert DEADLINE * 0.9 <= took < DEADLINE + SLACK
    assert "deadline" in error.message


# -- a stream that only pings ------------------------------------------------------------------


def pings_only(seen: Seen, conn: Conn) -> bool:
    conn.send(sse_head())
    for _ in range(STEPS):
        if not conn.pause(STEP) or not conn.send(chunk(b": ping\n\n")):
            return False
    return False


def test_a_stream_of_pings_ends_at_the_idle_limit(kind: str) -> None:
    idle = 0.3

    async def scenario(api: Api) -> Any:
        started = time.monotonic()
        with pytest.raises(StreamTimeoutError) as info:
            await api.chunks(timeout=Timeout(5.0, idle=idle))
        return elapsed(started), info.value

    with RawServer(pings_only) as server:
        took, error = run(kind, server.url, scenario)
    assert idle <= took < idle + STEP + SLACK
    assert "idle" in error.message


def test_the_default_idle_limit_is_five_minutes() -> None:
    assert Timeout().idle == 300.0
    assert Timeout().read == 600.0


# -- [DONE], then a server that keeps the body open ------------------------------------------


def done_then_silence(seen: Seen, conn: Conn) -> bool:
    conn.send(sse_head() + chunk(CHUNK * 3) + chunk(b"data: [DONE]\n\n"))
    conn.until_client_closes()
    return False


def test_done_ends_the_stream_at_once_and_closes_the_connection(kind: str) -> None:
    async def scenario(api: Api) -> Any:
        started = time.monotonic()
        got = await api.chunks()
        return elapsed(started), got, api.stream

    with RawServer(done_then_silence) as server:
        took, got, stream = run(kind, server.url, scenario, timeout=PATIENT)
        assert server.conns[0].client_closed.wait(5)  # closed, not left for the pool
    assert len(got) == 3
    assert stream.completed
    assert took < SLACK


@dataclass(frozen=True)
class SilenceAfterTheEnd(faults.Fault):
    """The whole stream, [DONE] included, then silence: the body is never finished."""

    stage: ClassVar[int] = 4

    def apply(self, plan: ResponsePlan) -> ResponsePlan:
        return replace(plan, body=itertools.chain(plan.body, [StallForever()]))


@pytest.mark.parametrize("kind", IN_PROCESS_KINDS)
def test_done_then_an_emulated_stall(kind: str) -> None:
    gateway = Gateway()
    gateway.script_reply(chunks=3)
    gateway.inject(SilenceAfterTheEnd())

    async def scenario(api: Api) -> Any:
        started = time.monotonic()
        got = await api.chunks()
        return elapsed(started), got, api.stream

    took, got, stream = run(
        kind, "http://127.0.0.1", scenario, gateway=gateway, token=gateway.token, timeout=PATIENT
    )
    assert stream.completed
    assert len(got) == 5  # three of content, the finish and the usage
    assert took < SLACK


# -- an endless body ------------------------------------------------------------------------


def endless_json(seen: Seen, conn: Conn) -> bool:
    conn.send(json_head())
    piece = chunk(b" " * 65536)
    while conn.send(piece):
        pass
    return False


def test_an_endless_body_stops_at_max_response_size(kind: str) -> None:
    from meshapi import ResponseTooLargeError

    async def scenario(api: Api) -> Any:
        started = time.monotonic()
        with pytest.raises(ResponseTooLargeError) as info:
            await api.create()
        return elapsed(started), info.value

    with RawServer(endless_json) as server:
        took, error = run(kind, server.url, scenario, max_response_size=1 << 20)
        assert server.conns[0].client_closed.wait(5)
    assert error.error_code == "response_too_large"
    assert "max_response_size" in error.message
    assert took < SLACK


@pytest.mark.parametrize("kind", SOCKET_KINDS[:1])
def test_the_deadline_also_bounds_a_user_supplied_httpx_client(kind: str) -> None:
    import httpx

    from meshapi import MeshAPI

    with RawServer(trickle_body) as server, httpx.Client() as http:
        client = MeshAPI(base_url=server.url, token="rsk_x", httpx_client=http, timeout=PATIENT)
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.chat.completions.create(
                {"model": "m", "messages": [{"role": "user", "content": "x"}]}, deadline=DEADLINE
            )
        assert elapsed(started) < DEADLINE + SLACK
