"""What a transport must do to carry a WebSocket session, and nothing more.

The gateway has three WebSocket endpoints (realtime speech-to-speech, incremental
text-to-speech, realtime speech-to-text). Their protocols are the core's
(:mod:`meshapi_core.realtime`); a transport only opens the socket, frames messages and maps
its library's failures to the SDK's errors. This module is the whole contract between the
two, kept apart from :mod:`meshapi_core.transport` so a transport without WebSockets still
satisfies that one. A transport that carries sessions implements one more method::

    def connect_websocket(self, request: WebSocketRequest) -> WebSocketConnection: ...
    async def connect_websocket(self, request: WebSocketRequest) -> AsyncWebSocketConnection: ...

The SDK's transports do, all in the same way: ``meshapi_wsproto`` frames a connection of the
session's own with wsproto (httpx has no WebSocket client; aiohttp's follows redirects,
shares the REST pool and accepts frames a server may not send).

What a connection does:

- ``send_text(data)`` sends one text message. Sends may come from another task (or, for the
  blocking connection, another thread) than the one receiving; a connection serialises
  them, together with the pongs and the close frame it sends itself.
- ``receive(timeout)`` waits at most ``timeout`` seconds (``None``: no limit) for the next
  whole message and returns a :class:`TextMessage`, a :class:`BinaryMessage` or, once the
  peer's close frame came (and was answered), a :class:`CloseMessage`. When the time runs
  out it returns ``None`` and the connection stays usable: a later ``receive`` picks up where
  this one stopped. The core decides what a quiet socket means (see
  :meth:`~meshapi_core.realtime.protocol.SessionProtocol.wait_time`). Pings are answered
  inside ``receive``; nothing is read ahead of the caller, so a slow consumer leaves frames
  in the kernel's socket buffer and TCP slows the sender. One receiver at a time.
- ``close(code, reason, linger)`` / ``aclose(...)`` sends a close frame (unless the peer's
  came first), waits at most ``linger`` seconds (:data:`CLOSE_TIMEOUT` by default; ``0``
  after a stall: the peer will not answer) for the peer's, and closes the socket; safe to
  call more than once and, in async code, shielded from cancellation.

The error contract, as for HTTP (``meshapi_core.transport``): only the SDK's own exceptions
escape, never chained to the library's (which may hold the request, and so the credential).

- ``connect_websocket`` raises :class:`~meshapi_core.errors.APIConnectionError` (or
  :class:`~meshapi_core.errors.APITimeoutError`) when no answer came, and the error
  :func:`handshake_refused` makes when the server answered with an HTTP status instead of
  ``101 Switching Protocols``.
- ``receive`` and ``send_text`` raise :class:`~meshapi_core.errors.StreamInterruptedError`
  when the connection breaks without a close frame (a write that times out:
  :class:`~meshapi_core.errors.StreamTimeoutError`), and ``receive`` raises the error
  :func:`message_too_large` makes for a message over ``request.max_message_size``.

The credential never goes into the URL: :class:`WebSocketRequest` carries it in a
subprotocol entry (``Sec-WebSocket-Protocol``), and its ``repr`` hides it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Protocol, Sequence, Tuple, Union

from .errors import (
    APIStatusError,
    MeshAPIError,
    ResponseTooLargeError,
    error_from_response,
    redact,
)
from .http import Timeout

__all__ = [
    "AsyncWebSocketConnection",
    "AsyncWebSocketTransport",
    "BinaryMessage",
    "CloseMessage",
    "TextMessage",
    "WebSocketConnection",
    "WebSocketMessage",
    "WebSocketRequest",
    "WebSocketTransport",
    "handshake_refused",
    "message_too_large",
]

CLOSE_TIMEOUT = 5.0
"""How long ``close`` waits for the peer's close frame before closing the socket anyway."""


def _redact_entry(entry: str) -> str:
    scheme, sep, _ = entry.partition(" ")
    if not sep:
        scheme, sep, _ = entry.partition(".")
    return f"{scheme}{sep}[redacted]" if sep and scheme.lower() == "bearer" else entry


@dataclass(frozen=True)
class WebSocketRequest:
    """One WebSocket handshake, ready for a transport to open.

    ``url`` is ``ws://`` (loopback only) or ``wss://``, with the path and query (never a
    credential). ``subprotocols`` are offered in ``Sec-WebSocket-Protocol`` in order; one of
    them carries the credential (``Bearer <token>``), which the ``repr`` hides. ``headers``
    are sent as given. ``timeout``: ``connect`` bounds opening the connection (TCP and TLS),
    ``read`` the wait for the handshake's answer, ``write`` each send. ``max_message_size``
    bounds one received message (characters of a text message, bytes of a binary one).
    """

    url: str
    subprotocols: Tuple[str, ...] = field(default=())
    headers: Tuple[Tuple[str, str], ...] = ()
    timeout: Timeout = field(default_factory=Timeout)
    max_message_size: int = 16 * 1024 * 1024

    @property
    def secrets(self) -> Tuple[str, ...]:
        """The credentials the handshake carries (``Bearer <token>`` entries, or the dotted
        ``Bearer.<token>``), which no error may repeat."""
        found = []
        for entry in self.subprotocols:
            if entry[:7].lower() in ("bearer ", "bearer."):
                found.append(entry[7:])
        return tuple(found)

    def __repr__(self) -> str:
        offered = tuple(_redact_entry(entry) for entry in self.subprotocols)
        return (
            f"WebSocketRequest(url={self.url!r}, subprotocols={offered!r}, "
            f"headers={self.headers!r})"
        )


