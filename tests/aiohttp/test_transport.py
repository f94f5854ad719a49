"""The aiohttp transport against a raw HTTP/1.1 server on 127.0.0.1.

The server is a few dozen lines of ``asyncio.start_server``: it parses each request head and
body, records them, and hands the connection to a per-test *answer* that writes whatever
bytes the test needs (a canned response, a body cut short, nothing at all). Waits are on
events or on the transport's own (small) timeouts, never on sleeps.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
from dataclasses import dataclass, field
from typing import AsyncIterator, Awaitable, Callable, List, Optional, Tuple

import aiohttp
import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from meshapi import AsyncMeshAPI, ClientContextError, ResponseTooLargeError
from meshapi.testing import realtime
from meshapi.testing.pytest_plugin import GatewayFixture
from meshapi_aiohttp import AiohttpStreamResponse, AiohttpTransport, _direct
from meshapi_aiohttp import _transport as _transport_module
from meshapi_aiohttp._transport import _connection_error, _stream_error
from meshapi_core.errors import (
    APIConnectionError,
    APITimeoutError,
    InvalidArgumentError,
    StreamInterruptedError,
    StreamTimeoutError,
)
from meshapi_core.http import Request, Timeout
from tests._io import aread, asend

pytestmark = pytest.mark.anyio

SHORT = Timeout(read=0.2, connect=2.0, write=2.0, pool=2.0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# --- the raw server ------------------------------------------------------------------------


@dataclass
class Seen:
    """One request as the server read it."""

    method: str
    target: str
    headers: List[Tuple[str, str]]
    body: bytes
    conn: int

    def get(self, name: str) -> List[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


@dataclass
class Conn:
    """One accepted connection; ``client_closed`` is set when the client hangs up."""

    index: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    client_closed: asyncio.Event = field(default_factory=asyncio.Event)

    async def write(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def until_client_closes(self) -> None:
        """Read (and drop) until the client closes its end: a stall that ends with the test."""
        while await self.reader.read(65536):
            pass
        self.client_closed.set()


# An answer writes the response; it returns True to keep the connection for another request.
Answer = Callable[[Seen, Conn], Awaitable[bool]]


class RawServer:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.seen: List[Seen] = []
        self.conns: List[Conn] = []
        self.port = 0
        self._server: Optional[asyncio.AbstractServer] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for conn in self.conns:
            conn.writer.close()
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = Conn(len(self.conns), reader, writer)
        self.conns.append(conn)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    conn.client_closed.set()
                    return
                request_line, *lines = head.decode("latin-1").split("\r\n")[:-2]
                method, target, _ = request_line.split(" ")
                headers = [tuple(h.split(": ", 1)) for h in lines]
                seen = Seen(method, target, headers, b"", conn.index)  # type: ignore[arg-type]
                length = seen.get("content-length")
                if length:
                    seen.body = await reader.readexactly(int(length[0]))
                self.seen.append(seen)
                if not await self.answer(seen, conn):
                    return
        finally:
            writer.close()


def response(status: int, headers: List[Tuple[str, str]], body: bytes = b"") -> bytes:
    head = [f"HTTP/1.1 {status} Whatever"]
    head += [f"{k}: {v}" for k, v in headers]
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


CHUNKED_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
)


def canned(data: bytes) -> Answer:
    async def answer(seen: Seen, conn: Conn) -> bool:
        await conn.write(data)
        return True

    return answer


async def stall(seen: Seen, conn: Conn) -> bool:
    await conn.until_client_closes()
    return False


async def hang_up(seen: Seen, conn: Conn) -> bool:
    return False


async def headers_then_close(seen: Seen, conn: Conn) -> bool:
    await conn.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
    return False


async def chunk_then_cut(seen: Seen, conn: Conn) -> bool:
    await conn.write(CHUNKED_HEAD + chunk(b"data: 1\n\n"))
    return False


async def chunk_then_stall(seen: Seen, conn: Conn) -> bool:
    await conn.write(CHUNKED_HEAD + chunk(b"data: 1\n\n"))
    await conn.until_client_closes()
    return False


async def chunked_body(seen: Seen, conn: Conn) -> bool:
    await conn.write(CHUNKED_HEAD)
    for part in (b"one ", b"two ", b"three"):
        await conn.write(chunk(part))
    await conn.write(b"0\r\n\r\n")
    return True


def refused_port() -> int:
    """A port that was bound and closed again, so a connection to it is refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


