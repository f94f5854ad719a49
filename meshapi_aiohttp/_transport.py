"""The aiohttp transport: the core's requests, sent with an :class:`aiohttp.ClientSession`.

What maps to what:

- A core :class:`~meshapi_core.http.Request` becomes ``session.request(...)`` with its headers
  and body bytes as given: no redirects, no invented ``Content-Type``, any status a response.
- Its :class:`~meshapi_core.http.Timeout` becomes an :class:`aiohttp.ClientTimeout`:
  ``total`` is ``total`` (aiohttp bounds the whole exchange by it, every read of the body
  included, and reports it as a ``TimeoutError`` within one pass of the event loop; its
  rounding of long timeouts up to the next second is turned off), ``sock_connect`` is
  ``connect`` and ``sock_read`` is ``read``. aiohttp has no pool timeout; its ``connect``
  phase is the wait for a free connection *and* the opening of one, so it gets the larger of
  ``pool`` and ``connect`` (no limit if either has none). aiohttp has no write timeout, so
  ``write`` is not enforced (``total`` still bounds it); the read timer starts once the body
  is out.
- Bodies are decompressed by the core's decoder (:mod:`meshapi_core.decoding`), not by
  aiohttp (``auto_decompress=False``): it inflates at most 64 KiB per step, so a gzip bomb
  costs the SDK's bound plus that much, and it fails a body whose compressed stream was cut
  even where the HTTP framing looks complete, which aiohttp does not check for gzip. The
  transport asks for the encodings it decodes (``Accept-Encoding: gzip, deflate``) unless the
  request says otherwise.
- A streamed body (a file upload) becomes an async generator of bounded chunks, each read in
  a worker thread; it is sent with the ``Content-Length`` the core set. If reading it fails
  (the file changed), that error is raised, not aiohttp's wrapping of it.
- Response headers become a dict with lower-case names, repeated ones joined by ``", "``.
- A request aiohttp refuses to build (a URL yarl cannot parse, a header value with a line
  break: ``InvalidURL`` or a ``ValueError``) is the SDK's ``InvalidArgumentError``; nothing
  was sent. The core checks what it builds, so this is a last line.
- Every other aiohttp exception, bare ``asyncio.TimeoutError`` and ``OSError`` becomes the
  SDK's error for its phase: before the headers or reading a whole body, ``APIConnectionError`` or
  ``APITimeoutError`` (``response_started`` says which phase); mid-stream,
  ``StreamInterruptedError`` or ``StreamTimeoutError``. A timeout is any ``TimeoutError``,
  which aiohttp's ``ServerTimeoutError`` (connect or read) is as well as a ``ClientError``:
  it is tested for first. Cancellation is never caught. The SDK's error is raised after the
  ``except`` block, so it is not chained to aiohttp's (which may hold the request).
- A request that a pooled keep-alive connection lost because the server had closed it
  (``ServerDisconnectedError`` with nothing of a response parsed, or a reset or broken pipe)
  becomes :class:`~meshapi_core.errors.StaleConnectionError`, which the call machine sends
  again at once, once. Whether the connection was pooled is known from the session's
  connector (:class:`_PoolConnector`, which notes each connection it hands out), so only a
  session the transport made tells. aiohttp retries GET, PUT and DELETE on such a failure
  itself; a reset cannot be told from a reset after part of a status line, which only a
  broken server sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ssl
import weakref
from contextvars import ContextVar
from functools import lru_cache
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    BinaryIO,
    Dict,
    List,
    Optional,
    Tuple,
    Type,
    Union,
)
from urllib.parse import urlsplit
from urllib.request import getproxies

import aiohttp
from aiohttp.http_exceptions import HttpProcessingError

from meshapi_core.decoding import ACCEPT_ENCODING, decoder_for
from meshapi_core.errors import (
    APIConnectionError,
    ClientContextError,
    MeshAPIError,
    StreamInterruptedError,
    stream_failure,
    transport_failure,
)
from meshapi_core.http import Request, StreamedBody, Timeout, header_dict, unsendable
from meshapi_core.proxies import ProxyRoute, ProxyRules
from meshapi_core.transport import RELEASE_GRACE, RELEASE_LIMIT, refuse_client_credentials

from ._direct import AVAILABLE, DirectResponse, DirectRoad

if TYPE_CHECKING:
    from meshapi_core.websocket import WebSocketRequest
    from meshapi_wsproto import AsyncWsprotoWebSocket

__all__ = ["AiohttpStreamResponse", "AiohttpTransport"]

# What can escape aiohttp: its own errors, and timeouts and socket errors from below it.
# (A malformed answer is aiohttp's HttpProcessingError where the short road reads it, and a
# ClientResponseError wrapping it where ClientResponse.start does.)
_ERRORS: Tuple[Type[BaseException], ...] = (
    aiohttp.ClientError,
    asyncio.TimeoutError,
    OSError,
    HttpProcessingError,
)
_TIMEOUTS: Tuple[Type[BaseException], ...] = (asyncio.TimeoutError, TimeoutError)
# What aiohttp raises for a request it cannot build (a URL yarl refuses, a header value with a
# line break, a host name IDNA refuses): nothing was sent. (InvalidURL is also a ClientError.)
_REFUSED: Tuple[Type[BaseException], ...] = (aiohttp.InvalidURL, ValueError)
# aiohttp would label a request without a body application/octet-stream; one with a body
# always carries the core's own content-type, so only bodiless ones need the (costly) skip.
_NO_CONTENT_TYPE = ("Content-Type",)
# aiohttp rounds a timeout of at least this many seconds up to the next whole second.
_NEVER_CEIL = float("inf")
_ACCEPT_ENCODING = ("accept-encoding", ACCEPT_ENCODING)
# The options every request passes to session.request(), beside its own: to a session the
# transport made (which has raise_for_status off and auto_decompress=False already), and to
# one a caller gave (whose settings these override). An option left out is the session's.
_OWN_OPTIONS: Dict[str, Any] = {"allow_redirects": False}
_GIVEN_SESSION_OPTIONS: Dict[str, Any] = {
    "allow_redirects": False,
    "raise_for_status": False,
    "auto_decompress": False,
}


def _connection_error(
    exc: BaseException,
    *,
    response_started: bool = False,
    stale: bool = False,
    url: Optional[str] = None,
) -> APIConnectionError:
    """The SDK error for a failure while sending (to ``url``), or while reading a whole
    response."""
    timeout = isinstance(exc, _TIMEOUTS)
    host = None if url is None else urlsplit(url).hostname
    return transport_failure(
        exc, timeout=timeout, response_started=response_started, stale=stale, host=host
    )


class _Exchange:
    """Whether the running request's connection came from the pool (set by the connector)."""

    __slots__ = ("reused",)

    def __init__(self) -> None:
        self.reused = False

    def stale(self, exc: BaseException) -> bool:
        """Whether ``exc`` is the server having closed the reused connection, before any
        byte of a response."""
        if not self.reused:
            return False
        if isinstance(exc, aiohttp.ServerDisconnectedError):
            return isinstance(exc.message, str)  # else the part of a response it parsed
        return isinstance(exc, aiohttp.ClientOSError) and exc.errno in _PEER_CLOSED


