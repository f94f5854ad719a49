"""The short road: a whole-body request on a session the transport made, sent without
``ClientSession._request``.

``session.request()`` runs, on every call, the machinery of everything a session can be
configured with: it merges default headers into a ``CIMultiDict``, parses the URL, looks for
credentials in it and in ``.netrc``, asks the cookie jar for cookies, calls trace hooks and
middlewares, builds a ``ClientRequest`` (which works out its host, version, headers, auto
headers, cookies, encoding, auth, proxy, body payload and transfer encoding afresh), writes
the head through a ``StreamWriter``, and wraps the answer in a ``ClientResponse``. At 50
requests in flight that is about 75 us of CPU per request on this machine, half of what a
request costs in all (see ``bench/README.md``, run 17). The session the transport makes has
none of those features: no default headers, no cookies kept, no auth, no traces, no
middlewares, no base URL, no redirects followed, no environment proxies (the transport routes
proxies itself).

So for such a session, when the request's body is bytes and no proxy routes it, the
transport sends it by the short road, with the same parts aiohttp's own road ends in:

1. The connection comes from the session's connector (``connector.connect``, public), keyed
   by a ``ClientRequest`` made once per origin, exactly as ``session.request`` would make it:
   the same pool, the same TLS (the connector's SSL context), the same limits, the same
   ``connect`` and ``sock_connect`` timeouts.
2. The head is written as aiohttp writes it: ``Host`` and aiohttp's automatic headers
   (``Accept``, ``Accept-Encoding``, ``User-Agent``) where the request has none, taken from
   that ``ClientRequest``; the request's headers as given; ``Content-Length`` for a body (and
   ``0`` for a method that carries one), and ``Content-Type: application/octet-stream`` for a
   body without a type (the core always gives one). A header name or value with a line
   break is refused (``ValueError``, as aiohttp refuses it). Head and body go out in one
   write, at most :data:`BODY_LIMIT` bytes of body (a larger one takes the long road, which
   waits for the socket as it writes), and the ``sock_read`` timer starts once they are
   handed to the socket.
3. The answer is read by the connection's own protocol and aiohttp's parser
   (``set_response_params`` and ``read``, as ``ClientResponse.start`` does), with the same
   limits (line, field and header counts), the ``sock_read`` timeout and informational
   answers skipped; the body is the protocol's ``StreamReader``.
4. ``total`` is aiohttp's own timer (``TimeoutHandle``), which bounds the connect, the head
   and every read of the body, as on the long road.
5. The connection goes back to the pool when the body was read to its end and the answer
   allows it (``Connection.release`` asks the protocol), and is closed otherwise.

Steps 3 and 4 use names aiohttp does not document: ``ResponseHandler.set_response_params``,
``start_timeout`` and ``read``, and ``aiohttp.helpers.TimeoutHandle``. They have kept their
form through aiohttp 3.13 and 3.14; :data:`AVAILABLE` checks them once, at import, and when
they are not as expected every request takes the long road.
``tests/aiohttp/test_transport.py`` runs on both roads.
"""

from __future__ import annotations

import asyncio
import inspect
from functools import lru_cache
from typing import Any, Dict, Optional, Tuple

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

__all__ = ["AVAILABLE", "BODY_LIMIT", "ORIGIN_LIMIT", "DirectResponse", "DirectRoad"]

ORIGIN_LIMIT = 16
"""How many origins' connection keys a road keeps (an SDK client talks to one)."""

BODY_LIMIT = 64 * 1024
"""The largest body the short road sends: it goes out in one write, with no flow control
(a larger one takes the long road, which waits for the socket as it writes)."""

_BODILESS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "CONNECT"})
# What ClientSession uses for a session made with its defaults (the transport's own).
_READ_BUFSIZE = 2**16
_LINE_LIMIT = 8190


def _protocol_parameters() -> Optional[Dict[str, Any]]:
    """The keyword arguments ``ResponseHandler.set_response_params`` gets, if it takes them."""
    try:
        from aiohttp.client_proto import ResponseHandler
        from aiohttp.helpers import TimeoutHandle
    except ImportError:
        return None
    if not all(hasattr(ResponseHandler, name) for name in ("read", "start_timeout")):
        return None
    if not hasattr(TimeoutHandle, "timer"):
        return None
    try:
        accepted = inspect.signature(ResponseHandler.set_response_params).parameters
    except (TypeError, ValueError):
        return None
    wanted: Dict[str, Any] = {
        "read_until_eof": True,  # session.request's default: no length, read to the close
        "auto_decompress": False,  # the core decodes
        "read_bufsize": _READ_BUFSIZE,
        "max_line_size": _LINE_LIMIT,
        "max_field_size": _LINE_LIMIT,
    }
    if "max_headers" in accepted:  # aiohttp 3.13.3 and later
        wanted["max_headers"] = 128
    needed = {"timer", "skip_payload", "read_timeout", "timeout_ceil_threshold", *wanted}
    if not needed <= set(accepted):
        return None
    return wanted


_PARAMETERS = _protocol_parameters()
AVAILABLE = _PARAMETERS is not None
"""Whether aiohttp's protocol and timer are as the short road needs (checked at import)."""


@lru_cache(maxsize=256)
def _target(url: str) -> Optional[Tuple[Tuple[str, str, int], str]]:
    """``url``'s origin (scheme, host, port) and request target, as aiohttp would send them;
    ``None`` for a URL the short road leaves to the long one (which reports what is wrong
    with it as aiohttp does): one yarl cannot parse, with credentials, or without a host."""
    try:
        parsed = URL(url)
    except ValueError:
        return None
    port = parsed.port
    if not parsed.raw_host or parsed.raw_user is not None or port is None:
        return None
    if parsed.scheme not in ("http", "https"):
        return None
    return (parsed.scheme, parsed.raw_host, port), parsed.raw_path_qs


