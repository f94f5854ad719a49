"""The protocol side of a WebSocket session: wsproto's framing, shared by the blocking and
async drivers (``_sync``, ``_async``).

:class:`WsprotoClient` is the whole protocol: the handshake request, its answer (``101``, or
a refusal whose status, headers and body become the typed error: any other status, a
redirect included, is never followed), messages assembled from frames within
``max_message_size``, pings answered, close frames answered, and every frame RFC 6455 forbids
a server to send (a masked frame, a close code no endpoint may put on the wire, broken UTF-8)
refused with a close frame saying why. It never touches a socket: the drivers move its bytes
with the request's timeouts.

Nothing is read ahead: a driver reads from the socket only when :meth:`WsprotoClient.next`
has no whole message left, so undelivered data is at most one socket read (64 KiB) plus one
partly received message, and a slow consumer slows the sender through TCP.
"""

from __future__ import annotations

import ssl
from collections import deque
from dataclasses import dataclass
from typing import Callable, Deque, Dict, List, Optional, Union
from urllib.parse import urlsplit

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    RejectConnection,
    RejectData,
    Request,
)
from wsproto.events import (
    TextMessage as WsTextMessage,
)
from wsproto.utilities import ProtocolError

from meshapi_core.errors import (
    APIConnectionError,
    MeshAPIError,
    StreamInterruptedError,
    shorten,
    transport_failure,
)
from meshapi_core.http import ERROR_BODY_LIMIT, header_dict
from meshapi_core.proxies import ProxyRoute
from meshapi_core.websocket import (
    BinaryMessage,
    CloseMessage,
    TextMessage,
    WebSocketMessage,
    WebSocketRequest,
    handshake_refused,
    message_too_large,
)

__all__ = [
    "MAX_TUNNEL_REPLY",
    "READ_SIZE",
    "Endpoint",
    "TLSContext",
    "Tunnel",
    "WsprotoClient",
    "endpoint_of",
    "http11_context",
]

READ_SIZE = 65_536
"""Bytes asked of the socket per read."""

TLSContext = Callable[[], ssl.SSLContext]
"""Where a driver gets the SSL context of a ``wss://`` session (called for each one; each
transport passes its own, so REST calls and sessions trust the same servers)."""


def http11_context(tls: TLSContext) -> ssl.SSLContext:
    """The context ``tls()`` returns, offering ``http/1.1`` alone by ALPN (the upgrade is
    HTTP/1.1; httpcore sets the ALPN protocols of a context it shares the same way)."""
    context = tls()
    context.set_alpn_protocols(["http/1.1"])
    return context


@dataclass(frozen=True)
class Endpoint:
    """Where a WebSocket URL points: host, port, TLS or not, and the request target."""

    host: str
    port: int
    tls: bool
    host_header: str
    target: str


def endpoint_of(url: str) -> Endpoint:
    """The connection details of a ``ws://`` or ``wss://`` URL."""
    parts = urlsplit(url)
    tls = parts.scheme == "wss"
    host = parts.hostname or ""
    port = parts.port or (443 if tls else 80)
    shown = f"[{host}]" if ":" in host else host
    default = 443 if tls else 80
    host_header = shown if port == default else f"{shown}:{port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Endpoint(host, port, tls, host_header, target)


MAX_TUNNEL_REPLY = 65_536
"""The largest answer to ``CONNECT`` read from a proxy (its status line and headers)."""


