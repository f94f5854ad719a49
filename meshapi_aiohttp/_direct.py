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

__all__ = [
    "AVAILABLE",
    "BODY_LIMIT",
    "HEADS_LIMIT",
    "ORIGIN_LIMIT",
    "URL_CACHE_SIZE",
    "DirectResponse",
    "DirectRoad",
]

ORIGIN_LIMIT = 16
"""How many origins' connection keys a road keeps (an SDK client talks to one)."""

HEADS_LIMIT = 64
"""How many header layouts (the request's header names, in order) an origin keeps the fixed
part of its head for (the SDK sends a handful)."""

BODY_LIMIT = 64 * 1024
"""The largest body the short road sends: it goes out in one write, with no flow control
(a larger one takes the long road, which waits for the socket as it writes)."""

_BODILESS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "CONNECT"})
# What ClientSession uses for a session made with its defaults (the transport's own).
_READ_BUFSIZE = 2**16
_LINE_LIMIT = 8190


try:
    from aiohttp.helpers import TimeoutHandle, TimerNoop
except ImportError:  # pragma: no cover - an aiohttp without them: AVAILABLE is False
    TimeoutHandle = TimerNoop = None  # type: ignore[assignment,misc]

_NO_TIMER = TimerNoop() if TimerNoop is not None else None


def _protocol_parameters() -> Optional[Dict[str, Any]]:
    """The keyword arguments ``ResponseHandler.set_response_params`` gets, if it takes them."""
    try:
        from aiohttp.client_proto import ResponseHandler
    except ImportError:
        return None
    if not all(hasattr(ResponseHandler, name) for name in ("read", "start_timeout")):
        return None
    if TimeoutHandle is None or not hasattr(TimeoutHandle, "timer"):
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
    if "max_headers" in accepted:  # aiohttp 3.14 (3.13 has no limit of its own to set)
        wanted["max_headers"] = 128
    needed = {"timer", "skip_payload", "read_timeout", "timeout_ceil_threshold", *wanted}
    if not needed <= set(accepted):
        return None
    return wanted


_PARAMETERS = _protocol_parameters()
AVAILABLE = _PARAMETERS is not None
"""Whether aiohttp's protocol and timer are as the short road needs (checked at import)."""


def _target(url: str) -> Optional[Tuple[Tuple[str, str, int], str]]:
    """``url``'s origin (scheme, host, port) and request target, as aiohttp would send them;
    ``None`` for a URL the short road leaves to the long one (which reports what is wrong
    with it as aiohttp does): one yarl cannot parse, with credentials, or without a host.

    A URL without a query (an endpoint's path: few and repeated) is parsed once and kept
    (at most :data:`URL_CACHE_SIZE`)."""
    if "?" in url:
        return _parse(url)
    return _parse_kept(url)


def _parse(url: str) -> Optional[Tuple[Tuple[str, str, int], str]]:
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


URL_CACHE_SIZE = 256
"""How many parsed URLs without a query are kept (least recently used dropped first)."""
_parse_kept = lru_cache(maxsize=URL_CACHE_SIZE)(_parse)


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


class _Origin:
    """What the short road keeps per origin: the connection key (a ``ClientRequest``),
    aiohttp's automatic headers for it, the connector's ceil threshold, and the fixed part of
    the head per header layout (see :func:`_fixed`)."""

    __slots__ = ("automatic", "ceil", "heads", "key")

    def __init__(self, key: aiohttp.ClientRequest, ceil: float) -> None:
        self.key = key
        self.automatic = key.headers  # Host, Accept, Accept-Encoding, User-Agent
        self.ceil = ceil
        self.heads: Dict[Tuple[str, ...], Optional[Tuple[str, str, bool]]] = {}

    def fixed(self, names: Tuple[str, ...]) -> Optional[Tuple[str, str, bool]]:
        """:func:`_fixed` for these header names, kept (at most :data:`HEADS_LIMIT`)."""
        try:
            return self.heads[names]
        except KeyError:
            pass
        if len(self.heads) >= HEADS_LIMIT:
            self.heads.clear()
        found = self.heads[names] = _fixed(names, self.automatic)
        return found


class DirectRoad:
    """Sends whole-body requests on ``session`` (one the transport made: see the module
    docstring) through its connector and the connection's protocol."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session
        self._origins: Dict[Tuple[str, str, int], _Origin] = {}

    def _origin(self, origin: Tuple[str, str, int], url: str) -> _Origin:
        """What is kept for ``origin``, made once (at most :data:`ORIGIN_LIMIT` kept)."""
        found = self._origins.get(origin)
        if found is None:
            loop = asyncio.get_running_loop()
            key = aiohttp.ClientRequest("GET", URL(url), loop=loop, ssl=True)
            ceil = getattr(self._session.connector, "_timeout_ceil_threshold", 5)
            found = _Origin(key, ceil)
            if len(self._origins) >= ORIGIN_LIMIT:
                self._origins.clear()
            self._origins[origin] = found
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
        where = _target(url) if len(body) <= BODY_LIMIT else None
        if where is None:
            return None
        origin, target = where
        known = self._origin(origin, url)
        fixed = known.fixed(tuple(name for name, _ in headers))
        if fixed is None:
            return None
        head = _head(method, target, headers, fixed, body)
        handle: Optional[asyncio.TimerHandle] = None
        timer: Any = _NO_TIMER
        if timeout.total is not None:
            loop = asyncio.get_running_loop()
            timing = TimeoutHandle(loop, timeout.total, ceil_threshold=timeout.ceil_threshold)
            handle = timing.start()
            timer = timing.timer()
        connection: Any = None
        try:
            with timer:
                connector: Any = self._session.connector
                connection = await connector.connect(known.key, [], timeout)
                protocol = connection.protocol
                protocol.set_response_params(
                    timer=timer,
                    skip_payload=method == "HEAD",
                    read_timeout=timeout.sock_read,
                    timeout_ceil_threshold=known.ceil,
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


def _fixed(names: Tuple[str, ...], automatic: Any) -> Optional[Tuple[str, str, bool]]:
    """For a request with headers ``names``: its ``Host`` line (empty if it has its own), the
    automatic headers it lacks, as lines, and whether it has a ``Content-Type``; ``None`` for
    a request that frames its body itself (``Content-Length``, ``Transfer-Encoding``), which
    the long road sends."""
    given = {name.lower() for name in names}
    if "content-length" in given or "transfer-encoding" in given:
        return None
    host = "" if "host" in given else f"Host: {automatic['Host']}\r\n"
    lacking = "".join(
        f"{name}: {value}\r\n"
        for name, value in automatic.items()
        if name != "Host" and name.lower() not in given
    )
    return host, lacking, "content-type" in given


def _head(
    method: str,
    target: str,
    headers: Tuple[Tuple[str, str], ...],
    fixed: Tuple[str, str, bool],
    body: bytes,
) -> bytes:
    """The request's head as aiohttp writes it (see the module docstring, step 2): the
    request line, ``Host``, the request's headers, the automatic ones it lacks, the framing."""
    host, lacking, typed = fixed
    given = "".join(f"{name}: {value}\r\n" for name, value in headers)
    if given.count("\n") != len(headers) or given.count("\r") != len(headers):
        raise ValueError("Newline or carriage return character detected in HTTP header")
    framing = ""
    if body and not typed:  # what aiohttp labels bytes it is given
        framing = "Content-Type: application/octet-stream\r\n"
    if body or method not in _BODILESS:
        framing += f"Content-Length: {len(body)}\r\n"
    return f"{method} {target} HTTP/1.1\r\n{host}{given}{lacking}{framing}\r\n".encode()
