"""The blocking httpx transport.

Besides moving bytes it does these things httpx does not:

- ``Timeout.total`` bounds the whole exchange, however the server paces its bytes: the
  client's connection pools are given a network backend that shortens every socket wait to
  the time left (``_deadline.py`` explains how, and the bound);
- bodies are decoded here, in bounded pieces (:mod:`meshapi_core.decoding`), not by httpx,
  which inflates a whole network read at once (and never checks that a compressed stream
  ended);
- after ``os.fork()`` a child never uses the parent's pooled connections: a client the
  transport made is replaced by a fresh one; one it was handed raises
  :class:`~meshapi_core.errors.ClientContextError`;
- a client the transport made is sent to through its own ``httpx.HTTPTransport``, skipping
  what ``client.send`` adds for features the SDK does not use (``_direct.py``); a client it
  was handed is sent to with ``client.send``, told to follow no redirect and apply no auth
  of its own, whatever it was configured with (``_common.send_options``).

No SDK error it raises is chained to httpx's exception (which holds the request, and so the
credential): each is raised after the ``except`` block that caught it.
"""

from __future__ import annotations

import ssl
import threading
import time
from typing import TYPE_CHECKING, Dict, Iterator, Optional

import httpx

from meshapi_core.decoding import BodyDecoder, decoder_for
from meshapi_core.errors import (
    APITimeoutError,
    ClientContextError,
    MeshAPIError,
    StreamTimeoutError,
)
from meshapi_core.http import Request
from meshapi_core.transport import RELEASE_GRACE, RELEASE_LIMIT

from . import _fork
from ._common import (
    BODY_ERRORS,
    HTTPX_ERRORS,
    body_in_memory,
    connection_error,
    deadline_message,
    headers_of,
    outgoing,
    raw_chunks,
    refuse_credentials_of,
    refuse_if_closed,
    send_options,
    stream_error,
)
from ._deadline import DeadlinePassed, bounded, install, under
from ._direct import new_client
from ._exchange import exchange
from ._http2 import reset_unfinished
from ._websocket import TLS

if TYPE_CHECKING:
    from meshapi_core.websocket import WebSocketRequest
    from meshapi_wsproto import WsprotoWebSocket


class HttpxStreamResponse:
    """A streamed httpx response, behind the SDK's error contract."""

    def __init__(self, response: httpx.Response, deadline: Optional[float] = None) -> None:
        self._response = response
        self._deadline = deadline
        self._raw: Optional[Iterator[bytes]] = None
        self.status = response.status_code
        self.headers: Dict[str, str] = headers_of(response)

    def iter_bytes(self) -> Iterator[bytes]:
        """The body as it arrives, decoded in bounded pieces (or at once, if httpx already
        read it: see ``body_in_memory``)."""
        content = body_in_memory(self._response)
        if content is not None:
            yield content
            return
        failure: Optional[MeshAPIError] = None
        decoder = decoder_for(self.headers.get("content-encoding"))
        # Kept, and looped over rather than delegated to (``yield from``): a consumer that
        # stops at the stream's end must leave it open for release().
        raw = self._raw = raw_chunks(self._response)
        try:
            if self._deadline is None and decoder is None:
                for data in raw:  # noqa: UP028 - not delegated: see above
                    yield data
            else:
                yield from self._pieces(raw, decoder)
        except BODY_ERRORS as exc:
            failure = stream_error(exc)
        if failure is not None:  # raised here, so httpx's exception is not its __context__
            raise failure

    def _pieces(self, raw: Iterator[bytes], decoder: Optional[BodyDecoder]) -> Iterator[bytes]:
        deadline = self._deadline
        while True:
            if deadline is None:
                data = next(raw, None)
            else:
                try:
                    with under(deadline):
                        data = next(raw, None)
                except DeadlinePassed:
                    raise StreamTimeoutError(deadline_message("reading the body")) from None
                if time.monotonic() >= deadline and data is not None:
                    # Reached only where a socket wait was not bounded (see _deadline.py).
                    raise StreamTimeoutError(deadline_message("reading the body"))
            if data is None:
                break
            if decoder is None:
                yield data
            else:
                yield from decoder.decode(data)
        if decoder is not None:
            yield from decoder.flush()

    def release(self) -> None:
        """The stream has ended: read on to the body's end for at most ``RELEASE_GRACE``
        seconds and ``RELEASE_LIMIT`` bytes, then close (the connection goes back to the pool
        if the end came). Only on a connection whose waits ``_deadline.py`` bounds: on any
        other, closes at once."""
        raw, self._raw = self._raw, None
        stream = self._response.extensions.get("network_stream")
        try:
            if raw is not None and bounded(stream) and not self._response.is_closed:
                deadline = time.monotonic() + RELEASE_GRACE
                if self._deadline is not None:
                    deadline = min(deadline, self._deadline)
                left = RELEASE_LIMIT
                with under(deadline):
                    for data in raw:
                        left -= len(data)
                        if left < 0:
                            break
        except (DeadlinePassed, *BODY_ERRORS):
            pass  # the end did not come in time (or the body broke): dropped below
        finally:
            self.close()

    def close(self) -> None:
        """Release the connection (back to the pool if the body was read to its end; an
        HTTP/2 stream left before its end is reset, see ``_http2.py``)."""
        self._raw = None
        self._response.close()
        reset_unfinished(self._response)