@dataclass(frozen=True)
class TextMessage:
    """A whole text message."""

    data: str


@dataclass(frozen=True)
class BinaryMessage:
    """A whole binary message."""

    data: bytes


@dataclass(frozen=True)
class CloseMessage:
    """The peer's close frame (already answered): ``code`` 1005 when it gave none."""

    code: int = 1005
    reason: str = ""


WebSocketMessage = Union[TextMessage, BinaryMessage, CloseMessage]
"""What ``receive`` returns."""


class WebSocketConnection(Protocol):
    """An open WebSocket, driven from blocking code."""

    @property
    def headers(self) -> Dict[str, str]:
        """The handshake response's headers, with lower-case names."""

    @property
    def subprotocol(self) -> Optional[str]:
        """The subprotocol the server chose, if any."""

    def send_text(self, data: str) -> None:
        """Send one text message (safe to call from another thread than ``receive``)."""

    def receive(self, timeout: Optional[float]) -> Optional[WebSocketMessage]:
        """The next message, or ``None`` once ``timeout`` seconds pass without one."""

    def close(self, code: int = 1000, reason: str = "", linger: float = CLOSE_TIMEOUT) -> None:
        """Close the session, waiting at most ``linger`` seconds for the peer's close frame;
        idempotent."""


class AsyncWebSocketConnection(Protocol):
    """The async twin of :class:`WebSocketConnection`."""

    @property
    def headers(self) -> Dict[str, str]:
        """The handshake response's headers, with lower-case names."""

    @property
    def subprotocol(self) -> Optional[str]:
        """The subprotocol the server chose, if any."""

    async def send_text(self, data: str) -> None:
        """Send one text message (safe to call from another task than ``receive``)."""

    async def receive(
        self,
        timeout: Optional[float],
    ) -> Optional[WebSocketMessage]:
        """The next message, or ``None`` once ``timeout`` seconds pass without one."""

    async def aclose(
        self, code: int = 1000, reason: str = "", linger: float = CLOSE_TIMEOUT
    ) -> None:
        """Close the session, waiting at most ``linger`` seconds for the peer's close frame
        (shielded from cancellation); idempotent."""


class WebSocketTransport(Protocol):
    """A blocking transport that can also open WebSocket sessions."""

    def connect_websocket(self, request: WebSocketRequest) -> WebSocketConnection:
        """Open the WebSocket ``request`` describes; return once the handshake is done."""


class AsyncWebSocketTransport(Protocol):
    """An async transport that can also open WebSocket sessions."""

    async def connect_websocket(self, request: WebSocketRequest) -> AsyncWebSocketConnection:
        """Open the WebSocket ``request`` describes; return once the handshake is done."""


# Codes the gateway would have sent for a refused handshake with no readable body, beyond
# the REST ones: a plain HTTP request to a WebSocket endpoint.
_HANDSHAKE_CODES = {426: "upgrade_required"}


def handshake_refused(
    status: int, headers: Mapping[str, str], body: bytes, *, secrets: Sequence[str] = ()
) -> MeshAPIError:
    """The error for a handshake the server answered with ``status`` instead of ``101``.

    The body, when the transport could read it, is read like any REST error (its
    ``error.code`` and message); without one, the code follows from the status. ``headers``
    has lower-case names (``x-request-id`` gives the request id). ``secrets`` (the
    request's :attr:`WebSocketRequest.secrets`) are taken out of the error, should the
    server have echoed one.

    >>> err = handshake_refused(401, {"x-request-id": "req_1"}, b"")
    >>> type(err).__name__, err.status, err.error_code, err.request_id
    ('AuthenticationError', 401, 'unauthorized', 'req_1')
    >>> handshake_refused(426, {}, b"").error_code
    'upgrade_required'
    """
    error = error_from_response(status, headers, body)
    if not body.strip() and status in _HANDSHAKE_CODES:
        error.error_code = _HANDSHAKE_CODES[status]
        error.message = f"HTTP {status}: the endpoint expects a WebSocket upgrade"
    if 200 <= status < 300 and not isinstance(error, APIStatusError):
        error.message = f"Expected 101 Switching Protocols, got {error.message}"
    return redact(error, secrets)


def message_too_large(limit: int) -> ResponseTooLargeError:
    """The error for a received message larger than ``limit`` (``max_event_size``)."""
    return ResponseTooLargeError(
        f"A WebSocket message was larger than {limit} (max_event_size); the session is closed",
        error_code="event_too_large",
    )