async def collect(stream: AiohttpStreamResponse, into: List[bytes]) -> None:
    async for part in stream.iter_bytes():
        into.append(part)


def get(url: str, timeout: Timeout = SHORT) -> Request:
    return Request("GET", url, (), None, timeout=timeout)


def post(url: str, body: bytes = b"{}", timeout: Timeout = SHORT) -> Request:
    headers = (("Content-Type", "application/json"), ("Authorization", "Bearer rsk_secret"))
    return Request("POST", url, headers, body, timeout=timeout)


@pytest.fixture(params=["short road", "long road"])
async def transport(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AiohttpTransport]:
    """A transport that makes its own session, sending by the short road (see
    ``meshapi_aiohttp/_direct.py``) or, as where aiohttp's internals differ, the long one."""
    if request.param == "long road":
        monkeypatch.setattr(_transport_module, "AVAILABLE", False)
    transport = AiohttpTransport()
    yield transport
    await transport.aclose()


# --- round trips ---------------------------------------------------------------------------


async def test_send_round_trip(transport: AiohttpTransport) -> None:
    headers = [("X-Request-ID", "req_1"), ("X-Multi", "a"), ("x-multi", "b")]
    answer = canned(response(201, [*headers, ("Content-Type", "text/plain")], b"hello"))
    async with RawServer(answer) as server:
        request = Request(
            "POST",
            f"{server.url}/v1/chat/completions?a=1&b=x+y",
            (("Content-Type", "application/json"), ("Authorization", "Bearer rsk_x"),
             ("X-Mesh-Version", "2025-01-01"), ("User-Agent", "meshapi-python/1")),
            b'{"model": "m"}',
            timeout=SHORT,
        )  # fmt: skip
        resp = await asend(transport, request)

    assert resp.status == 201
    assert resp.body == b"hello"
    assert resp.headers["x-request-id"] == "req_1"
    assert resp.headers["x-multi"] == "a, b"
    assert all(name == name.lower() for name in resp.headers)
    [seen] = server.seen
    assert (seen.method, seen.target) == ("POST", "/v1/chat/completions?a=1&b=x+y")
    assert seen.body == b'{"model": "m"}'
    assert seen.get("content-type") == ["application/json"]
    assert seen.get("content-length") == ["14"]
    assert seen.get("authorization") == ["Bearer rsk_x"]
    assert seen.get("x-mesh-version") == ["2025-01-01"]
    assert seen.get("user-agent") == ["meshapi-python/1"]


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_a_request_without_body_sends_none(transport: AiohttpTransport, method: str) -> None:
    async with RawServer(canned(response(204, []))) as server:
        resp = await asend(transport, Request(method, f"{server.url}/x", (), None, timeout=SHORT))
    assert resp.status == 204
    [seen] = server.seen
    assert seen.body == b""
    assert seen.get("content-type") == []
    assert seen.get("transfer-encoding") == []
    assert seen.get("content-length") in ([], ["0"])


async def test_gzip_body_is_decompressed(transport: AiohttpTransport) -> None:
    body = gzip.compress(b'{"ok": true}')
    answer = canned(response(200, [("Content-Encoding", "gzip")], body))
    async with RawServer(answer) as server:
        resp = await asend(transport, get(server.url))
    assert resp.body == b'{"ok": true}'


