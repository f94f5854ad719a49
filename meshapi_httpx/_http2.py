"""HTTP/2 streams left before their end are reset, which httpcore does not do by itself.

A client of yours made with ``httpx.Client(http2=True)`` runs many requests over one
connection, each on a stream of it. When a response is closed before the server finished it
(a ``break`` out of a stream, a deadline, an error), httpcore forgets the stream but never
tells the server (no ``RST_STREAM``; encode/httpcore#943). So the server goes on generating
(and billing) a reply nobody reads, its data keeps using the connection's flow-control
window, and the stream still counts against the server's limit of concurrent streams: after
that many (100 for most servers) early closes on one connection, every new request on it
fails with ``LocalProtocolError: Max outbound streams is 100, 100 open``.

So when the transport closes an HTTP/2 response, it resets the stream (``CANCEL``) first,
as browsers and curl do; on a stream that already ended this does nothing. It reaches the
stream through httpx's and httpcore's own objects (``response.stream`` down to httpcore's
``HTTP2ConnectionByteStream``, stable since httpcore 0.17); where any of them is not what it
expects (another transport, another version), it does nothing, and the behaviour is
httpcore's.
"""

from __future__ import annotations

import contextlib
from typing import Any, Optional, Tuple

import httpcore
import httpx

__all__ = ["areset_unfinished", "reset_unfinished"]

# What writing to a connection that broke may raise (httpcore maps its backend's errors).
_BROKEN = (httpcore.NetworkError, httpcore.TimeoutException, httpcore.ProtocolError, OSError)


def _stream_of(response: httpx.Response) -> Optional[Tuple[Any, int, Any]]:
    """httpcore's HTTP/2 connection, stream id and request behind ``response``, if any."""
    if response.http_version != "HTTP/2":
        return None
    stream: Any = response.stream
    stream = getattr(stream, "_stream", stream)  # httpx's BoundSyncStream (client.send)
    stream = getattr(stream, "_httpcore_stream", None)  # httpx's ResponseStream
    stream = getattr(stream, "_stream", None)  # httpcore's PoolByteStream
    connection = getattr(stream, "_connection", None)
    stream_id = getattr(stream, "_stream_id", None)
    if getattr(connection, "_h2_state", None) is None or not isinstance(stream_id, int):
        return None
    return connection, stream_id, getattr(stream, "_request", None)


def _reset(connection: Any, stream_id: int) -> bool:
    """Queue ``RST_STREAM`` for a stream still open; ``False`` if it had ended."""
    import h2.errors
    import h2.exceptions

    stream = connection._h2_state.streams.get(stream_id)
    if stream is None or stream.closed:  # looked up first: most streams end by themselves
        return False
    try:
        connection._h2_state.reset_stream(stream_id, error_code=h2.errors.ErrorCodes.CANCEL)
    except h2.exceptions.H2Error:  # closed already: ended by the server, or reset
        return False
    return True


def reset_unfinished(response: httpx.Response) -> None:
    """Reset the HTTP/2 stream of ``response`` if it is still open (blocking client)."""
    found = _stream_of(response)
    if found is None:
        return
    connection, stream_id, request = found
    if _reset(connection, stream_id):
        with contextlib.suppress(*_BROKEN):  # the connection is broken: nothing to tell
            connection._write_outgoing_data(request)


async def areset_unfinished(response: httpx.Response) -> None:
    """Reset the HTTP/2 stream of ``response`` if it is still open (async client)."""
    found = _stream_of(response)
    if found is None:
        return
    connection, stream_id, request = found
    if _reset(connection, stream_id):
        with contextlib.suppress(*_BROKEN):  # the connection is broken: nothing to tell
            await connection._write_outgoing_data(request)
