"""What the sync and async httpx transports share: request building and error mapping.

The error helpers return the SDK's exception; callers raise it *after* the ``except`` block
that caught httpx's, so it has no ``__context__``: httpx's exceptions hold the request, and
with it the credential.
"""

from __future__ import annotations

from typing import AsyncIterator, BinaryIO, Dict, Iterator, Optional, Union
from urllib.parse import urlsplit

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

from ._direct import Direct, timeout_of, url_of

_AnyClient = Union[httpx.Client, httpx.AsyncClient]
_ACCEPT_ENCODING = ("accept-encoding", ACCEPT_ENCODING)


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


def connection_error(
    exc: httpx.HTTPError, *, response_started: bool, url: Optional[str] = None
) -> APIConnectionError:
    """The SDK error for an httpx failure while sending (to ``url``) or reading a whole
    response."""
    timeout = isinstance(exc, httpx.TimeoutException)
    host = urlsplit(url).hostname if url is not None else None
    return transport_failure(exc, timeout=timeout, response_started=response_started, host=host)


def stream_error(exc: httpx.HTTPError) -> StreamInterruptedError:
    """The SDK error for an httpx failure in the middle of a streamed body."""
    return stream_failure(exc, timeout=isinstance(exc, httpx.TimeoutException))
