"""What the sync and async httpx transports share: request building and error mapping.

The error helpers return the SDK's exception; callers raise it *after* the ``except`` block
that caught httpx's, so it has no ``__context__``: httpx's exceptions hold the request, and
with it the credential.
"""

from __future__ import annotations

from typing import (
    Any,
    AsyncIterator,
    BinaryIO,
    Dict,
    Iterator,
    List,
    Optional,
    Type,
    TypeVar,
    Union,
)
from urllib.parse import urlsplit

import httpcore
import httpx

from meshapi_core.decoding import ACCEPT_ENCODING
from meshapi_core.errors import (
    APIConnectionError,
    ClientContextError,
    MeshAPIError,
    StreamInterruptedError,
    stream_failure,
    transport_failure,
)
from meshapi_core.http import Request, StreamedBody, header_dict, unsendable
from meshapi_core.transport import refuse_client_credentials

from ._direct import Direct, timeout_of, url_of

try:  # httpx's wrappers of httpcore's streams: see _beneath
    from httpx._transports.default import AsyncResponseStream as _AsyncResponseStream
    from httpx._transports.default import ResponseStream as _ResponseStream
except ImportError:  # pragma: no cover - an httpx without them: its streams are read as they are
    _AsyncResponseStream = _ResponseStream = None  # type: ignore[assignment,misc]

_AnyClient = Union[httpx.Client, httpx.AsyncClient]
_ACCEPT_ENCODING = ("accept-encoding", ACCEPT_ENCODING)


def refuse_credentials_of(client: _AnyClient) -> None:
    """Refuse a client whose ``auth`` or default headers would add a credential to the SDK's
    requests (see :func:`~meshapi_core.transport.refuse_client_credentials`)."""
    auth = client.auth
    refuse_client_credentials(
        "httpx_client", client.headers.keys(), None if auth is None else type(auth).__name__
    )


def send_options(client: _AnyClient) -> Dict[str, Any]:
    """What ``client.send`` is told for every request of the SDK, whatever the client was
    configured with: no redirect followed (a 3xx is the core's error), no auth of the
    client's (the SDK's credential is in the request's headers), the body streamed."""
    refuse_credentials_of(client)  # checked on every request: a client's settings can change
    return _SEND_OPTIONS


_SEND_OPTIONS: Dict[str, Any] = {"stream": True, "follow_redirects": False, "auth": None}


def to_httpx(client: _AnyClient, request: Request) -> httpx.Request:
    """The httpx request for a core request, with its per-phase timeouts. It asks for the
    encodings the transport decodes itself (:mod:`meshapi_core.decoding`), unless the request
    says."""
    headers = request.headers
    if request.header("accept-encoding") is None:
        headers = (*headers, _ACCEPT_ENCODING)
    return client.build_request(
        request.method,
        url_of(request),
        headers=headers,
        content=body_content(client, request.body),
        timeout=timeout_of(request.timeout),
    )


def outgoing(client: _AnyClient, direct: Optional[Direct], request: Request) -> httpx.Request:
    """The httpx request to send for ``request``: through the client (``to_httpx``), or
    straight to its transport (``direct``). A URL or header httpx refuses to build
    (``InvalidURL``, an IDNA or encoding error) is the SDK's ``InvalidArgumentError``, and
    nothing is sent; the core's checks make this a last line."""
    failure: MeshAPIError
    try:
        if direct is None:
            return to_httpx(client, request)
        return direct.request(request, body_content(client, request.body))
    except MeshAPIError:
        raise
    except (httpx.InvalidURL, ValueError) as exc:  # UnicodeError is a ValueError
        failure = unsendable("httpx", exc)
    raise failure  # here, so httpx's exception (which holds the request) is not its context


def deadline_message(when: str) -> str:
    """The message of the timeout that ``Timeout.total`` (the call's deadline) causes."""
    return f"Timed out {when}: the exchange's total time limit (the call's deadline) ran out"


def _open(path: str) -> BinaryIO:
    return open(path, "rb")


def body_content(
    client: _AnyClient, body: Union[bytes, StreamedBody, None]
) -> Union[bytes, Iterator[bytes], AsyncIterator[bytes], None]:
    """httpx's ``content`` for a core body: bytes as they are; a streamed body as an
    iterator of bounded chunks (files read as they are sent, in a worker thread for the
    async client), sent with the ``Content-Length`` the core set."""
    if not isinstance(body, StreamedBody):
        return body
    if isinstance(client, httpx.AsyncClient):
        return _chunks_in_thread(body)
    return body.chunks(_open)


async def _chunks_in_thread(body: StreamedBody) -> AsyncIterator[bytes]:
    import anyio.to_thread  # here, not at import: a blocking client never needs it

    chunks = body.chunks(_open)
    try:
        while True:
            data: Optional[bytes] = await anyio.to_thread.run_sync(next, chunks, None)
            if data is None:
                return
            yield data
    finally:
        chunks.close()


def refuse_if_closed(client: _AnyClient) -> None:
    """Raise the SDK's error for a call on a closed client (httpx would raise its own
    ``RuntimeError``)."""
    if client.is_closed:
        raise ClientContextError(
            "This client is closed (close() or a `with` block ended it): make a new client "
            "for further calls"
        )


