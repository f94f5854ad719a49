"""The httpx transports' own clients send straight to their HTTPTransport (``_direct.py``):
the same request on the wire as through ``client.send``, no cookie kept, proxies from the
environment still honoured, and the URLs kept bounded."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import httpx
import pytest

from meshapi import AsyncMeshAPI, MeshAPI
from meshapi_core.errors import APITimeoutError, StreamInterruptedError
from meshapi_core.http import Request
from meshapi_httpx import AsyncHttpxTransport, HttpxTransport, _direct

from ._server import Conn, RawServer, Seen, chunk, response, sse_head
from .conftest import PARAMS, TOKEN, Api, backend_of, run
from .test_safety import COMPLETION

HTTPX_KINDS = ["httpx-sync", "httpx-asyncio", "httpx-trio"]


def cookie_setting(seen: Seen, conn: Conn) -> bool:
    """A completion that also sets a cookie, as a proxy or a load balancer in front may."""
    headers = {"Content-Type": "application/json", "Set-Cookie": "lb=node-7; Path=/"}
    conn.send(response(200, COMPLETION % len(conn.server.seen), headers))
    return True


def _head(seen: Seen) -> Dict[str, str]:
    """A request's headers by lower-case name, without the one that differs per call."""
    return {k.lower(): v for k, v in seen.headers if k.lower() != "idempotency-key"}


def _client(kind: str, url: str, handed_over: bool, **options: Any) -> Any:
    if kind == "httpx-sync":
        transport: Any = HttpxTransport(httpx.Client() if handed_over else None)
        return MeshAPI(base_url=url, token=TOKEN, transport=transport, **options)
    transport = AsyncHttpxTransport(httpx.AsyncClient() if handed_over else None)
    return AsyncMeshAPI(base_url=url, token=TOKEN, transport=transport, **options)


def _two_creates(kind: str, url: str, handed_over: bool, **options: Any) -> None:
    import anyio

    async def main() -> None:
        api = Api(kind, _client(kind, url, handed_over, **options))
        try:
            for _ in range(2):
                await api.create()
        finally:
            await api.aclose()

    anyio.run(main, backend=backend_of(kind))


@pytest.mark.parametrize("kind", HTTPX_KINDS)
def test_the_wire_request_is_the_one_client_send_makes(kind: str) -> None:
    with RawServer(cookie_setting) as server:
        _two_creates(kind, server.url, handed_over=False)
        _two_creates(kind, server.url, handed_over=True)
    direct, sent = server.seen[:2], server.seen[2:]
    assert [_head(s) for s in direct] == [_head(s) for s in sent[:1]] * 2
    head = _head(direct[0])
    assert head["authorization"] == f"Bearer {TOKEN}"
    assert head["user-agent"].startswith("python-httpx/")
    assert head["accept-encoding"] == _direct.ACCEPT_ENCODING
    assert head["host"] == f"127.0.0.1:{server.port}"
    assert direct[0].body == sent[0].body
    # The client the caller handed over keeps its cookie jar and sends the cookie back.
    assert sent[1].header("cookie") == "lb=node-7"


@pytest.mark.parametrize("kind", HTTPX_KINDS)
def test_the_sdks_own_client_keeps_no_cookie(kind: str) -> None:
    with RawServer(cookie_setting) as server:
        _two_creates(kind, server.url, handed_over=False)
    assert [s.header("cookie") for s in server.seen] == [None, None]


@pytest.mark.parametrize("kind", HTTPX_KINDS)
def test_default_headers_replace_the_clients_own(kind: str) -> None:
    with RawServer(cookie_setting) as server:
        _two_creates(
            kind, server.url, handed_over=False, default_headers={"User-Agent": "my-app/2"}
        )
    assert [s.header("user-agent") for s in server.seen] == ["my-app/2", "my-app/2"]
    assert [len([k for k, _ in s.headers if k.lower() == "user-agent"]) for s in server.seen] == [
        1,
        1,
    ]


