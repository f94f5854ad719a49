"""Faults a test can inject into the gateway's next responses.

Inject with :meth:`Gateway.inject <meshapi.testing.Gateway.inject>`; several faults given
together apply to the same response (examples: ``docs/testing.md``, "Faults").

Each fault is a plan transformer: it rewrites the :class:`~meshapi.testing.ResponsePlan` the
gateway would have sent, so faults behave identically on the socket server and the in-process
transport. Two kinds exist:

- *replacing* faults (:class:`Status`, :class:`Error`, :class:`InbandError`) answer instead
  of the gateway,
  before version, auth and rate-limit checks (an injected failure consumes no RPM);
- *transforming* faults rewrite the real response. They apply in a fixed order whatever order
  they are given in: headers (:class:`Headers`, which makes the gateway say what the
  emulator does not decide by itself: a BYOK fallback, the provider that served, a hostile
  value), content (:class:`Malformed`, :class:`ErrorFrame`), then keep-alives
  (:class:`Ping`), then timing (:class:`Delay`), then cuts (:class:`Drop`, :class:`Reset`,
  :class:`Stall`), then write splitting (:class:`SplitWrites`).

WebSocket sessions (``/v1/realtime`` and the audio sockets) take the same faults: a
:class:`Status` refuses the handshake with its status; the others rewrite the session, whose
"events" are the server's frames: :class:`Drop`/:class:`Reset` cut the connection after
``after_events`` frames without a close frame, :class:`Stall` goes silent, :class:`Malformed`
truncates frame ``event``'s JSON, :class:`ErrorFrame` sends the realtime error event and a
close frame (``close_code``), :class:`Ping` sends WebSocket pings, :class:`Delay` paces the
frames and :class:`SplitWrites` sends each frame as continuation frames of ``size``
characters.

Counting: "events" are complete SSE events (``data: [DONE]`` included; ``: ping`` comments
excluded); "bytes" are body bytes (chunked framing excluded). A cut that is never reached
(``after_events`` beyond the end of the stream) leaves the response whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import (
    Any,
    ClassVar,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from ._gateway.codes import ERROR_CODES, documented_error
from ._gateway.errors import DEFAULT_CODES, DEFAULT_MESSAGES, envelope, html_page
from ._gateway.plan import (
    TERMINAL_STEPS,
    CloseConnection,
    Pause,
    ResetConnection,
    ResponsePlan,
    StallForever,
    Step,
    Write,
    bytes_plan,
    dumps,
    json_plan,
)
from ._gateway.wsplan import CloseSession, UpgradePlan

__all__ = [
    "Delay",
    "Drop",
    "Error",
    "ErrorFrame",
    "Fault",
    "Headers",
    "InbandError",
    "Malformed",
    "Ping",
    "Reset",
    "SplitWrites",
    "Stall",
    "Status",
]


class Fault:
    """Base class of every fault; ``stage`` orders the transforming ones."""

    stage: ClassVar[int] = 0

    def replacement(self, request_id: str) -> Optional[ResponsePlan]:
        """The response to send *instead* of the gateway's, or ``None`` to let it answer."""
        return None

    def apply(self, plan: ResponsePlan) -> ResponsePlan:
        """The plan rewritten by this fault (the default leaves it alone)."""
        return plan


