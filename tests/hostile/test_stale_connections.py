"""A pooled connection the server closes just as the next request goes out on it.

A server closes an idle keep-alive connection when it likes; a client that picked that
connection for its next request in the same instant sends the request into a connection that
is gone, and gets the close (a FIN, or a reset) instead of a response. Nothing was answered,
so the request is sent again at once, once, on a fresh connection (the same request: the same
``Idempotency-Key``), streams included. Anything else stays as it was: a stream whose
connection was fresh, or that had started to be answered, is never sent twice.

The server here plays the race deterministically: it answers the first request on each
connection and closes the connection when the next one arrives on it.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

import pytest

from meshapi import APIConnectionError, StaleConnectionError

from ._server import Conn, RawServer, Seen, chunk, response, sse_head
from .conftest import Api, run

TRIALS = 100
COMPLETION = (
    b'{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,'
    b'"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}'
)
CHUNK = (
    b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":'
    b'[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n'
)


def reply(seen: Seen, conn: Conn) -> None:
    """A whole reply, keep-alive: a completion, or a stream to its end."""
    if b'"stream":true' in seen.body.replace(b" ", b""):
        conn.send(sse_head() + chunk(CHUNK) + chunk(b"data: [DONE]\n\n") + chunk(b""))
    else:
        conn.send(response(200, COMPLETION, {"Content-Type": "application/json"}))


def closing_on_reuse(how: str) -> Callable[[Seen, Conn], bool]:
    """Answers the first request on each connection; closes it when the next one comes,
    with a FIN (``"fin"``), a reset (``"reset"``), or after part of a status line
    (``"partial"``, ``"partial-reset"``: the request was being answered)."""

    def answer(seen: Seen, conn: Conn) -> bool:
        earlier = [s for s in conn.server.seen if s.conn == conn.index and s is not seen]
        if not earlier:
            reply(seen, conn)
            return True
        if how in ("partial", "partial-reset"):
            conn.send(b"HTTP/1.1 200 O")
        if how in ("reset", "partial-reset"):
            conn.abort()
        return False

    return answer


def streams_after_creates(trials: int) -> Callable[[Api], Any]:
    """``trials`` times: a create (which leaves its connection in the pool), then a stream,
    which goes out on that connection; the failures, by error type."""

    async def scenario(api: Api) -> Dict[str, int]:
        failures: Dict[str, int] = {}
        for _ in range(trials):
            for step in (api.create, api.chunks):
                try:
                    await step()
                except APIConnectionError as error:
                    name = type(error).__name__
                    failures[name] = failures.get(name, 0) + 1
        return failures

    return scenario


@pytest.mark.parametrize("how", ["fin", "reset"])
def test_a_stream_on_a_connection_the_server_closed_is_sent_again(kind: str, how: str) -> None:
    with RawServer(closing_on_reuse(how)) as server:
        failures = run(kind, server.url, streams_after_creates(TRIALS))
    assert failures == {}
    stale = [s for s in server.seen if s is not first_on(server, s)]
    assert len(stale) >= TRIALS  # the race was run (each stream, on httpx), and every time
    assert len(server.seen) == 2 * TRIALS + len(stale)  # ... its request went out again


def first_on(server: RawServer, seen: Seen) -> Seen:
    return next(s for s in server.seen if s.conn == seen.conn)


def test_the_replay_carries_the_same_key(kind: str) -> None:
    with RawServer(closing_on_reuse("fin")) as server:

        async def scenario(api: Api) -> Any:
            await api.create()  # pooled
            await api.create()  # on the pooled connection, closed: sent again
            return None

        run(kind, server.url, scenario)
    first, stale, replay = server.seen
    assert stale.conn == first.conn and replay.conn != first.conn
    assert stale.header("idempotency-key") == replay.header("idempotency-key")
    assert stale.header("idempotency-key") != first.header("idempotency-key")
    assert stale.body == replay.body


def closing_fresh(seen: Seen, conn: Conn) -> bool:
    conn.abort()
    return False


@pytest.mark.parametrize("fresh", [True, False], ids=["fresh", "answered"])
def test_a_stream_is_still_sent_once_otherwise(kind: str, fresh: bool) -> None:
    """A reset on a fresh connection, or a close after part of a status line on a reused
    one, may follow a request the server acted on: the stream is not sent again."""
    answer = closing_fresh if fresh else closing_on_reuse("partial")

    async def scenario(api: Api) -> Any:
        if not fresh:
            await api.create()
        with pytest.raises(APIConnectionError) as info:
            await api.chunks()
        return info.value

    with RawServer(answer) as server:
        error = run(kind, server.url, scenario)
    assert not isinstance(error, StaleConnectionError)
    assert len(server.seen) == (1 if fresh else 2)


@pytest.mark.parametrize("kind", ["httpx-sync", "httpx-asyncio", "httpx-trio"])
def test_a_reset_after_part_of_a_status_line_is_not_stale_on_httpx(kind: str) -> None:
    """httpx's connections count the bytes of each response (aiohttp's cannot tell this
    reset from one before any byte: it sends such a request again, once)."""

    async def scenario(api: Api) -> Any:
        await api.create()
        with pytest.raises(APIConnectionError) as info:
            await api.chunks()
        return info.value

    with RawServer(closing_on_reuse("partial-reset")) as server:
        error = run(kind, server.url, scenario)
    assert not isinstance(error, StaleConnectionError)
    assert len(server.seen) == 2


def test_a_stale_connection_twice_is_the_error(async_kind: str) -> None:
    """The replay goes out once: a stream whose replay meets a closing connection too fails
    with the typed error (two pooled connections, both closed when used again)."""
    import anyio

    async def scenario(api: Api) -> Any:
        async with anyio.create_task_group() as group:  # two connections, both pooled
            for _ in range(2):
                group.start_soon(api.create)
        with pytest.raises(StaleConnectionError) as info:
            await api.chunks()
        return info.value

    with RawServer(closing_on_reuse("fin")) as server:
        error = run(async_kind, server.url, scenario)
    assert "reused connection" in error.message
    assert len({s.conn for s in server.seen}) == 2
    assert len([s for s in server.seen if b'"stream"' in s.body]) == 2