def body_in_memory(response: httpx.Response) -> Optional[bytes]:
    """The body, decoded, if httpx had read it before the transport got the response, else
    ``None`` (the transport reads the raw stream itself).

    A transport that builds its responses from bytes (``httpx.MockTransport`` with
    ``httpx.Response(200, json=...)``, a custom transport, an event hook that called
    ``response.read()``) hands over a response whose stream is spent and whose body is in
    ``response.content``, already decoded by httpx (which does not check that a compressed
    stream ended, as :mod:`meshapi_core.decoding` does for the bodies the transport reads).
    """
    if not response.is_stream_consumed:
        return None
    try:
        return response.content
    except httpx.ResponseNotRead:  # spent without being kept: iter_raw() says so
        return None


def raw_chunks(response: httpx.Response) -> Iterator[bytes]:
    """What ``response.iter_raw()`` yields, read straight from the response's stream: without
    the work ``iter_raw`` adds to every chunk (a chunker that passes chunks through when no
    size is asked, a count of bytes the SDK never reads). Where ``iter_raw`` would refuse (a
    body spent or closed, an async stream), it is called, so that its error says why. The
    transport closes the response when done, as ``iter_raw`` does at the body's end.

    A response of httpx's own ``HTTPTransport`` is read from httpcore's stream beneath it
    (see :func:`_beneath`): its errors are httpcore's, which :data:`BODY_ERRORS` holds."""
    stream = _unread_stream(response, httpx.SyncByteStream)
    if stream is None:
        return response.iter_raw()
    return iter(_beneath(stream, _ResponseStream))


def araw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """:func:`raw_chunks` for an async response (``aiter_raw``'s bytes)."""
    stream = _unread_stream(response, httpx.AsyncByteStream)
    if stream is None:
        return response.aiter_raw()
    return _beneath(stream, _AsyncResponseStream).__aiter__()  # type: ignore[no-any-return]


def _beneath(stream: Any, kind: Optional[type]) -> Any:
    """httpcore's stream, if ``stream`` is httpx's own wrapper of it (``kind``), else
    ``stream``. That wrapper is one more generator for every chunk, which does nothing but
    map httpcore's exceptions to httpx's; its classes are httpx's private ones, looked for
    and left alone if absent. (Closing still goes through the wrapper, as httpx does.)"""
    if kind is not None and type(stream) is kind:
        return getattr(stream, "_httpcore_stream", stream)
    return stream


_S = TypeVar("_S", httpx.SyncByteStream, httpx.AsyncByteStream)


def _unread_stream(response: httpx.Response, kind: Type[_S]) -> Optional[_S]:
    """The response's stream, marked consumed, if it is unread and of ``kind``; else ``None``."""
    stream = response.stream
    if response.is_stream_consumed or response.is_closed or not isinstance(stream, kind):
        return None
    response.is_stream_consumed = True
    return stream


def headers_of(response: httpx.Response) -> Dict[str, str]:
    """Response headers as a dict with lower-case names; repeated headers joined by ", ".

    Headers are ASCII, and read as such straight from the raw pairs; a response with any
    other byte in its headers is read the way httpx reads it (UTF-8, else Latin-1).
    """
    try:
        return header_dict(
            [(k.decode("ascii"), v.decode("ascii")) for k, v in response.headers.raw]
        )
    except UnicodeDecodeError:
        return header_dict(response.headers.multi_items())


HTTPX_ERRORS = (httpx.HTTPError, httpx.StreamError)
"""What httpx raises for a failed exchange: its errors, and its stream misuse errors (a
body spent before the SDK read it), which are not ``HTTPError``."""

BODY_ERRORS = (
    *HTTPX_ERRORS,
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
)
"""What reading a streamed body (:func:`raw_chunks`) raises: httpx's errors, and the
httpcore errors httpx maps to its own (same names, same text) when the body is read from
httpcore's stream directly."""


def connection_error(
    exc: Exception, *, response_started: bool, stale: bool = False, url: Optional[str] = None
) -> APIConnectionError:
    """The SDK error for an httpx failure while sending (to ``url``) or reading a whole
    response; ``stale`` when it ended a request on a reused connection the server had closed,
    before any byte of a response (``_exchange.py``)."""
    timeout = isinstance(exc, httpx.TimeoutException)
    host = urlsplit(url).hostname if url is not None else None
    return transport_failure(
        exc, timeout=timeout, response_started=response_started, stale=stale, host=host
    )


def stream_error(exc: Exception) -> StreamInterruptedError:
    """The SDK error for an httpx (or httpcore: see :data:`BODY_ERRORS`) failure in the
    middle of a streamed body."""
    timeout = isinstance(exc, (httpx.TimeoutException, httpcore.TimeoutException))
    return stream_failure(exc, timeout=timeout)


def wrap_backends(client: _AnyClient, kind: Type[Any], wrapper: Type[Any]) -> bool:
    """Give every connection pool of ``client`` whose transport is a ``kind`` (httpx's own
    ``HTTPTransport`` or ``AsyncHTTPTransport``) the network backend ``wrapper(its
    backend)``, unless it has one already; ``True`` when every pool was reached.

    Reaches into httpx's ``HTTPTransport._pool`` and httpcore's
    ``ConnectionPool._network_backend`` (stable since httpx 0.23 / httpcore 0.17); anything
    else is left alone.
    """
    transports: List[Any] = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    complete = True
    for transport in transports:
        if transport is None:
            continue
        pool = getattr(transport, "_pool", None) if isinstance(transport, kind) else None
        backend = getattr(pool, "_network_backend", None)
        if backend is None:
            complete = False
        elif not isinstance(backend, wrapper):
            pool._network_backend = wrapper(backend)  # type: ignore[union-attr]
    return complete
