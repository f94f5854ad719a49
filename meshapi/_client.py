"""The clients: :class:`MeshAPI` and :class:`MeshAPIAdmin` (blocking), :class:`AsyncMeshAPI`
and :class:`AsyncMeshAPIAdmin` (asyncio or trio).

A client is a validated :class:`~meshapi_core.config.ClientConfig`, a transport, an engine
that runs the core's calls on it, and the resources that read as the API does
(``client.chat.completions.create``), each made on first use. One client holds one
credential, so one realm, and its class says which: :class:`MeshAPI` holds a data-plane key
(``rsk_...``) for inference and the account reads it may make; :class:`MeshAPIAdmin` holds an
admin key (``mak_...``) or a dashboard session token (JWT) for the control plane. A call the
credential cannot make is refused before it is sent, naming the credential it needs. Clients
are safe to share (threads for the blocking ones, tasks of one loop for the async ones); make
one and reuse it, so connections are reused, and derive variants with
:meth:`MeshAPI.with_options`, which share its connections.

Observability: ``event_hooks={"request": [...], "response": [...], "retry": [...],
"stream_end": [...]}`` calls your functions with the core's events
(:mod:`meshapi_core.events`), and ``MESHAPI_LOG=info|debug`` switches on the ``meshapi``
logger (see :mod:`meshapi._observe`).
"""

from __future__ import annotations

import os
import ssl
from types import TracebackType
from typing import TYPE_CHECKING, Any, Dict, Literal, Mapping, Optional, Type, TypeVar, Union

from meshapi_core.calls import Runtime
from meshapi_core.config import (
    ClientConfig,
    ClientSettings,
    WrongRealmError,
    check_headers,
    check_setting_names,
)
from meshapi_core.endpoint import MANAGEMENT, Credential
from meshapi_core.transport import AsyncTransport, Transport

from ._async.surface import AsyncControlPlane, AsyncDataPlane
from ._runtime import SYSTEM_RUNTIME
from ._sync.surface import ControlPlane, DataPlane

if TYPE_CHECKING:
    import aiohttp
    import httpx
    from typing_extensions import Unpack

    from meshapi_core.http import TimeoutTypes

    from ._observe import EventHooks, Observer
    from ._tls import VerifyTypes

__all__ = ["DEFAULT_BASE_URL", "AsyncMeshAPI", "AsyncMeshAPIAdmin", "MeshAPI", "MeshAPIAdmin"]

DEFAULT_BASE_URL = "https://api.meshapi.ai"

C = TypeVar("C", bound="_Client")


