"""The contract suite: one set of scenarios, run on every transport and event loop.

Each scenario is an ``async def`` taking an :class:`Api`. The same scenario runs on the
blocking httpx client (whose calls simply block inside the scenario's loop), on the async
httpx client under asyncio and under trio, and on the aiohttp client under asyncio, against
the gateway emulator on 127.0.0.1. A behaviour that differs between transports fails here.

A test marked ``user_clients`` also runs on the *user kinds* (``user_clients.py``): the same
transports given a client or session the user configured (redirect-following, a mock
transport, a proxy mount). ``user_clients("live")`` runs on those whose bodies arrive as they
are sent (not the mocks, which read each body whole first).

Each also runs over TLS (``https://``, ``wss://``; the ``scheme`` parameter): the emulator
serves with a certificate authority of its own and the clients trust it as a user's process
would, through ``SSL_CERT_FILE`` (:func:`trust`). Over TLS only the scenarios of
:data:`OVER_TLS` run, a subset that passes every kind of traffic through the encryption
(requests, SSE streams, retries, uploads and downloads, WebSocket sessions), so the suite's time
grows little.
"""

from __future__ import annotations

import ssl
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, TypeVar, Union

import anyio
import pytest

from meshapi import AsyncMeshAPI, ChatCompletion, ChatCompletionChunk, ChatCompletionParams, MeshAPI
from meshapi.testing.pytest_plugin import GatewayFixture

from .user_clients import USER_KINDS, close_theirs, theirs, variant_of

T = TypeVar("T")

KINDS = ["httpx-sync", "httpx-asyncio", "httpx-trio", "aiohttp-asyncio"]
ASYNC_KINDS = KINDS[1:]

PARAMS = ChatCompletionParams.model_validate(
    {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}
)


class Api:
    """One client of some kind, behind an async interface the scenarios share."""

    def __init__(self, kind: str, client: Union[MeshAPI, AsyncMeshAPI]) -> None:
        self.kind = kind
        self.client = client
        self.last_stream: Any = None

    @property
    def is_sync(self) -> bool:
        return isinstance(self.client, MeshAPI)

    async def create(self, params: ChatCompletionParams = PARAMS, **options: Any) -> ChatCompletion:
        if isinstance(self.client, MeshAPI):
            return self.client.chat.completions.create(params, **options)
        return await self.client.chat.completions.create(params, **options)

    async def chunks(
        self,
        params: ChatCompletionParams = PARAMS,
        *,
        stop_after: Optional[int] = None,
        **options: Any,
    ) -> List[ChatCompletionChunk]:
        """Stream, collecting chunks; with ``stop_after``, ``break`` after that many."""
        got: List[ChatCompletionChunk] = []
        if isinstance(self.client, MeshAPI):
            stream = self.last_stream = self.client.chat.completions.stream(params, **options)
            for chunk in stream:
                got.append(chunk)
                if stop_after is not None and len(got) >= stop_after:
                    break
            return got
        astream = self.last_stream = self.client.chat.completions.stream(params, **options)
        async with astream:  # async generators are closed late on break; `with` closes now
            async for chunk in astream:
                got.append(chunk)
                if stop_after is not None and len(got) >= stop_after:
                    break
        return got

    async def models(self) -> List[Any]:
        if isinstance(self.client, MeshAPI):
            return self.client.models.list()
        return await self.client.models.list()

    async def aclose(self) -> None:
        if isinstance(self.client, MeshAPI):
            self.client.close()
        else:
            await self.client.aclose()
        await close_theirs(_THEIRS.pop(id(self.client), []))


# What a user kind's client was handed (closed with the Api that wraps it).
_THEIRS: Dict[int, List[Any]] = {}


def make_client(
    kind: str, base_url: str, token: str, **options: Any
) -> Union[MeshAPI, AsyncMeshAPI]:
    """A client of ``kind``; for a user kind, on the user's client or session (call it in
    the running event loop, and close it through :class:`Api`)."""
    mine: Any = None
    if variant_of(kind) is not None:
        mine, extras = theirs(kind)
        client = _make_client(kind, base_url, token, mine, **options)
        _THEIRS[id(client)] = [mine, *extras]
        return client
    return _make_client(kind, base_url, token, None, **options)


def _make_client(
    kind: str, base_url: str, token: str, mine: Any, **options: Any
) -> Union[MeshAPI, AsyncMeshAPI]:
    kind = base_of(kind)
    if kind == "httpx-sync":
        return MeshAPI(base_url=base_url, token=token, httpx_client=mine, **options)
    if kind.startswith("aiohttp"):
        return AsyncMeshAPI(
            base_url=base_url, token=token, transport="aiohttp", aiohttp_session=mine, **options
        )
    return AsyncMeshAPI(base_url=base_url, token=token, httpx_client=mine, **options)


def base_of(kind: str) -> str:
    """The transport kind under a user kind: ``httpx-trio`` for ``httpx-trio+mock``."""
    return kind.partition("+")[0]


