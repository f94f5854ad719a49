"""WebSocket sessions on aiohttp: ``session.ws_connect``, behind the SDK's contract.

What maps to what (see :mod:`meshapi_core.websocket` for the contract):

- The handshake is ``ws_connect(url, protocols=..., headers=...)`` with aiohttp's own
  framing, pings (``autoping``) and close replies (``autoclose``); ``max_msg_size`` is the
  request's ``max_message_size`` (bytes). aiohttp bounds a handshake by the session's
  timeouts only, so the SDK bounds it as a whole: ``connect + read`` seconds.
- A refused handshake is ``WSServerHandshakeError``: it carries the status and headers but
  not the body, which aiohttp discards, so the error's code follows from the status (a 401
  is ``unauthorized``, a 426 ``upgrade_required``) where the httpx transports read the
  gateway's own ``error.code`` from the body. This is the one way the transports differ.
- The handshake response's headers (``x-request-id``) come from the ``ClientResponse`` the
  WebSocket response keeps (aiohttp has no public accessor).
- ``receive(timeout)`` is ``ws.receive(timeout)``; its timeout leaves the connection usable.
  A ``CLOSE`` message (already answered by aiohttp) is the peer's close frame; a connection
  lost without one (``CLOSED``, ``ERROR``) is ``StreamInterruptedError``; a message over
  ``max_msg_size`` is the SDK's ``event_too_large``. aiohttp's reader stops reading the
  socket past 64 KiB of undelivered data, so a slow consumer slows the sender.
- No aiohttp exception escapes, and none is chained to the SDK's (``WSServerHandshakeError``
  holds the request's headers, the credential's subprotocol among them).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Dict, Optional, Tuple, Type

import aiohttp

from meshapi_core.errors import (
    APIConnectionError,
    MeshAPIError,
    StreamTimeoutError,
    stream_failure,
    transport_failure,
)
from meshapi_core.http import header_dict
from meshapi_core.websocket import (
    CLOSE_TIMEOUT,
    BinaryMessage,
    CloseMessage,
    TextMessage,
    WebSocketMessage,
    WebSocketRequest,
    handshake_refused,
    message_too_large,
)

__all__ = ["AiohttpWebSocket", "connect_websocket"]

_ERRORS: Tuple[Type[BaseException], ...] = (aiohttp.ClientError, OSError)
_TIMEOUTS: Tuple[Type[BaseException], ...] = (asyncio.TimeoutError, TimeoutError)
# aiohttp raises RuntimeError (or ClientConnectionResetError) for a send on a closing socket.
_SEND_ERRORS: Tuple[Type[BaseException], ...] = (*_ERRORS, RuntimeError)
_CLOSE_ERRORS: Tuple[Type[BaseException], ...] = (*_ERRORS, *_TIMEOUTS)
_MESSAGE_TOO_BIG = 1009


def _ws_timeout() -> Dict[str, Any]:
    """aiohttp's close timeout, in the form its version takes (3.10 added ClientWSTimeout)."""
    timeout_class = getattr(aiohttp, "ClientWSTimeout", None)
    if timeout_class is not None:
        return {"timeout": timeout_class(ws_receive=None, ws_close=CLOSE_TIMEOUT)}
    return {"timeout": CLOSE_TIMEOUT}  # pragma: no cover - aiohttp < 3.10


