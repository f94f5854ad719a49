"""The two clients: :class:`MeshAPI` (blocking) and :class:`AsyncMeshAPI` (asyncio or trio).

A client is a validated :class:`~meshapi_core.config.ClientConfig`, a transport, an engine
that runs the core's calls on it, and the resources that read as the API does
(``client.chat.completions.create``), each made on first use. One client holds one
credential, so one realm: data-plane keys (``rsk_...``) for inference, control-plane
credentials for management. Both are safe to share (threads for :class:`MeshAPI`, tasks of
one loop for :class:`AsyncMeshAPI`); make one and reuse it, so connections are reused, and
derive variants with :meth:`MeshAPI.with_options`, which share its connections.

Observability: ``event_hooks={"request": [...], "response": [...], "retry": [...],
"stream_end": [...]}`` calls your functions with the core's events
(:mod:`meshapi_core.events`), and ``MESHAPI_LOG=info|debug`` switches on the ``meshapi``
logger (see :mod:`meshapi._observe`).
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import TYPE_CHECKING, Any, Dict, Literal, Optional, Type, TypeVar, Union

from meshapi_core.calls import Runtime
from meshapi_core.config import ClientConfig, ClientSettings
from meshapi_core.transport import AsyncTransport, Transport

from ._async.surface import AsyncDataPlane
from ._runtime import SYSTEM_RUNTIME
from ._sync.surface import DataPlane

if TYPE_CHECKING:
    import aiohttp
    import httpx
    from typing_extensions import Unpack

    from meshapi_core.http import TimeoutTypes

    from ._observe import EventHooks, Observer

__all__ = ["DEFAULT_BASE_URL", "AsyncMeshAPI", "MeshAPI"]

DEFAULT_BASE_URL = "https://api.meshapi.ai"

C = TypeVar("C", bound="_Client")


def settings_with_environment(settings: Dict[str, Any]) -> Dict[str, Any]:
    """``settings`` with the token and base URL taken from the environment when not given
    (``MESHAPI_TOKEN``, ``MESHAPI_BASE_URL``; an empty variable counts as unset)."""
    if settings.get("token") is None and settings.get("api_key") is None:
        token = os.environ.get("MESHAPI_TOKEN")
        if not token:
            from meshapi_core.errors import InvalidArgumentError

            raise InvalidArgumentError(
                "No token: pass token='rsk_...' (or api_key=) or set MESHAPI_TOKEN",
                param="token",
            )
        settings["token"] = token
    if settings.get("base_url") is None:
        settings["base_url"] = os.environ.get("MESHAPI_BASE_URL") or DEFAULT_BASE_URL
    from ._observe import configure_logging  # with the first client, not at import

    configure_logging()
    return settings


def _observer(runtime: Runtime, event_hooks: Optional[EventHooks]) -> Observer:
    from ._observe import Observer

    return Observer(runtime.clock, event_hooks)


class _Client:
    """What both clients share: the config, the engine, and deriving variants."""

    config: ClientConfig
    _transport: Any
    _runtime: Runtime
    _observer: Observer
    _owns_transport: bool

    def _start(self) -> None:
        raise NotImplementedError

    def with_options(
        self: C,
        *,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> C:
        """A client with some settings changed, sharing this one's connections.

        >>> fast = client.with_options(timeout=5, max_retries=0)   # doctest: +SKIP
        """
        changes: Dict[str, Any] = {}
        if timeout is not None:
            changes["timeout"] = timeout
        if max_retries is not None:
            changes["max_retries"] = max_retries
        if deadline is not None:
            changes["deadline"] = deadline
        if headers is not None:
            changes["default_headers"] = headers
        derived = object.__new__(type(self))
        derived.config = self.config.with_changes(**changes)
        derived._transport = self._transport
        derived._runtime = self._runtime
        derived._observer = self._observer
        derived._owns_transport = False
        derived._start()
        return derived

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.config.base_url!r})"


class MeshAPI(_Client, DataPlane):
    """The blocking client.

    Takes every setting of :class:`~meshapi_core.config.ClientSettings` as a keyword
    (``base_url``, ``token``, ``timeout``, ``max_retries``, ``deadline``...), plus where its
    requests go: ``httpx_client`` (your :class:`httpx.Client`; the SDK never closes it) or
    ``transport`` (anything implementing :class:`~meshapi_core.transport.Transport`), and
    ``event_hooks`` (lists of callables given each request, response, retry and stream-end
    event, for metrics and tracing).

    >>> from meshapi import MeshAPI
    >>> client = MeshAPI(base_url="https://api.meshapi.ai", token="rsk_...")
    >>> resp = client.chat.completions.create(   # doctest: +SKIP
    ...     model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "2+2?"}])
    >>> client.close()
    """

    def __init__(
        self,
        *,
        httpx_client: Optional[httpx.Client] = None,
        transport: Optional[Transport] = None,
        runtime: Optional[Runtime] = None,
        event_hooks: Optional[EventHooks] = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        self.config = ClientConfig.create(**settings_with_environment(dict(settings)))
        if transport is not None and httpx_client is not None:
            raise TypeError("pass either transport or httpx_client, not both")
        self._runtime = runtime or SYSTEM_RUNTIME
        self._observer = _observer(self._runtime, event_hooks)
        self._owns_transport = transport is None
        if transport is None:
            from meshapi_httpx import HttpxTransport

            transport = HttpxTransport(httpx_client)
        self._transport = transport
        self._start()

    def _start(self) -> None:
        from ._sync.engine import Engine

        self._engine = Engine(self.config, self._transport, self._runtime, self._observer)

    def close(self) -> None:
        """Release connections (a client or transport you passed in is left open)."""
        if self._owns_transport:
            self._transport.close()

    def __enter__(self) -> MeshAPI:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()


TransportName = Literal["httpx", "aiohttp"]


def _async_transport(
    transport: Union[TransportName, AsyncTransport, None],
    httpx_client: Optional[httpx.AsyncClient],
    aiohttp_session: Optional[aiohttp.ClientSession],
) -> tuple[AsyncTransport, bool]:
    if transport is None:
        transport = "aiohttp" if aiohttp_session is not None else "httpx"
    if not isinstance(transport, str):
        if httpx_client is not None or aiohttp_session is not None:
            raise TypeError("pass a transport object or a client/session, not both")
        return transport, False
    if transport == "httpx":
        if aiohttp_session is not None:
            raise TypeError("aiohttp_session needs transport='aiohttp'")
        from meshapi_httpx import AsyncHttpxTransport

        return AsyncHttpxTransport(httpx_client), True
    if transport == "aiohttp":
        if httpx_client is not None:
            raise TypeError("httpx_client needs transport='httpx'")
        try:
            from meshapi_aiohttp import AiohttpTransport
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "transport='aiohttp' needs aiohttp: pip install 'meshapi-python-sdk[aiohttp]'"
            ) from exc
        return AiohttpTransport(aiohttp_session), True
    raise ValueError(
        f"transport must be 'httpx', 'aiohttp' or a transport object, not {transport!r}"
    )


class AsyncMeshAPI(_Client, AsyncDataPlane):
    """The async client, for asyncio and trio.

    Takes the settings of :class:`MeshAPI`, and chooses its transport with ``transport``:
    ``"httpx"`` (the default; asyncio and trio), ``"aiohttp"`` (asyncio; the cheapest per
    request under load), or any :class:`~meshapi_core.transport.AsyncTransport`. Your own
    ``httpx_client`` (an :class:`httpx.AsyncClient`) or ``aiohttp_session`` is used as given
    and never closed by the SDK.

    >>> async with AsyncMeshAPI(base_url="https://api.meshapi.ai", token="rsk_...") as client:
    ...     resp = await client.chat.completions.create(params)    # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        transport: Union[TransportName, AsyncTransport, None] = None,
        httpx_client: Optional[httpx.AsyncClient] = None,
        async_httpx_client: Optional[httpx.AsyncClient] = None,
        aiohttp_session: Optional[aiohttp.ClientSession] = None,
        runtime: Optional[Runtime] = None,
        event_hooks: Optional[EventHooks] = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        self.config = ClientConfig.create(**settings_with_environment(dict(settings)))
        self._runtime = runtime or SYSTEM_RUNTIME
        self._observer = _observer(self._runtime, event_hooks)
        self._transport, self._owns_transport = _async_transport(
            transport, httpx_client or async_httpx_client, aiohttp_session
        )
        self._start()

    def _start(self) -> None:
        from ._async.engine import AsyncEngine

        self._engine = AsyncEngine(self.config, self._transport, self._runtime, self._observer)

    async def aclose(self) -> None:
        """Release connections (a client, session or transport you passed in is left open)."""
        if self._owns_transport:
            await self._transport.aclose()

    async def __aenter__(self) -> AsyncMeshAPI:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()