async def test_a_body_read_with_its_head_is_received_at_once(transport: AiohttpTransport) -> None:
    # Head and body in one write: aiohttp has read the whole body when the head is in.
    answer = canned(response(200, [("Content-Type", "application/json")], b'{"ok": true}'))
    async with RawServer(answer) as server:
        stream = await transport.open_stream(post(server.url))
        assert stream.body_in_memory() == b'{"ok": true}'
        await stream.aclose()
        assert (await asend(transport, post(server.url))).body == b'{"ok": true}'
    assert [s.conn for s in server.seen] == [0, 0]  # the connection went back to the pool


async def test_an_encoded_or_unfinished_body_is_not_received_at_once(
    transport: AiohttpTransport,
) -> None:
    answer = canned(response(200, [("Content-Encoding", "gzip")], gzip.compress(b"{}")))
    async with RawServer(answer) as server:
        stream = await transport.open_stream(get(server.url))
        assert stream.body_in_memory() is None  # decoded as it is iterated, in bounded pieces
        assert await aread(stream) == b"{}"
        await stream.aclose()
    async with RawServer(chunk_then_stall) as server:
        stream = await transport.open_stream(get(server.url))
        assert stream.body_in_memory() is None
        await stream.aclose()


async def test_a_body_received_at_once_keeps_its_bound() -> None:
    params = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    async with (
        RawServer(gateway) as server,
        AsyncMeshAPI(
            base_url=server.url, token="rsk_test", transport="aiohttp", max_response_size=16
        ) as client,
    ):
        with pytest.raises(ResponseTooLargeError):
            await client.chat.completions.create(params)


# --- the short road (meshapi_aiohttp/_direct.py) -------------------------------------------


def _wire(seen: Seen) -> Tuple[str, str, List[Tuple[str, str]], bytes]:
    return seen.method, seen.target, sorted((k.lower(), v) for k, v in seen.headers), seen.body


@pytest.mark.parametrize(
    "request_",
    [
        Request(
            "POST", "/v1/chat/completions", (("content-type", "application/json"),), b'{"a":1}'
        ),
        Request("GET", "/v1/models?limit=2&after=m%2F1", (("accept", "application/json"),), None),
        Request("DELETE", "/v1/files/f%20x", (), None),
        Request("PATCH", "/v1/keys/k", (("content-type", "application/json"),), b""),
        Request("POST", "/v1/x", (("Host", "gateway.example"), ("User-Agent", "mine/1")), b"{}"),
    ],
    ids=["post", "get with a query", "delete", "empty patch", "own host and agent"],
)
async def test_both_roads_put_the_same_request_on_the_wire(
    monkeypatch: pytest.MonkeyPatch, request_: Request
) -> None:
    wires = []
    async with RawServer(canned(response(200, [], b"{}"))) as server:
        for available in (True, False):
            monkeypatch.setattr(_transport_module, "AVAILABLE", available)
            transport = AiohttpTransport()
            sent = Request(
                request_.method, server.url + request_.url, request_.headers, request_.body,
                timeout=SHORT,
            )  # fmt: skip
            try:
                reply = await asend(transport, sent)
            finally:
                await transport.aclose()
            assert (reply.status, reply.body) == (200, b"{}")
            assert (transport._road is not None) == available
            wires.append(_wire(server.seen[-1]))
    assert wires[0] == wires[1]


async def test_the_short_road_is_taken_where_it_applies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    taken: List[bool] = []
    original = _direct.DirectRoad.send

    async def spy(self: _direct.DirectRoad, *args: object) -> object:
        reply = await original(self, *args)  # type: ignore[arg-type]
        taken.append(reply is not None)
        return reply

    monkeypatch.setattr(_direct.DirectRoad, "send", spy)
    async with RawServer(canned(response(200, [], b"{}"))) as server:
        transport = AiohttpTransport()
        try:
            await asend(transport, post(server.url + "/small"))
            await asend(transport, post(server.url + "/big", b"x" * (_direct.BODY_LIMIT + 1)))
        finally:
            await transport.aclose()
        async with aiohttp.ClientSession() as session:
            given = AiohttpTransport(session)
            await asend(given, post(server.url + "/given"))
    # the big body took the long road; a caller's session never meets the short one
    assert taken == [True, False]
    assert [seen.target for seen in server.seen] == ["/small", "/big", "/given"]
    assert len(server.seen[1].body) == _direct.BODY_LIMIT + 1


