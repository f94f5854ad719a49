"""The Sans-IO boundary of a WebSocket session: a plan whose body is the session itself.

An upgrade request that the gateway accepts gets an :class:`UpgradePlan`: status ``101``, the
subprotocol to select, and a ``body`` of steps like any streamed plan's, produced lazily by
the session (:mod:`meshapi.testing._gateway.sessions`):

- ``Write(data, event=True)``: one server text frame (``data`` is its UTF-8 JSON);
- ``Write(data)`` without ``event`` (a keep-alive the :class:`~meshapi.testing.faults.Ping`
  fault inserts): a WebSocket ping;
- :class:`AwaitInput`: the session needs the client's next message before it can go on: the
  driver reads one (within the idle limit), puts it in :attr:`UpgradePlan.inbox`, and
  resumes the body;
- :class:`CloseSession`: send a close frame with ``code`` and ``reason``, then end;
- ``Pause``, ``CloseConnection`` (a drop: no close frame), ``ResetConnection``,
  ``StallForever``: as for HTTP.

Because the body is an ordinary step iterable, the existing faults rewrite a session as they
rewrite a stream, counting server frames as events: ``Drop(after_events=2)`` cuts the
connection after two frames, ``Stall`` goes silent, ``Malformed(event=1)`` truncates the
second frame's JSON, ``Delay`` and ``Ping`` pace it. Steps a fault does not know
(:class:`AwaitInput`, :class:`CloseSession`) pass through every fault unchanged.

What the driver puts in the inbox: :class:`ClientText`, :class:`ClientBinary`,
:class:`ClientClosed` (the client's close frame, or the connection's end) and
:class:`LimitReached` (the idle limit or the session cap passed first).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple, Union

from .plan import ResponsePlan, Step


@dataclass(frozen=True)
class AwaitInput:
    """Read the client's next message into the inbox before going on."""


@dataclass(frozen=True)
class CloseSession:
    """Send a close frame (``code``, ``reason``) and end the session."""

    code: int = 1000
    reason: str = ""


@dataclass(frozen=True)
class ClientText:
    """A text message from the client."""

    data: str


@dataclass(frozen=True)
class ClientBinary:
    """A binary message from the client."""

    data: bytes


@dataclass(frozen=True)
class ClientClosed:
    """The client closed the session (``code`` 1006: the connection just ended)."""

    code: int = 1000


@dataclass(frozen=True)
class LimitReached:
    """A limit passed while waiting for the client: ``idle_timeout`` or
    ``session_duration_exceeded``."""

    code: str


ClientInput = Union[ClientText, ClientBinary, ClientClosed, LimitReached]

SessionStep = Union[Step, AwaitInput, CloseSession]
"""What a session's body yields."""


@dataclass(frozen=True)
class UpgradePlan(ResponsePlan):
    """A ``101 Switching Protocols`` answer and the session behind it (see module docs).

    ``fragment_size`` (set by the :class:`~meshapi.testing.faults.SplitWrites` fault) sends
    every frame as continuation frames of that many bytes; ``idle_timeout`` and
    ``max_duration`` are the session's limits in seconds (``None``: none).
    """

    subprotocol: Optional[str] = None
    inbox: Deque[ClientInput] = field(default_factory=deque, compare=False)
    fragment_size: Optional[int] = None
    idle_timeout: Optional[float] = None
    max_duration: Optional[float] = None
    on_end: Any = field(default=None, compare=False)
    """Called (no arguments) once the session is over, whatever ended it."""


QUERY_CREDENTIALS: Dict[str, Tuple[str, ...]] = {
    "/v1/realtime": ("api_key",),
    "/v1/audio/transcriptions/realtime": ("api_key", "token"),
}
"""The query parameters each socket takes a credential from (by path; the speech-stream
sockets, whose paths carry a voice id, take ``api_key``)."""
DEFAULT_QUERY_CREDENTIALS = ("api_key",)


def is_upgrade(headers: Callable[[str], Optional[str]]) -> bool:
    """Whether a request (its ``header`` lookup) asks for a WebSocket upgrade."""
    upgrade = (headers("upgrade") or "").lower()
    connection = (headers("connection") or "").lower()
    return "websocket" in upgrade and "upgrade" in connection


def offered_subprotocols(value: Optional[str]) -> List[str]:
    """The entries of a ``Sec-WebSocket-Protocol`` header."""
    return [entry.strip() for entry in (value or "").split(",") if entry.strip()]
