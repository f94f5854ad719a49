"""HTTP/2: a user's ``httpx.Client(http2=True)`` against a real HTTP/2 server (hypercorn over
TLS, h2 chosen by ALPN): creates, streams, 100 concurrent streams over one connection, and a
deadline on one stream that leaves the others on the connection running."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

import anyio
import httpx
import pytest
import trustme

from meshapi import AsyncMeshAPI, MeshAPI, StreamTimeoutError

pytest.importorskip("h2")
hypercorn_asyncio = pytest.importorskip("hypercorn.asyncio")
from hypercorn.config import Config  # noqa: E402

TOKEN = "rsk_http2_0123456789SECRET"
STALL = "stall"  # a message asking the server to send one chunk, then nothing


def completion(n: int) -> bytes:
    return json.dumps({
        "id": f"chatcmpl-{n}", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"},
                     "finish_reason": "stop"}],
    }).encode()  # fmt: skip


def chunk(n: int, text: str) -> bytes:
    event = {
        "id": f"chatcmpl-{n}", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }  # fmt: skip
    return b"data: " + json.dumps(event).encode() + b"\n\n"


class H2Server:
    """Hypercorn on 127.0.0.1 over TLS (ALPN: h2, http/1.1), on an asyncio loop in a thread,
    serving a small chat-completions app that records each request's connection.

    A streamed reply sends one chunk, then waits for :meth:`release` before the rest (so
    streams overlap for as long as a test needs); a request whose message is ``STALL`` never
    gets more than its first chunk.
    """

    def __init__(self, cert: trustme.LeafCert, folder: Path) -> None:
        self.certfile = folder / "cert.pem"
        self.keyfile = folder / "key.pem"
        cert.cert_chain_pems[0].write_to_path(str(self.certfile))
        cert.private_key_pem.write_to_path(str(self.keyfile))
        self.connections: List[Tuple[str, str]] = []  # (peer, http version) per request
        self.resets = 0  # stalled streams the client reset
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._stop: Optional[asyncio.Event] = None
        self._released: Optional[asyncio.Event] = None
        self._ready = threading.Event()
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def __enter__(self) -> H2Server:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
        with contextlib.suppress(OSError):  # hypercorn may have closed it
            self._socket.close()

    def reset(self) -> None:
        with self._lock:
            self.connections.clear()
            self.resets = 0
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(self._new_gate(), self._loop).result(5)

    async def _new_gate(self) -> None:
        self._released = asyncio.Event()

    def wait_for_resets(self, count: int) -> bool:
        """Wait (5 s at most) until ``count`` stalled streams have been reset."""
        with self._changed:
            return self._changed.wait_for(lambda: self.resets >= count, 5)

    def release(self) -> None:
        """Let every waiting stream send the rest of its chunks."""
        assert self._loop is not None and self._released is not None
        self._loop.call_soon_threadsafe(self._released.set)

    @property
    def peers(self) -> Set[str]:
        with self._lock:
            return {peer for peer, _ in self.connections}

    @property
    def versions(self) -> Set[str]:
        with self._lock:
            return {version for _, version in self.connections}

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._released = asyncio.Event()
        config = Config()
        config.bind = [f"fd://{self._socket.fileno()}"]
        config.certfile, config.keyfile = str(self.certfile), str(self.keyfile)
        config.accesslog = config.errorlog = None
        config.graceful_timeout = 0.1
        self._ready.set()
        await hypercorn_asyncio.serve(self._app, config, shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]

    async def _app(self, scope: Dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        host, port = scope["client"]
        with self._lock:
            self.connections.append((f"{host}:{port}", scope["http_version"]))
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        params = json.loads(body)
        n = len(self.connections)
        if not params.get("stream"):
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": completion(n)})
            return
        headers = [(b"content-type", b"text/event-stream")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": chunk(n, "one "), "more_body": True})
        gate, stop = self._released, self._stop
        assert gate is not None and stop is not None
        if params["messages"][0]["content"] == STALL:
            while (await receive())["type"] != "http.disconnect":  # nothing more
                pass
            with self._changed:
                self.resets += 1  # the client reset the stream (or the server stops)
                self._changed.notify_all()
            return
        while not gate.is_set():  # a comment every 50 ms, as a gateway's keep-alive would
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(gate.wait(), 0.05)
            if not gate.is_set():
                await send({"type": "http.response.body", "body": b": tick\n\n", "more_body": True})
        rest = chunk(n, "two") + b"data: [DONE]\n\n"
        await send({"type": "http.response.body", "body": rest})


@pytest.fixture(scope="module")
def h2_server(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[H2Server]:
    with H2Server(ca.issue_cert("127.0.0.1"), tmp_path_factory.mktemp("h2")) as server:
        yield server


@pytest.fixture(scope="module")
def ca_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture
def server(h2_server: H2Server) -> H2Server:
    h2_server.reset()
    return h2_server


def params(content: str = "Hi") -> Dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": content}]}


def text_of(chunks: List[Any]) -> str:
    return "".join(c.choices[0].delta.content for c in chunks)


def test_blocking_creates_and_streams_share_one_http2_connection(
    server: H2Server, ca_context: ssl.SSLContext
) -> None:
    # One thread: httpcore's blocking HTTP/2 connection is not safe to share between threads
    # (see docs/transports.md#http2), but one thread may interleave streams on it.
    with httpx.Client(http2=True, verify=ca_context) as http:
        client = MeshAPI(base_url=server.url, token=TOKEN, httpx_client=http, max_retries=0)
        creates = [client.chat.completions.create(params()) for _ in range(10)]
        assert [c.choices[0].message.content for c in creates] == ["hi"] * 10
        streams = [iter(client.chat.completions.stream(params())) for _ in range(20)]
        firsts = [next(stream) for stream in streams]  # 20 streams open at once
        assert len(server.connections) == 30
        server.release()
        texts = [text_of([first, *stream]) for first, stream in zip(firsts, streams)]
    assert texts == ["one two"] * 20
    assert server.versions == {"2"} and len(server.peers) == 1


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_100_concurrent_streams_run_over_one_http2_connection(
    server: H2Server, ca_context: ssl.SSLContext, backend: str
) -> None:
    async def main() -> List[str]:
        got: List[str] = []
        async with httpx.AsyncClient(http2=True, verify=ca_context) as http:
            client = AsyncMeshAPI(base_url=server.url, token=TOKEN, httpx_client=http)
            first = await client.chat.completions.create(params())
            assert first.choices[0].message.content == "hi"
            started = anyio.Event()
            opened = [0]

            async def one() -> None:
                stream = client.chat.completions.stream(params())
                async with stream:
                    chunks = []
                    async for item in stream:
                        chunks.append(item)
                        if len(chunks) == 1:
                            opened[0] += 1
                            if opened[0] == 100:  # every stream is open at once: the server
                                started.set()  # holds each after its first chunk
                got.append(text_of(chunks))

            async with anyio.create_task_group() as group:
                for _ in range(100):
                    group.start_soon(one)
                with anyio.move_on_after(20) as waiting:
                    await started.wait()
                assert not waiting.cancelled_caught, (
                    f"{opened[0]} of 100 streams opened; the server saw "
                    f"{len(server.connections)} requests"
                )
                server.release()
        return got

    assert anyio.run(main, backend=backend) == ["one two"] * 100
    assert server.versions == {"2"} and len(server.peers) == 1


def test_a_deadline_on_one_blocking_stream_leaves_the_others_running(
    server: H2Server, ca_context: ssl.SSLContext
) -> None:
    with httpx.Client(http2=True, verify=ca_context) as http:
        client = MeshAPI(base_url=server.url, token=TOKEN, httpx_client=http, max_retries=0)
        others = [iter(client.chat.completions.stream(params())) for _ in range(4)]
        firsts = [next(stream) for stream in others]  # open, waiting for the rest
        stalled = client.chat.completions.stream(params(STALL), deadline=0.5)
        started = time.monotonic()
        with pytest.raises(StreamTimeoutError):
            for _ in stalled:  # reads the connection (the others' data too) until its deadline
                pass
        waited = time.monotonic() - started
        server.release()
        texts = [text_of([first, *stream]) for first, stream in zip(firsts, others)]
        after = client.chat.completions.create(params()).choices[0].message.content
        assert server.wait_for_resets(1)  # told (RST_STREAM), the connection still open
    assert texts == ["one two"] * 4 and after == "hi" and waited < 2.0
    assert server.versions == {"2"} and len(server.peers) == 1


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_deadline_on_one_async_stream_leaves_the_others_running(
    server: H2Server, ca_context: ssl.SSLContext, backend: str
) -> None:
    async def main() -> Tuple[List[str], float, str]:
        got: List[str] = []
        async with httpx.AsyncClient(http2=True, verify=ca_context) as http:
            client = AsyncMeshAPI(base_url=server.url, token=TOKEN, httpx_client=http)
            await client.chat.completions.create(params())
            ready = anyio.Event()
            waited = 0.0

            async def stalled() -> None:
                nonlocal waited
                started = anyio.current_time()
                with pytest.raises(StreamTimeoutError):
                    stream = client.chat.completions.stream(params(STALL), deadline=0.5)
                    async with stream:
                        async for _ in stream:
                            await ready.wait()
                waited = anyio.current_time() - started
                server.release()

            async def normal() -> None:
                chunks = []
                stream = client.chat.completions.stream(params())
                async with stream:
                    async for item in stream:
                        chunks.append(item)
                        if len(server.connections) == 6:
                            ready.set()
                got.append(text_of(chunks))

            async with anyio.create_task_group() as group:
                group.start_soon(stalled)
                for _ in range(4):
                    group.start_soon(normal)
            after = await client.chat.completions.create(params())
            assert await anyio.to_thread.run_sync(server.wait_for_resets, 1)
        return got, waited, after.choices[0].message.content

    got, waited, after = anyio.run(main, backend=backend)
    assert got == ["one two"] * 4 and waited < 2.0 and after == "hi"
    assert server.versions == {"2"} and len(server.peers) == 1


@pytest.mark.parametrize("kind", ["sync", "asyncio", "trio"])
def test_streams_left_early_are_reset_so_the_connection_stays_usable(
    server: H2Server, ca_context: ssl.SSLContext, kind: str
) -> None:
    # Without RST_STREAM, each stream left early still counts against the server's 100
    # concurrent streams: the 101st request on the connection would fail.
    count = 105

    def blocking() -> str:
        with httpx.Client(http2=True, verify=ca_context) as http:
            client = MeshAPI(base_url=server.url, token=TOKEN, httpx_client=http, max_retries=0)
            for _ in range(count):
                with client.chat.completions.stream(params(STALL)) as stream:
                    next(iter(stream))
            assert server.wait_for_resets(count)  # each told, the connection still open
            return client.chat.completions.create(params()).choices[0].message.content

    async def main() -> str:
        async with httpx.AsyncClient(http2=True, verify=ca_context) as http:
            client = AsyncMeshAPI(
                base_url=server.url, token=TOKEN, httpx_client=http, max_retries=0
            )
            for _ in range(count):
                stream = client.chat.completions.stream(params(STALL))
                async with stream:
                    async for _ in stream:
                        break
            assert await anyio.to_thread.run_sync(server.wait_for_resets, count)
            return (await client.chat.completions.create(params())).choices[0].message.content

    assert (blocking() if kind == "sync" else anyio.run(main, backend=kind)) == "hi"
    assert server.versions == {"2"} and len(server.peers) == 1