_PEER_CLOSED = frozenset({errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED})
_exchange: ContextVar[Optional[_Exchange]] = ContextVar("meshapi_aiohttp_exchange", default=None)


class _PoolConnector(aiohttp.TCPConnector):
    """aiohttp's connector, telling the running request whether the connection it hands
    out has carried a request before."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._handed: weakref.WeakSet[Any] = weakref.WeakSet()

    async def connect(
        self, req: aiohttp.ClientRequest, traces: List[Any], timeout: aiohttp.ClientTimeout
    ) -> Any:
        record = _exchange.get()
        if record is not None:
            record.reused = False
        connection = await super().connect(req, traces, timeout)
        protocol = connection.protocol
        if protocol is not None:
            reused = protocol in self._handed
            if not reused:
                self._handed.add(protocol)
            if record is not None:
                record.reused = reused
        return connection


def _stream_error(exc: BaseException) -> StreamInterruptedError:
    """The SDK error for a failure in the middle of a streamed body."""
    return stream_failure(exc, timeout=isinstance(exc, _TIMEOUTS))


@lru_cache(maxsize=64)
def _client_timeout(t: Timeout) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for the core's (see the module docstring for pool and write)."""
    acquire = None if t.pool is None or t.connect is None else max(t.pool, t.connect)
    return aiohttp.ClientTimeout(
        total=t.total,
        connect=acquire,
        sock_connect=t.connect,
        sock_read=t.read,
        ceil_threshold=_NEVER_CEIL,
    )


@lru_cache(maxsize=16)
def _proxy_headers(route: ProxyRoute) -> Optional[Dict[str, str]]:
    """The headers for the proxy itself: its credentials, if its URL had some."""
    if route.authorization is None:
        return None
    return {"Proxy-Authorization": route.authorization}


