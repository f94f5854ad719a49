"""The blocking WebSocket driver: wsproto over a plain (or TLS) socket, with timeouts.

The socket is non-blocking and every wait goes through a selector with the time left, so a
wait is bounded however the server paces its bytes (a TLS record cut in half included).
Sends may come from another thread than the one receiving: each socket call (never a wait)
runs under one I/O lock, because an SSL object must not be read and written at the same
time, and sends under a send lock, so frames never interleave.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import ssl
import threading
import time
from typing import Dict, Optional

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

from ._protocol import READ_SIZE, TLSContext, Tunnel, WsprotoClient, http11_context

__all__ = ["WsprotoWebSocket", "connect_websocket"]

_WANT_READ = (BlockingIOError, InterruptedError, ssl.SSLWantReadError)
_WANT_WRITE = ssl.SSLWantWriteError


def _remaining(deadline: Optional[float]) -> Optional[float]:
    return None if deadline is None else deadline - time.monotonic()


def _deadline(seconds: Optional[float]) -> Optional[float]:
    return None if seconds is None else time.monotonic() + seconds


class WsprotoWebSocket:
    """One open session on a socket (see :mod:`meshapi_core.websocket` for the contract)."""

    def __init__(self, sock: socket.socket, client: WsprotoClient, timeout: Timeout) -> None:
        self._sock = sock
        self._client = client
        self._timeout = timeout
        self._io = threading.Lock()
        self._sending = threading.Lock()
        self._receiving = threading.Lock()
        self._state = threading.Lock()
        self._closed = False

    @property
    def headers(self) -> Dict[str, str]:
        """The handshake response's headers."""
        return self._client.headers

    @property
    def subprotocol(self) -> Optional[str]:
        """The subprotocol the server chose."""
        return self._client.subprotocol

    # -- socket calls -----------------------------------------------------------------------

    def _wait(self, write: bool, deadline: Optional[float]) -> bool:
        left = _remaining(deadline)
        if left is not None and left <= 0:
            return False
        with selectors.DefaultSelector() as selector:
            selector.register(self._sock, selectors.EVENT_WRITE if write else selectors.EVENT_READ)
            return bool(selector.select(left))

    def _read(self, deadline: Optional[float]) -> Optional[bytes]:
        """Bytes from the socket (``b""`` at its end), or ``None`` once ``deadline`` passes."""
        while True:
            failure: Optional[OSError] = None
            write = False
            try:
                with self._io:
                    return self._sock.recv(READ_SIZE)
            except _WANT_READ:
                pass
            except _WANT_WRITE:
                write = True
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return b""
            except OSError as exc:
                failure = exc
            if failure is not None:
                raise stream_failure(failure, timeout=False)
            if not self._wait(write, deadline):
                return None

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        deadline = _deadline(self._timeout.write)
        while view:
            failure: Optional[OSError] = None
            write = True
            try:
                with self._io:
                    sent = self._sock.send(view)
                view = view[sent:]
                continue
            except (BlockingIOError, InterruptedError, _WANT_WRITE):
                pass
            except ssl.SSLWantReadError:
                write = False
            except OSError as exc:
                failure = exc
            if failure is not None:
                raise stream_failure(failure, timeout=False)
            if not self._wait(write, deadline):
                raise StreamTimeoutError("Timed out sending to the gateway (write timeout)")

    def _send_unsent(self) -> None:
        """Send the replies to frames that came with the ``101``; if that fails, the peer is
        gone, and the next receive delivers what it sent, then says so."""
        out = self._client.take_unsent()
        if out:
            with contextlib.suppress(MeshAPIError):
                self._write(out)

    # -- the contract -----------------------------------------------------------------------

    def send_text(self, data: str) -> None:
        """Send one text message."""
        with self._sending:
            with self._state:
                out = self._client.text(data)
            self._write(out)

    def receive(self, timeout: Optional[float]) -> Optional[WebSocketMessage]:
        """The next message, or ``None`` after ``timeout`` seconds without one."""
        deadline = _deadline(timeout)
        with self._receiving:
            while True:
                with self._state:
                    message = self._client.next()
                if message is not None:
                    return message
                data = self._read(deadline)
                if data is None:
                    return None
                with self._state:
                    out = self._client.feed(data)
                if out:
                    with self._sending:
                        self._write(out)

    def close(self, code: int = 1000, reason: str = "", linger: float = CLOSE_TIMEOUT) -> None:
        """Send our close frame, wait up to ``linger`` seconds for the gateway's, close the
        socket."""
        if self._closed:
            return
        self._closed = True
        try:
            with self._state:
                out = self._client.close(code, reason)
            if out:
                with self._sending:
                    self._write(out)
            if linger > 0 and self._receiving.acquire(blocking=False):  # nobody else reads
                try:
                    deadline = _deadline(linger)
                    while not self._client.closed:
                        data = self._read(deadline)
                        if not data:
                            break
                        with self._state:
                            self._client.feed(data)
                finally:
                    self._receiving.release()
        except MeshAPIError:
            pass  # the connection is going away either way
        finally:
            self._sock.close()


def _tunnel(sock: socket.socket, tunnel: Tunnel) -> None:
    """Open ``tunnel`` on ``sock`` (a blocking socket with the connect timeout)."""
    sock.sendall(tunnel.request())
    while not tunnel.receive(sock.recv(READ_SIZE)):
        pass


def connect_websocket(
    request: WebSocketRequest, tls: TLSContext, proxy: Optional[ProxyRoute] = None
) -> WsprotoWebSocket:
    """Open the session ``request`` describes (see :mod:`meshapi_core.websocket`); a
    ``wss://`` one with the SSL context ``tls()`` returns; through ``proxy`` (an ``http://``
    proxy, by a ``CONNECT`` tunnel) when given. The connect timeout bounds each step of
    connecting: the TCP connection, the tunnel's answer, the TLS handshake."""
    client = WsprotoClient(request)
    endpoint = client.endpoint
    timeout = request.timeout
    failure: Optional[BaseException] = None
    sock: Optional[socket.socket] = None
    tunnel = None if proxy is None else Tunnel(endpoint, proxy)
    try:
        if tunnel is None:
            address = (endpoint.host, endpoint.port)
        else:
            address = (tunnel.proxy.host, tunnel.proxy.port)
        sock = socket.create_connection(address, timeout=timeout.connect)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tunnel is not None:
            _tunnel(sock, tunnel)
        if endpoint.tls:
            sock = http11_context(tls).wrap_socket(sock, server_hostname=endpoint.host)
    except OSError as exc:  # socket.timeout is an OSError too
        failure = exc
    except APIConnectionError:
        if sock is not None:
            sock.close()
        raise
    if failure is not None or sock is None:
        if sock is not None:
            sock.close()
        timed_out = isinstance(failure, (socket.timeout, TimeoutError))
        raise transport_failure(
            failure or OSError(), timeout=timed_out, response_started=False, host=endpoint.host
        )
    sock.settimeout(0.0)
    connection = WsprotoWebSocket(sock, client, timeout)
    try:
        connection._write(client.handshake())
        deadline = _deadline(timeout.read)
        while True:
            data = connection._read(deadline)
            if data is None:
                raise transport_failure(
                    TimeoutError("no answer to the WebSocket handshake"),
                    timeout=True,
                    response_started=False,
                )
            if client.receive_handshake(data):
                connection._send_unsent()
                return connection
    except StreamInterruptedError as error:
        sock.close()
        if isinstance(error, APITimeoutError):
            raise APITimeoutError(error.message) from None
        raise APIConnectionError(error.message) from None
    except BaseException:
        sock.close()
        raise
