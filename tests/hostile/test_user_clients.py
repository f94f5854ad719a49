"""A client or session the user hands over: no redirect is followed and no credential of its
own is added, whatever it was configured with; any transport the user gives httpx works.

Each redirect scenario runs on every transport, with the SDK's own client and with the user's
(an ``httpx.Client``/``AsyncClient(follow_redirects=True)``, a plain ``aiohttp.ClientSession``),
against a raw server whose redirect points to a second server, another origin on 127.0.0.1,
which records whatever reaches it.
"""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import anyio
import httpx
import pytest

from meshapi import (
    APIConnectionError,
    APIStatusError,
    AsyncMeshAPI,
    InvalidArgumentError,
    MeshAPI,
    MeshAPIError,
    RateLimitError,
    StreamInterruptedError,
)

from ._server import Conn, RawServer, Seen, chunk, response, sse_head
from .conftest import PARAMS, TOKEN, Api, Client, backend_of

COMPLETION = {
    "id": "c",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "stop"}
    ],
}
CHUNKS = [
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}],
    }
    for word in ("one ", "two")
]
SSE = b"".join(b"data: %s\n\n" % json.dumps(c).encode() for c in CHUNKS) + b"data: [DONE]\n\n"
COMPLETION_BYTES = json.dumps(COMPLETION).encode()


