"""The async WebSocket driver: wsproto over an anyio stream (asyncio and trio alike).

Every wait has its bound from the request (``anyio.fail_after`` on connect, handshake and
each send; ``move_on_after`` on a receive, which then returns ``None`` with nothing lost:
wsproto is fed only the bytes a completed read returned). A send may come from another task
than the receive; sends, pongs and the close frame share one lock so frames never
interleave. Closing is shielded from cancellation, so a cancelled task still says goodbye
(bounded by :data:`~meshapi_core.websocket.CLOSE_TIMEOUT`) and frees the socket.
"""

from __future__ import annotations

import contextlib
from typing import Dict, Optional, Tuple, Type

import anyio
import anyio.abc
from anyio.streams.tls import TLSStream

from meshapi_core.errors import (
    APIConnectionError,
    APITimeoutError,
    MeshAPIError,
    StreamInterruptedError,
    StreamTimeoutError,
    stream_failure,
    transport_failure,
)
from meshapi_core.http import Timeout
from meshapi_core.proxies import ProxyRoute
from meshapi_core.websocket import CLOSE_TIMEOUT, WebSocketMessage, WebSocketRequest

from ._protocol import READ_SIZE, Endpoint, TLSContext, Tunnel, WsprotoClient, http11_context

__all__ = ["AsyncWsprotoWebSocket", "connect_websocket"]

_IO_ERRORS: Tuple[Type[BaseException], ...] = (
    OSError,
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    anyio.EndOfStream,  # a TLS stream raises it from send() too, for a peer gone without notice
)
# anyio.EndOfStream: the peer closed during the TLS handshake (standard_compatible=False).
_CONNECT_ERRORS: Tuple[Type[BaseException], ...] = (TimeoutError, anyio.EndOfStream, *_IO_ERRORS)


class AsyncWsprotoWebSocket:
    """One open session on an anyio stream (see :mod:`meshapi_core.websocket`)."""

    def __init__(
        self, stream: anyio.abc.ByteStream, client: WsprotoClient, timeout: Timeout
    ) -> None:
        self._stream = stream
        self._client = client
        self._timeout = timeout
        self._sending = anyio.Lock()
        self._closed = False
        self._receiving = False

    @property
    def headers(self) -> Dict[str, str]:
        """The handshake response's headers."""
        return self._client.headers

    @property
    def subprotocol(self) -> Optional[str]:
        """The subprotocol the server chose."""
        return self._client.subprotocol

    async def _read(self) -> bytes:
        failure: Optional[BaseException] = None
        try:
            return await self._stream.receive(READ_SIZE)
        except anyio.EndOfStream:
            return b""
        except _IO_ERRORS as exc:
            failure = exc
        raise stream_failure(failure, timeout=False)

    async def _write(self, data: bytes) -> None:
        failure: Optional[BaseException] = None
        timed_out = False
        try:
            with anyio.fail_after(self._timeout.write):
                await self._stream.send(data)
            return
        except TimeoutError:
            timed_out = True
        except _IO_ERRORS as exc:
            failure = exc
        if timed_out:
            raise StreamTimeoutError("Timed out sending to the gateway (write timeout)")
        assert failure is not None
        raise stream_failure(failure, timeout=False)

    async def _send_unsent(self) -> None:
        """Send the replies to frames that came with the ``101``; if that fails, the peer is
        gone, and the next receive delivers what it sent, then says so."""
        out = self._client.take_unsent()
        if out:
            with contextlib.suppress(MeshAPIError):
                async with self._sending:
                    await self._write(out)

    async def send_text(self, data: str) -> None:
        """Send one text message."""
        async with self._sending:
            await self._write(self._client.text(data))

    async def receive(
        self,
        timeout: Optional[float],  # noqa: ASYNC109 (the contract's: None means "time's up")
    ) -> Optional[WebSocketMessage]:
        """The next message, or ``None`` after ``timeout`` seconds without one."""
        if self._receiving:
            raise RuntimeError("another task is already receiving from this session")
        self._receiving = True
        try:
            deadline = None if timeout is None else anyio.current_time() + timeout
            while True:
                message = self._client.next()
                if message is not None:
                    return message
                left = None if deadline is None else deadline - anyio.current_time()
                data = None
                with anyio.move_on_after(left):
                    data = await self._read()
                if data is None:
                    return None
                out = self._client.feed(data)
                if out:
                    async with self._sending:
                        await self._write(out)
        finally:
            self._receiving = False

    async def aclose(
        self, code: int = 1000, reason: str = "", linger: float = CLOSE_TIMEOUT
    ) -> None:
        """Send our close frame, wait up to ``linger`` seconds for the gateway's, close the
        stream."""
        if self._closed:
            return
        self._closed = True
        with anyio.CancelScope(shield=True):
            try:
                with anyio.move_on_after(CLOSE_TIMEOUT):  # our close frame: bounded too
                    out = self._client.close(code, reason)
                    if out:
                        async with self._sending:
                            await self._write(out)
                if linger > 0 and not self._receiving:  # nobody else reads: wait for theirs
                    with anyio.move_on_after(linger):
                        while not self._client.closed:
                            data = await self._read()
                            if not data:
                                break
                            self._client.feed(data)
            except MeshAPIError:
                pass  # the connection is going away either way
            finally:
                await self._stream.aclose()


