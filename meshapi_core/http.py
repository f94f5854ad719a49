"""Plain values that cross the line between the core and a transport.

The core never touches a socket. It hands a transport a :class:`Request` (method, absolute
URL, headers, body bytes, timeouts) and gets back a :class:`Response` (status, headers, body
bytes) or, for a stream, a status and headers followed by body bytes as they arrive.
Header names in a :class:`Response` are lower-case, so the core can look them up with a plain
``dict.get``; a transport that receives a header twice joins the values with ``", "``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, Mapping, Optional, Tuple, Union

Headers = Mapping[str, str]
"""Response headers with lower-case names."""

_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "proxy-authorization", "cookie"})


@dataclass(frozen=True)
class Timeout:
    """Per-attempt time limits in seconds; ``None`` means no limit.

    ``connect`` bounds opening a connection, ``read`` each wait for bytes from the server,
    ``write`` each wait to send bytes, and ``pool`` the wait for a free connection. ``idle``
    bounds the time between two events of a stream: keep-alive comments (``: ping``) reset
    ``read`` but not ``idle``, so a stream that only pings fails rather than hangs (default
    five minutes, the gateway's own upstream limit). ``total`` bounds the whole attempt:
    connecting, sending, and every read of the body, however the server paces it; the call
    machine sets it to the time left before the call's ``deadline``.

    >>> Timeout(30.0).read
    30.0
    >>> Timeout(600.0, connect=5.0).connect
    5.0
    """

    read: Optional[float] = 600.0
    connect: Optional[float] = 10.0
    write: Optional[float] = 60.0
    pool: Optional[float] = 60.0
    idle: Optional[float] = 300.0
    total: Optional[float] = None

    @classmethod
    def of(cls, value: Union[Timeout, float, None]) -> Timeout:
        """Accept a :class:`Timeout`, a number of seconds for every phase, or ``None``."""
        if isinstance(value, Timeout):
            return value
        if value is None:
            return cls(None, None, None, None, None, None)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"timeout must be a number of seconds or a Timeout, not {value!r}")
        seconds = float(value)
        if not seconds > 0:
            raise ValueError(f"timeout must be positive, not {value!r}")
        return cls(seconds, seconds, seconds, seconds, seconds, None)

    def capped(self, limit: Optional[float]) -> Timeout:
        """This timeout with no phase longer than ``limit`` seconds (the time left)."""
        if limit is None:
            return self

        def cap(value: Optional[float]) -> float:
            return limit if value is None else min(value, limit)

        return Timeout(
            cap(self.read),
            cap(self.connect),
            cap(self.write),
            cap(self.pool),
            cap(self.idle),
            cap(self.total),
        )


ERROR_BODY_LIMIT = 256 * 1024
"""How much of an error response's body is read (bytes after decompression); the rest is
dropped. Error bodies are a few hundred bytes of JSON, or a proxy's HTML page."""

TimeoutTypes = Union[Timeout, float, None]
"""What a ``timeout`` option accepts: a :class:`Timeout`, seconds for every phase, or ``None``."""


@dataclass(frozen=True)
class Request:
    """One HTTP request, ready for a transport to send.

    ``stream`` says the body is read as a stream (an SSE or byte stream) rather than whole.
    ``max_body`` bounds a whole successful body, in bytes after decompression; error bodies
    are bounded by :data:`ERROR_BODY_LIMIT`. The ``repr`` never shows the value of a
    credential header.
    """

    method: str
    url: str
    headers: Tuple[Tuple[str, str], ...]
    body: Optional[bytes] = None
    timeout: Timeout = field(default_factory=Timeout)
    stream: bool = False
    max_body: Optional[int] = None

    def header(self, name: str) -> Optional[str]:
        """The value of header ``name`` (any case), or ``None``."""
        return find_header(self.headers, name)

    def __repr__(self) -> str:
        shown = tuple(
            (k, "[redacted]" if k.lower() in _SECRET_HEADERS else v) for k, v in self.headers
        )
        size = 0 if self.body is None else len(self.body)
        return (
            f"Request(method={self.method!r}, url={self.url!r}, headers={shown!r}, "
            f"body=<{size} bytes>, stream={self.stream!r})"
        )


@dataclass(frozen=True)
class Response:
    """A complete HTTP response: status, lower-case headers, and the whole body."""

    status: int
    headers: Dict[str, str]
    body: bytes

    @property
    def request_id(self) -> Optional[str]:
        """The gateway's ``x-request-id`` for this response, if it sent one."""
        return self.headers.get("x-request-id")


def header_dict(items: Iterable[Tuple[str, str]]) -> Dict[str, str]:
    """Response headers as the core wants them: lower-case names, repeats joined by ``", "``.

    >>> header_dict([("X-Request-Id", "req_1"), ("Vary", "a"), ("vary", "b")])
    {'x-request-id': 'req_1', 'vary': 'a, b'}
    """
    headers: Dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def find_header(headers: Iterable[Tuple[str, str]], name: str) -> Optional[str]:
    """The first value of header ``name`` (any case) among ``headers`` pairs, or ``None``.

    >>> find_header([("Content-Type", "text/html")], "content-type")
    'text/html'
    """
    wanted = name.lower()
    for key, value in headers:
        if key.lower() == wanted:
            return value
    return None