@pytest.mark.parametrize(
    "url", ["http://user:pw@127.0.0.1:1/x", "http://[::1/x", "ftp://127.0.0.1/x", "/relative"]
)
def test_urls_the_short_road_leaves_to_the_long_one(url: str) -> None:
    assert _direct._target(url) is None


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb"])
async def test_a_header_with_a_line_break_is_refused_before_sending(
    transport: AiohttpTransport, value: str
) -> None:
    async with RawServer(canned(response(200, [], b"{}"))) as server:
        request = Request("POST", server.url, (("X-Note", value),), b"{}", timeout=SHORT)
        with pytest.raises(InvalidArgumentError):
            await transport.open_stream(request)
    assert server.seen == []


@pytest.mark.parametrize(
    "answer",
    [b"NOT HTTP\r\n\r\n", b"HTTP/1.1 200 OK\r\nX: " + b"y" * 9000 + b"\r\n\r\n"],
    ids=["no status line", "a header line past its limit"],
)
async def test_a_malformed_answer_is_a_connection_error(
    transport: AiohttpTransport, answer: bytes
) -> None:
    async with RawServer(canned(answer)) as server:
        with pytest.raises(APIConnectionError) as info:
            await transport.open_stream(post(server.url))
    assert not isinstance(info.value, APITimeoutError)
    assert_unchained(info.value)


async def test_the_total_bounds_the_head(transport: AiohttpTransport) -> None:
    async with RawServer(stall) as server:
        with pytest.raises(APITimeoutError) as info:
            await transport.open_stream(post(server.url, timeout=Timeout(None, total=0.2)))
    assert not info.value.response_started
    assert_unchained(info.value)


async def test_the_total_bounds_the_body(transport: AiohttpTransport) -> None:
    async with RawServer(chunk_then_stall) as server:
        stream = await transport.open_stream(get(server.url, timeout=Timeout(None, total=0.3)))
        got: List[bytes] = []
        with pytest.raises(StreamTimeoutError):
            await collect(stream, got)
        await stream.aclose()
    assert got == [b"data: 1\n\n"]


async def test_each_answer_releases_its_timer_and_connection(transport: AiohttpTransport) -> None:
    loop = asyncio.get_running_loop()
    async with RawServer(canned(response(200, [], b"{}"))) as server:
        for _ in range(3):
            await asend(transport, post(server.url, timeout=Timeout(None, total=60.0)))
        assert len(server.conns) == 1  # one kept-alive connection served all three
        # no total timer left scheduled (each would fire a minute from now)
        timers = [h for h in getattr(loop, "_scheduled", []) if not h.cancelled()]
        assert all(h.when() < loop.time() + 30 for h in timers)


async def test_redirects_are_not_followed_and_cookies_not_kept(
    transport: AiohttpTransport,
) -> None:
    answer = canned(response(302, [("Location", "/elsewhere"), ("Set-Cookie", "s=1; Path=/")]))
    async with RawServer(answer) as server:
        first = await asend(transport, get(f"{server.url}/here"))
        await asend(transport, get(f"{server.url}/here"))
    assert first.status == 302
    assert first.headers["location"] == "/elsewhere"
    assert [s.target for s in server.seen] == ["/here", "/here"]
    assert server.seen[1].get("cookie") == []


async def test_error_status_is_a_response(transport: AiohttpTransport) -> None:
    answer = canned(response(503, [("Retry-After", "1")], b'{"error": {"code": "x"}}'))
    async with RawServer(answer) as server:
        resp = await asend(transport, post(server.url))
    assert (resp.status, resp.headers["retry-after"]) == (503, "1")


