"""A user's HTTP/2 client: ``httpx.Client(http2=True)`` handed to the SDK, against a real
HTTP/2 server (hypercorn, cleartext HTTP/2 with prior knowledge) on 127.0.0.1.

A few targeted scenarios, not the whole contract suite: a call, a stream whose events arrive
in several DATA frames, and a redirect that must not be followed. The emulator speaks
HTTP/1.1 only; serving it over HTTP/2, with TLS and 100 streams on one connection, is the
end-to-end suite's (issue 21).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
from typing import Any, Callable, Dict, Iterator, List

import anyio
import httpx
import pytest

from meshapi import APIStatusError, AsyncMeshAPI, MeshAPI

from .conftest import PARAMS, backend_of, text_of

pytest.importorskip("h2")
pytest.importorskip("hypercorn")

TOKEN = "rsk_http2_0123456789SECRET"
COMPLETION = {
    "id": "c",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "over h2"},
            "finish_reason": "stop",
        }
    ],
}
WORDS = ["one ", "two ", "three"]


def _event(word: str) -> bytes:
    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}],
    }
    return b"data: %s\n\n" % json.dumps(chunk).encode()


class H2Server:
    """A small ASGI app served by hypercorn over cleartext HTTP/2 (and HTTP/1.1), in a
    thread. It answers ``/v1/chat/completions`` (a reply, or a stream sent event by event)
    and, under ``/moved``, a 307 to :attr:`elsewhere`; :attr:`seen` records each request's
    HTTP version and path."""

    def __init__(self, elsewhere: str) -> None:
        self.elsewhere = elsewhere
        self.seen: List[Dict[str, str]] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._run, name="h2-server", daemon=True)

    async def app(self, scope: Dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.seen.append({"http_version": scope["http_version"], "path": scope["path"]})
        if scope["path"].startswith("/moved"):
            headers = [(b"location", self.elsewhere.encode()), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 307, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        if json.loads(body).get("stream"):
            headers = [(b"content-type", b"text/event-stream")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            for piece in [*map(_event, WORDS), b"data: [DONE]\n\n"]:
                await send({"type": "http.response.body", "body": piece, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        data = json.dumps(COMPLETION).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    def _run(self) -> None:
        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        config = Config()
        config.bind = [f"fd://{os.dup(self._listener.fileno())}"]
        config.accesslog = config.errorlog = None
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(serve(self.app, config, shutdown_trigger=self._stop.wait))  # type: ignore[arg-type]

    def __enter__(self) -> H2Server:
        self._thread.start()  # the listener already listens: connections wait in its backlog
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
        self._listener.close()


@pytest.fixture
def elsewhere() -> Iterator[socket.socket]:
    """Another origin that must never be connected to (non-blocking: accept() says)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    yield listener
    listener.close()


KINDS = ["httpx-sync", "httpx-asyncio", "httpx-trio"]


def run_h2(kind: str, base_url: str, scenario: Callable[[Any], Any]) -> Any:
    """``scenario(client)`` on an SDK client given the user's HTTP/2-only httpx client,
    set to follow redirects."""

    async def main() -> Any:
        if kind == "httpx-sync":
            http = httpx.Client(http1=False, http2=True, follow_redirects=True)
            with http, MeshAPI(base_url=base_url, token=TOKEN, httpx_client=http) as client:
                return await scenario(client)
        ahttp = httpx.AsyncClient(http1=False, http2=True, follow_redirects=True)
        async with (
            ahttp,
            AsyncMeshAPI(base_url=base_url, token=TOKEN, httpx_client=ahttp) as aclient,
        ):
            return await scenario(aclient)

    return anyio.run(main, backend=backend_of(kind))


async def _create(client: Any) -> Any:
    reply = client.chat.completions.create(PARAMS, max_retries=0)
    return await reply if isinstance(client, AsyncMeshAPI) else reply


async def _stream(client: Any) -> List[Any]:
    if isinstance(client, MeshAPI):
        return list(client.chat.completions.stream(PARAMS))
    return [chunk async for chunk in client.chat.completions.stream(PARAMS)]


@pytest.mark.parametrize("kind", KINDS)
def test_an_http2_client_calls_and_streams(kind: str) -> None:
    async def scenario(client: Any) -> Any:
        return await _create(client), await _stream(client)

    with H2Server(elsewhere="http://127.0.0.1:9/") as server:
        reply, chunks = run_h2(kind, server.url, scenario)
    assert reply.choices[0].message.content == "over h2"
    assert text_of(chunks) == "one two three"
    assert [seen["http_version"] for seen in server.seen] == ["2", "2"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_http2_redirect_is_an_error_and_not_followed(
    kind: str, elsewhere: socket.socket
) -> None:
    target = f"http://127.0.0.1:{elsewhere.getsockname()[1]}/v1/chat/completions"

    async def scenario(client: Any) -> APIStatusError:
        with pytest.raises(APIStatusError) as info:
            await _create(client)
        return info.value

    with H2Server(elsewhere=target) as server:
        error = run_h2(kind, f"{server.url}/moved", scenario)
    assert (error.status, error.error_code) == (307, "redirect")
    assert [seen["http_version"] for seen in server.seen] == ["2"]
    with pytest.raises(BlockingIOError):
        elsewhere.accept()
