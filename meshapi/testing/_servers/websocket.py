"""The socket side of the emulator's WebSocket sessions: wsproto over the server's stream.

Theory of operation. The h11 server reads an upgrade request like any other and hands it here
(:func:`serve_websocket`). The credential the client offered in ``Sec-WebSocket-Protocol`` is
presented to the gateway as ``Authorization`` (what the real gateway's edge does), and the
gateway decides as for any request. Anything but an
:class:`~meshapi.testing._gateway.wsplan.UpgradePlan` is an HTTP answer: sent, then the connection
closes. An upgrade plan is carried out:

1. its prelude (a delay, or a drop before any answer);
2. the ``101 Switching Protocols`` answer (wsproto's server handshake, with the plan's
   headers and subprotocol); bytes the client sent after its request are kept;
3. its body, step by step: a text frame per event write (split into continuation frames of
   ``fragment_size`` when a fault asks), a ping per keep-alive write, pauses, and, at each
   ``AwaitInput``, one client message read into the plan's inbox. That wait is the idle
   limit: when it passes (or the session cap does), the inbox gets
   :class:`~meshapi.testing._gateway.wsplan.LimitReached` instead and the session ends itself;
4. its end: a close frame (the plan's code, or 1000 when the body just ends) and a bounded
   wait for the client's answer, a drop, a reset, or a stall until the client leaves.

Pings from the client are answered while reading; a client close frame is answered at once
and ends the session. Frames a client sends while the server is busy sending stay in the
socket until the session next reads.
"""

from __future__ import annotations

import contextlib
from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING, Deque, List, Optional, Tuple, Union

import anyio
from wsproto import ConnectionType
from wsproto.connection import Connection, ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)
from wsproto.handshake import H11Handshake
from wsproto.utilities import ProtocolError

from .._gateway.errors import GatewayError, error_plan
from .._gateway.plan import CloseConnection as DropConnection
from .._gateway.plan import GatewayRequest, Pause, ResetConnection, StallForever, Write
from .._gateway.wsplan import (
    DEFAULT_QUERY_CREDENTIALS,
    QUERY_CREDENTIALS,
    AwaitInput,
    ClientBinary,
    ClientClosed,
    ClientInput,
    ClientText,
    CloseSession,
    LimitReached,
    UpgradePlan,
    offered_subprotocols,
)

if TYPE_CHECKING:
    from .http import _Connection

_READ_SIZE = 65_536
_IO_ERRORS = (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream, OSError)


def with_credential(request: GatewayRequest) -> GatewayRequest:
    """``request`` with the credential from its subprotocol, else from the query parameter
    its socket accepts (``api_key``; also ``token`` on the transcription socket), as an
    ``Authorization`` header."""
    if request.header("authorization") is not None:
        return request
    token = None
    for entry in offered_subprotocols(request.header("sec-websocket-protocol")):
        if entry[:7].lower() in ("bearer ", "bearer."):
            token = entry[7:].strip()
    if token is None:
        for name in QUERY_CREDENTIALS.get(request.path, DEFAULT_QUERY_CREDENTIALS):
            values = request.query.get(name)
            if values:
                token = values[-1]
    if not token:
        return request
    headers = (*request.headers, ("authorization", f"Bearer {token}"))
    return replace(request, headers=headers)


async def serve_websocket(conn: _Connection, request: GatewayRequest) -> None:
    """Answer an upgrade request on ``conn`` and run its session (see the module docs)."""
    plan = conn.gateway.handle(with_credential(request))
    if not isinstance(plan, UpgradePlan):
        await conn._send_plan(plan, request.method)
        await conn._close()
        return
    try:
        await _Session(conn, request, plan).run()
    finally:
        if plan.on_end is not None:
            plan.on_end()


def _finished(ws: Connection) -> bool:
    return ws.state is ConnectionState.CLOSED  # a call: mypy would keep ``state`` narrowed