def settings_with_environment(
    settings: Dict[str, Any], variable: str = "MESHAPI_TOKEN", example: str = "rsk_..."
) -> Dict[str, Any]:
    """``settings`` with the token and base URL taken from the environment when not given
    (``variable``, ``MESHAPI_BASE_URL``; an empty variable counts as unset)."""
    if settings.get("token") is None and settings.get("api_key") is None:
        token = os.environ.get(variable)
        if not token:
            from meshapi_core.errors import InvalidArgumentError

            raise InvalidArgumentError(
                f"No token: pass token='{example}' (or api_key=) or set {variable}",
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


def control_plane_config(config: ClientConfig) -> ClientConfig:
    """``config``, unless its credential is a data-plane key, which a control-plane client
    never holds: refused at once, naming the credentials it takes (the token is not shown)."""
    if config.credential is Credential.DATA_KEY:
        raise WrongRealmError(
            "A control-plane client (MeshAPIAdmin) takes an admin key (mak_...) or a dashboard "
            "session token (JWT), not a data-plane key (rsk_...); use MeshAPI for that key.",
            needed=MANAGEMENT,
        )
    return config


class _Client:
    """What every client shares: the config, the engine, and deriving variants."""

    config: ClientConfig
    _transport: Any
    _runtime: Runtime
    _observer: Observer
    _owns_transport: bool
    _guard: Any = None

    def _start(self) -> None:
        raise NotImplementedError

    @staticmethod
    def _checked(config: ClientConfig) -> ClientConfig:
        """``config``, refused if its credential cannot be this client's (data plane: any)."""
        return config

    def with_options(
        self: C,
        *,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        headers: Optional[Mapping[str, str]] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, Any]] = None,
    ) -> C:
        """A client with some settings changed, sharing this one's connections.

        ``headers`` (or ``default_headers``, openai-python's name) are merged over the
        client's default headers, and ``default_query`` over its default query; like them,
        they never set the credential (a client's token, and the gateway it goes to, are
        fixed when it is made). :meth:`copy` is the same method, by openai-python's other
        name.

        >>> fast = client.with_options(timeout=5, max_retries=0)   # doctest: +SKIP
        """
        changes: Dict[str, Any] = {}
        if timeout is not None:
            changes["timeout"] = timeout
        if max_retries is not None:
            changes["max_retries"] = max_retries
        if deadline is not None:
            changes["deadline"] = deadline
        if headers is not None or default_headers is not None:
            check_headers(headers, "headers")  # the error names this method's keyword
            check_headers(default_headers, "default_headers")
            changes["default_headers"] = {**(headers or {}), **(default_headers or {})}
        if default_query is not None:
            changes["default_query"] = default_query
        derived = object.__new__(type(self))
        derived.config = self._checked(self.config.with_changes(**changes))
        derived._transport = self._transport
        derived._runtime = self._runtime
        derived._observer = self._observer
        derived._owns_transport = False
        derived._guard = self._guard  # the same connections, so the same event loop
        derived._start()
        return derived

    copy = with_options
    """openai-python's other name for :meth:`with_options`."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.config.base_url!r})"


_BLOCKING_KEYWORDS = (
    "httpx_client",
    "http_client",
    "transport",
    "verify",
    "runtime",
    "event_hooks",
)
_ASYNC_KEYWORDS = (*_BLOCKING_KEYWORDS, "async_httpx_client", "aiohttp_session")

H = TypeVar("H")


def _one_client(httpx_client: Optional[H], http_client: Optional[H]) -> Optional[H]:
    """The httpx client given as ``httpx_client`` or as ``http_client`` (openai-python's
    name for it); not both."""
    if httpx_client is not None and http_client is not None and httpx_client is not http_client:
        raise TypeError("pass httpx_client or http_client (the same setting), not both")
    return httpx_client if httpx_client is not None else http_client


class _BlockingClient(_Client):
    """What the blocking clients share: settings, transport, engine, closing."""

    _TOKEN_VARIABLE = "MESHAPI_TOKEN"
    _TOKEN_EXAMPLE = "rsk_..."

    def __init__(
        self,
        *,
        httpx_client: Optional[httpx.Client] = None,
        http_client: Optional[httpx.Client] = None,
        transport: Optional[Transport] = None,
        verify: VerifyTypes = True,
        runtime: Optional[Runtime] = None,
        event_hooks: Optional[EventHooks] = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        check_setting_names(settings, _BLOCKING_KEYWORDS)
        httpx_client = _one_client(httpx_client, http_client)
        self.config = self._checked(
            ClientConfig.create(
                **settings_with_environment(
                    dict(settings), self._TOKEN_VARIABLE, self._TOKEN_EXAMPLE
                )
            )
        )
        if transport is not None and httpx_client is not None:
            raise TypeError("pass either transport or httpx_client, not both")
        self._owns_transport = transport is None
        if transport is None:
            from meshapi_httpx import HttpxTransport

            transport = HttpxTransport(httpx_client, ssl_context=_httpx_tls(verify))
        else:
            _refuse_verify(verify)
        self._transport = transport
        self._runtime = runtime or SYSTEM_RUNTIME
        self._observer = _observer(self._runtime, event_hooks)
        self._start()

    def _start(self) -> None:
        from ._sync.engine import Engine

        self._engine = Engine(self.config, self._transport, self._runtime, self._observer)

    def close(self) -> None:
        """Release connections (a client or transport you passed in is left open)."""
        if self._owns_transport:
            self._transport.close()

    def __enter__(self: C) -> C:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()


class MeshAPI(_BlockingClient, DataPlane):
    """The blocking client of the data plane: a data-plane key (``rsk_...``).

    Takes every setting of :class:`~meshapi_core.config.ClientSettings` as a keyword
    (``base_url``, ``token``, ``timeout``, ``max_retries``, ``deadline``...), plus where its
    requests go: ``httpx_client`` (your :class:`httpx.Client`; the SDK never closes it) or
    ``transport`` (anything implementing :class:`~meshapi_core.transport.Transport`),
    ``verify`` (the certificates its connections trust, REST and realtime alike: ``True``
    for certifi's roots or ``$SSL_CERT_FILE`` / ``$SSL_CERT_DIR``, a CA bundle's path, an
    :class:`ssl.SSLContext`, or ``False``, which warns), and ``event_hooks`` (lists of
    callables given each request, response, retry and stream-end event, for metrics and
    tracing). The token defaults to ``$MESHAPI_TOKEN``.

    >>> from meshapi import MeshAPI
    >>> client = MeshAPI(base_url="https://api.meshapi.ai", token="rsk_...")
    >>> resp = client.chat.completions.create(   # doctest: +SKIP
    ...     model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "2+2?"}])
    >>> client.close()
    """


class MeshAPIAdmin(_BlockingClient, ControlPlane):
    """The blocking client of the control plane: an admin key (``mak_...``) or a dashboard
    session token (JWT); a data-plane key is refused here (use :class:`MeshAPI`).

    Takes the settings and transports of :class:`MeshAPI`; the token defaults to
    ``$MESHAPI_ADMIN_KEY``. An admin key manages inference keys, reads admin keys and holds
    provider keys; a dashboard session does all of that and more (orgs, invitations,
    memories, minting and rotating admin keys, usage and balance of the org, exports).

    >>> from meshapi import MeshAPIAdmin
    >>> admin = MeshAPIAdmin(base_url="https://api.meshapi.ai", token="mak_...")
    >>> created = admin.keys.create(name="ci", rpm_limit=60)   # doctest: +SKIP
    >>> admin.close()
    """

    _TOKEN_VARIABLE = "MESHAPI_ADMIN_KEY"
    _TOKEN_EXAMPLE = "mak_..."

    @staticmethod
    def _checked(config: ClientConfig) -> ClientConfig:
        return control_plane_config(config)


TransportName = Literal["httpx", "aiohttp"]


def _httpx_tls(verify: object) -> Optional[ssl.SSLContext]:
    """The SSL context for an httpx transport: ``None`` for the default, which the transport
    makes as httpx would (for a client you hand over, only when a session needs it)."""
    if verify is True:
        return None
    from ._tls import ssl_context_of

    return ssl_context_of(verify)


def _refuse_verify(verify: object) -> None:
    """``verify`` is for the transports the SDK makes; a transport object has its own TLS."""
    if verify is not True:
        from meshapi_core.errors import InvalidArgumentError

        raise InvalidArgumentError(
            "verify= applies to the transports the SDK makes (with or without your httpx "
            "client or aiohttp session); a transport object brings its own TLS settings",
            param="verify",
        )


def _async_transport(
    transport: Union[TransportName, AsyncTransport, None],
    httpx_client: Optional[httpx.AsyncClient],
    aiohttp_session: Optional[aiohttp.ClientSession],
    verify: object = True,
) -> tuple[AsyncTransport, bool]:
    if transport is None:
        transport = "aiohttp" if aiohttp_session is not None else "httpx"
    if not isinstance(transport, str):
        if httpx_client is not None or aiohttp_session is not None:
            raise TypeError("pass a transport object or a client/session, not both")
        _refuse_verify(verify)
        return transport, False
    if transport == "httpx":
        if aiohttp_session is not None:
            raise TypeError("aiohttp_session needs transport='aiohttp'")
        from meshapi_httpx import AsyncHttpxTransport

        return AsyncHttpxTransport(httpx_client, ssl_context=_httpx_tls(verify)), True
    if transport == "aiohttp":
        if httpx_client is not None:
            raise TypeError("httpx_client needs transport='httpx'")
        try:
            from meshapi_aiohttp import AiohttpTransport
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "transport='aiohttp' needs aiohttp: pip install 'meshapi-python-sdk[aiohttp]'"
            ) from exc
        from ._tls import ssl_context_of

        # Always a context of the SDK's rules (aiohttp's default trusts the system's roots).
        context = ssl_context_of(verify)
        return AiohttpTransport(aiohttp_session, ssl_context=context), True
    raise ValueError(
        f"transport must be 'httpx', 'aiohttp' or a transport object, not {transport!r}"
    )


class _AsyncClient(_Client):
    """What the async clients share: settings, transport choice, engine, closing."""

    _TOKEN_VARIABLE = "MESHAPI_TOKEN"
    _TOKEN_EXAMPLE = "rsk_..."

    def __init__(
        self,
        *,
        transport: Union[TransportName, AsyncTransport, None] = None,
        httpx_client: Optional[httpx.AsyncClient] = None,
        async_httpx_client: Optional[httpx.AsyncClient] = None,
        http_client: Optional[httpx.AsyncClient] = None,
        aiohttp_session: Optional[aiohttp.ClientSession] = None,
        verify: VerifyTypes = True,
        runtime: Optional[Runtime] = None,
        event_hooks: Optional[EventHooks] = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        check_setting_names(settings, _ASYNC_KEYWORDS)
        httpx_client = _one_client(httpx_client or async_httpx_client, http_client)
        self.config = self._checked(
            ClientConfig.create(
                **settings_with_environment(
                    dict(settings), self._TOKEN_VARIABLE, self._TOKEN_EXAMPLE
                )
            )
        )
        self._transport, self._owns_transport = _async_transport(
            transport, httpx_client, aiohttp_session, verify
        )
        self._runtime = runtime or SYSTEM_RUNTIME
        self._observer = _observer(self._runtime, event_hooks)
        if getattr(self._transport, "binds_event_loop", True):
            from ._loop import LoopGuard

            self._guard = LoopGuard()
        self._start()

    def _start(self) -> None:
        from ._async.engine import AsyncEngine

        self._engine = AsyncEngine(self.config, self._transport, self._runtime, self._observer)
        self._engine.guard = self._guard

    async def aclose(self) -> None:
        """Release connections (a client, session or transport you passed in is left open)."""
        if self._owns_transport:
            await self._transport.aclose()

    async def close(self) -> None:
        """:meth:`aclose`, by openai-python's name: ``await client.close()``."""
        await self.aclose()

    async def __aenter__(self: C) -> C:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()


