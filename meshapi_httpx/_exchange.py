"""What the connection under one exchange knew: was it reused, did any byte come back?

A request sent on a pooled keep-alive connection can race the server closing that connection
as idle: the request goes out, and the server's close (a FIN, or a reset for the bytes that
reached a closed socket) comes back instead of a response. Nothing was answered, so the call
machine may send it again (:class:`~meshapi_core.errors.StaleConnectionError`); but only the
connection knows whether it had carried an earlier exchange and whether any byte of this
response arrived, and httpx reports neither (its ``RemoteProtocolError: Server disconnected
without sending a response.`` is raised on a fresh connection too, and after part of a status
line).

So the network streams the transports put under httpcore's pools (``_deadline.py`` for the
blocking client, ``_network_async.py`` for the async one) are :class:`Tracked`: each knows
whether it has ever read a byte (``carried``: it delivered a response before), and while a
transport sends a request it marks the exchange with an :class:`Exchange` in a context
variable (:func:`exchange`), which the stream fills in as httpcore uses it: the first time
the exchange touches a stream it notes whether that stream had carried a response
(``reused``), and every read that returns bytes sets ``answered``. A context variable is
per thread and per task, so concurrent requests never see each other's exchange; outside
:func:`exchange` (the response's body, another library's requests on a shared client) the
streams record nothing for anyone.

A pool the transport cannot reach (a transport other than httpx's own) records nothing, and
its failures are never taken for stale connections.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Optional

import httpx

__all__ = ["Exchange", "Tracked", "current", "exchange"]

current: ContextVar[Optional[Exchange]] = ContextVar("meshapi_httpx_exchange", default=None)
"""The exchange the running request belongs to, while a transport sends it."""

# What a socket reports when the peer closed or reset the connection under a read or write.
_PEER_CLOSED = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class Tracked:
    """A network stream that says which exchanges used it (see the module docs)."""

    carried = False
    """Whether any byte was ever read from this stream: it answered an earlier request."""

    def _touched(self) -> Optional[Exchange]:
        """The running exchange, told that it uses this stream; ``None`` outside one."""
        record = current.get()
        if record is not None and record.stream is not self:
            record.stream, record.reused, record.answered = self, self.carried, False
        return record

    def _read(self, record: Optional[Exchange], data: bytes) -> bytes:
        """Note that ``data`` was read for ``record`` (from :meth:`_touched`); returns it."""
        if data:
            self.carried = True
            if record is not None:
                record.answered = True
        return data


class Exchange:
    """One request's dealings with the connection it went out on (see the module docs)."""

    __slots__ = ("answered", "reused", "stream")

    def __init__(self) -> None:
        self.stream: Optional[Tracked] = None
        self.reused = False
        self.answered = False

    def stale(self, exc: Exception) -> bool:
        """Whether ``exc`` ended this exchange on a reused connection the server had closed,
        before any byte of a response arrived."""
        if not self.reused or self.answered:
            return False
        if isinstance(exc, httpx.RemoteProtocolError):
            return True  # with nothing read, only the end of the connection says this
        if not isinstance(exc, (httpx.ReadError, httpx.WriteError)):
            return False
        cause: Optional[BaseException] = exc
        for _ in range(8):  # httpx's, httpcore's, anyio's or trio's, the socket's
            if cause is None:
                break
            if isinstance(cause, _PEER_CLOSED):
                return True
            cause = cause.__cause__ or cause.__context__
        return False


class exchange:
    """Marks the exchange of one request while inside; ``as`` gives its :class:`Exchange`."""

    __slots__ = ("_record", "_token")

    def __init__(self) -> None:
        self._record = Exchange()

    def __enter__(self) -> Exchange:
        self._token = current.set(self._record)
        return self._record

    def __exit__(self, *exc_info: object) -> None:
        current.reset(self._token)