class _Session:
    """One accepted session on the server's stream."""

    def __init__(self, conn: _Connection, request: GatewayRequest, plan: UpgradePlan) -> None:
        self.conn = conn
        self.stream = conn.stream
        self.request = request
        self.plan = plan
        self.ws: Optional[Connection] = None
        self.pending: Deque[ClientInput] = deque()
        self.parts: List[Union[str, bytes]] = []
        self.started = 0.0
        self.last_input = 0.0

    async def run(self) -> None:
        for step in self.plan.prelude:
            if not await self.conn._control(step):
                return
        if not await self._accept():
            return
        self.started = self.last_input = anyio.current_time()
        for step in self.plan.body:
            if isinstance(step, AwaitInput):
                self.plan.inbox.append(await self._next_input())
            elif isinstance(step, Write):
                await self._send_frame(step)
            elif isinstance(step, Pause):
                await anyio.sleep(step.seconds)
            elif isinstance(step, CloseSession):
                await self._close(step.code, step.reason)
                return
            elif isinstance(step, (DropConnection, ResetConnection, StallForever)):
                await self.conn._control(step)
                return
        await self._close(1000, "")

    # -- the handshake --------------------------------------------------------------------

    async def _accept(self) -> bool:
        handshake = H11Handshake(ConnectionType.SERVER)
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self.request.headers]
        try:
            handshake.initiate_upgrade_connection(raw, self.request.target)
            events = list(handshake.events())
        except ProtocolError as exc:
            events = [RejectConnection()]
            reason = str(exc)
        else:
            reason = "Malformed WebSocket upgrade request."
        if not events or not isinstance(events[0], Request):
            plan = error_plan(
                GatewayError(400, "bad_request", reason), self.plan.header("x-request-id") or ""
            )
            await self.conn._send_plan(plan, "GET")
            await self.conn._close()
            return False
        headers: List[Tuple[bytes, bytes]] = [
            (k.encode("latin-1"), v.encode("latin-1")) for k, v in self.plan.headers
        ]
        data = handshake.send(
            AcceptConnection(subprotocol=self.plan.subprotocol, extra_headers=headers)
        )
        await self.conn._write(data)
        self.ws = handshake.connection
        trailing, _ = self.conn.h11.trailing_data
        if trailing and self.ws is not None:
            self.ws.receive_data(bytes(trailing))
        return self.ws is not None

    # -- sending --------------------------------------------------------------------------

    async def _send_frame(self, step: Write) -> None:
        ws = self.ws
        assert ws is not None
        if ws.state is not ConnectionState.OPEN:
            return
        if not step.event:  # a keep-alive: a ping frame
            await self.conn._write(ws.send(Ping(payload=b"keep-alive")))
            return
        text = step.data.decode("utf-8", "ignore")
        size = self.plan.fragment_size or max(1, len(text))  # 0: the whole message at once
        pieces = [text[i : i + size] for i in range(0, max(1, len(text)), size)]
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            await self.conn._write(ws.send(Message(data=piece, message_finished=last)))

    # -- reading --------------------------------------------------------------------------

    def _limit(self) -> Tuple[Optional[float], str]:
        now = anyio.current_time()
        bounds = []
        if self.plan.idle_timeout is not None:
            bounds.append((self.last_input + self.plan.idle_timeout - now, "idle_timeout"))
        if self.plan.max_duration is not None:
            bounds.append(
                (self.started + self.plan.max_duration - now, "session_duration_exceeded")
            )
        if not bounds:
            return None, ""
        left, code = min(bounds)
        return max(0.0, left), code

    async def _next_input(self) -> ClientInput:
        ws = self.ws
        assert ws is not None
        while not self.pending:
            reply = self._drain_events()
            if reply:
                await self.conn._write(reply)
            if self.pending:
                break
            if ws.state is ConnectionState.CLOSED:
                return ClientClosed(1006)
            left, code = self._limit()
            data: Optional[bytes] = None
            with anyio.move_on_after(left):
                try:
                    data = await self.stream.receive(_READ_SIZE)
                except _IO_ERRORS:
                    data = b""
            if data is None:
                return LimitReached(code)
            if not data:
                return ClientClosed(1006)
            try:
                ws.receive_data(data)
            except ProtocolError:
                return ClientClosed(1002)
        item = self.pending.popleft()
        if not isinstance(item, ClientClosed):
            self.last_input = anyio.current_time()
        return item

    def _drain_events(self) -> bytes:
        """Turn wsproto's events into inbox items; return the replies due (pongs, the
        answer to a close frame)."""
        ws = self.ws
        assert ws is not None
        out = bytearray()
        for event in ws.events():
            if isinstance(event, (TextMessage, BytesMessage)):
                data = event.data
                self.parts.append(data if isinstance(data, str) else bytes(data))
                if event.message_finished:
                    if isinstance(event, TextMessage):
                        self.pending.append(ClientText("".join(str(p) for p in self.parts)))
                    else:
                        joined = b"".join(bytes(p) for p in self.parts)  # type: ignore[arg-type]
                        self.pending.append(ClientBinary(joined))
                    self.parts.clear()
            elif isinstance(event, Ping):
                out += ws.send(event.response())
            elif isinstance(event, CloseConnection):
                if ws.state is ConnectionState.REMOTE_CLOSING:
                    out += ws.send(event.response())
                self.pending.append(ClientClosed(event.code))
        return bytes(out)

    # -- ending ---------------------------------------------------------------------------

    async def _close(self, code: int, reason: str) -> None:
        ws = self.ws
        if ws is not None and ws.state is ConnectionState.OPEN:
            with contextlib.suppress(Exception):
                await self.conn._write(ws.send(CloseConnection(code=code, reason=reason)))
            with anyio.move_on_after(self.conn.server.linger_timeout):
                while not _finished(ws):
                    try:
                        data = await self.stream.receive(_READ_SIZE)
                    except _IO_ERRORS:
                        break
                    ws.receive_data(data)
                    for _ in ws.events():
                        pass
        with contextlib.suppress(Exception):
            await self.stream.aclose()
