"""In-process transports: the SDK's transport protocols served by a Gateway, no sockets.

:class:`InProcessTransport` implements ``meshapi_core.transport.SyncTransport`` and
:class:`AsyncInProcessTransport` implements ``AsyncTransport``. Each call turns the core's
``Request`` into a :class:`~meshapi.testing.GatewayRequest`, asks the gateway for a plan and
carries the plan out, honouring the request's ``read`` timeout the way a socket would:

- a pause longer than ``timeout.read`` waits that long, then times out;
- a stall waits ``timeout.read`` then times out (with no read timeout: the sync transport
  waits until :meth:`InProcessTransport.close`, the async one until cancelled);
- a dropped or reset connection is an error;
- ``timeout.total`` bounds the exchange: the waits of its prelude and body together never
  pass it, and the one that would ends at it with a timeout. The transport counts the time
  it waits rather than reading a clock, so the bound holds the same with a
  :class:`~meshapi.testing.FakeClock`'s ``sleep`` (the caller's own time between reads is not
  counted).

Which error, per the transport contract in ``meshapi_core/transport.py``: before the status
line, :class:`~meshapi_core.errors.APIConnectionError` (or
:class:`~meshapi_core.errors.APITimeoutError`); in the body,
:class:`~meshapi_core.errors.StreamInterruptedError` (or
:class:`~meshapi_core.errors.StreamTimeoutError`) carrying the response's request id.

The decisions live in one pure generator, :func:`_actions`, that turns plan steps into
"data", "wait" and "fail" actions; the sync and async classes only perform them, so the two
flavours cannot drift apart. Waiting uses an injectable ``sleep``: pass
:meth:`FakeClock.sleep <meshapi.testing.FakeClock.sleep>` (or ``async_sleep``) to make retry
back-offs advance the gateway's clock instantly.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import (
    AsyncIterator,
    Awaitable,
    BinaryIO,
    Callable,
    Dict,
    Generic,
    Iterable,
    Iterator,
    Optional,
    Tuple,
    TypeVar,
    Union,
)
from urllib.parse import urlsplit

import anyio

from meshapi_core.errors import (
    APIConnectionError,
    APITimeoutError,
    MeshAPIError,
    StreamInterruptedError,
    StreamTimeoutError,
)
from meshapi_core.http import Request, StreamedBody, header_dict

from .._gateway.dispatcher import Gateway
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


@dataclass(frozen=True)
class _Data:
    data: bytes


@dataclass(frozen=True)
class _Wait:
    seconds: Optional[float]  # None: until the transport closes / the task is cancelled


@dataclass(frozen=True)
class _Fail:
    error: MeshAPIError


_Action = Union[_Data, _Wait, _Fail]

_PHASE_HEAD, _PHASE_STREAM = "head", "stream"


class _Budget:
    """What is left of ``Timeout.total`` for one exchange, spent by the transport's waits."""

    __slots__ = ("left",)

    def __init__(self, total: Optional[float]) -> None:
        self.left = total

    def spend(self, wait: Optional[float]) -> Tuple[Optional[float], bool]:
        """``wait`` (``None``: forever) cut to what is left, and whether that runs out."""
        left = self.left
        if left is None:
            return wait, False
        if wait is None or wait > left:
            self.left = 0.0
            return left, True
        self.left = left - wait
        return wait, False


def _failure(kind: str, phase: str, headers: Dict[str, str]) -> MeshAPIError:
    """The error a failure of ``kind`` means before the status line (``head``) or in the
    body (``stream``: the engine turns it into a connection error for whole bodies)."""
    request_id = headers.get("x-request-id")
    if kind == "deadline":
        message = "The exchange's total time limit (the call's deadline) ran out."
        if phase == _PHASE_STREAM:
            return StreamTimeoutError(message, request_id=request_id, headers=headers)
        return APITimeoutError(message)
    if phase == _PHASE_STREAM:
        if kind == "timeout":
            return StreamTimeoutError(
                "The stream stalled past the read timeout.",
                request_id=request_id,
                headers=headers,
            )
        return StreamInterruptedError(
            f"The connection was {kind} before the stream ended.",
            request_id=request_id,
            headers=headers,
        )
    if kind == "timeout":
        return APITimeoutError("Timed out waiting for the gateway.")
    return APIConnectionError(f"The connection was {kind} before any response.")


