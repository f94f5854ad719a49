"""What happens during a call, described as plain values: for logs, hooks and raw responses.

An engine reports four moments of a call; each becomes one immutable event, built here, so
every transport and both clients describe a call the same way:

- :class:`RequestEvent`: an attempt is about to be sent (method, URL, attempt number);
- :class:`ResponseEvent`: an attempt ended, with a status and headers, or without a response
  (``status == 0`` and ``error`` says why); an error status carries its typed ``error`` too;
- :class:`RetryEvent`: the call will try again after ``wait`` seconds, because of ``error``;
- :class:`StreamEndEvent`: a stream ended: complete, interrupted, or closed early.

:class:`ResponseInfo` is what a call's raw response reports about the exchange that produced
its value: status, headers, request id, the time it took and how many attempts it needed.

None of these hold a request's headers, so none can leak a credential; a URL is the one the
SDK built (the token travels in a header, never in a URL). Each event's ``message()``
(:meth:`RetryEvent.message`, ...) gives the line the ``meshapi`` logger writes for it.

>>> event = RetryEvent("POST", "https://api.meshapi.ai/v1/chat/completions", 1, 0.5,
...                    error=None, status=503, error_code="upstream_error")
>>> event.message()
'Retrying POST /v1/chat/completions in 0.5 s (attempt 1 failed: HTTP 503 upstream_error)'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping, Optional
from urllib.parse import urlsplit

from .meta import ResponseMeta

if TYPE_CHECKING:
    from .errors import MeshAPIError

__all__ = [
    "RequestEvent",
    "ResponseEvent",
    "ResponseInfo",
    "RetryEvent",
    "StreamEndEvent",
    "describe_failure",
]

_REASON_LIMIT = 200  # characters of an error's message quoted in a log line or a reason


def _path(url: str) -> str:
    return urlsplit(url).path or "/"


def _seconds(value: float) -> str:
    return f"{value:.3g} s"


def describe_failure(
    error: Optional[BaseException], status: int = 0, error_code: Optional[str] = None
) -> str:
    """A short, bounded reason for a failed attempt: ``HTTP 503 upstream_error`` for an error
    status, else the error's type and message.

    >>> from meshapi_core.errors import APIConnectionError
    >>> describe_failure(APIConnectionError("refused"))
    'APIConnectionError: refused'
    """
    if status:
        return f"HTTP {status} {error_code}" if error_code else f"HTTP {status}"
    if error is None:
        return "unknown failure"
    text = getattr(error, "message", None) or str(error)
    if len(text) > _REASON_LIMIT:
        text = text[: _REASON_LIMIT - 3] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class _Exchange:
    """What every event about one exchange offers: its path and the gateway's request id."""

    url: str

    @property
    def path(self) -> str:
        """The URL's path, without the query."""
        return _path(self.url)

    @property
    def request_id(self) -> Optional[str]:
        """The gateway's ``x-request-id``, when a response came with one."""
        headers: Mapping[str, str] = getattr(self, "headers", {})
        return headers.get("x-request-id")

    @property
    def meta(self) -> ResponseMeta:
        """What the gateway said about the response in its headers (cache hit, fallback,
        API version...: :class:`~meshapi_core.meta.ResponseMeta`), read when asked for;
        all ``None`` without a response."""
        return ResponseMeta.from_headers(getattr(self, "headers", {}))


@dataclass(frozen=True)
class RequestEvent(_Exchange):
    """An attempt is about to be sent. ``attempt`` counts from 1."""

    method: str
    url: str
    attempt: int

    def message(self) -> str:
        """The log line for this event."""
        return f"Sending {self.method} {self.path} (attempt {self.attempt})"


@dataclass(frozen=True)
class ResponseEvent(_Exchange):
    """An attempt ended. ``status`` is ``0`` when no response came (``error`` says why);
    for an error status, ``error`` is the typed error it means. ``elapsed`` is the attempt's
    time in seconds, from sending to the whole body (a stream: to its head)."""

    method: str
    url: str
    attempt: int
    status: int
    elapsed: float
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    error: Optional[MeshAPIError] = None

    def message(self) -> str:
        """The log line for this event."""
        where = f"{self.method} {self.path}"
        if self.status:
            outcome = f"{where} -> {self.status}"
            code = getattr(self.error, "error_code", None)
            if code:
                outcome += f" {code}"
        else:
            outcome = f"{where} failed ({describe_failure(self.error)})"
        facts = [_seconds(self.elapsed)]
        if self.request_id:
            facts.insert(0, self.request_id)
        if self.attempt > 1:
            facts.append(f"attempt {self.attempt}")
        return f"{outcome} [{', '.join(facts)}]"


@dataclass(frozen=True)
class RetryEvent(_Exchange):
    """The call tries again after ``wait`` seconds because attempt ``attempt`` failed."""

    method: str
    url: str
    attempt: int
    wait: float
    error: Optional[MeshAPIError]
    status: int = 0
    error_code: Optional[str] = None

    @property
    def reason(self) -> str:
        """Why the attempt failed, in a few words (bounded)."""
        return describe_failure(self.error, self.status, self.error_code)

    def message(self) -> str:
        """The log line for this event."""
        return (
            f"Retrying {self.method} {self.path} in {self.wait:g} s "
            f"(attempt {self.attempt} failed: {self.reason})"
        )


@dataclass(frozen=True)
class StreamEndEvent(_Exchange):
    """A stream ended after ``events`` events, ``elapsed`` seconds after it was sent.

    ``completed`` is true when the gateway said it was done; otherwise ``error`` is why it
    stopped (``None`` when the caller closed it early).
    """

    method: str
    url: str
    status: int
    events: int
    elapsed: float
    completed: bool
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    error: Optional[BaseException] = None

    def message(self) -> str:
        """The log line for this event."""
        if self.completed:
            how = "complete"
        elif self.error is not None:
            how = f"interrupted ({describe_failure(self.error)})"
        else:
            how = "closed early"
        rid = f"{self.request_id}, " if self.request_id else ""
        return (
            f"Stream {self.method} {self.path} ended, {how}, after {self.events} events "
            f"[{rid}{_seconds(self.elapsed)}]"
        )


@dataclass(frozen=True)
class ResponseInfo:
    """What a call's raw response tells about the exchange behind its value.

    ``elapsed`` is in seconds from the first attempt to the response (the whole body; for a
    stream, its head). ``attempts`` counts every attempt, the last included. ``body`` is the
    whole body of a non-stream response, ``None`` for a stream.
    """

    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    elapsed: float
    attempts: int
    body: Optional[bytes] = field(default=None, repr=False)

    @property
    def request_id(self) -> Optional[str]:
        """The gateway's ``x-request-id``."""
        return self.headers.get("x-request-id")

    @property
    def meta(self) -> ResponseMeta:
        """What the gateway said about the response in its headers
        (:class:`~meshapi_core.meta.ResponseMeta`)."""
        return ResponseMeta.from_headers(self.headers)
