"""The two clients: :class:`MeshAPI` (blocking) and :class:`AsyncMeshAPI` (asyncio or trio).

A client is a validated :class:`~meshapi_core.config.ClientConfig`, a transport, and the
resources that read as the API does (``client.chat.completions.create``). One client holds one
credential, so one realm: data-plane keys (``rsk_...``) for inference, control-plane
credentials for management. Both are safe to share (threads for :class:`MeshAPI`, tasks of one
loop for :class:`AsyncMeshAPI`); make one and reuse it, so connections are reused.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import TYPE_CHECKING, Literal, Mapping, Optional, Type, Union

import httpx

from meshapi_core.calls import Runtime
from meshapi_core.config import ClientConfig
from meshapi_core.http import Timeout
from meshapi_core.retry import RetryPolicy
from meshapi_core.transport import AsyncTransport, SyncTransport
from meshapi_httpx import AsyncHttpxTransport, HttpxTransport

from ._engine import SYSTEM_RUNTIME, AsyncEngine, SyncEngine
from .resources.chat import AsyncChat, Chat
from .resources.models import AsyncModels, Models

if TYPE_CHECKING:
    import aiohttp

__all__ = ["DEFAULT_BASE_URL", "AsyncMeshAPI", "MeshAPI"]

DEFAULT_BASE_URL = "https://api.meshapi.ai"


def _config(
    base_url: Optional[str],
    token: Optional[str],
    timeout: Union[Timeout, float, None],
    max_retries: int,
    deadline: Optional[float],
    default_headers: Optional[Mapping[str, str]],
    api_version: Optional[str],
    sdk_header: bool,
    retry: Optional[RetryPolicy],
    max_event_size: int,
) -> ClientConfig:
    if token is None:
        token = os.environ.get("MESHAPI_TOKEN")
        if not token:
            raise ValueError("No token: pass token='rsk_...' or set MESHAPI_TOKEN")
    if base_url is None:
        base_url = os.environ.get("MESHAPI_BASE_URL") or DEFAULT_BASE_URL
    return ClientConfig.create(
        base_url=base_url,
        token=token,
        timeout=timeout,
        max_retries=max_retries,
        deadline=deadline,
        default_headers=default_headers,
        api_version=api_version,
        sdk_header=sdk_header,
        retry=retry,
        max_event_size=max_event_size,
    )


class MeshAPI:
    """The blocking client.

    Args:
        base_url: the gateway, with or without ``/v1`` (default ``$MESHAPI_BASE_URL``, else
            ``https://api.meshapi.ai``).
        token: the credential (default ``$MESHAPI_TOKEN``); never shown in a repr or error.
        timeout: seconds for each phase of an attempt, or a
            :class:`~meshapi_core.http.Timeout` (default: 10 s to connect, 600 s per read).
        max_retries: retries after a transient failure (default 3; ``0`` disables).
        deadline: seconds for a whole call, retries and waits included (default: none).
        default_headers: headers sent with every request.
        api_version: pin the API contract, e.g. ``"2026-09"`` (sent as ``X-Mesh-Version``).
        sdk_header: send ``X-MeshAPI-SDK: python/<version>`` (default true).
        retry: a full :class:`~meshapi_core.retry.RetryPolicy`, instead of ``max_retries``.
        max_event_size: the largest stream event accepted, in characters (default 16 MiB).
        httpx_client: your own :class:`httpx.Client`; the SDK never closes it.
        transport: any :class:`~meshapi_core.transport.SyncTransport`, instead of httpx.

    >>> from meshapi import MeshAPI, ChatCompletionParams, ChatMessage
    >>> client = MeshAPI(base_url="https://api.meshapi.ai", token="rsk_...")
    >>> resp = client.chat.completions.create(ChatCompletionParams(   # doctest: +SKIP
    ...     model="openai/gpt-4o-mini",
    ...     messages=[ChatMessage(role="user", content="What is 2+2?")]))
    >>> client.close()
    """

    def __init__(
        self,
        *,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        timeout: Union[Timeout, float, None] = None,
        max_retries: int = 3,
        deadline: Optional[float] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        api_version: Optional[str] = None,
        sdk_header: bool = True,
        retry: Optional[RetryPolicy] = None,
        max_event_size: int = 16 * 1024 * 1024,
        httpx_client: Optional[httpx.Client] = None,
        transport: Optional[SyncTransport] = None,
        runtime: Optional[Runtime] = None,
    ) -> None:
        self.config = _config(
            base_url, token, timeout, max_retries, deadline, default_headers,
            api_version, sdk_header, retry, max_event_size,
        )  # fmt: skip
        if transport is not None and httpx_client is not None:
            raise TypeError("pass either transport or httpx_client, not both")
        self._owns_transport = transport is None
        self._transport: SyncTransport = transport or HttpxTransport(httpx_client)
        engine = SyncEngine(self.config, self._transport, runtime or SYSTEM_RUNTIME)
        self.chat = Chat(engine)
        """Chat completions: ``client.chat.completions.create(...)`` and ``.stream(...)``."""
        self.models = Models(engine)
        """The model catalog: ``client.models.list()``, ``.get(id)``, ``.search(q)``."""

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

    def __repr__(self) -> str:
        return f"MeshAPI(base_url={self.config.base_url!r})"


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


class AsyncMeshAPI:
    """The async client, for asyncio and trio.

    Takes the arguments of :class:`MeshAPI`, and chooses its transport with ``transport``:
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
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        timeout: Union[Timeout, float, None] = None,
        max_retries: int = 3,
        deadline: Optional[float] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        api_version: Optional[str] = None,
        sdk_header: bool = True,
        retry: Optional[RetryPolicy] = None,
        max_event_size: int = 16 * 1024 * 1024,
        transport: Union[TransportName, AsyncTransport, None] = None,
        httpx_client: Optional[httpx.AsyncClient] = None,
        async_httpx_client: Optional[httpx.AsyncClient] = None,
        aiohttp_session: Optional[aiohttp.ClientSession] = None,
        runtime: Optional[Runtime] = None,
    ) -> None:
        self.config = _config(
            base_url, token, timeout, max_retries, deadline, default_headers,
            api_version, sdk_header, retry, max_event_size,
        )  # fmt: skip
        self._transport, self._owns_transport = _async_transport(
            transport, httpx_client or async_httpx_client, aiohttp_session
        )
        engine = AsyncEngine(self.config, self._transport, runtime or SYSTEM_RUNTIME)
        self.chat = AsyncChat(engine)
        """Chat completions: ``await client.chat.completions.create(...)`` and ``.stream``."""
        self.models = AsyncModels(engine)
        """The model catalog: ``await client.models.list()``, ``.get(id)``, ``.search(q)``."""

    async def aclose(self) -> None:
        """Release connections (a client, session or transport you passed in is left open)."""
        if self._owns_transport:
            await self._transport.close()

    async def __aenter__(self) -> AsyncMeshAPI:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncMeshAPI(base_url={self.config.base_url!r})"