def _actions(
    steps: Iterable[Step],
    read_timeout: Optional[float],
    phase: str,
    headers: Dict[str, str],
    budget: _Budget,
) -> Iterator[_Action]:
    """What carrying out ``steps`` means for a client with this read timeout and what is
    left of its total time limit."""
    for step in steps:
        if isinstance(step, Write):
            if step.data:
                yield _Data(step.data)
        elif isinstance(step, (Pause, StallForever)):
            wait = step.seconds if isinstance(step, Pause) else None
            too_long = wait is None or (read_timeout is not None and wait > read_timeout)
            if too_long:
                wait = read_timeout
            wait, out_of_time = budget.spend(wait)
            yield _Wait(wait)
            if out_of_time:
                yield _Fail(_failure("deadline", phase, headers))
                return
            if too_long:
                yield _Fail(_failure("timeout", phase, headers))
                return
        elif isinstance(step, CloseConnection):
            yield _Fail(_failure("closed", phase, headers))
            return
        elif isinstance(step, ResetConnection):
            yield _Fail(_failure("reset", phase, headers))
            return


def _open(path: str) -> BinaryIO:
    return open(path, "rb")


def _gateway_request(request: Request) -> GatewayRequest:
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    body = request.body
    if isinstance(body, StreamedBody):  # read whole: the gateway takes bodies whole anyway
        body = b"".join(body.chunks(_open))
    headers = tuple(request.headers)
    if parts.netloc and not any(name.lower() == "host" for name, _ in headers):
        headers += (("host", parts.netloc),)  # as a socket client sends it
    scheme = "https" if parts.scheme == "https" else "http"
    return GatewayRequest(request.method.upper(), target, headers, body or b"", scheme)


class _Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.open = 0

    def add(self, delta: int) -> None:
        with self._lock:
            self.open += delta


_T = TypeVar("_T")


class _StreamHead(Generic[_T]):
    """Status, headers and the remaining body actions of an in-process stream."""

    def __init__(
        self, status: int, headers: Dict[str, str], actions: Iterator[_Action], transport: _T
    ) -> None:
        self._status = status
        self._headers = headers
        self._actions = actions
        self._transport = transport
        self._closed = False

    @property
    def status(self) -> int:
        """The HTTP status."""
        return self._status

    @property
    def headers(self) -> Dict[str, str]:
        """The response headers, lower-case names."""
        return self._headers


class InProcessStream(_StreamHead["InProcessTransport"]):
    """A streamed response from :class:`InProcessTransport` (``SyncStreamResponse``)."""

    def iter_bytes(self) -> Iterator[bytes]:
        """The body, one gateway write at a time."""
        for action in self._actions:
            if self._closed:
                return
            if isinstance(action, _Data):
                yield action.data
            elif isinstance(action, _Wait):
                self._transport._wait(action.seconds)
            else:
                self.close()
                raise action.error
        self.close()

    def close(self) -> None:
        """Release the stream; safe to call more than once."""
        if not self._closed:
            self._closed = True
            self._transport._streams.add(-1)