async def _tunnel(stream: anyio.abc.ByteStream, tunnel: Tunnel) -> None:
    """Open ``tunnel`` on ``stream``."""
    await stream.send(tunnel.request())
    while True:
        try:
            data = await stream.receive(READ_SIZE)
        except anyio.EndOfStream:
            data = b""
        if tunnel.receive(data):
            return


async def _connect(
    endpoint: Endpoint, tls: TLSContext, tunnel: Optional[Tunnel]
) -> anyio.abc.ByteStream:
    """A connection to ``endpoint``, directly or through ``tunnel``, with TLS for ``wss://``."""
    if tunnel is None:
        if not endpoint.tls:
            return await anyio.connect_tcp(endpoint.host, endpoint.port)
        return await anyio.connect_tcp(
            endpoint.host,
            endpoint.port,
            ssl_context=http11_context(tls),
            tls_standard_compatible=False,
        )
    stream: anyio.abc.ByteStream = await anyio.connect_tcp(tunnel.proxy.host, tunnel.proxy.port)
    try:
        await _tunnel(stream, tunnel)
        if endpoint.tls:
            stream = await TLSStream.wrap(
                stream,
                hostname=endpoint.host,
                ssl_context=http11_context(tls),
                standard_compatible=False,
            )
    except BaseException:
        with anyio.CancelScope(shield=True):
            await stream.aclose()
        raise
    return stream


async def connect_websocket(
    request: WebSocketRequest, tls: TLSContext, proxy: Optional[ProxyRoute] = None
) -> AsyncWsprotoWebSocket:
    """Open the session ``request`` describes (see :mod:`meshapi_core.websocket`); a
    ``wss://`` one with the SSL context ``tls()`` returns; through ``proxy`` (an ``http://``
    proxy, by a ``CONNECT`` tunnel) when given. The connect timeout bounds connecting as a
    whole: the TCP connection, the tunnel, the TLS handshake."""
    client = WsprotoClient(request)
    endpoint = client.endpoint
    timeout = request.timeout
    tunnel = None if proxy is None else Tunnel(endpoint, proxy)
    failure: Optional[BaseException] = None
    stream: Optional[anyio.abc.ByteStream] = None
    try:
        with anyio.fail_after(timeout.connect):
            stream = await _connect(endpoint, tls, tunnel)
    except _CONNECT_ERRORS as exc:
        failure = exc
    if failure is not None or stream is None:
        timed_out = isinstance(failure, TimeoutError)
        raise transport_failure(
            failure or OSError(), timeout=timed_out, response_started=False, host=endpoint.host
        )
    connection = AsyncWsprotoWebSocket(stream, client, timeout)
    try:
        await connection._write(client.handshake())
        answered = False
        with anyio.move_on_after(timeout.read):
            while not client.receive_handshake(await connection._read()):
                pass
            answered = True
        if not answered:
            raise APITimeoutError("Timed out waiting for the answer to the WebSocket handshake")
        await connection._send_unsent()
        return connection
    except StreamInterruptedError as error:
        with anyio.CancelScope(shield=True):
            await stream.aclose()
        if isinstance(error, APITimeoutError):
            raise APITimeoutError(error.message) from None
        raise APIConnectionError(error.message) from None
    except BaseException:
        with anyio.CancelScope(shield=True):
            await stream.aclose()
        raise