def _retry_after_header(value: Union[int, float, str]) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Status(Fault):
    """Answer with ``status`` instead of the gateway.

    The body is, by priority: ``html`` (``True`` for a proxy-style page, or the page text),
    ``body`` (bytes or text sent as is with ``content_type``, default ``application/json``;
    a dict or list is JSON-encoded as is, e.g. ``{"detail": "..."}``), else the standard
    envelope with ``code`` (default for the status, e.g. 503 ``provider_not_available``) and
    ``message``, and ``provider_code`` and ``details`` when given. ``retry_after`` sets the
    ``Retry-After`` header (a number, or any string such as an HTTP-date); on a 429 with a
    numeric value it is also ``error.retry_after_seconds``. ``nested_request_id=True`` puts
    ``request_id`` inside ``error`` instead of beside it (a shape one survey reported).
    """

    status: int
    code: Optional[str] = None
    message: Optional[str] = None
    retry_after: Union[int, float, str, None] = None
    body: Union[bytes, str, Mapping[str, Any], List[Any], None] = None
    content_type: Optional[str] = None
    html: Union[bool, str] = False
    headers: Optional[Mapping[str, str]] = None
    provider_code: Optional[str] = None
    details: Any = None
    nested_request_id: bool = False

    def replacement(self, request_id: str) -> Optional[ResponsePlan]:
        """The injected response."""
        headers = list((self.headers or {}).items())
        if self.retry_after is not None:
            headers.append(("retry-after", _retry_after_header(self.retry_after)))
        if self.html is not False:
            page = html_page(self.status) if self.html is True else str(self.html).encode()
            return bytes_plan(self.status, page, self.content_type or "text/html", headers=headers)
        if self.body is not None:
            raw = self.body.encode() if isinstance(self.body, str) else self.body
            if not isinstance(raw, bytes):
                raw = dumps(raw)
            return bytes_plan(
                self.status, raw, self.content_type or "application/json", headers=headers
            )
        code = self.code or DEFAULT_CODES.get(self.status, "error")
        message = self.message or DEFAULT_MESSAGES.get(code, f"HTTP {self.status}")
        extra: Dict[str, Any] = {}
        if self.provider_code is not None:
            extra["provider_code"] = self.provider_code
        if self.status == 429 and isinstance(self.retry_after, (int, float)):
            extra["retry_after_seconds"] = math.ceil(self.retry_after)
        body = envelope(code, message, request_id, details=self.details, extra=extra)
        return json_plan(
            self.status, _nest(body) if self.nested_request_id else body, headers=headers
        )


def _nest(body: Dict[str, Any]) -> Dict[str, Any]:
    """``body`` with its ``request_id`` moved inside ``error``."""
    nested = dict(body)
    nested["error"] = {**nested["error"], "request_id": nested.pop("request_id", None)}
    return nested


@dataclass(frozen=True)
class Error(Fault):
    """Answer with the documented error ``code`` (``docs/gateway/errors.md`` §3) instead of the
    gateway: its status, ``provider_code``, ``Retry-After`` for a 429, ``details`` where the
    code has them (see ``meshapi.testing._gateway.codes``). ``message`` replaces the standard text;
    ``nested_request_id`` is as for :class:`Status`.

    >>> Error("gateway_timeout").replacement("req_1").status
    504
    """

    code: str
    message: Optional[str] = None
    nested_request_id: bool = False

    def __post_init__(self) -> None:
        if self.code not in ERROR_CODES:
            raise ValueError(
                f"{self.code!r} is not a documented HTTP error code; one of: "
                + ", ".join(sorted(ERROR_CODES))
            )

    def replacement(self, request_id: str) -> Optional[ResponsePlan]:
        """The documented error response."""
        error = documented_error(self.code)
        body = envelope(
            error.code,
            self.message or error.message,
            request_id,
            details=error.details,
            extra=error.extra,
        )
        return json_plan(
            error.status, _nest(body) if self.nested_request_id else body, headers=error.headers
        )


@dataclass(frozen=True)
class InbandError(Fault):
    """Answer ``200`` (or ``status``) with an ``{"error": {...}}`` JSON body, even for a
    streaming request; ``request_id=False`` leaves the body's ``request_id`` out."""

    code: str = "upstream_error"
    message: str = "Provider failed."
    status: int = 200
    request_id: bool = True

    def replacement(self, request_id: str) -> Optional[ResponsePlan]:
        """The in-band error response."""
        rid = request_id if self.request_id else None
        return json_plan(self.status, envelope(self.code, self.message, rid))


@dataclass(frozen=True)
class Headers(Fault):
    """Add response headers: a mapping, or ``(name, value)`` pairs, where a name may repeat
    (sent as that many header lines). Each replaces the gateway's header of that name.

    >>> Headers({"X-BYOK-Fallback-Triggered": "true"}).pairs
    (('X-BYOK-Fallback-Triggered', 'true'),)
    """

    headers: Union[Mapping[str, str], Sequence[Tuple[str, str]]] = ()
    stage: ClassVar[int] = 0

    @property
    def pairs(self) -> Tuple[Tuple[str, str], ...]:
        """The headers as ``(name, value)`` pairs, in order."""
        items = self.headers.items() if isinstance(self.headers, Mapping) else self.headers
        return tuple((str(name), str(value)) for name, value in items)

    def apply(self, plan: ResponsePlan) -> ResponsePlan:
        """The plan with the headers (a WebSocket session's handshake too)."""
        return plan.with_headers(*self.pairs)