class HttpxTransport:
    """Sends the core's requests with an :class:`httpx.Client`.

    Pass ``client`` to use your own (proxies, certificates, limits, any ``transport=``, a
    ``MockTransport`` included); the transport then never closes it, and never uses it in a
    process forked after it was handed over. Whatever the client's settings, no redirect is
    followed and the client's ``auth`` is not applied; a client with ``auth`` or a
    credential-bearing default header is refused (``InvalidArgumentError``). One transport
    is safe to share between threads, as the client is. ``ssl_context`` is what the client
    it makes (without ``client``) and its WebSocket sessions (always) trust; without it,
    httpx's default (certifi's roots, or ``$SSL_CERT_FILE`` / ``$SSL_CERT_DIR``).

    >>> transport = HttpxTransport()
    >>> transport.close()
    """

    def __init__(
        self, client: Optional[httpx.Client] = None, *, ssl_context: Optional[ssl.SSLContext] = None
    ) -> None:
        self._owns_client = client is None
        if client is not None:
            refuse_credentials_of(client)
        self._tls = TLS(ssl_context, made_here=client is None)
        # A client of its own is sent to directly (see _direct.py); one handed over, never.
        self._client, self._direct = (
            (client, None) if client is not None else new_client(self._tls.context)
        )
        install(self._client)
        self._generation = _fork.generation
        self._lock = threading.Lock()

    def _current_client(self) -> httpx.Client:
        if self._generation == _fork.generation:
            return self._client
        with self._lock:
            if self._generation != _fork.generation:
                if not self._owns_client:
                    raise ClientContextError(
                        "This client's httpx.Client was handed over before os.fork(): its "
                        "pooled connections are shared with the parent process. Make the "
                        "client (and its httpx.Client) in the child, after the fork, or let "
                        "the SDK make its own."
                    )
                # The parent's pool is dropped, not closed: its sockets are the parent's too.
                self._client, self._direct = new_client(self._tls.context)
                install(self._client)
                self._generation = _fork.generation
        return self._client

    def _send(self, client: httpx.Client, request: Request) -> httpx.Response:
        direct = self._direct
        sent = outgoing(client, direct, request)
        if direct is None:
            return client.send(sent, **send_options(client))
        return direct.send(sent)

    def open_stream(self, request: Request) -> HttpxStreamResponse:
        """Send ``request``; return as soon as the status and headers are in."""
        client = self._current_client()
        refuse_if_closed(client)
        total = request.timeout.total
        failure: MeshAPIError
        with exchange() as record:
            try:
                if total is None:
                    return HttpxStreamResponse(self._send(client, request))
                deadline = time.monotonic() + total
                with under(deadline):
                    response = self._send(client, request)
                return HttpxStreamResponse(response, deadline)
            except DeadlinePassed:
                failure = APITimeoutError(deadline_message("waiting for the response"))
            except HTTPX_ERRORS as exc:
                failure = connection_error(
                    exc, response_started=False, stale=record.stale(exc), url=request.url
                )
        raise failure  # here, so httpx's exception is not its __context__

    def connect_websocket(self, request: WebSocketRequest) -> WsprotoWebSocket:
        """Open a WebSocket session: wsproto over a connection of its own (httpx has no
        WebSocket client), with the transport's SSL context, through the environment's
        proxy (see :mod:`meshapi_wsproto`)."""
        from meshapi_wsproto import connect_websocket

        return connect_websocket(request, self._tls.for_websocket, self._tls.proxy(request.url))

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for ``seconds``."""
        time.sleep(seconds)

    def close(self) -> None:
        """Close the client, if this transport made it."""
        if self._owns_client:
            self._client.close()