async def test_stream_yields_the_body(transport: AiohttpTransport) -> None:
    async with RawServer(chunked_body) as server:
        stream = await transport.open_stream(get(server.url))
        try:
            assert stream.status == 200
            assert stream.headers["content-type"] == "text/event-stream"
            body = b"".join([part async for part in stream.iter_bytes()])
        finally:
            await stream.aclose()
    assert body == b"one two three"


# --- failures before and after the headers -------------------------------------------------


def assert_unchained(error: BaseException) -> None:
    """The SDK's error names aiohttp's but does not hold it: aiohttp's exceptions may hold
    the request, and with it the credential."""
    assert error.__cause__ is None
    assert error.__context__ is None


async def test_refused_connection_is_a_connection_error(transport: AiohttpTransport) -> None:
    with pytest.raises(APIConnectionError) as info:
        await asend(transport, get(f"http://127.0.0.1:{refused_port()}/"))
    error = info.value
    assert not isinstance(error, APITimeoutError)
    assert (error.response_started, error.error_code) == (False, "connection_error")
    assert "ClientConnectorError" in error.message
    assert_unchained(error)


async def test_an_invalid_url_is_refused_not_a_connection_error(
    transport: AiohttpTransport,
) -> None:
    # The core refuses such a URL first; a request built by hand reaches aiohttp's refusal.
    with pytest.raises(InvalidArgumentError) as info:
        await asend(transport, get("http:///no-host"))
    assert "InvalidUrl" in info.value.message  # InvalidUrlClientError, an InvalidURL
    assert "Nothing was sent" in info.value.message
    assert_unchained(info.value)


async def test_stall_before_headers_is_a_timeout(transport: AiohttpTransport) -> None:
    async with RawServer(stall) as server:
        with pytest.raises(APITimeoutError) as info:
            await transport.open_stream(post(server.url))
    assert (info.value.response_started, info.value.error_code) == (False, "timeout")
    assert "TimeoutError" in info.value.message  # aiohttp's SocketTimeoutError
    assert_unchained(info.value)


async def test_hang_up_before_headers_is_a_connection_error(
    transport: AiohttpTransport,
) -> None:
    async with RawServer(hang_up) as server:
        with pytest.raises(APIConnectionError) as info:
            await asend(transport, post(server.url))
    assert not isinstance(info.value, APITimeoutError)
    assert not info.value.response_started
    assert "ServerDisconnectedError" in info.value.message
    assert_unchained(info.value)


async def test_body_cut_short_in_send_has_response_started(
    transport: AiohttpTransport,
) -> None:
    async with RawServer(headers_then_close) as server:
        with pytest.raises(APIConnectionError) as info:
            await asend(transport, post(server.url))
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.response_started
    assert "ClientPayloadError" in info.value.message


async def test_body_stall_in_send_is_a_timeout_with_response_started(
    transport: AiohttpTransport,
) -> None:
    async with RawServer(chunk_then_stall) as server:
        with pytest.raises(APITimeoutError) as info:
            await asend(transport, post(server.url))
    assert info.value.response_started
    assert not isinstance(info.value, StreamInterruptedError)


@pytest.mark.parametrize("answer", [chunk_then_cut, headers_then_close])
async def test_drop_mid_stream_is_stream_interrupted(
    transport: AiohttpTransport, answer: Answer
) -> None:
    async with RawServer(answer) as server:
        stream = await transport.open_stream(post(server.url))
        received: List[bytes] = []
        try:
            with pytest.raises(StreamInterruptedError) as info:
                await collect(stream, received)
        finally:
            await stream.aclose()
    assert not isinstance(info.value, StreamTimeoutError)
    assert info.value.error_code == "stream_interrupted"
    assert received  # what came before the drop was delivered