class Tunnel:
    """A ``CONNECT`` tunnel through an HTTP proxy to a session's host, as data in and out.

    :meth:`request` is what to send the proxy; :meth:`receive` takes its answer until the head
    is complete: any ``2xx`` opens the tunnel (the TLS handshake and the WebSocket's follow,
    end to end with the gateway: the proxy sees neither the credential nor the messages),
    anything else is an :class:`~meshapi_core.errors.APIConnectionError` naming the proxy
    and its status. The proxy's credentials (from its URL) go in ``Proxy-Authorization``.
    """

    def __init__(self, endpoint: Endpoint, proxy: ProxyRoute) -> None:
        if proxy.scheme != "http":
            raise APIConnectionError(
                f"Realtime sessions reach a proxy over http:// only, and the environment "
                f"names {proxy.url} for {endpoint.host}: name an http:// proxy, or add the "
                "host to NO_PROXY"
            )
        self.endpoint = endpoint
        self.proxy = proxy
        host = f"[{endpoint.host}]" if ":" in endpoint.host else endpoint.host
        self.authority = f"{host}:{endpoint.port}"
        self._buffer = bytearray()

    def request(self) -> bytes:
        """The ``CONNECT`` request."""
        lines = [f"CONNECT {self.authority} HTTP/1.1", f"Host: {self.authority}"]
        if self.proxy.authorization is not None:
            lines.append(f"Proxy-Authorization: {self.proxy.authorization}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def receive(self, data: bytes) -> bool:
        """Feed the proxy's answer; ``True`` once the tunnel is open."""
        if not data:
            raise APIConnectionError(
                f"The proxy {self.proxy.url} closed the connection before answering CONNECT "
                f"{self.authority}"
            )
        self._buffer += data
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > MAX_TUNNEL_REPLY:
                raise APIConnectionError(
                    f"The proxy {self.proxy.url} sent more than {MAX_TUNNEL_REPLY} bytes "
                    "without ending its answer to CONNECT"
                )
            return False
        line = bytes(self._buffer[: self._buffer.find(b"\r\n")]).decode("latin-1")
        parts = line.split(" ", 2)
        status = parts[1] if len(parts) > 1 else ""
        if not (parts[0].startswith("HTTP/1.") and status.isdigit() and len(status) == 3):
            raise APIConnectionError(
                f"The proxy {self.proxy.url} did not answer CONNECT in HTTP/1.1 "
                f"({shorten(line, 100)!r})"
            )
        if not status.startswith("2"):
            raise APIConnectionError(
                f"The proxy {self.proxy.url} refused the tunnel to {self.authority}: "
                f"{shorten(line[9:], 200)}"
            )
        if len(self._buffer) > end + 4:
            raise APIConnectionError(
                f"The proxy {self.proxy.url} sent bytes after opening the tunnel, before "
                "the client spoke"
            )
        return True


def _interrupted(message: str) -> StreamInterruptedError:
    return StreamInterruptedError(message)


class WsprotoClient:
    """The client side of one WebSocket session, as data in and data out (see module docs)."""

    def __init__(self, request: WebSocketRequest) -> None:
        self.request = request
        self.endpoint = endpoint_of(request.url)
        self.headers: Dict[str, str] = {}
        self.subprotocol: Optional[str] = None
        self.peer_closed = False
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._pending: Deque[WebSocketMessage] = deque()
        self._parts: List[Union[str, bytes]] = []
        self._size = 0
        self._refused: Optional[RejectConnection] = None
        self._refused_body = bytearray()
        self._accepted = False
        self._failure: Optional[MeshAPIError] = None
        self._unsent = bytearray()  # replies to frames that came with the 101

    # -- handshake ------------------------------------------------------------------------

    def handshake(self) -> bytes:
        """The bytes of the upgrade request."""
        request = self.request
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in request.headers]
        return self._ws.send(
            Request(
                host=self.endpoint.host_header,
                target=self.endpoint.target,
                subprotocols=list(request.subprotocols),
                extra_headers=headers,
            )
        )

    def receive_handshake(self, data: bytes) -> bool:
        """Feed the server's answer; ``True`` once the session is open. Raises the typed
        error of a refusal, or ``APIConnectionError`` for an answer that breaks the
        protocol or a connection closed before the answer."""
        if not data:
            if self._refused is not None:
                raise self._refusal()
            raise APIConnectionError(
                "The connection closed before the WebSocket handshake was answered",
                response_started=False,
            )
        broken: Optional[ProtocolError] = None
        try:
            self._ws.receive_data(data)
            for event in self._ws.events():
                if isinstance(event, AcceptConnection):
                    self._accepted = True
                    self.subprotocol = event.subprotocol
                    self.headers = header_dict(
                        (k.decode("latin-1"), v.decode("latin-1")) for k, v in event.extra_headers
                    )
                elif isinstance(event, RejectConnection):
                    self._refused = event
                    if not event.has_body:
                        raise self._refusal()
                elif isinstance(event, RejectData):
                    room = ERROR_BODY_LIMIT - len(self._refused_body)
                    self._refused_body += event.data[: max(0, room)]
                    if event.body_finished or room <= 0:
                        raise self._refusal()
                else:  # frames that came with the 101: keep them for receive
                    self._unsent += self._event(event)
        except ProtocolError as exc:
            broken = exc
        if broken is not None:  # raised here, so wsproto's error is not its context
            raise transport_failure(broken, timeout=False, response_started=True)
        return self._accepted

    def take_unsent(self) -> bytes:
        """The replies due to frames that came with the ``101`` (a pong, the answer to a
        close frame, our close frame for a frame that broke the protocol): a driver sends
        them once the session is open."""
        unsent, self._unsent = bytes(self._unsent), bytearray()
        return unsent

    def _refusal(self) -> MeshAPIError:
        refused = self._refused
        assert refused is not None
        headers = header_dict(
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in refused.headers
        )
        return handshake_refused(
            refused.status_code, headers, bytes(self._refused_body), secrets=self.request.secrets
        )

    # -- messages -------------------------------------------------------------------------

    def next(self) -> Optional[WebSocketMessage]:
        """The next whole message received, if any; once they are delivered, the failure
        that ended the connection (an invalid frame, a message over the bound)."""
        if self._pending:
            return self._pending.popleft()
        if self._failure is not None:
            raise self._failure
        return None

    def feed(self, data: bytes) -> bytes:
        """Feed bytes from the socket (``b""``: the peer closed it); return the bytes to send
        in reply (pongs, the answer to a close frame). Raises ``StreamInterruptedError`` for
        a connection lost without a close frame or a frame that breaks the protocol, and the
        ``message_too_large`` error for a message over the bound."""
        if not data:
            if self.peer_closed or self._ws.state is ConnectionState.CLOSED:
                return b""
            raise _interrupted("The gateway closed the connection without a close frame")
        out = bytearray()
        broken: Optional[ProtocolError] = None
        try:
            self._ws.receive_data(data)
            for event in self._ws.events():
                out += self._event(event)
        except ProtocolError as exc:
            broken = exc
        if broken is not None:
            raise _interrupted(f"The WebSocket connection broke ({broken})")
        return bytes(out)

    def _event(self, event: object) -> bytes:
        if isinstance(event, (WsTextMessage, BytesMessage)):
            if self._failure is not None:
                return b""
            self._size += len(event.data)
            if self._size > self.request.max_message_size:
                self._parts.clear()
                self._failure = message_too_large(self.request.max_message_size)
                return self.close(1009, "message too big")
            data = event.data
            self._parts.append(data if isinstance(data, str) else bytes(data))
            if event.message_finished:
                if isinstance(event, WsTextMessage):
                    self._pending.append(TextMessage("".join(str(p) for p in self._parts)))
                else:
                    self._pending.append(BinaryMessage(b"".join(bytes(p) for p in self._parts)))  # type: ignore[arg-type]
                self._parts.clear()
                self._size = 0
            return b""
        if isinstance(event, Ping):
            return self._ws.send(event.response())
        if isinstance(event, CloseConnection):
            if self._ws.state is ConnectionState.REMOTE_CLOSING:  # the peer's close frame
                self.peer_closed = True
                self._pending.append(CloseMessage(event.code, event.reason or ""))
                return self._ws.send(event.response())
            if self._ws.state is ConnectionState.CLOSED:  # the answer to our close frame
                self.peer_closed = True
                return b""
            # A frame wsproto could not parse: it names the close code to send.
            self._failure = _interrupted(
                f"The gateway sent an invalid WebSocket frame ({event.reason})"
            )
            return self.close(event.code, "")
        return b""

    def text(self, data: str) -> bytes:
        """The bytes of one text message; raises ``StreamInterruptedError`` once closed."""
        if self._ws.state is not ConnectionState.OPEN:
            raise _interrupted("The WebSocket connection is closing")
        return self._ws.send(Message(data=data))

    def close(self, code: int, reason: str) -> bytes:
        """The bytes of our close frame, or ``b""`` when no close frame is due any more."""
        if self._ws.state is ConnectionState.OPEN:
            return self._ws.send(CloseConnection(code=code, reason=reason))
        return b""

    @property
    def closed(self) -> bool:
        """Whether both close frames have been exchanged (or the connection is gone)."""
        return self._ws.state is ConnectionState.CLOSED