def backend_of(kind: str) -> str:
    return "trio" if base_of(kind).endswith("trio") else "asyncio"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "user_clients(*tags): also run on the user-supplied-client kinds (with tags, only "
        "the kinds that have them)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test marked ``user_clients`` on the user kinds too (see the module docs): it
    gets a ``parametrize`` mark before pytest reads the marks, which the ``kind`` fixture's
    own parameters then give way to."""
    marker = metafunc.definition.get_closest_marker("user_clients")
    if marker is None or "kind" not in metafunc.fixturenames:
        return
    for chosen in metafunc.definition.iter_markers("parametrize"):
        names = chosen.args[0]
        if "kind" in (names.replace(" ", "").split(",") if isinstance(names, str) else names):
            return  # the test chose its kinds
    tags = set(marker.args)
    users = [kind for kind, have in USER_KINDS.items() if tags <= set(have)]
    metafunc.definition.add_marker(pytest.mark.parametrize("kind", KINDS + users))


Scenario = Callable[[Api], Awaitable[T]]


class Runner:
    """Runs a scenario for one kind against one emulator."""

    def __init__(self, kind: str, gw: GatewayFixture) -> None:
        self.kind = kind
        self.gw = gw

    def __call__(self, scenario: Scenario[T], *, token: Optional[str] = None, **options: Any) -> T:
        async def main() -> T:
            api = Api(
                self.kind,
                make_client(self.kind, self.gw.base_url, token or self.gw.token, **options),
            )
            try:
                return await scenario(api)
            finally:
                await api.aclose()

        return anyio.run(main, backend=backend_of(self.kind))


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def run(kind: str, meshapi_gateway: GatewayFixture) -> Runner:
    return Runner(kind, meshapi_gateway)


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Call a blocking emulator helper (a wait on an event) without blocking the loop."""
    return await anyio.to_thread.run_sync(fn, *args)


def text_of(chunks: List[ChatCompletionChunk]) -> str:
    return "".join(c.choices[0].delta.content for c in chunks if c.choices)


Opts = Dict[str, Any]
AsyncChunks = AsyncIterator[ChatCompletionChunk]


# -- over TLS ----------------------------------------------------------------------------------

OVER_TLS = {
    "test_contract.py": {
        "test_create",
        "test_stream",
        "test_stream_survives_split_writes_and_keep_alives",
        "test_error_shapes",
        "test_retry_after_is_waited_for",
        "test_connection_drop_before_response_is_retried",
        "test_stream_interrupted",
        "test_break_closes_the_connection",
        "test_connections_are_reused_and_a_stream_never_waits_for_reuse",
        "test_cancel_mid_stream",
        "test_request_body_is_exact_json",
    },
    "test_media.py": {
        "test_images_generate_save_and_stream",
        "test_media_urls_get_no_token",
        "test_transcribe_from_path_bytes_and_file",
        "test_video_generate_wait_and_download",
        "test_upload_file_never_sends_the_token",
        "test_upload_forms_and_embed_step",
        "test_a_cut_download_never_looks_complete",
    },
    "test_realtime.py": {
        "test_a_realtime_conversation",
        "test_a_speech_stream",
        "test_a_transcription_session",
        "test_refused_handshakes_are_typed_errors",
        "test_a_connection_lost_mid_session_is_interrupted",
        "test_fragmented_frames_pings_and_pauses_are_transparent",
    },
}
"""The scenarios that also run over TLS, by module."""


@pytest.fixture(params=["http", "https"])
def scheme(request: pytest.FixtureRequest) -> str:
    """``https``: the emulator serves over TLS and the clients trust its CA."""
    return str(request.param)


def with_scheme(scheme: str, options: Dict[str, Any]) -> Dict[str, Any]:
    """``meshapi_gateway`` options for ``scheme`` (``https``: a TLS server)."""
    if scheme == "https":
        return {**options, "server": {**options.get("server", {}), "tls": True}}
    return options


@pytest.fixture
def meshapi_gateway_options(scheme: str) -> Dict[str, Any]:
    return with_scheme(scheme, {})


def trust(monkeypatch: pytest.MonkeyPatch, ca_file: str) -> None:
    """Make this process's clients trust the CA in ``ca_file``, as one started with
    ``SSL_CERT_FILE=<ca_file>`` would: httpx reads the variable for each client it makes;
    the contexts made once per process (aiohttp's default, and the WebSocket contexts of both
    transports) are made again. The SDK has no setting of its own for a CA yet (issue 21)."""
    import aiohttp.connector

    import meshapi_aiohttp._websocket
    import meshapi_httpx._websocket

    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    monkeypatch.setattr(meshapi_httpx._websocket, "_SSL_CONTEXT", None)
    monkeypatch.setattr(meshapi_aiohttp._websocket, "_SSL_CONTEXT", None)
    monkeypatch.setattr(aiohttp.connector, "_SSL_CONTEXT_VERIFIED", ssl.create_default_context())


@pytest.fixture
def meshapi_gateway(
    meshapi_gateway: GatewayFixture, monkeypatch: pytest.MonkeyPatch
) -> GatewayFixture:
    """The plugin's emulator, trusted by this process's clients when it serves TLS."""
    if meshapi_gateway.server.tls:
        assert meshapi_gateway.base_url.startswith("https://")
        assert meshapi_gateway.server.ca_file is not None
        trust(monkeypatch, meshapi_gateway.server.ca_file)
    return meshapi_gateway


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    """Keep the TLS runs of :data:`OVER_TLS` only, on the SDK's own clients (the user kinds'
    clients, proxies and mocks are not set up for TLS)."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None or callspec.params.get("scheme") != "https":
            kept.append(item)
            continue
        wanted = OVER_TLS.get(item.path.name, set())
        mine = variant_of(str(callspec.params.get("kind", ""))) is None  # the SDK's own clients
        (kept if mine and getattr(item, "originalname", item.name) in wanted else dropped).append(
            item
        )
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