class AiohttpWebSocket:
    """One open session on an aiohttp WebSocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, request: WebSocketRequest) -> None:
        self._ws = ws
        self._request = request
        self._closed = False
        response = getattr(ws, "_response", None)
        raw = response.headers.items() if response is not None else ()
        self._headers = header_dict(raw)

    @property
    def headers(self) -> Dict[str, str]:
        """The handshake response's headers."""
        return self._headers

    @property
    def subprotocol(self) -> Optional[str]:
        """The subprotocol the server chose."""
        return self._ws.protocol

    async def send_text(self, data: str) -> None:
        """Send one text message, within the write timeout."""
        failure: Optional[BaseException] = None
        try:
            await asyncio.wait_for(self._ws.send_str(data), self._request.timeout.write)
            return
        except _TIMEOUTS:
            failure = None
        except _SEND_ERRORS as exc:
            failure = exc
        if failure is None:
            raise StreamTimeoutError("Timed out sending to the gateway (write timeout)")
        raise stream_failure(failure, timeout=False)

    async def receive(
        self,
        timeout: Optional[float],
    ) -> Optional[WebSocketMessage]:
        """The next message, or ``None`` after ``timeout`` seconds without one."""
        # aiohttp reads a timeout of 0 as "none": ask for the shortest wait instead.
        wait = None if timeout is None else max(timeout, 1e-3)
        failure: Optional[BaseException] = None
        try:
            message = await self._ws.receive(timeout=wait)
        except _TIMEOUTS:
            return None
        except _ERRORS as exc:
            failure = exc
            message = None
        if message is None:
            assert failure is not None
            raise stream_failure(failure, timeout=False)
        kind = message.type
        if kind is aiohttp.WSMsgType.TEXT:
            return TextMessage(message.data)
        if kind is aiohttp.WSMsgType.BINARY:
            return BinaryMessage(message.data)
        if kind is aiohttp.WSMsgType.CLOSE:
            return CloseMessage(int(message.data or 1005), str(message.extra or ""))
        if kind is aiohttp.WSMsgType.ERROR:
            code = getattr(message.data, "code", None)
            if code == _MESSAGE_TOO_BIG:
                raise message_too_large(self._request.max_message_size)
            raise stream_failure(message.data, timeout=False)
        raise stream_failure(
            ConnectionResetError("the gateway closed the connection without a close frame"),
            timeout=False,
        )

    async def aclose(
        self, code: int = 1000, reason: str = "", linger: float = CLOSE_TIMEOUT
    ) -> None:
        """Send our close frame, wait up to ``linger`` seconds for the gateway's, release
        the connection. aiohttp's ``close`` waits for the answer; cut short, it drops the
        connection, which is what a ``linger`` of 0 (a stalled peer) wants."""
        if self._closed:
            return
        self._closed = True
        closing = asyncio.ensure_future(self._ws.close(code=code, message=reason.encode()))
        with contextlib.suppress(*_CLOSE_ERRORS, asyncio.CancelledError):
            await asyncio.shield(asyncio.wait_for(closing, max(linger, 0.01)))


async def connect_websocket(
    session: aiohttp.ClientSession, request: WebSocketRequest
) -> AiohttpWebSocket:
    """Open the session ``request`` describes on ``session``."""
    timeout = request.timeout
    budget = None
    if timeout.connect is not None and timeout.read is not None:
        budget = timeout.connect + timeout.read
    error: Optional[MeshAPIError] = None
    try:
        ws = await asyncio.wait_for(
            session.ws_connect(
                request.url,
                protocols=request.subprotocols,
                headers=request.headers,
                autoclose=True,
                autoping=True,
                heartbeat=None,
                compress=0,
                max_msg_size=request.max_message_size,
                **_ws_timeout(),
            ),
            budget,
        )
    except aiohttp.WSServerHandshakeError as exc:
        headers = header_dict(exc.headers.items()) if exc.headers else {}
        if exc.status == 101:
            error = APIConnectionError(
                f"The gateway's answer to the WebSocket handshake is invalid ({exc.message})",
                response_started=True,
            )
        else:
            error = handshake_refused(exc.status, headers, b"")
    except _TIMEOUTS as exc:
        error = transport_failure(exc, timeout=True, response_started=False)
    except _ERRORS as exc:
        error = transport_failure(exc, timeout=False, response_started=False)
    if error is not None:
        raise error
    return AiohttpWebSocket(ws, request)