def _corrupt(data: bytes) -> bytes:
    if data.startswith(b"data: "):
        payload = data[6:].rstrip(b"\r\n")
        return b"data: " + payload[: max(1, len(payload) // 2)] + b"\n\n"
    return data[: max(1, len(data) // 2)]


@dataclass(frozen=True)
class Malformed(Fault):
    """Send broken JSON: for a stream, event number ``event`` (0-based) carries truncated
    JSON; otherwise the body is cut to its first half (with a matching ``content-length``)."""

    event: int = 0
    stage: ClassVar[int] = 1

    def apply(self, plan: ResponsePlan) -> ResponsePlan:
        """Corrupt the plan's JSON."""
        if plan.streaming:
            return replace(plan, body=self._stream(plan.body))
        data = b"".join(s.data for s in plan.body if isinstance(s, Write))
        if not data:  # nothing to break (e.g. a 204)
            return replace(plan, body=())
        broken = data[: max(1, len(data) // 2)]
        return replace(plan, body=(Write(broken),)).with_headers(
            ("content-length", str(len(broken)))
        )

    def _stream(self, steps: Iterable[Step]) -> Iterator[Step]:
        seen = 0
        for step in steps:
            if isinstance(step, Write) and step.event:
                if seen == self.event:
                    step = Write(_corrupt(step.data), event=True)
                seen += 1
            yield step


@dataclass(frozen=True)
class ErrorFrame(Fault):
    """After ``after_events`` events of a stream, send an in-band error frame
    ``data: {"error": {"code", "message"}, "request_id": ...}`` and end the stream cleanly
    (no ``[DONE]``). ``request_id=False`` sends the older frame without ``request_id``.
    Non-streaming responses are left alone.

    On a WebSocket session the frame is the realtime error event
    ``{"type": "error", "error": {"code", "message"}, "request_id"}``, followed by a close
    frame with ``close_code`` (``docs/gateway/errors.md`` §6: 1008 policy, 1011 server, 4402
    quota)."""

    after_events: int = 1
    code: str = "upstream_error"
    message: str = "Provider failed."
    request_id: bool = True
    close_code: int = 1011
    stage: ClassVar[int] = 1

    def apply(self, plan: ResponsePlan) -> ResponsePlan:
        """Insert the error frame."""
        if not plan.streaming:
            return plan
        rid = plan.header("x-request-id") if self.request_id else None
        if isinstance(plan, UpgradePlan):
            event: Dict[str, Any] = {
                "type": "error",
                "error": {"code": self.code, "message": self.message},
            }
            if rid is not None:
                event["request_id"] = rid
            close = CloseSession(self.close_code, self.message[:100])
            return replace(plan, body=self._stream(plan.body, dumps(event), close))
        frame = b"data: " + dumps(envelope(self.code, self.message, rid)) + b"\n\n"
        return replace(plan, body=self._stream(plan.body, frame))

    def _stream(
        self, steps: Iterable[Step], frame: bytes, close: Optional[CloseSession] = None
    ) -> Iterator[Any]:
        seen = 0
        for step in steps:
            if isinstance(step, Write) and step.event:
                if seen == self.after_events:
                    yield Write(frame, event=True)
                    if close is not None:
                        yield close
                    return
                seen += 1
            yield step


@dataclass(frozen=True)
class Ping(Fault):
    """Before every event of a stream, wait ``interval`` seconds then send the SSE comment
    ``: <comment>`` (a keep-alive). Non-streaming responses are left alone."""

    interval: float = 0.0
    comment: str = "ping"
    stage: ClassVar[int] = 2

    def apply(self, plan: ResponsePlan) -> ResponsePlan:
        """Interleave the keep-alives."""
        if not plan.streaming:
            return plan
        return replace(plan, body=self._stream(plan.body))

    def _stream(self, steps: Iterable[Step]) -> Iterator[Step]:
        ping = Write(b": " + self.comment.encode() + b"\n\n")
        for step in steps:
            if isinstance(step, Write) and step.event:
                if self.interval > 0:
                    yield Pause(self.interval)
                yield ping
            yield step


@dataclass(frozen=True)
class Delay(Fault):
    """Wait ``headers`` seconds before the status line, ``body`` seconds before the first
    body byte, and ``between_events`` seconds before each stream event after the first."""

    headers: float = 0.0
    body: float = 0.0
    between_events: float = 0.0
    stage: ClassVar[int] = 3

    def apply(self, plan: ResponsePlan) -> ResponsePlan:
        """Insert the pauses."""
        prelude = plan.prelude + ((Pause(self.headers),) if self.headers > 0 else ())
        return replace(plan, prelude=prelude, body=self._stream(plan.body))

    def _stream(self, steps: Iterable[Step]) -> Iterator[Step]:
        first, events = True, 0
        for step in steps:
            if isinstance(step, Write):
                if first and self.body > 0:
                    yield Pause(self.body)
                first = False
                if step.event:
                    if events and self.between_events > 0:
                        yield Pause(self.between_events)
                    events += 1
            yield step


@dataclass(frozen=True)
class _Cut(Fault):
    after_bytes: Optional[int] = None
    after_events: Optional[int] = None
    stage: ClassVar[int] = 4
    terminal: ClassVar[Step]  # the step that ends the connection (immutable, shared)

    def apply(self, plan: ResponsePlan) -> ResponsePlan:
        """Cut the response where asked."""
        if self.after_bytes is None and self.after_events is None:
            return replace(plan, prelude=(*plan.prelude, self.terminal), body=())
        return replace(plan, body=self._stream(plan.body))

    def _stream(self, steps: Iterable[Step]) -> Iterator[Step]:
        limit, sent, events = self.after_bytes, 0, 0
        if limit is not None and limit <= 0:
            yield self.terminal
            return
        for step in steps:
            if isinstance(step, TERMINAL_STEPS):
                yield step
                return
            if isinstance(step, Write):
                if self.after_events is not None and step.event and events >= self.after_events:
                    yield self.terminal
                    return
                if limit is not None and sent + len(step.data) >= limit:
                    yield Write(step.data[: limit - sent], event=step.event)
                    yield self.terminal
                    return
                sent += len(step.data)
                events += step.event
            yield step


@dataclass(frozen=True)
class Drop(_Cut):
    """Close the connection (FIN) after ``after_bytes`` body bytes or ``after_events``
    events, whichever comes first; with neither, before sending any response at all."""

    terminal = CloseConnection()


@dataclass(frozen=True)
class Reset(_Cut):
    """Like :class:`Drop`, but abort the connection with a TCP reset (RST)."""

    terminal = ResetConnection()


@dataclass(frozen=True)
class Stall(_Cut):
    """Like :class:`Drop`, but go silent instead: send nothing more until the client
    disconnects or the server stops (exercises read timeouts)."""

    terminal = StallForever()


@dataclass(frozen=True)
class SplitWrites(Fault):
    """Write the body in pieces of ``size`` bytes, flushing each: SSE frames and multi-byte
    UTF-8 characters end up split across network writes. On a WebSocket session, every
    message goes out as continuation frames of ``size`` characters."""

    size: int = 1
    stage: ClassVar[int] = 5

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError("size must be at least 1")

    def apply(self, plan: ResponsePlan) -> ResponsePlan:
        """Re-cut the writes (a WebSocket session's frames: into continuation frames)."""
        if isinstance(plan, UpgradePlan):
            return replace(plan, fragment_size=self.size)
        return replace(plan, body=self._stream(plan.body))

    def _stream(self, steps: Iterable[Step]) -> Iterator[Step]:
        buffer = bytearray()
        for step in steps:
            if isinstance(step, Write):
                buffer += step.data
                while len(buffer) >= self.size:
                    yield Write(bytes(buffer[: self.size]), flush=True)
                    del buffer[: self.size]
                continue
            if buffer:
                yield Write(bytes(buffer), flush=True)
                buffer.clear()
            yield step
        if buffer:
            yield Write(bytes(buffer), flush=True)