def text_of(chunks: List[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


# -- clients of every kind, the SDK's own or the user's ---------------------------------------


def run_with(
    kind: str,
    base_url: str,
    scenario: Callable[[Api], Any],
    *,
    user: Optional[Callable[[], Any]] = None,
    **options: Any,
) -> Any:
    """Run ``scenario`` on a client of ``kind``; with ``user``, on the client or session it
    makes (in the running loop), handed over to the SDK and closed afterwards."""
    options.setdefault("max_retries", 0)

    async def main() -> Any:
        mine = user() if user is not None else None
        client: Client
        if kind == "httpx-sync":
            client = MeshAPI(base_url=base_url, token=TOKEN, httpx_client=mine, **options)
        elif kind.startswith("aiohttp"):
            client = AsyncMeshAPI(
                base_url=base_url, token=TOKEN, transport="aiohttp", aiohttp_session=mine,
                **options,
            )  # fmt: skip
        else:
            client = AsyncMeshAPI(base_url=base_url, token=TOKEN, httpx_client=mine, **options)
        api = Api(kind, client)
        try:
            return await scenario(api)
        finally:
            await api.aclose()
            if mine is not None:
                await close_theirs(mine)

    return anyio.run(main, backend=backend_of(kind))


async def close_theirs(mine: Any) -> None:
    """Close the user's client or session (the SDK never does)."""
    if isinstance(mine, httpx.Client):
        mine.close()
    elif isinstance(mine, httpx.AsyncClient):
        await mine.aclose()
    else:
        await mine.close()


def following_client(kind: str) -> Callable[[], Any]:
    """The user's client of ``kind``, set to follow redirects where the library can be."""

    def make() -> Any:
        if kind == "httpx-sync":
            return httpx.Client(follow_redirects=True)
        if kind.startswith("aiohttp"):
            import aiohttp

            return aiohttp.ClientSession()  # aiohttp follows redirects by default
        return httpx.AsyncClient(follow_redirects=True)

    return make


WHOSE = ["own", "user"]


@pytest.fixture
def elsewhere() -> Iterator[RawServer]:
    """Another origin: records what reaches it, answers as a gateway would."""

    def answer(seen: Seen, conn: Conn) -> bool:
        if "stream" in seen.body.decode("latin-1"):
            conn.send(sse_head() + chunk(SSE) + chunk(b""))
        else:
            conn.send(response(200, COMPLETION_BYTES, {"Content-Type": "application/json"}))
        return True

    with RawServer(answer) as server:
        yield server


def redirecting(status: int, location: str) -> Callable[[Seen, Conn], bool]:
    def answer(seen: Seen, conn: Conn) -> bool:
        conn.send(response(status, b"", {"Location": location}))
        return True

    return answer


# -- item: a redirect is an error, and nothing reaches another origin -------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("whose", WHOSE)
def test_a_redirect_to_another_origin_is_an_error_and_nothing_reaches_it(
    kind: str, whose: str, status: int, elsewhere: RawServer
) -> None:
    async def scenario(api: Api) -> APIStatusError:
        with pytest.raises(APIStatusError) as info:
            await api.create()
        return info.value

    target = f"{elsewhere.url}/v1/chat/completions?sig=abc"
    with RawServer(redirecting(status, target)) as server:
        user = following_client(kind) if whose == "user" else None
        error = run_with(kind, server.url, scenario, user=user)
        assert len(server.seen) == 1
    assert elsewhere.seen == []
    assert error.status == status
    assert error.error_code == "redirect"
    assert f"redirect to {elsewhere.url} not followed" in error.message
    assert "sig=abc" not in error.message
    assert TOKEN not in str(error)


@pytest.mark.parametrize("whose", WHOSE)
def test_a_redirected_stream_is_an_error_and_nothing_reaches_another_origin(
    kind: str, whose: str, elsewhere: RawServer
) -> None:
    async def scenario(api: Api) -> APIStatusError:
        with pytest.raises(APIStatusError) as info:
            await api.chunks()
        return info.value

    location = f"{elsewhere.url}/v1/chat/completions"
    with RawServer(redirecting(307, location)) as server:
        user = following_client(kind) if whose == "user" else None
        error = run_with(kind, server.url, scenario, user=user)
    assert elsewhere.seen == []
    assert (error.status, error.error_code) == (307, "redirect")


@pytest.mark.parametrize("whose", WHOSE)
def test_a_redirect_on_the_same_origin_is_not_followed_either(kind: str, whose: str) -> None:
    """Not followed on the same host either: a redirect would re-send a body (and switch a
    301/302/303 POST to GET); it means the base URL is not the gateway's final address."""

    async def scenario(api: Api) -> APIStatusError:
        with pytest.raises(APIStatusError) as info:
            await api.create()
        return info.value

    with RawServer(redirecting(308, "/v2/chat/completions")) as server:
        user = following_client(kind) if whose == "user" else None
        error = run_with(kind, server.url, scenario, user=user)
        assert [seen.target for seen in server.seen] == ["/v1/chat/completions"]
    assert error.error_code == "redirect"
    assert "another path on the same host" in error.message


def test_an_event_hook_still_sees_the_one_request_and_its_response() -> None:
    """The user's event hooks run as configured, once: no redirect is followed after them."""
    requests: List[str] = []
    statuses: List[int] = []

    def user() -> httpx.Client:
        return httpx.Client(
            follow_redirects=True,
            event_hooks={
                "request": [lambda r: requests.append(str(r.url))],
                "response": [lambda r: statuses.append(r.status_code)],
            },
        )

    async def scenario(api: Api) -> None:
        with pytest.raises(APIStatusError):
            await api.create()

    with RawServer(redirecting(307, "http://127.0.0.1:9/elsewhere")) as server:
        run_with("httpx-sync", server.url, scenario, user=user)
        assert requests == [f"{server.url}/v1/chat/completions"]
    assert statuses == [307]


# -- item: a user's client adds no credential of its own --------------------------------------


def _sync_with(**settings: Any) -> Callable[[], Any]:
    return lambda: httpx.Client(**settings)


def _async_with(**settings: Any) -> Callable[[], Any]:
    return lambda: httpx.AsyncClient(**settings)


def _aiohttp_with(**settings: Any) -> Callable[[], Any]:
    def make() -> Any:
        import aiohttp

        with warnings.catch_warnings():  # aiohttp 3.14 deprecates auth=; still honoured
            warnings.simplefilter("ignore", DeprecationWarning)
            if "auth" in settings:
                settings["auth"] = aiohttp.BasicAuth(*settings["auth"])
            return aiohttp.ClientSession(**settings)

    return make


CREDENTIAL_SETTINGS: List[Tuple[str, Callable[[], Any], str]] = [
    ("httpx-sync", _sync_with(auth=("user", "pass")), "auth"),
    ("httpx-sync", _sync_with(headers={"X-Api-Key": "rsk_other"}), "'x-api-key'"),
    ("httpx-asyncio", _async_with(headers={"Authorization": "Bearer mak_x"}), "'authorization'"),
    ("httpx-trio", _async_with(auth=("user", "pass")), "auth"),
    ("httpx-trio", _async_with(headers={"xi-api-key": "sk_eleven"}), "'xi-api-key'"),
    ("aiohttp-asyncio", _aiohttp_with(headers={"Authorization": "Bearer x"}), "'Authorization'"),
    ("aiohttp-asyncio", _aiohttp_with(auth=("user", "pass")), "auth"),
    ("aiohttp-asyncio", _aiohttp_with(headers={"Cookie": "session=1"}), "'Cookie'"),
]


@pytest.mark.parametrize(("kind", "user", "setting"), CREDENTIAL_SETTINGS)
def test_a_client_that_would_add_a_credential_of_its_own_is_refused(
    kind: str, user: Callable[[], Any], setting: str
) -> None:
    """An ``auth`` would replace the SDK's credential (httpx's BasicAuth overwrites the
    ``Authorization`` header); a default credential header would join it; both would go with
    signed-URL uploads to other hosts."""

    async def main() -> InvalidArgumentError:
        mine = user()
        try:
            with pytest.raises(InvalidArgumentError) as info:
                if kind == "httpx-sync":
                    MeshAPI(base_url="http://127.0.0.1:9", token=TOKEN, httpx_client=mine)
                elif kind.startswith("aiohttp"):
                    AsyncMeshAPI(base_url="http://127.0.0.1:9", token=TOKEN, aiohttp_session=mine)
                else:
                    AsyncMeshAPI(base_url="http://127.0.0.1:9", token=TOKEN, httpx_client=mine)
            return info.value
        finally:
            await close_theirs(mine)

    error = anyio.run(main, backend=backend_of(kind))
    assert setting in error.message
    assert error.param in ("httpx_client", "aiohttp_session")
    for secret in ("pass", "rsk_other", "mak_x", "session=1", "sk_eleven", TOKEN):
        assert secret not in error.message


def test_a_credential_added_to_the_client_later_is_refused_before_sending(kind: str) -> None:
    sent: List[Seen] = []

    def answer(seen: Seen, conn: Conn) -> bool:
        sent.append(seen)
        conn.send(response(200, COMPLETION_BYTES, {"Content-Type": "application/json"}))
        return True

    made: List[Any] = []

    def user() -> Any:
        made.append(following_client(kind)())
        return made[-1]

    async def scenario(api: Api) -> InvalidArgumentError:
        await api.create()
        made[0].headers["X-Api-Key"] = "rsk_other"
        with pytest.raises(InvalidArgumentError) as info:
            await api.create()
        return info.value

    with RawServer(answer) as server:
        error = run_with(kind, server.url, scenario, user=user)
    assert len(sent) == 1
    assert "x-api-key" in error.message.lower()
    assert sent[0].header("authorization") == f"Bearer {TOKEN}"


# -- item: any transport the user gives httpx works -------------------------------------------

MOCK_KINDS = ["httpx-sync", "httpx-asyncio", "httpx-trio"]


def mock_client(kind: str, handler: Callable[[httpx.Request], httpx.Response]) -> Any:
    transport = httpx.MockTransport(handler)
    if kind == "httpx-sync":
        return httpx.Client(transport=transport)
    return httpx.AsyncClient(transport=transport)


def run_on_mock(
    kind: str, handler: Callable[[httpx.Request], httpx.Response], scenario: Any, **options: Any
) -> Any:
    return run_with(
        kind, "http://127.0.0.1:9", scenario, user=lambda: mock_client(kind, handler), **options
    )


def replies(request: httpx.Request) -> httpx.Response:
    """What most teams write: whole responses made with ``json=`` or ``content=``."""
    body = json.loads(request.content)
    if body.get("stream"):
        return httpx.Response(200, content=SSE, headers={"content-type": "text/event-stream"})
    return httpx.Response(200, json=COMPLETION)


@pytest.mark.parametrize("kind", MOCK_KINDS)
def test_a_mock_transport_with_whole_responses_serves_calls_and_streams(kind: str) -> None:
    async def scenario(api: Api) -> Tuple[str, str]:
        reply = await api.create()
        return reply.choices[0].message.content, text_of(await api.chunks())

    assert run_on_mock(kind, replies, scenario) == ("hello", "one two")


@pytest.mark.parametrize("kind", MOCK_KINDS)
def test_a_mock_transports_compressed_content_is_decoded_once(kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=gzip.compress(COMPLETION_BYTES),
            headers={"content-type": "application/json", "content-encoding": "gzip"},
        )

    async def scenario(api: Api) -> str:
        return (await api.create()).choices[0].message.content

    assert run_on_mock(kind, handler, scenario) == "hello"


@pytest.mark.parametrize("kind", MOCK_KINDS)
def test_a_mock_transports_error_reply_is_the_sdks_error(kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"error": {"code": "rate_limit_exceeded", "message": "Slow down."}}
        return httpx.Response(429, json=body, headers={"retry-after": "7"})

    async def scenario(api: Api) -> RateLimitError:
        with pytest.raises(RateLimitError) as info:
            await api.create()
        return info.value

    error = run_on_mock(kind, handler, scenario)
    assert error.retry_after_seconds == 7.0
    assert error.message == "Slow down."


@pytest.mark.parametrize("kind", MOCK_KINDS)
def test_a_mock_transport_that_raises_httpx_errors_gets_the_sdks_errors(kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async def scenario(api: Api) -> APIConnectionError:
        with pytest.raises(APIConnectionError) as info:
            await api.create()
        return info.value

    error = run_on_mock(kind, handler, scenario)
    assert only_sdk_errors_in_the_chain_of(error)


@pytest.mark.parametrize("kind", MOCK_KINDS)
def test_the_mock_sees_the_request_the_sdk_built(kind: str) -> None:
    seen: List[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return replies(request)

    async def scenario(api: Api) -> None:
        await api.create()

    run_on_mock(kind, handler, scenario)
    (request,) = seen
    assert request.url == "http://127.0.0.1:9/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.content) == PARAMS.to_json_dict()


def _hooked(kind: str, hook: Callable[[httpx.Response], Any]) -> Callable[[], Any]:
    if kind == "httpx-sync":
        return lambda: httpx.Client(event_hooks={"response": [hook]})

    async def async_hook(response: httpx.Response) -> None:
        if hook is _reads:
            await response.aread()
        else:
            async for _ in response.aiter_raw():
                pass

    return lambda: httpx.AsyncClient(event_hooks={"response": [async_hook]})


def _reads(response: httpx.Response) -> None:
    response.read()


def _spends(response: httpx.Response) -> None:
    for _ in response.iter_raw():
        pass


def _serving_both(seen: Seen, conn: Conn) -> bool:
    if b'"stream"' in seen.body:
        conn.send(sse_head() + chunk(SSE) + chunk(b""))
    else:
        conn.send(response(200, COMPLETION_BYTES, {"Content-Type": "application/json"}))
    return True


@pytest.mark.parametrize("kind", MOCK_KINDS)
def test_an_event_hook_that_reads_the_body_leaves_it_to_the_sdk(kind: str) -> None:
    async def scenario(api: Api) -> Tuple[str, str]:
        reply = await api.create()
        return reply.choices[0].message.content, text_of(await api.chunks())

    with RawServer(_serving_both) as server:
        assert run_with(kind, server.url, scenario, user=_hooked(kind, _reads)) == (
            "hello",
            "one two",
        )


@pytest.mark.parametrize("kind", MOCK_KINDS)
def test_an_event_hook_that_spends_the_body_gets_the_sdks_error(kind: str) -> None:
    """A hook that streams the body away without keeping it leaves nothing to read: the
    SDK's error says so (httpx would raise its own ``StreamConsumed``)."""

    async def scenario(api: Api) -> Tuple[MeshAPIError, MeshAPIError]:
        with pytest.raises(MeshAPIError) as whole:
            await api.create()
        with pytest.raises(StreamInterruptedError) as stream:
            await api.chunks()
        return whole.value, stream.value

    with RawServer(_serving_both) as server:
        whole, stream = run_with(kind, server.url, scenario, user=_hooked(kind, _spends))
    for error in (whole, stream):
        assert "StreamConsumed" in error.message
        assert only_sdk_errors_in_the_chain_of(error)


def only_sdk_errors_in_the_chain_of(error: BaseException) -> bool:
    """No exception of httpx's (which holds the request, so the credential) is chained."""
    seen: Optional[BaseException] = error
    while seen is not None:
        if not isinstance(seen, MeshAPIError):
            return False
        seen = seen.__cause__ or seen.__context__
    return True


def test_a_wsgi_transport_serves_the_sdk() -> None:
    def app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> List[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [COMPLETION_BYTES]

    async def scenario(api: Api) -> str:
        return (await api.create()).choices[0].message.content

    user = lambda: httpx.Client(transport=httpx.WSGITransport(app=app))  # noqa: E731
    assert run_with("httpx-sync", "http://127.0.0.1:9", scenario, user=user) == "hello"


@pytest.mark.parametrize("kind", ["httpx-asyncio", "httpx-trio"])
def test_an_asgi_transport_serves_the_sdk(kind: str) -> None:
    async def app(scope: Dict[str, Any], receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        for piece in (SSE[:40], SSE[40:]):
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def scenario(api: Api) -> str:
        return text_of(await api.chunks())

    user = lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=app))  # noqa: E731
    assert run_with(kind, "http://127.0.0.1:9", scenario, user=user) == "one two"


# -- respx and vcrpy keep working --------------------------------------------------------------


@pytest.mark.parametrize("kind", MOCK_KINDS)
@pytest.mark.parametrize("whose", WHOSE)
def test_respx_mocks_the_sdks_calls_and_streams(kind: str, whose: str) -> None:
    respx = pytest.importorskip("respx")

    async def scenario(api: Api) -> Tuple[str, str]:
        reply = await api.create()
        return reply.choices[0].message.content, text_of(await api.chunks())

    with respx.mock(base_url="http://127.0.0.1:9", assert_all_called=True) as mock:
        route = mock.post("/v1/chat/completions").mock(side_effect=replies)
        user = following_client(kind) if whose == "user" else None
        assert run_with(kind, "http://127.0.0.1:9", scenario, user=user) == ("hello", "one two")
    assert route.call_count == 2
    assert route.calls[0].request.headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("kind", MOCK_KINDS)
@pytest.mark.parametrize("whose", WHOSE)
def test_vcrpy_records_and_replays_the_sdks_calls_and_streams(
    kind: str, whose: str, tmp_path: Path
) -> None:
    vcr = pytest.importorskip("vcr")
    cassette = str(tmp_path / "cassette.yaml")

    async def scenario(api: Api) -> Tuple[str, str]:
        reply = await api.create()
        return reply.choices[0].message.content, text_of(await api.chunks())

    with RawServer(_serving_both) as server:
        user = following_client(kind) if whose == "user" else None
        for _ in range(2):  # recorded from the server, then replayed from the cassette
            with vcr.use_cassette(cassette, record_mode="once", filter_headers=["authorization"]):
                assert run_with(kind, server.url, scenario, user=user) == ("hello", "one two")
        assert len(server.seen) == 2
    assert TOKEN not in Path(cassette).read_text()
