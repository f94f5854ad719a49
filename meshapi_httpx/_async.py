"""The async httpx transport, for asyncio and trio alike (through anyio)."""

from __future__ import annotations

from typing import TYPE_CHECKING, AsyncIterator, Dict, Optional

import httpx

from meshapi_core.http import Request

from ._common import connection_error, headers_of, stream_error, to_httpx

if TYPE_CHECKING:
    from meshapi_core.websocket import WebSocketRequest

    from ._websocket_async import AsyncHttpxWebSocket


class AsyncHttpxStreamResponse:
    """A streamed httpx response, behind the SDK's error contract."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status = response.status_code
        self.headers: Dict[str, str] = headers_of(response)

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        """The body as it arrives."""
        try:
            async for chunk in self._response.aiter_bytes():
                yield chunk
        except httpx.HTTPError as exc:
            raise stream_error(exc) from exc

    async def aclose(self) -> None:
        """Release the connection (back to the pool if the body was read to its end).

        Shielded from cancellation: a task cancelled mid-stream still gives its connection
        back, under trio's level-triggered cancellation as under asyncio's.
        """
        import anyio  # here, not at import: a blocking client never needs it

        with anyio.CancelScope(shield=True):
            await self._response.aclose()


class AsyncHttpxTransport:
    """Sends the core's requests with an :class:`httpx.AsyncClient`.

    Runs under asyncio and trio. Pass ``client`` to use your own; the transport then never
    closes it. One transport is safe to share between the tasks of one event loop.
    """

    def __init__(self, client: Optional[httpx.AsyncClient] = None) -> None:
        self._owns_client = client is None
        self._client = client if client is not None else httpx.AsyncClient(follow_redirects=False)

    async def open_stream(self, request: Request) -> AsyncHttpxStreamResponse:
        """Send ``request``; return as soon as the status and headers are in."""
        try:
            response = await self._client.send(to_httpx(self._client, request), stream=True)
        except httpx.HTTPError as exc:
            raise connection_error(exc, response_started=False) from exc
        return AsyncHttpxStreamResponse(response)

    async def connect_websocket(self, request: WebSocketRequest) -> AsyncHttpxWebSocket:
        """Open a WebSocket session (wsproto over an anyio stream: httpx has none)."""
        from ._websocket_async import connect_websocket

        return await connect_websocket(request)

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` without blocking the event loop."""
        import anyio

        await anyio.sleep(seconds)

    async def aclose(self) -> None:
        """Close the client, if this transport made it."""
        if self._owns_client:
            await self._client.aclose()
