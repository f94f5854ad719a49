"""The socket server: h11 over anyio, driving the Sans-IO gateway.

Theory of operation. :meth:`GatewayServer.serve` binds 127.0.0.1 (port 0 picks a free one),
reports the base URL through anyio's ``task_status`` once the socket listens, and accepts
connections forever, each in its own task. A connection task is a loop over h11's cycle:

1. read the request head: the first byte may take ``idle_timeout`` (keep-alive), the whole
   head must then arrive within ``header_timeout`` (slowloris defence); heads larger than
   ``max_header_bytes`` are refused by h11 (431);
2. check ``Content-Length`` against the 32 MiB limit *before* reading the body, and count
   chunked bodies while reading them; too large -> the edge's HTML 413, then close;
3. read the body within ``body_timeout``; hand the request to :meth:`Gateway.handle`;
4. carry out the plan: prelude steps, the status line, body steps (each write flushed; pauses
   and stalls watch the socket so a client that leaves is noticed at once), the end of the
   message (chunked for streams, ``Content-Length`` otherwise);
5. keep the connection for the next request unless either side asked to close.

Malformed HTTP gets h11's status (400, 431...) with the JSON envelope and a close. Every close
that follows a response is a *lingering* close: shut down our side, drain what the client
still sends (bounded), then close, so the client reads the response instead of a reset.
Failures stay inside their connection: a handler exception is logged and only that connection
ends. Writes time out after ``write_timeout`` (a client that stops reading cannot pin a task).

With ``tls=True`` each accepted connection first completes a TLS handshake (within
``header_timeout``; one that fails just closes) with a certificate signed by a certificate
authority of the server's own (:mod:`meshapi.testing._servers.tls`), then runs the same loop
over the encrypted stream: ``https://`` and ``wss://``. The CA's certificate is written to
:attr:`GatewayServer.ca_file` while the server listens.

For sync tests, :meth:`GatewayServer.run_in_thread` runs the server on an event loop in a
background thread (an anyio blocking portal) and yields the base URL once listening; for async
tests ``async with GatewayServer(...)`` runs it in the current loop (asyncio or trio).
Connection accounting (:attr:`~GatewayServer.open_connections`,
:meth:`~GatewayServer.wait_for_closed_connections`) is built on a thread-safe signal, so a test
can wait for the SDK to close a connection without sleeping.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import ssl
import struct
import tempfile
import threading
from dataclasses import replace
from types import TracebackType
from typing import Iterator, List, Optional, Tuple, Type, cast

import anyio
import anyio.abc
import h11
from anyio.from_thread import start_blocking_portal
from anyio.streams.tls import TLSStream

from .._gateway.dispatcher import Gateway
from .._gateway.errors import REASONS
from .._gateway.plan import (
    CloseConnection,
    GatewayRequest,
    Pause,
    ResetConnection,
    ResponsePlan,
    StallForever,
    Step,
    Write,
)
from .._gateway.signal import Signal
from .._gateway.wsplan import is_upgrade
from .tls import Authority, write_whole
from .websocket import serve_websocket

logger = logging.getLogger("meshapi.testing")

_READ_SIZE = 65_536
_MAX_BUFFERED = 1 << 20  # pipelined bytes kept while a response is being sent
_COALESCE = 65_536  # consecutive body writes are combined up to this size
_IO_ERRORS = (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError)


class _PeerGone(Exception):
    """The client closed or reset the connection."""


class GatewayServer:
    """Serves a :class:`~meshapi.testing.Gateway` over HTTP/1.1 on 127.0.0.1.

    Use it as ``async with GatewayServer(gateway) as server`` (then ``server.base_url``), as
    ``await server.serve()`` inside your own task group, or from sync code as
    ``with server.run_in_thread() as base_url``. Timeouts are in seconds.

    ``tls=True`` serves ``https://`` and ``wss://`` with a certificate from a certificate
    authority made for this server; while it listens, the CA's certificate is in the PEM file
    :attr:`ca_file` (``ca_file=`` chooses where; by default a temporary file, removed when the
    server stops). Trust it with ``SSL_CERT_FILE=<ca_file>`` in a process started afterwards,
    or hand :meth:`client_ssl_context` to the client: ``MeshAPI(...,
    httpx_client=httpx.Client(verify=server.client_ssl_context()))``.
    """

    def __init__(
        self,
        gateway: Optional[Gateway] = None,
        *,
        port: int = 0,
        idle_timeout: float = 30.0,
        header_timeout: float = 10.0,
        body_timeout: float = 60.0,
        write_timeout: float = 30.0,
        linger_timeout: float = 2.0,
        max_header_bytes: int = 65_536,
        tls: bool = False,
        ca_file: Optional[str] = None,
    ) -> None:
        if ca_file is not None and not tls:
            raise ValueError("ca_file needs tls=True")
        self.gateway = gateway if gateway is not None else Gateway()
        self._authority = Authority() if tls else None
        self._server_ssl = self._authority.server_context() if self._authority else None
        self._ca_file = ca_file
        self._own_ca_file = False
        self.idle_timeout = idle_timeout
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self.write_timeout = write_timeout
        self.linger_timeout = linger_timeout
        self.max_header_bytes = max_header_bytes
        self._requested_port = port
        self._port: Optional[int] = None
        self._lock = threading.Lock()
        self._signal = Signal()
        self._open = 0
        self._accepted = 0
        self._closed = 0
        self._protocol_errors = 0
        self._task_group: Optional[anyio.abc.TaskGroup] = None

    # -- addresses ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The listening port (raises ``RuntimeError`` when not serving)."""
        if self._port is None:
            raise RuntimeError("the server is not listening")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, or ``https://`` with TLS (no trailing slash, no
        ``/v1``)."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    # -- TLS ----------------------------------------------------------------------------

    @property
    def tls(self) -> bool:
        """Whether the server speaks TLS (``https://``, ``wss://``)."""
        return self._authority is not None

    @property
    def ca_file(self) -> Optional[str]:
        """The PEM file of the certificate authority that signed the server's certificate
        (written while the server listens), or ``None`` without TLS."""
        return self._ca_file

    @property
    def ca_pem(self) -> bytes:
        """The certificate authority's certificate, PEM-encoded (``RuntimeError`` without
        TLS)."""
        if self._authority is None:
            raise RuntimeError("the server does not use TLS")
        return self._authority.ca_pem

    def client_ssl_context(self) -> ssl.SSLContext:
        """A new client :class:`ssl.SSLContext` that trusts this server's certificate
        authority (``RuntimeError`` without TLS)."""
        if self._authority is None:
            raise RuntimeError("the server does not use TLS")
        return self._authority.client_context()

    def _write_ca_file(self) -> None:
        if self._authority is None:
            return
        if self._ca_file is None:
            handle, self._ca_file = tempfile.mkstemp(prefix="meshapi-gateway-ca-", suffix=".pem")
            os.close(handle)
            self._own_ca_file = True
        write_whole(self._ca_file, self._authority.ca_pem)

    def _remove_ca_file(self) -> None:
        if self._own_ca_file and self._ca_file is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._ca_file)
            self._ca_file, self._own_ca_file = None, False

    # -- connection accounting ----------------------------------------------------------

    @property
    def open_connections(self) -> int:
        """Connections accepted and not yet closed."""
        with self._lock:
            return self._open

    @property
    def accepted_connections(self) -> int:
        """Connections accepted since the server was created."""
        with self._lock:
            return self._accepted

    @property
    def closed_connections(self) -> int:
        """Connections closed since the server was created (by either side)."""
        with self._lock:
            return self._closed

    @property
    def protocol_errors(self) -> int:
        """Requests refused as malformed HTTP."""
        with self._lock:
            return self._protocol_errors

    def wait_for_closed_connections(self, count: int, timeout: Optional[float] = 5.0) -> bool:
        """Block until at least ``count`` connections have closed in total; ``False`` if
        ``timeout`` seconds pass first."""
        return self._signal.wait_for(lambda: self.closed_connections >= count, timeout)

    def wait_for_open_connections(self, count: int, timeout: Optional[float] = 5.0) -> bool:
        """Block until exactly ``count`` connections are open; ``False`` on timeout."""
        return self._signal.wait_for(lambda: self.open_connections == count, timeout)

    async def wait_for_closed_connections_async(
        self,
        count: int,
        *,
        timeout: Optional[float] = 5.0,  # noqa: ASYNC109 (sync twin's API)
    ) -> bool:
        """The async twin of :meth:`wait_for_closed_connections`."""
        return await self._signal.wait_for_async(
            lambda: self.closed_connections >= count, timeout=timeout
        )

    async def wait_for_open_connections_async(
        self,
        count: int,
        *,
        timeout: Optional[float] = 5.0,  # noqa: ASYNC109 (sync twin's API)
    ) -> bool:
        """The async twin of :meth:`wait_for_open_connections`."""
        return await self._signal.wait_for_async(
            lambda: self.open_connections == count, timeout=timeout
        )

    def _count(self, opened: int = 0, closed: int = 0, protocol_errors: int = 0) -> None:
        with self._lock:
            self._open += opened - closed
            self._accepted += opened
            self._closed += closed
            self._protocol_errors += protocol_errors
        self._signal.notify()

    # -- running ------------------------------------------------------------------------

    async def serve(
        self, *, task_status: anyio.abc.TaskStatus[str] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Listen and serve until cancelled; ``task_status.started(base_url)`` once bound."""
        if self._port is not None:
            raise RuntimeError("this server is already serving")
        multi = await anyio.create_tcp_listener(
            local_host="127.0.0.1", local_port=self._requested_port
        )
        listener = cast(anyio.abc.SocketListener, multi.listeners[0])
        try:
            self._write_ca_file()
            async with multi, anyio.create_task_group() as connections:
                self._port = listener.extra(anyio.abc.SocketAttribute.local_port)
                task_status.started(self.base_url)
                while True:
                    try:
                        stream = await listener.accept()
                    except anyio.ClosedResourceError:
                        return
                    except OSError:  # e.g. out of file descriptors: back off, keep serving
                        logger.warning("gateway emulator: accept failed", exc_info=True)
                        await anyio.sleep(0.05)
                        continue
                    connections.start_soon(self._serve_connection, stream)
        finally:
            self._port = None
            self._remove_ca_file()

    async def __aenter__(self) -> GatewayServer:
        group = anyio.create_task_group()
        await group.__aenter__()
        try:
            await group.start(self.serve)
        except BaseException as exc:
            group.cancel_scope.cancel()
            await group.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        self._task_group = group
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> Optional[bool]:
        group, self._task_group = self._task_group, None
        if group is None:
            return None
        group.cancel_scope.cancel()
        return await group.__aexit__(exc_type, exc, tb)

    @contextlib.contextmanager
    def run_in_thread(self, backend: str = "asyncio") -> Iterator[str]:
        """Serve from a background thread (``backend`` ``"asyncio"`` or ``"trio"``); yields
        the base URL once the socket is listening and stops the server on exit."""
        with start_blocking_portal(backend) as portal:
            future, base_url = portal.start_task(self.serve, name="meshapi-testing-gateway")
            try:
                yield cast(str, base_url)
            finally:
                future.cancel()

    async def _serve_connection(self, stream: anyio.abc.SocketStream) -> None:
        self._count(opened=1)
        try:
            served: anyio.abc.ByteStream = stream
            if self._server_ssl is not None:
                served = await self._handshake(stream)
            await _Connection(self, served).run()
        except _HandshakeFailed:
            pass
        except Exception:  # contained: one broken connection never affects the others
            logger.exception("gateway emulator: connection handler failed")
        finally:
            with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
                await stream.aclose()
            self._count(closed=1)

    async def _handshake(self, stream: anyio.abc.SocketStream) -> TLSStream:
        """The TLS side of a new connection, within ``header_timeout``."""
        assert self._server_ssl is not None
        try:
            with anyio.fail_after(self.header_timeout):
                return await TLSStream.wrap(
                    stream,
                    server_side=True,
                    ssl_context=self._server_ssl,
                    standard_compatible=False,
                )
        except (TimeoutError, ssl.SSLError, anyio.EndOfStream, *_IO_ERRORS):
            raise _HandshakeFailed from None


class _HandshakeFailed(Exception):
    """A client that did not complete the TLS handshake (plain HTTP, an untrusted
    certificate, a timeout): its connection just closes."""


class _Connection:
    """One client connection: h11 state plus the socket (or the TLS stream over it)."""

    def __init__(self, server: GatewayServer, stream: anyio.abc.ByteStream) -> None:
        self.server = server
        self.gateway = server.gateway
        self.stream = stream
        self.h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=server.max_header_bytes)
        raw = stream.extra(anyio.abc.SocketAttribute.raw_socket, None)
        if raw is not None:
            with contextlib.suppress(OSError):
                raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    async def run(self) -> None:
        try:
            while True:
                request = await self._read_request()
                if request is None:
                    return
                if is_upgrade(request.header):  # a WebSocket session, until it ends
                    await serve_websocket(self, request)
                    return
                plan = self.gateway.handle(request)
                if not await self._send_plan(plan, request.method):
                    return
                self.h11.start_next_cycle()
        except _PeerGone:
            return
        except h11.LocalProtocolError:
            logger.exception("gateway emulator: a response plan broke HTTP framing")

    # -- reading ------------------------------------------------------------------------

    async def _receive(self, seconds: Optional[float]) -> None:
        """Feed one read into h11 (``b""`` at end of stream); ``TimeoutError`` after
        ``seconds``."""
        if seconds is not None and seconds <= 0:
            raise TimeoutError
        with anyio.fail_after(seconds):
            try:
                data = await self.stream.receive(_READ_SIZE)
            except anyio.EndOfStream:
                data = b""
            except _IO_ERRORS:
                raise _PeerGone from None
        self.h11.receive_data(data)

    async def _read_request(self) -> Optional[GatewayRequest]:
        """The next request, or ``None`` when the connection should end (after answering a
        too-large or malformed request, or on a quiet close or timeout)."""
        conn, server = self.h11, self.server
        started: Optional[float] = None
        try:
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    if started is None and not conn.trailing_data[0]:
                        await self._receive(server.idle_timeout)
                        started = anyio.current_time()
                        continue
                    if started is None:
                        started = anyio.current_time()
                    await self._receive(started + server.header_timeout - anyio.current_time())
                    continue
                if isinstance(event, h11.Request):
                    break
                return None  # ConnectionClosed (or nothing sensible)
        except TimeoutError:
            await self._close()
            return None
        except h11.RemoteProtocolError as exc:
            await self._refuse_malformed(exc)
            return None

        request = GatewayRequest(
            method=event.method.decode("ascii", "replace"),
            target=event.target.decode("latin-1"),
            headers=tuple(
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in event.headers.raw_items()
            ),
            scheme="https" if server.tls else "http",
        )
        if event.http_version not in (b"1.0", b"1.1"):
            await self._refuse(505, "HTTP version not supported.")
            return None
        head_size = len(event.target) + sum(
            len(name) + len(value) + 4 for name, value in event.headers.raw_items()
        )
        if head_size > server.max_header_bytes:  # h11 only bounds the *incomplete* head
            await self._refuse(431, "Request header fields too large.")
            return None
        declared = _content_length(event.headers.raw_items())
        limit = self.gateway.max_body_bytes
        if declared is not None and declared > limit:
            await self._send_plan(self.gateway.reject_too_large(request, declared), None)
            return None
        try:
            body = await self._read_body(limit)
        except TimeoutError:
            await self._send_plan(
                self.gateway.protocol_error(408, "The request body did not arrive in time."),
                request.method,
            )
            return None
        except h11.RemoteProtocolError as exc:
            await self._refuse_malformed(exc)
            return None
        if body is None:
            await self._send_plan(self.gateway.reject_too_large(request, limit + 1), None)
            return None
        return replace(request, body=body)

    async def _read_body(self, limit: int) -> Optional[bytes]:
        """The request body; ``None`` once it grows past ``limit`` bytes."""
        conn = self.h11
        if conn.they_are_waiting_for_100_continue:
            await self._write(
                conn.send(
                    h11.InformationalResponse(status_code=100, headers=[], reason=b"Continue")
                )
            )
        deadline = anyio.current_time() + self.server.body_timeout
        body = bytearray()
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                await self._receive(deadline - anyio.current_time())
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) > limit:
                    return None
            elif isinstance(event, h11.EndOfMessage):
                return bytes(body)
            else:  # the peer closed mid-body: h11 normally raises before this
                raise _PeerGone

    async def _refuse(self, status: int, message: str) -> None:
        """Answer a request that is not acceptable HTTP with ``status``; the connection ends."""
        self.server._count(protocol_errors=1)
        await self._send_plan(self.gateway.protocol_error(status, message), None)

    async def _refuse_malformed(self, exc: h11.RemoteProtocolError) -> None:
        if self.h11.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            with contextlib.suppress(_PeerGone, h11.LocalProtocolError):
                await self._refuse(exc.error_status_hint, f"Malformed HTTP request: {exc}")
                return
        else:
            self.server._count(protocol_errors=1)
        await self._close()

    # -- writing ------------------------------------------------------------------------

    async def _write(self, data: Optional[bytes]) -> None:
        if not data:
            return
        try:
            with anyio.fail_after(self.server.write_timeout):
                await self.stream.send(data)
        except (TimeoutError, *_IO_ERRORS):
            raise _PeerGone from None

    async def _send_plan(self, plan: ResponsePlan, method: Optional[str]) -> bool:
        """Carry out ``plan``; True if the connection may serve another request.

        Bytes are gathered and sent in as few writes as possible (the head with the start of
        the body; consecutive body writes up to ``_COALESCE`` bytes) and always flushed before
        a pause, a stall or a close, and for every ``flush=True`` write.
        """
        for step in plan.prelude:
            if not await self._control(step):
                return False
        headers: List[Tuple[str, str]] = list(plan.headers)
        if plan.close:
            headers.append(("connection", "close"))
        reason = REASONS.get(plan.status, "").encode("ascii")
        wire = bytearray(
            self.h11.send(h11.Response(status_code=plan.status, headers=headers, reason=reason))
            or b""
        )
        body = bytearray()

        async def flush() -> None:
            if body:
                wire.extend(self.h11.send(h11.Data(data=bytes(body))) or b"")
                body.clear()
            if wire:
                await self._write(bytes(wire))
                wire.clear()

        for step in plan.body:
            if isinstance(step, Write):
                if step.data and method != "HEAD":
                    if step.flush:  # sent alone: what was gathered goes first
                        await flush()
                    body.extend(step.data)
                    if step.flush or len(body) >= _COALESCE:
                        await flush()
                continue
            await flush()
            if not await self._control(step):
                return False
        if body:
            wire.extend(self.h11.send(h11.Data(data=bytes(body))) or b"")
        wire.extend(self.h11.send(h11.EndOfMessage()) or b"")
        await self._write(bytes(wire))
        if plan.close or self.h11.our_state is not h11.DONE or self.h11.their_state is not h11.DONE:
            await self._close()
            return False
        return True

    async def _control(self, step: Step) -> bool:
        """Carry out a non-write step; False when it ended the connection."""
        if isinstance(step, Pause):
            await self._watch(step.seconds)
            return True
        if isinstance(step, CloseConnection):
            await self._close()
        elif isinstance(step, ResetConnection):
            await self._reset()
        elif isinstance(step, StallForever):
            await self._watch(None)
        return False

    async def _watch(self, seconds: Optional[float]) -> None:
        """Wait ``seconds`` (``None``: until cancelled) while noticing a client that leaves;
        bytes it sends meanwhile (a pipelined request) are kept for h11."""
        with anyio.move_on_after(seconds):
            while True:
                if len(self.h11.trailing_data[0]) > _MAX_BUFFERED:
                    await anyio.sleep_forever()
                try:
                    data = await self.stream.receive(_READ_SIZE)
                except (anyio.EndOfStream, *_IO_ERRORS):
                    raise _PeerGone from None
                self.h11.receive_data(data)

    # -- closing ------------------------------------------------------------------------

    async def _close(self) -> None:
        """Lingering close: FIN our side, drain the client (bounded), then close. Over TLS
        the FIN goes under the encryption (no ``close_notify``: a client reads the end of
        the response, or of a body a fault cut short, as the connection's end)."""
        with contextlib.suppress(Exception):
            if isinstance(self.stream, TLSStream):
                await self.stream.transport_stream.send_eof()
            else:
                await self.stream.send_eof()
        drained = 0
        with anyio.move_on_after(self.server.linger_timeout), contextlib.suppress(Exception):
            while drained < 4 * self.gateway.max_body_bytes:
                drained += len(await self.stream.receive(_READ_SIZE))
        with contextlib.suppress(Exception):
            await self.stream.aclose()

    async def _reset(self) -> None:
        """Abort with an RST: ``SO_LINGER`` with a zero timeout, then close."""
        raw = self.stream.extra(anyio.abc.SocketAttribute.raw_socket, None)
        if raw is not None:
            with contextlib.suppress(OSError):
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(Exception):
            await self.stream.aclose()


def _content_length(headers: List[Tuple[bytes, bytes]]) -> Optional[int]:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value.split(b",")[0].strip())
            except ValueError:
                return None
    return None
