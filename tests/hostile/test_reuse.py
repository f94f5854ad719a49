"""A stream's connection goes back to the pool after ``[DONE]`` when its body ends with it or
within ``RELEASE_GRACE``; a server that holds the body open costs at most that grace, and the
connection is closed.

Each server here answers on keep-alive connections, so how many connections it accepted for
a run of sequential streams says whether the client reused them.
"""

from __future__ import annotations

import time
from typing import Any, List

import pytest

from meshapi_core.transport import RELEASE_GRACE, RELEASE_LIMIT

from ._server import Conn, RawServer, Seen, chunk, sse_head
from .conftest import Api, run
from .test_waits import CHUNK, PATIENT, SLACK

STREAMS = 20
DONE = chunk(b"data: [DONE]\n\n")
END = b"0\r\n\r\n"
FIRST = sse_head() + chunk(CHUNK * 3)


async def sequential_streams(api: Api) -> List[Any]:
    got = []
    for _ in range(STREAMS):
        got.append(await api.chunks())
        assert api.stream.completed
    return got


def done_with_the_end(seen: Seen, conn: Conn) -> bool:
    """The whole stream in one write: the body's end is in before [DONE] is read."""
    return conn.send(FIRST + DONE + END)


def end_after_done(seen: Seen, conn: Conn) -> bool:
    """[DONE] in one write, the body's end in another, a moment later."""
    conn.send(FIRST + DONE)
    return conn.pause(RELEASE_GRACE / 10) and conn.send(END)


@pytest.mark.parametrize("answer", [done_with_the_end, end_after_done])
def test_sequential_streams_reuse_one_connection(kind: str, answer: Any) -> None:
    with RawServer(answer) as server:
        got = run(kind, server.url, sequential_streams, timeout=PATIENT)
        requests = len(server.seen)
        conns = len(server.conns)
    assert [len(chunks) for chunks in got] == [3] * STREAMS
    assert requests == STREAMS
    assert conns == 1


def done_then_holds(waits: List[float]) -> Any:
    """[DONE], then the body held open: the connection cannot be reused. Each connection's
    time from [DONE] to the client's hanging up goes to ``waits``."""

    def answer(seen: Seen, conn: Conn) -> bool:
        conn.send(FIRST + DONE)
        sent = time.monotonic()
        conn.until_client_closes()
        waits.append(time.monotonic() - sent)
        return False

    return answer


def test_a_body_held_open_after_done_costs_at_most_the_grace(kind: str) -> None:
    async def scenario(api: Api) -> Any:
        got = []
        for _ in range(3):
            started = time.monotonic()
            got.append((await api.chunks(), time.monotonic() - started))
        return got

    waits: List[float] = []
    with RawServer(done_then_holds(waits)) as server:
        got = run(kind, server.url, scenario, timeout=PATIENT)
        assert all(conn.client_closed.wait(5) for conn in server.conns)
        conns = len(server.conns)
    assert [len(chunks) for chunks, _ in got] == [3, 3, 3]
    assert conns == 3  # each closed, none left for the pool
    # Each stream waited for the body's end no longer than the grace (plus scheduling): far
    # less than the 5 s read timeout a client without the bound would wait.
    assert all(took < RELEASE_GRACE + SLACK for _, took in got)
    assert len(waits) == 3 and all(wait < RELEASE_GRACE + SLACK for wait in waits)


def done_then_endless(seen: Seen, conn: Conn) -> bool:
    """[DONE], then comments without end: more than RELEASE_LIMIT is never read."""
    conn.send(FIRST + DONE)
    piece = chunk(b": " + b"x" * 4094 + b"\n\n")
    sent = 0
    while sent < 64 * RELEASE_LIMIT and conn.send(piece):
        sent += len(piece)
    conn.until_client_closes()
    return False


def test_an_endless_body_after_done_is_dropped(kind: str) -> None:
    async def scenario(api: Api) -> Any:
        started = time.monotonic()
        return await api.chunks(), time.monotonic() - started

    with RawServer(done_then_endless) as server:
        got, took = run(kind, server.url, scenario, timeout=PATIENT)
        assert server.conns[0].client_closed.wait(5)
    assert len(got) == 3
    assert took < RELEASE_GRACE + SLACK


def test_a_task_cancelled_while_waiting_for_the_end_still_closes(
    async_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import anyio

    import meshapi_aiohttp._transport
    import meshapi_httpx._async

    for module in (meshapi_httpx._async, meshapi_aiohttp._transport):
        monkeypatch.setattr(module, "RELEASE_GRACE", 60.0)  # the cancellation comes first
    waits: List[float] = []

    async def scenario(api: Api) -> Any:
        started = time.monotonic()
        with anyio.move_on_after(0.3) as scope:
            await api.chunks()
        took = time.monotonic() - started
        # closed by the stream itself, before the client is
        closed = await anyio.to_thread.run_sync(server.conns[0].client_closed.wait, 5)
        return scope.cancelled_caught, took, api.stream, closed

    with RawServer(done_then_holds(waits)) as server:
        cancelled, took, stream, closed = run(async_kind, server.url, scenario, timeout=PATIENT)
    assert cancelled and closed
    assert took < 0.3 + SLACK
    assert stream.completed  # every event was in: only the wait for the body's end was cut