async def test_stall_mid_stream_is_a_stream_timeout(transport: AiohttpTransport) -> None:
    async with RawServer(chunk_then_stall) as server:
        stream = await transport.open_stream(post(server.url))
        try:
            with pytest.raises(StreamTimeoutError) as info:
                await collect(stream, [])
        finally:
            await stream.aclose()
        await asyncio.wait_for(server.conns[0].client_closed.wait(), 5)
    assert isinstance(info.value, APITimeoutError)
    assert info.value.response_started
    assert "TimeoutError" in info.value.message  # aiohttp's SocketTimeoutError
    assert_unchained(info.value)


async def test_pool_wait_is_bounded() -> None:
    """aiohttp's connect phase includes the wait for a pooled connection."""
    async with (
        RawServer(chunk_then_stall) as server,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session,
    ):
        transport = AiohttpTransport(session)
        holder = await transport.open_stream(post(server.url, timeout=Timeout(5.0)))
        try:
            with pytest.raises(APITimeoutError) as info:
                await asend(
                    transport, post(server.url, timeout=Timeout(5.0, connect=0.2, pool=0.2))
                )
        finally:
            await holder.aclose()
    assert not info.value.response_started
    assert len(server.seen) == 1


# --- connections and sessions --------------------------------------------------------------


async def test_read_to_the_end_returns_the_connection_to_the_pool(
    transport: AiohttpTransport,
) -> None:
    async with RawServer(chunked_body) as server:
        await asend(transport, get(server.url))
        stream = await transport.open_stream(get(server.url))
        _ = [part async for part in stream.iter_bytes()]
        await stream.aclose()
        await stream.aclose()
        await asend(transport, get(server.url))
    assert [s.conn for s in server.seen] == [0, 0, 0]


async def test_close_mid_body_drops_the_connection() -> None:
    async with RawServer(chunk_then_stall) as server, aiohttp.ClientSession() as session:
        transport = AiohttpTransport(session)
        stream = await transport.open_stream(get(server.url, timeout=Timeout(5.0)))
        async for _ in stream.iter_bytes():
            break
        await stream.aclose()
        await stream.aclose()  # twice is fine
        await asyncio.wait_for(server.conns[0].client_closed.wait(), 5)
        assert session.connector is not None
        assert not session.connector._acquired  # nothing left checked out


async def test_a_users_session_is_never_closed() -> None:
    answer = canned(response(200, [], b"ok"))
    async with RawServer(answer) as server, aiohttp.ClientSession() as session:
        transport = AiohttpTransport(session)
        assert (await asend(transport, get(server.url))).body == b"ok"
        await transport.aclose()
        assert not session.closed
        assert (await asend(transport, get(server.url))).body == b"ok"


async def test_a_users_session_settings_are_overridden_per_request() -> None:
    # A session that raises on error statuses, follows redirects and inflates bodies itself:
    # every request of the SDK's still gets the status as a response, the redirect unfollowed
    # and the body as sent, decoded by the SDK.
    answers = iter(
        [
            response(503, [("Retry-After", "1")], b'{"error": {"code": "x"}}'),
            response(302, [("Location", "/elsewhere")]),
            response(200, [("Content-Encoding", "gzip")], gzip.compress(b'{"ok": true}')),
        ]
    )

    async def answer(seen: Seen, conn: Conn) -> bool:
        await conn.write(next(answers))
        return True

    async with (
        RawServer(answer) as server,
        aiohttp.ClientSession(raise_for_status=True, auto_decompress=True) as session,
    ):
        transport = AiohttpTransport(session)
        assert (await asend(transport, post(server.url))).status == 503
        redirected = await asend(transport, get(f"{server.url}/here"))
        assert (redirected.status, redirected.headers["location"]) == (302, "/elsewhere")
        stream = await transport.open_stream(get(server.url))
        assert stream.body_in_memory() is None  # still encoded: the SDK decodes it
        assert await aread(stream) == b'{"ok": true}'
        await stream.aclose()
    assert [s.target for s in server.seen] == ["/", "/here", "/"]


