"""The async httpx transport, for asyncio and trio alike (through anyio).

``Timeout.total`` bounds the whole exchange: the transport fixes an absolute deadline (on the
event loop's clock) when it starts, and runs the send and every read of the body inside an
anyio cancel scope with that deadline, so no pacing of the bytes outlives it; the scope ends
within one pass of the event loop of the deadline. Its connections keep an answer the server
sends while a request is still being written, and say whether they were reused
(``_network_async.py``). Bodies are decoded here in bounded pieces
(:mod:`meshapi_core.decoding`, which also fails a cut compressed stream), not by httpx. A
client the transport made is sent to through its own ``httpx.AsyncHTTPTransport``
(``_direct.py``). No SDK error it raises is chained to httpx's exception (which holds the
request, and so the credential).
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, AsyncIterator, Dict, Optional

import httpx

from meshapi_core.decoding import decoder_for
from meshapi_core.errors import APITimeoutError, MeshAPIError, StreamTimeoutError
from meshapi_core.http import Request
from meshapi_core.transport import RELEASE_GRACE, RELEASE_LIMIT

from ._common import (
    BODY_ERRORS,
    HTTPX_ERRORS,
    araw_chunks,
    body_in_memory,
    connection_error,
    deadline_message,
    headers_of,
    outgoing,
    refuse_credentials_of,
    refuse_if_closed,
    send_options,
    stream_error,
)
from ._direct import new_async_client
from ._exchange import exchange
from ._http2 import areset_unfinished
from ._network_async import install_async
from ._websocket import TLS

if TYPE_CHECKING:
    from meshapi_core.websocket import WebSocketRequest
    from meshapi_wsproto import AsyncWsprotoWebSocket


class AsyncHttpxStreamResponse:
    """A streamed httpx response, behind the SDK's error contract."""

    def __init__(self, response: httpx.Response, deadline: Optional[float] = None) -> None:
        self._response = response
        self._deadline = deadline
        self._raw: Optional[AsyncIterator[bytes]] = None
        self.status = response.status_code
        self.headers: Dict[str, str] = headers_of(response)

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        """The body as it arrives, decoded in bounded pieces (or at once, if httpx already
        read it: see ``body_in_memory``)."""
        content = body_in_memory(self._response)
        if content is not None:
            yield content
            return
        failure: Optional[MeshAPIError] = None
        decoder = decoder_for(self.headers.get("content-encoding"))
        deadline = self._deadline
        # Kept: a consumer that stops at the stream's end leaves it open for release().
        raw = self._raw = araw_chunks(self._response)
        try:
            if deadline is None and decoder is None:
                async for data in raw:
                    yield data
            else:
                import anyio

                while True:
                    try:
                        if deadline is None:
                            data = await raw.__anext__()
                        else:
                            with anyio.CancelScope(deadline=deadline) as scope:
                                data = await raw.__anext__()
                            if scope.cancelled_caught:
                                failure = StreamTimeoutError(deadline_message("reading the body"))
                                break
                    except StopAsyncIteration:
                        break
                    if decoder is None:
                        yield data
                    else:
                        for piece in decoder.decode(data):
                            yield piece
                if failure is None and decoder is not None:
                    for piece in decoder.flush():
                        yield piece
        except BODY_ERRORS as exc:
            failure = stream_error(exc)
        if failure is not None:  # raised here, so httpx's exception is not its __context__
            raise failure

    async def release(self) -> None:
        """The stream has ended: read on to the body's end for at most ``RELEASE_GRACE``
        seconds and ``RELEASE_LIMIT`` bytes, then close (the connection goes back to the pool
        if the end came)."""
        import anyio

        raw, self._raw = self._raw, None
        try:
            if raw is not None and not self._response.is_closed:
                deadline = anyio.current_time() + RELEASE_GRACE
                if self._deadline is not None:
                    deadline = min(deadline, self._deadline)
                left = RELEASE_LIMIT
                with anyio.CancelScope(deadline=deadline):
                    async for data in raw:
                        left -= len(data)
                        if left < 0:
                            break
        except BODY_ERRORS:
            pass  # the body broke: the connection is dropped below
        finally:
            await self.aclose()  # shielded: runs even when the task is cancelled

    async def aclose(self) -> None:
        """Release the connection (back to the pool if the body was read to its end).

        Shielded from cancellation: a task cancelled mid-stream still gives its connection
        back, under trio's level-triggered cancellation as under asyncio's. An HTTP/2 stream
        left before its end is reset (see ``_http2.py``).
        """
        import anyio  # here, not at import: a blocking client never needs it

        self._raw = None
        with anyio.CancelScope(shield=True):
            await self._response.aclose()
            await areset_unfinished(self._response)


class AsyncHttpxTransport:
    """Sends the core's requests with an :class:`httpx.AsyncClient`.

    Runs under asyncio and trio. Pass ``client`` to use your own (any ``transport=``, a
    ``MockTransport`` included); the transport then never closes it. Whatever the client's
    settings, no redirect is followed and the client's ``auth`` is not applied; a client with
    ``auth`` or a credential-bearing default header is refused (``InvalidArgumentError``).
    One transport is safe to share between the tasks of one event loop. ``ssl_context`` is
    as for :class:`~meshapi_httpx.HttpxTransport`.
    """

    def __init__(
        self,
        client: Optional[httpx.AsyncClient] = None,
        *,
        ssl_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        self._owns_client = client is None
        if client is not None:
            refuse_credentials_of(client)
        self._tls = TLS(ssl_context, made_here=client is None)
        # A client of its own is sent to directly (see _direct.py); one handed over, never.
        self._client, self._direct = (
            (client, None) if client is not None else new_async_client(self._tls.context)
        )
        install_async(self._client)

    async def _send(self, request: Request) -> httpx.Response:
        client, direct = self._client, self._direct
        sent = outgoing(client, direct, request)
        if direct is None:
            return await client.send(sent, **send_options(client))
        return await direct.send_async(sent)

    async def open_stream(self, request: Request) -> AsyncHttpxStreamResponse:
        """Send ``request``; return as soon as the status and headers are in."""
        refuse_if_closed(self._client)
        total = request.timeout.total
        failure: MeshAPIError
        with exchange() as record:
            try:
                if total is None:
                    return AsyncHttpxStreamResponse(await self._send(request))
                import anyio

                deadline = anyio.current_time() + total
                with anyio.CancelScope(deadline=deadline) as scope:
                    response = await self._send(request)
                if scope.cancelled_caught:
                    failure = APITimeoutError(deadline_message("waiting for the response"))
                else:
                    return AsyncHttpxStreamResponse(response, deadline)
            except HTTPX_ERRORS as exc:
                failure = connection_error(
                    exc, response_started=False, stale=record.stale(exc), url=request.url
                )
        raise failure  # here, so httpx's exception is not its __context__

    async def connect_websocket(self, request: WebSocketRequest) -> AsyncWsprotoWebSocket:
        """Open a WebSocket session: wsproto over a connection of its own (httpx has no
        WebSocket client), with the transport's SSL context, through the environment's
        proxy (see :mod:`meshapi_wsproto`)."""
        from meshapi_wsproto import aconnect_websocket

        tls = self._tls
        return await aconnect_websocket(request, tls.for_websocket, tls.proxy(request.url))

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` without blocking the event loop."""
        import anyio

        await anyio.sleep(seconds)

    async def aclose(self) -> None:
        """Close the client, if this transport made it."""
        if self._owns_client:
            await self._client.aclose()