def _refuse_credentials_of(session: aiohttp.ClientSession) -> None:
    """Refuse a session whose ``auth`` or default headers would add a credential to the SDK's
    requests (see :func:`~meshapi_core.transport.refuse_client_credentials`): aiohttp
    applies them to every request and cannot be told not to per request."""
    auth = getattr(session, "auth", None)  # deprecated in aiohttp 3.14, gone in 4
    refuse_client_credentials(
        "aiohttp_session", session.headers.keys(), None if auth is None else type(auth).__name__
    )


def _open(path: str) -> BinaryIO:
    return open(path, "rb")


def _body_data(request: Request, failures: List[MeshAPIError]) -> Any:
    """aiohttp's ``data`` for a core body: bytes as they are; a streamed body as an async
    generator reading it in bounded chunks in a worker thread. A read that fails is recorded
    in ``failures`` (aiohttp reports it only as a connection error)."""
    body = request.body
    if not isinstance(body, StreamedBody):
        return body

    async def chunks() -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        source = body.chunks(_open)
        try:
            while True:
                data = await loop.run_in_executor(None, next, source, None)
                if data is None:
                    return
                yield data
        except MeshAPIError as error:
            failures.append(error)
            raise
        finally:
            with contextlib.suppress(ValueError):  # still running in its thread: cancelled
                source.close()

    return chunks()


async def _drain(content: aiohttp.StreamReader) -> None:
    """Read ``content`` to its end, or until ``RELEASE_LIMIT`` bytes were read."""
    left = RELEASE_LIMIT
    while left >= 0 and not content.is_eof():
        data = await content.readany()
        if not data:
            return
        left -= len(data)