async def test_a_session_it_made_is_closed() -> None:
    transport = AiohttpTransport()
    async with RawServer(canned(response(200, [], b"ok"))) as server:
        await asend(transport, get(server.url))
        session = transport._session
        assert session is not None
        assert not session.closed
        await transport.aclose()
        await transport.aclose()
        assert session.closed
        await asyncio.wait_for(server.conns[0].client_closed.wait(), 5)


async def test_realtime_sessions_never_take_a_connection_from_the_pool(
    meshapi_gateway: GatewayFixture,
) -> None:
    """A session is a connection of its own: a pool of one still serves REST calls while
    three sessions are open, and the user's session stays theirs."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
        client = AsyncMeshAPI(
            base_url=meshapi_gateway.base_url, token=meshapi_gateway.token,
            aiohttp_session=session, timeout=Timeout(5.0, pool=0.5, connect=0.5),
            max_retries=0,
        )  # fmt: skip
        opened = [await client.realtime.connect(model="openai/gpt-realtime") for _ in range(3)]
        try:
            models = await client.models.list()
            created = [(await s.receive()).type for s in opened]
        finally:
            for s in opened:
                await s.close()
        await client.aclose()
        assert not session.closed
    assert len(models) > 0 and created == ["session.created"] * 3
    assert realtime.wait_for_active_sessions(meshapi_gateway.gateway, 0)


async def test_no_session_opens_once_the_client_is_closed(
    meshapi_gateway: GatewayFixture,
) -> None:
    client = AsyncMeshAPI(
        base_url=meshapi_gateway.base_url, token=meshapi_gateway.token, transport="aiohttp"
    )
    await client.models.list()
    await client.aclose()
    with pytest.raises(ClientContextError):
        await client.realtime.connect(model="openai/gpt-realtime")
    assert [r.path for r in meshapi_gateway.gateway.requests] == ["/v1/models"]


def test_made_outside_a_loop_and_closed_unused() -> None:
    transport = AiohttpTransport()  # no loop running: the session waits for first use
    asyncio.run(transport.aclose())
    with pytest.raises(RuntimeError):
        asyncio.run(asend(transport, get("http://127.0.0.1:1/")))


async def test_cancelling_a_blocked_read_propagates_and_closes(
    transport: AiohttpTransport,
) -> None:
    first_chunk = asyncio.Event()
    opened: List[AiohttpStreamResponse] = []

    async def consume(url: str) -> None:
        stream = await transport.open_stream(get(url, timeout=Timeout(30.0)))
        opened.append(stream)
        try:
            async for _ in stream.iter_bytes():
                first_chunk.set()
        finally:
            await stream.aclose()

    async with RawServer(chunk_then_stall) as server:
        task = asyncio.ensure_future(consume(server.url))
        await asyncio.wait_for(first_chunk.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(server.conns[0].client_closed.wait(), 5)
    assert opened[0]._response.closed


# --- the error mapping, exception by exception ---------------------------------------------


def _request_info() -> aiohttp.RequestInfo:
    url = URL("http://127.0.0.1/v1")
    headers = CIMultiDictProxy(CIMultiDict({"Authorization": "Bearer rsk_secret"}))
    return aiohttp.RequestInfo(url, "POST", headers, url)


MAPPING = [
    (aiohttp.ServerDisconnectedError(), APIConnectionError, StreamInterruptedError),
    (aiohttp.ClientPayloadError("cut"), APIConnectionError, StreamInterruptedError),
    (aiohttp.ClientOSError(104, "reset"), APIConnectionError, StreamInterruptedError),
    (aiohttp.ClientConnectionResetError("reset"), APIConnectionError, StreamInterruptedError),
    (aiohttp.ClientConnectionError("closed"), APIConnectionError, StreamInterruptedError),
    (aiohttp.InvalidURL("x"), APIConnectionError, StreamInterruptedError),
    (aiohttp.ClientResponseError(_request_info(), (), status=400, message="bad"),
     APIConnectionError, StreamInterruptedError),
    (ConnectionResetError(104, "reset"), APIConnectionError, StreamInterruptedError),
    (OSError("boom"), APIConnectionError, StreamInterruptedError),
    (aiohttp.ServerTimeoutError("read"), APITimeoutError, StreamTimeoutError),
    (aiohttp.SocketTimeoutError("read"), APITimeoutError, StreamTimeoutError),
    (aiohttp.ConnectionTimeoutError("connect"), APITimeoutError, StreamTimeoutError),
    (asyncio.TimeoutError(), APITimeoutError, StreamTimeoutError),
    (TimeoutError(), APITimeoutError, StreamTimeoutError),
]  # fmt: skip


@pytest.mark.parametrize(("exc", "whole", "streamed"), MAPPING)
def test_every_exception_maps_to_the_sdks_own(
    exc: BaseException, whole: type, streamed: type
) -> None:
    for started in (False, True):
        error = _connection_error(exc, response_started=started)
        assert type(error) is whole
        assert error.response_started is started
        assert type(exc).__name__ in error.message
        assert "rsk_" not in str(error)
    broken = _stream_error(exc)
    assert type(broken) is streamed
    assert "rsk_" not in str(broken)


# --- through the facade --------------------------------------------------------------------

COMPLETION = {"id": "c1", "object": "chat.completion",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "4"},
                           "finish_reason": "stop"}]}  # fmt: skip


def _frame(content: str) -> bytes:
    choice = {"index": 0, "delta": {"content": content}, "finish_reason": None}
    delta = {"id": "c1", "object": "chat.completion.chunk", "choices": [choice]}
    return b"data: " + json.dumps(delta).encode() + b"\n\n"


async def gateway(seen: Seen, conn: Conn) -> bool:
    if not json.loads(seen.body).get("stream"):
        body = json.dumps(COMPLETION).encode()
        await conn.write(response(200, [("Content-Type", "application/json")], body))
        return True
    await conn.write(CHUNKED_HEAD)
    for frame in (_frame("2 + 2 = "), _frame("4"), b"data: [DONE]\n\n"):
        await conn.write(chunk(frame))
    await conn.write(b"0\r\n\r\n")
    return True


async def test_the_facade_over_aiohttp() -> None:
    params = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    async with (
        RawServer(gateway) as server,
        AsyncMeshAPI(
            base_url=f"http://127.0.0.1:{server.port}", token="rsk_test", transport="aiohttp"
        ) as client,
    ):
        completion = await client.chat.completions.create(params)
        parts = [
            chunk.choices[0].delta.content
            async for chunk in client.chat.completions.stream(params)
            if chunk.choices
        ]
    assert completion.id == "c1"
    assert completion.choices[0].message.content == "4"
    assert parts == ["2 + 2 = ", "4"]
    assert [s.target for s in server.seen] == ["/v1/chat/completions"] * 2
    assert all(s.get("authorization") == ["Bearer rsk_test"] for s in server.seen)
    assert json.loads(server.seen[1].body)["stream"] is True


async def test_the_facade_reports_a_cut_stream() -> None:
    params = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    received: List[Optional[str]] = []

    async def consume(client: AsyncMeshAPI) -> None:
        async for chunk in client.chat.completions.stream(params):
            received.append(chunk.choices[0].delta.content)

    async def frame_then_cut(seen: Seen, conn: Conn) -> bool:
        await conn.write(CHUNKED_HEAD + chunk(_frame("2 + 2")))
        return False

    async with (
        RawServer(frame_then_cut) as server,
        AsyncMeshAPI(
            base_url=server.url, token="rsk_test", transport="aiohttp", max_retries=0
        ) as client,
    ):
        with pytest.raises(StreamInterruptedError) as info:
            await consume(client)
    assert received == ["2 + 2"]
    assert info.value.error_code == "stream_interrupted"
