"""The Sans-IO boundary: a parsed request goes in, a response *plan* comes out.

The gateway never touches a socket. It turns a :class:`GatewayRequest` into a
:class:`ResponsePlan`: a status, headers, and a sequence of *steps* that a driver (the socket
server or the in-process transport) carries out in order:

- :class:`Write` -- send these bytes; ``event=True`` marks a write that is exactly one
  complete SSE event, which is how faults count "after N events". A driver may combine
  consecutive writes into one network write (as TCP may anyway) and flushes before every
  other step; ``flush=True`` forces a write to go out alone, at once (split-write faults);
- :class:`Pause` -- wait this many seconds;
- :class:`CloseConnection` -- close the connection without finishing the response (a FIN);
- :class:`ResetConnection` -- abort the connection (an RST where the platform allows);
- :class:`StallForever` -- send nothing more until the client goes away or the server stops.

``prelude`` steps run before the status line (a delay, or a failure with no response at
all); ``body`` steps run after it. ``body`` may be a lazy, one-shot iterable, so a 20,000-chunk
stream is produced as it is sent. ``streaming`` plans are framed with chunked
transfer-encoding; the others carry ``content-length`` for the *intact* body, so a plan that
closes the connection early produces a truncated body that a client can detect.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, Iterable, Iterator, List, Optional, Sequence, Tuple, Union
from urllib.parse import parse_qs, unquote, urlsplit

from meshapi_core.http import find_header

HeaderList = Tuple[Tuple[str, str], ...]


def dumps(value: Any) -> bytes:
    """Compact JSON, UTF-8, non-ASCII kept as is (what the gateway's framework emits)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class GatewayRequest:
    """One parsed HTTP request as the gateway sees it.

    ``target`` is the request target as sent (path and optional query string); ``headers``
    keeps the names as sent, in order, duplicates included; ``scheme`` is how it arrived
    (``"https"`` over TLS), for the URLs the gateway hands back.
    """

    method: str
    target: str
    headers: HeaderList = ()
    body: bytes = b""
    scheme: str = "http"

    @property
    def path(self) -> str:
        """The percent-decoded path, without the query string."""
        return unquote(urlsplit(self.target).path) or "/"

    @property
    def raw_path(self) -> str:
        """The path as sent, still percent-encoded."""
        return urlsplit(self.target).path or "/"

    @property
    def query(self) -> dict[str, List[str]]:
        """The query string as ``{name: [values...]}``."""
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    def header_values(self, name: str) -> List[str]:
        """Every value of header ``name`` (any case), in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    def header(self, name: str) -> Optional[str]:
        """The value of header ``name``; repeated headers are joined with ``", "``."""
        values = self.header_values(name)
        return ", ".join(values) if values else None


@dataclass(frozen=True)
class Write:
    """Send ``data``; ``event`` marks exactly one complete SSE event; ``flush`` sends it
    alone and at once instead of letting the driver combine it with neighbouring writes."""

    data: bytes
    event: bool = False
    flush: bool = False


@dataclass(frozen=True)
class Pause:
    """Wait ``seconds`` before the next step."""

    seconds: float


@dataclass(frozen=True)
class CloseConnection:
    """Close the connection now, leaving the response unfinished (a clean FIN)."""


@dataclass(frozen=True)
class ResetConnection:
    """Abort the connection now (TCP RST via ``SO_LINGER`` 0 where possible)."""


@dataclass(frozen=True)
class StallForever:
    """Send nothing more; wait until the client disconnects or the server stops."""


Step = Union[Write, Pause, CloseConnection, ResetConnection, StallForever]
"""One step of a :class:`ResponsePlan`'s body: write bytes, pause, or end the connection."""
TERMINAL_STEPS = (CloseConnection, ResetConnection, StallForever)


@dataclass(frozen=True)
class ResponsePlan:
    """What to answer: status, headers, and the steps that produce (or break) the body.

    ``body`` may be a one-shot iterator: iterate it once. ``close`` asks the driver to close
    the connection after this response (it also sends ``Connection: close``).
    """

    status: int
    headers: HeaderList
    body: Iterable[Step] = ()
    prelude: Tuple[Step, ...] = ()
    streaming: bool = False
    close: bool = False

    def header(self, name: str) -> Optional[str]:
        """The value of response header ``name`` (any case), or ``None``."""
        return find_header(self.headers, name)

    def with_headers(self, *extra: Tuple[str, str], replace_existing: bool = True) -> ResponsePlan:
        """This plan with ``extra`` headers added (replacing same-named ones by default)."""
        names = {key.lower() for key, _ in extra}
        kept = tuple(
            (k, v) for k, v in self.headers if not (replace_existing and k.lower() in names)
        )
        return replace(self, headers=kept + tuple(extra))

    def steps(self) -> Iterator[Step]:
        """The body steps (consumes a one-shot body)."""
        return iter(self.body)

    def read_body(self) -> bytes:
        """The body bytes up to the first terminal step, ignoring pauses (for Sans-IO tests).

        Consumes a one-shot body.
        """
        out = bytearray()
        for step in self.body:
            if isinstance(step, Write):
                out += step.data
            elif isinstance(step, TERMINAL_STEPS):
                break
        return bytes(out)


def bytes_plan(
    status: int,
    data: bytes,
    content_type: str,
    *,
    headers: Sequence[Tuple[str, str]] = (),
    close: bool = False,
) -> ResponsePlan:
    """A complete, ``content-length``-framed response carrying ``data``."""
    head: HeaderList = (
        ("content-type", content_type),
        ("content-length", str(len(data))),
        *headers,
    )
    return ResponsePlan(status, head, (Write(data),) if data else (), close=close)


def json_plan(
    status: int, payload: Any, *, headers: Sequence[Tuple[str, str]] = ()
) -> ResponsePlan:
    """A JSON response (``application/json``, compact encoding)."""
    return bytes_plan(status, dumps(payload), "application/json", headers=headers)


def empty_plan(status: int, *, headers: Sequence[Tuple[str, str]] = ()) -> ResponsePlan:
    """A response with no body (204 carries no ``content-length`` at all)."""
    head: HeaderList = tuple(headers)
    if status not in (204, 304):
        head = (("content-length", "0"), *head)
    return ResponsePlan(status, head, ())


def sse_plan(
    events: Iterable[bytes], *, status: int = 200, headers: Sequence[Tuple[str, str]] = ()
) -> ResponsePlan:
    """A ``text/event-stream`` response; each item of ``events`` is one complete event."""
    head: HeaderList = (
        ("content-type", "text/event-stream"),
        ("cache-control", "no-cache"),
        *headers,
    )
    return ResponsePlan(
        status, head, (Write(event, event=True) for event in events), streaming=True
    )