@pytest.mark.parametrize("proxy_variable", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_proxy_in_the_environment_sends_through_the_client(
    monkeypatch: pytest.MonkeyPatch, proxy_variable: str
) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    sync, asynchronous = HttpxTransport(), AsyncHttpxTransport()
    assert sync._direct is not None and asynchronous._direct is not None
    monkeypatch.setenv(proxy_variable, "http://127.0.0.1:9")
    sync, asynchronous = HttpxTransport(), AsyncHttpxTransport()
    assert sync._direct is None and asynchronous._direct is None
    # ...and that client routes by the environment, as httpx does on its own.
    mounts: List[Tuple[Any, Any]] = list(sync._client._mounts.items())
    assert mounts and any(transport is not None for _, transport in mounts)
    sync.close()


def test_a_handed_over_client_is_never_sent_to_directly() -> None:
    assert HttpxTransport(httpx.Client())._direct is None
    assert AsyncHttpxTransport(httpx.AsyncClient())._direct is None


@pytest.mark.parametrize("kind", HTTPX_KINDS)
def test_many_urls_keep_the_url_cache_bounded(kind: str) -> None:
    _direct._parsed.cache_clear()

    def model(seen: Seen, conn: Conn) -> bool:
        listing = "?" in seen.target
        body = b"[]" if listing else b'{"id": "m", "object": "model"}'
        conn.send(response(200, body, {"Content-Type": "application/json"}))
        return True

    async def scenario(api: Api) -> None:
        for n in range(_direct.URL_CACHE_SIZE + 20):
            await api.call(lambda c, n=n: c.models.get(f"vendor/model-{n}"))
        await api.call(lambda c: c.models.list(provider="openai"))

    with RawServer(model) as server:
        run(kind, server.url, scenario)
    info = _direct._parsed.cache_info()
    assert info.currsize == _direct.URL_CACHE_SIZE  # full, never past its bound
    assert server.seen[-1].target.endswith("?provider=openai")
    # A URL with a query (cursors, signatures) is not kept: it never reaches the cache.
    _direct.url_of(Request("GET", f"{server.url}/v1/models?provider=openai", ()))
    assert _direct._parsed.cache_info() == info


def test_params_reach_the_wire_through_the_direct_path() -> None:
    with RawServer(cookie_setting) as server:
        MeshAPI(base_url=server.url, token=TOKEN).chat.completions.create(PARAMS)
    assert server.seen[0].target == "/v1/chat/completions"
    assert b'"model":"openai/gpt-4o-mini"' in server.seen[0].body


CUT_CHUNK = b'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n'


def cut_mid_chunk(seen: Seen, conn: Conn) -> bool:
    """Two frames of a stream, then half an HTTP chunk, then a closed connection."""
    conn.send(sse_head() + chunk(CUT_CHUNK) + chunk(CUT_CHUNK) + chunk(CUT_CHUNK)[:20])
    return False


@pytest.mark.parametrize("kind", HTTPX_KINDS)
def test_a_body_read_beneath_httpx_breaks_as_it_does_through_httpx(kind: str) -> None:
    """The SDK's own client reads a body from httpcore's stream beneath httpx's wrapper
    (``_common.raw_chunks``); a handed-over client reads it through httpx. The events before
    the break and the error are the same either way, and the error keeps no httpx or
    httpcore exception as its context."""
    outcomes = []
    for handed_over in (False, True):
        got: List[Any] = []

        async def scenario(api: Api, got: List[Any] = got) -> Any:
            stream = api.client.chat.completions.stream(PARAMS)
            with pytest.raises(StreamInterruptedError) as info:
                if api.is_sync:
                    for item in stream:
                        got.append(item.choices[0].delta.content)
                else:
                    async for item in stream:
                        got.append(item.choices[0].delta.content)
            return info.value

        with RawServer(cut_mid_chunk) as server:
            import anyio

            async def main(handed_over: bool = handed_over) -> Any:
                api = Api(kind, _client(kind, server.url, handed_over))
                try:
                    return await scenario(api)
                finally:
                    await api.aclose()

            error = anyio.run(main, backend=backend_of(kind))
        assert error.__context__ is None and error.__cause__ is None
        assert not isinstance(error, APITimeoutError)
        outcomes.append((got, type(error), error.message))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == ["a", "a"]
    assert "RemoteProtocolError" in outcomes[0][2]


def test_httpcores_errors_are_reported_as_httpxs() -> None:
    """What a body read beneath httpx raises (httpcore's errors) becomes the SDK error that
    httpx's own error of the same name would."""
    import httpcore

    from meshapi_httpx._common import BODY_ERRORS, stream_error

    pairs = [
        (httpcore.ReadTimeout("timed out"), httpx.ReadTimeout("timed out")),
        (httpcore.ReadError("reset"), httpx.ReadError("reset")),
        (httpcore.RemoteProtocolError("peer closed"), httpx.RemoteProtocolError("peer closed")),
    ]
    for beneath, through in pairs:
        assert isinstance(beneath, BODY_ERRORS) and isinstance(through, BODY_ERRORS)
        ours, theirs = stream_error(beneath), stream_error(through)
        assert (type(ours), ours.message) == (type(theirs), theirs.message)
