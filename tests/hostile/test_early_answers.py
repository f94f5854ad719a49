"""A server that answers before it has read the request's body: the answer wins.

The gateway's edge refuses a body over its ceiling with an HTML ``413`` as soon as it has read
the request's head, and closes the connection, so the client's write of the body fails. What
the server said before the connection broke is the reply: the typed ``413``, after one
request, never a connection failure that retries the upload. A body over the gateway's
documented ceiling is refused before anything is sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from meshapi import BadRequestError, ChatCompletionParams, InvalidArgumentError, RetryPolicy
from meshapi_core.endpoint import MAX_REQUEST_SIZE

from ._server import Conn, RawServer, Seen, response
from .conftest import Api, run

BODY = 4 << 20  # more than a socket takes at once, well under the gateway's ceiling
RETRIES = RetryPolicy(max_retries=3, initial_backoff=0.0, jitter=0.0)
PAGE = b"<html><head><title>413 Request Entity Too Large</title></head></html>"


def chat_of(size: int) -> ChatCompletionParams:
    return ChatCompletionParams.model_validate(
        {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "x" * size}]}
    )


def refuse_at_the_head(seen: Seen, conn: Conn) -> bool:
    """The edge: reads the head, answers 413, closes with the body unread (a reset)."""
    conn.send(response(413, PAGE, {"Content-Type": "text/html", "Connection": "close"}))
    return False


def sending(how: str, tmp_path: Path) -> Any:
    """A call whose body is ``BODY`` bytes: JSON, a stream's JSON, or a file's form."""
    if how == "create":
        return lambda c: c.chat.completions.create(chat_of(BODY))
    if how == "stream":
        return lambda c: c.chat.completions.stream(chat_of(BODY))
    audio = tmp_path / "talk.wav"
    audio.write_bytes(b"\0" * BODY)
    return lambda c: c.audio.transcribe(audio, model="elevenlabs/scribe_v2")


async def settle(api: Api, method: Any) -> Any:
    """Run ``method(client)``: a call, or a stream opened and iterated."""
    result = await api.call(method)
    if hasattr(result, "__aiter__"):
        async with result:
            return [item async for item in result]
    if hasattr(result, "__iter__") and hasattr(result, "close"):
        with result:
            return list(result)
    return result


@pytest.mark.parametrize("how", ["create", "stream", "file"])
def test_an_early_413_is_the_reply_and_the_body_is_sent_once(
    kind: str, how: str, tmp_path: Path
) -> None:
    method = sending(how, tmp_path)

    async def scenario(api: Api) -> Any:
        with pytest.raises(BadRequestError) as info:
            await settle(api, method)
        return info.value

    with RawServer(refuse_at_the_head, read_bodies=False) as server:
        error = run(kind, server.url, scenario, retry=RETRIES, max_retries=3)
    assert (error.status, error.error_code) == (413, "request_too_large")
    assert "413 Request Entity Too Large" in error.message  # the whole page came
    assert len(server.seen) == 1


def nothing_sent(seen: Seen, conn: Conn) -> bool:  # pragma: no cover - must not be reached
    conn.send(response(500))
    return False


def test_a_body_over_the_gateways_ceiling_is_refused_before_sending(
    kind: str, tmp_path: Path
) -> None:
    sparse = tmp_path / "long.wav"
    with open(sparse, "wb") as file:
        file.truncate(MAX_REQUEST_SIZE)  # no bytes written: the form around it passes 32 MiB

    async def scenario(api: Api) -> Any:
        with pytest.raises(InvalidArgumentError) as info:
            await api.call(lambda c: c.audio.transcribe(sparse, model="elevenlabs/scribe_v2"))
        return info.value

    with RawServer(nothing_sent) as server:
        error = run(kind, server.url, scenario)
    assert error.param == "file" and "33,554,432 bytes" in error.message
    assert server.seen == []


def drain(seen: Seen, conn: Conn) -> bool:
    conn.until_client_closes()
    return False


def test_a_body_of_unknown_size_stops_at_the_ceiling(kind: str) -> None:
    class Endless:
        """A one-shot stream with no size (a pipe): the client finds out as it sends."""

        def read(self, n: int) -> bytes:
            return b"\0" * n

    async def scenario(api: Api) -> Any:
        with pytest.raises(InvalidArgumentError) as info:
            await api.call(
                lambda c: c.audio.transcribe(Endless(), model="m", filename="live.wav")
            )
        return info.value

    with RawServer(drain, read_bodies=False) as server:
        error = run(kind, server.url, scenario, retry=RETRIES, max_retries=3)
    assert error.param == "file" and "passed the gateway's limit" in error.message
    assert len(server.seen) == 1
