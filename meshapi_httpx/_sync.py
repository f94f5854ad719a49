"""The blocking httpx transport."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Dict, Iterator, Optional

import httpx

from meshapi_core.http import Request

from ._common import connection_error, headers_of, stream_error, to_httpx

if TYPE_CHECKING:
    from meshapi_core.websocket import WebSocketRequest

    from ._websocket_sync import HttpxWebSocket


class HttpxStreamResponse:
    """A streamed httpx response, behind the SDK's error contract."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status = response.status_code
        self.headers: Dict[str, str] = headers_of(response)

    def iter_bytes(self) -> Iterator[bytes]:
        """The body as it arrives."""
        try:
            yield from self._response.iter_bytes()
        except httpx.HTTPError as exc:
            raise stream_error(exc) from exc

    def close(self) -> None:
        """Release the connection (back to the pool if the body was read to its end)."""
        self._response.close()


class HttpxTransport:
    """Sends the core's requests with an :class:`httpx.Client`.

    Pass ``client`` to use your own (proxies, certificates, limits); the transport then never
    closes it. One transport is safe to share between threads, as the client is.

    >>> transport = HttpxTransport()
    >>> transport.close()
    """

    def __init__(self, client: Optional[httpx.Client] = None) -> None:
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(follow_redirects=False)

    def open_stream(self, request: Request) -> HttpxStreamResponse:
        """Send ``request``; return as soon as the status and headers are in."""
        try:
            response = self._client.send(to_httpx(self._client, request), stream=True)
        except httpx.HTTPError as exc:
            raise connection_error(exc, response_started=False) from exc
        return HttpxStreamResponse(response)

    def connect_websocket(self, request: WebSocketRequest) -> HttpxWebSocket:
        """Open a WebSocket session (wsproto over its own socket: httpx has none)."""
        from ._websocket_sync import connect_websocket

        return connect_websocket(request)

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for ``seconds``."""
        time.sleep(seconds)

    def close(self) -> None:
        """Close the client, if this transport made it."""
        if self._owns_client:
            self._client.close()