class DirectResponse:
    """An answer read by the short road: what :class:`aiohttp.ClientResponse` gives the
    transport (``status``, ``headers``, ``content``, ``release``, ``close``, ``closed``), and
    no more."""

    __slots__ = ("_connection", "_timer", "content", "headers", "status")

    def __init__(
        self,
        status: int,
        headers: CIMultiDictProxy[str],
        content: aiohttp.StreamReader,
        connection: Any,
        timer: Optional[asyncio.TimerHandle],
    ) -> None:
        self.status = status
        self.headers = headers
        self.content = content
        self._connection = connection
        self._timer = timer

    @property
    def closed(self) -> bool:
        """Whether the connection was given back (released or closed)."""
        return self._connection is None

    def release(self) -> None:
        """The body was read: the connection goes back to the pool if the answer allows."""
        self._done(release=True)

    def close(self) -> None:
        """Drop the connection (the body was not read to its end)."""
        self._done(release=False)

    def _done(self, *, release: bool) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if release:
            connection.release()
        else:
            connection.close()


class DirectRoad:
    """Sends whole-body requests on ``session`` (one the transport made: see the module
    docstring) through its connector and the connection's protocol."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session
        self._keys: Dict[Tuple[str, str, int], Tuple[aiohttp.ClientRequest, Any, float]] = {}

    def _origin(self, origin: Tuple[str, str, int], url: str) -> Tuple[Any, Any, float]:
        """The connection key, aiohttp's automatic headers and the ceil threshold for
        ``origin``, made once (at most :data:`ORIGIN_LIMIT` kept)."""
        found = self._keys.get(origin)
        if found is None:
            loop = asyncio.get_running_loop()
            key = aiohttp.ClientRequest("GET", URL(url), loop=loop, ssl=True)
            automatic = key.headers  # Host, Accept, Accept-Encoding, User-Agent
            connector = self._session.connector
            ceil = getattr(connector, "_timeout_ceil_threshold", 5)
            found = (key, automatic, ceil)
            if len(self._keys) >= ORIGIN_LIMIT:
                self._keys.clear()
            self._keys[origin] = found
        return found

    async def send(
        self,
        method: str,
        url: str,
        headers: Tuple[Tuple[str, str], ...],
        body: bytes,
        timeout: aiohttp.ClientTimeout,
    ) -> Optional[DirectResponse]:
        """Send the request; return once the status and headers are in.

        Returns ``None``, having sent nothing, for a request the long road must send (see
        :func:`_target` and :func:`_head`). Raises ``ValueError`` (before anything is sent)
        for a header aiohttp would refuse, and what aiohttp's connector and parser raise."""
        from aiohttp.helpers import TimeoutHandle

        where = _target(url) if len(body) <= BODY_LIMIT else None
        if where is None:
            return None
        origin, target = where
        key, automatic, ceil = self._origin(origin, url)
        head = _head(method, target, headers, automatic, body)
        if head is None:
            return None
        loop = asyncio.get_running_loop()
        timing = TimeoutHandle(loop, timeout.total, ceil_threshold=timeout.ceil_threshold)
        handle = timing.start()
        timer = timing.timer()
        connection: Any = None
        try:
            with timer:
                connection = await self._session.connector.connect(key, [], timeout)  # type: ignore[union-attr]
                protocol = connection.protocol
                protocol.set_response_params(
                    timer=timer,
                    skip_payload=method == "HEAD",
                    read_timeout=timeout.sock_read,
                    timeout_ceil_threshold=ceil,
                    **_PARAMETERS,  # type: ignore[arg-type]
                )
                transport = connection.transport
                if transport is None:  # closed by the server since the pool checked it
                    raise aiohttp.ServerDisconnectedError()
                transport.write(head + body if body else head)
                protocol.start_timeout()  # sock_read runs from here, as after aiohttp's write
                while True:
                    message, payload = await protocol.read()
                    if message.code < 100 or message.code > 199 or message.code == 101:
                        break
        except BaseException:
            if handle is not None:
                handle.cancel()
            if connection is not None:
                connection.close()
            raise
        return DirectResponse(message.code, message.headers, payload, connection, handle)


def _head(
    method: str,
    target: str,
    headers: Tuple[Tuple[str, str], ...],
    automatic: Any,
    body: bytes,
) -> Optional[bytes]:
    """The request's head as aiohttp writes it (see the module docstring, step 2); ``None``
    for a request whose framing is its own (``Content-Length``, ``Transfer-Encoding``), which
    the long road sends."""
    given = {name.lower() for name, _ in headers}
    if "content-length" in given or "transfer-encoding" in given:
        return None
    lines = [f"{method} {target} HTTP/1.1"]
    if "host" not in given:
        lines.append(f"Host: {automatic['Host']}")
    lines.extend(f"{name}: {value}" for name, value in headers)
    lines.extend(
        f"{name}: {value}"
        for name, value in automatic.items()
        if name != "Host" and name.lower() not in given
    )
    if body and "content-type" not in given:  # what aiohttp labels bytes it is given
        lines.append("Content-Type: application/octet-stream")
    if body or method not in _BODILESS:
        lines.append(f"Content-Length: {len(body)}")
    text = "\r\n".join(lines)
    breaks = len(lines) - 1
    if text.count("\n") != breaks or text.count("\r") != breaks:
        raise ValueError("Newline or carriage return character detected in HTTP header")
    return (text + "\r\n\r\n").encode("utf-8")