class AiohttpStreamResponse:
    """A streamed aiohttp response, behind the SDK's error contract."""

    def __init__(self, response: Union[aiohttp.ClientResponse, DirectResponse]) -> None:
        self._response = response
        self.status = response.status
        self.headers: Dict[str, str] = header_dict(response.headers.items())

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        """The body as it arrives, in the chunks the socket delivers, decoded in bounded
        pieces."""
        failure: Optional[StreamInterruptedError] = None
        decoder = decoder_for(self.headers.get("content-encoding"))
        readany = self._response.content.readany  # what iter_any() awaits, without its frame
        try:
            while True:
                chunk = await readany()
                if not chunk:  # the body's end
                    break
                if decoder is None:
                    yield chunk
                else:
                    for piece in decoder.decode(chunk):
                        yield piece
            if decoder is not None:
                for piece in decoder.flush():
                    yield piece
        except _ERRORS as exc:
            failure = _stream_error(exc)
        if failure is not None:  # raised here, so aiohttp's exception is not its __context__
            raise failure

    def body_in_memory(self) -> Optional[bytes]:
        """The whole body if aiohttp has already read all of it (a small reply comes in the
        packets of its head) and it needs no decoding; else ``None``, and the body is
        iterated. aiohttp reads at most its buffer's high-water mark ahead of the reader, so
        what this returns is bounded as a read is."""
        content = self._response.content
        if not content.is_eof() or content.exception() is not None:
            return None
        if "content-encoding" in self.headers:
            return None
        return content.read_nowait()

    async def release(self) -> None:
        """The stream has ended: read on to the body's end for at most ``RELEASE_GRACE``
        seconds and ``RELEASE_LIMIT`` bytes, then close (the connection goes back to the pool
        if the end came)."""
        content = self._response.content
        try:
            if not content.is_eof():
                with contextlib.suppress(*_ERRORS):
                    await asyncio.wait_for(_drain(content), RELEASE_GRACE)
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Release the connection: back to the pool if the whole body came, else dropped."""
        if self._response.content.is_eof():
            self._response.release()
        else:
            self._response.close()


class AiohttpTransport:
    """Sends the core's requests with an :class:`aiohttp.ClientSession` (asyncio only).

    Pass ``session`` to use your own (proxies, TLS, limits); the transport then never closes
    it, and overrides per request only what the SDK needs: no redirects, its timeouts, no
    ``raise_for_status``, bodies decompressed by the SDK; one with ``auth`` or a
    credential-bearing default header is refused (``InvalidArgumentError``). Without one, the
    transport makes a session on first use, inside the running loop, and :meth:`aclose`
    closes it: up to 100 connections, no cookies kept, TLS by ``ssl_context`` (aiohttp's
    default without one), the environment's proxies by httpx's rules (``HTTPS_PROXY``,
    ``NO_PROXY``...: see :mod:`meshapi_core.proxies`, read when the transport is made), no
    ``.netrc``. One transport is safe to share between the tasks of one event loop.

    WebSocket sessions never use the session: each opens a connection of its own, outside
    its pool (so open sessions never hold back a REST call), closed when the session closes,
    with ``ssl_context`` and the environment's proxy (see :meth:`connect_websocket`).
    """

    def __init__(
        self,
        session: Optional[aiohttp.ClientSession] = None,
        *,
        ssl_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        if session is not None:
            _refuse_credentials_of(session)
        self._session = session
        self._owns_session = session is None
        # What every request overrides in the session's settings: a session of ours already
        # has them (no raise_for_status, no decompression), so only redirects are turned off.
        self._options: Dict[str, Any] = _OWN_OPTIONS if session is None else _GIVEN_SESSION_OPTIONS
        self._closed = False
        self._road: Optional[DirectRoad] = None  # the short road, for a session it makes
        self._ssl_context = ssl_context
        self._proxies = ProxyRules.of(getproxies())

    def _refuse_if_closed(self) -> None:
        # A session handed in stays usable after aclose() (it is the caller's), unless they
        # closed it themselves.
        closed = self._closed and self._owns_session
        if closed or (self._session is not None and self._session.closed):
            raise ClientContextError(
                "This client is closed (aclose() or an `async with` block ended it): make a "
                "new client for further calls"
            )

    def _get_session(self) -> aiohttp.ClientSession:
        self._refuse_if_closed()
        if self._session is None:
            tls: Union[ssl.SSLContext, bool] = self._ssl_context or True
            self._session = aiohttp.ClientSession(
                connector=_PoolConnector(limit=100, ssl=tls),
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                timeout=aiohttp.ClientTimeout(total=None),
            )
            if AVAILABLE:
                self._road = DirectRoad(self._session)
        elif not self._owns_session:  # checked on every request: its settings can change
            _refuse_credentials_of(self._session)
        return self._session

    async def open_stream(self, request: Request) -> AiohttpStreamResponse:
        """Send ``request``; return as soon as the status and headers are in."""
        session = self._get_session()
        failures: List[MeshAPIError] = []
        failure: MeshAPIError
        headers = request.headers
        if request.header("accept-encoding") is None:
            headers = (*headers, _ACCEPT_ENCODING)
        proxy = self._proxy_of(request.url)
        record = _Exchange()
        token = _exchange.set(record)
        try:
            body = request.body
            response: Union[aiohttp.ClientResponse, DirectResponse, None] = None
            timeout = _client_timeout(request.timeout)
            if self._road is not None and proxy is None and not isinstance(body, StreamedBody):
                response = await self._road.send(
                    request.method, request.url, headers, body or b"", timeout
                )
            if response is None:
                options = self._options
                if not body:
                    options = {**options, "skip_auto_headers": _NO_CONTENT_TYPE}
                if proxy is not None:
                    options = {
                        **options,
                        "proxy": proxy.url,
                        "proxy_headers": _proxy_headers(proxy),
                    }
                response = await session.request(
                    request.method, request.url, headers=headers,
                    data=_body_data(request, failures), timeout=timeout, **options,
                )  # fmt: skip
            return AiohttpStreamResponse(response)
        except aiohttp.ClientSSLError as exc:  # a certificate error is a ValueError too
            failure = _connection_error(exc, url=request.url)
        except _REFUSED as exc:
            failure = failures[0] if failures else unsendable("aiohttp", exc)
        except _ERRORS as exc:
            # the body could not be read (the file changed): say so, not "connection failed"
            failure = failures[0] if failures else _connection_error(
                exc, stale=record.stale(exc), url=request.url
            )  # fmt: skip
        finally:
            _exchange.reset(token)
        raise failure  # here, so aiohttp's exception is not its __context__

    def _proxy_of(self, url: str) -> Optional[ProxyRoute]:
        """The environment's proxy for ``url``, for a session the transport made (one of
        yours goes by its own ``trust_env``)."""
        if not self._proxies or not self._owns_session:
            return None
        return self._proxies.route(url)

    async def connect_websocket(self, request: WebSocketRequest) -> AsyncWsprotoWebSocket:
        """Open a WebSocket session: wsproto over a connection of its own, outside the
        session's pool, with the transport's SSL context, through the environment's proxy
        (see :mod:`meshapi_wsproto`; the session's ``ws_connect`` would follow redirects and
        accept invalid frames)."""
        from meshapi_wsproto import aconnect_websocket

        from ._websocket import ssl_context

        self._refuse_if_closed()
        given = self._ssl_context
        tls = ssl_context if given is None else lambda: given
        return await aconnect_websocket(request, tls, self._proxies.route(request.url))

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` without blocking the event loop."""
        await asyncio.sleep(seconds)

    async def aclose(self) -> None:
        """Close the session, if this transport made it; a session passed in stays open."""
        self._closed = True
        if self._owns_session and self._session is not None:
            await self._session.close()