class AsyncMeshAPI(_AsyncClient, AsyncDataPlane):
    """The async client of the data plane, for asyncio and trio.

    Takes the settings of :class:`MeshAPI`, and chooses its transport with ``transport``:
    ``"httpx"`` (the default; asyncio and trio), ``"aiohttp"`` (asyncio; the cheapest per
    request under load), or any :class:`~meshapi_core.transport.AsyncTransport`. Your own
    ``httpx_client`` (an :class:`httpx.AsyncClient`) or ``aiohttp_session`` is used as given
    and never closed by the SDK. ``verify`` is as for :class:`MeshAPI`, on every transport.

    >>> async with AsyncMeshAPI(base_url="https://api.meshapi.ai", token="rsk_...") as client:
    ...     resp = await client.chat.completions.create(params)    # doctest: +SKIP
    """


class AsyncMeshAPIAdmin(_AsyncClient, AsyncControlPlane):
    """The async client of the control plane: :class:`MeshAPIAdmin` for asyncio and trio,
    with the transports of :class:`AsyncMeshAPI`.

    >>> async with AsyncMeshAPIAdmin(token="mak_...") as admin:    # doctest: +SKIP
    ...     async for key in admin.keys.list():
    ...         print(key.id, key.status)
    """

    _TOKEN_VARIABLE = "MESHAPI_ADMIN_KEY"
    _TOKEN_EXAMPLE = "mak_..."

    @staticmethod
    def _checked(config: ClientConfig) -> ClientConfig:
        return control_plane_config(config)