class InProcessTransport:
    """A ``SyncTransport`` that calls a :class:`~meshapi.testing.Gateway` directly.

    ``sleep`` is used for pauses, stalls and the core's retry waits (default
    ``time.sleep``). :attr:`open_streams` counts streams not yet closed, to check that the
    SDK releases what it opens.
    """

    def __init__(self, gateway: Gateway, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.gateway = gateway
        self._sleep = sleep
        self._closed = threading.Event()
        self._streams = _Counter()

    @property
    def open_streams(self) -> int:
        """Streams opened and not yet closed."""
        return self._streams.open

    def _wait(self, seconds: Optional[float]) -> None:
        if seconds is None:
            self._closed.wait()
            raise APIConnectionError("The transport was closed while waiting.")
        if seconds > 0:
            self._sleep(seconds)

    def _head(self, request: Request, budget: _Budget) -> ResponsePlan:
        if self._closed.is_set():
            raise APIConnectionError("The transport is closed.")
        plan = self.gateway.handle(_gateway_request(request))
        for action in _actions(plan.prelude, request.timeout.read, _PHASE_HEAD, {}, budget):
            if isinstance(action, _Wait):
                self._wait(action.seconds)
            elif isinstance(action, _Fail):
                raise action.error
        return plan

    def open_stream(self, request: Request) -> InProcessStream:
        """Send ``request``; return once the status and headers are decided."""
        budget = _Budget(request.timeout.total)
        plan = self._head(request, budget)
        headers = header_dict(plan.headers)
        actions = _actions(plan.body, request.timeout.read, _PHASE_STREAM, headers, budget)
        self._streams.add(1)
        return InProcessStream(plan.status, headers, actions, self)

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` with the injected ``sleep``."""
        if seconds > 0:
            self._sleep(seconds)

    def close(self) -> None:
        """Close the transport; wakes anything stalled on it."""
        self._closed.set()


class AsyncInProcessStream(_StreamHead["AsyncInProcessTransport"]):
    """A streamed response from :class:`AsyncInProcessTransport` (``AsyncStreamResponse``)."""

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        """The body, one gateway write at a time."""
        for action in self._actions:
            if self._closed:
                return
            if isinstance(action, _Data):
                await anyio.lowlevel.checkpoint()
                yield action.data
            elif isinstance(action, _Wait):
                await self._transport._wait(action.seconds)
            else:
                await self.aclose()
                raise action.error
        await self.aclose()

    async def aclose(self) -> None:
        """Release the stream; safe to call more than once."""
        if not self._closed:
            self._closed = True
            self._transport._streams.add(-1)


class AsyncInProcessTransport:
    """An ``AsyncTransport`` that calls a :class:`~meshapi.testing.Gateway` directly.

    ``sleep`` is used for pauses and the core's retry waits (default ``anyio.sleep``, so it
    works on asyncio and trio). :attr:`open_streams` counts streams not yet closed. It holds
    no connections, so one client may use it from any event loop, one after another.
    """

    binds_event_loop = False
    """Tells ``AsyncMeshAPI`` not to tie its client to the first event loop that uses it."""

    def __init__(
        self, gateway: Gateway, *, sleep: Callable[[float], Awaitable[None]] = anyio.sleep
    ) -> None:
        self.gateway = gateway
        self._sleep = sleep
        self._is_closed = False
        self._streams = _Counter()

    @property
    def open_streams(self) -> int:
        """Streams opened and not yet closed."""
        return self._streams.open

    async def _wait(self, seconds: Optional[float]) -> None:
        if seconds is None:
            await anyio.sleep_forever()
        elif seconds > 0:
            await self._sleep(seconds)
        else:
            await anyio.lowlevel.checkpoint()

    async def _head(self, request: Request, budget: _Budget) -> ResponsePlan:
        if self._is_closed:
            raise APIConnectionError("The transport is closed.")
        await anyio.lowlevel.checkpoint()
        plan = self.gateway.handle(_gateway_request(request))
        for action in _actions(plan.prelude, request.timeout.read, _PHASE_HEAD, {}, budget):
            if isinstance(action, _Wait):
                await self._wait(action.seconds)
            elif isinstance(action, _Fail):
                raise action.error
        return plan

    async def open_stream(self, request: Request) -> AsyncInProcessStream:
        """Send ``request``; return once the status and headers are decided."""
        budget = _Budget(request.timeout.total)
        plan = await self._head(request, budget)
        headers = header_dict(plan.headers)
        actions = _actions(plan.body, request.timeout.read, _PHASE_STREAM, headers, budget)
        self._streams.add(1)
        return AsyncInProcessStream(plan.status, headers, actions, self)

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` with the injected ``sleep``."""
        await self._wait(max(0.0, seconds))

    async def aclose(self) -> None:
        """Close the transport (new requests fail)."""
        self._is_closed = True
