"""Plain values that cross the line between the core and a transport.

The core never touches a socket. It hands a transport a :class:`Request` (method, absolute
URL, headers, body, timeouts) and gets back a :class:`Response` (status, headers, body
bytes) or, for a stream, a status and headers followed by body bytes as they arrive.
Header names in a :class:`Response` are lower-case, so the core can look them up with a plain
``dict.get``; a transport that receives a header twice joins the values with ``", "``.

A request body is ``bytes`` (JSON, small forms: the fast path) or a :class:`StreamedBody`, a
sequence of parts that are bytes or *references* to bytes: a range of a file on disk
(:class:`FileRange`) or an open binary file (:class:`ReaderRange`). A transport sends a
streamed body with :meth:`StreamedBody.chunks`, which reads the references in bounded chunks
(:data:`UPLOAD_CHUNK_SIZE`) through the file opener the transport hands it, so a 1 GiB upload
never sits in memory. A body made only of bytes and file ranges can be sent again from its
start (:attr:`StreamedBody.replayable`); one that reads a pipe or socket cannot, and a call
with such a body is never retried.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Dict,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Optional,
    Protocol,
    Tuple,
    Union,
)
from urllib.parse import SplitResult, urlsplit

from .errors import InvalidArgumentError, MeshAPIError

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
    def of(cls, value: TimeoutTypes) -> Timeout:
        """Accept a :class:`Timeout`, a number of seconds for every phase, ``None``, or
        another library's timeout with ``connect``, ``read``, ``write`` and ``pool``
        (an ``httpx.Timeout``, as openai-python takes): those phases are taken as they are,
        and ``idle`` keeps its default unless every phase is unlimited.

        >>> class HttpxLike:   # what httpx.Timeout(60.0, connect=5.0) holds
        ...     connect, read, write, pool = 5.0, 60.0, 60.0, 60.0
        >>> Timeout.of(HttpxLike())
        Timeout(read=60.0, connect=5.0, write=60.0, pool=60.0, idle=300.0, total=None)
        """
        if isinstance(value, Timeout):
            return value
        if value is None:
            return cls(None, None, None, None, None, None)
        if not isinstance(value, (int, float)) and all(hasattr(value, n) for n in _PHASES):
            return cls._of_phases(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(
                f"timeout must be a number of seconds, a Timeout or an httpx.Timeout, not {value!r}"
            )
        seconds = float(value)
        if not seconds > 0:
            raise ValueError(f"timeout must be positive, not {value!r}")
        return cls(seconds, seconds, seconds, seconds, seconds, None)

    @classmethod
    def _of_phases(cls, value: Any) -> Timeout:
        phases: Dict[str, Optional[float]] = {}
        for name in _PHASES:
            seconds = getattr(value, name)
            if seconds is not None and (
                isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0
            ):
                raise ValueError(
                    f"timeout.{name} must be a positive number of seconds or None, not {seconds!r}"
                )
            phases[name] = None if seconds is None else float(seconds)
        unlimited = all(seconds is None for seconds in phases.values())
        return cls(**phases, idle=None if unlimited else cls.idle)

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

_PHASES = ("connect", "read", "write", "pool")


class TimeoutLike(Protocol):
    """Another library's timeout, read by its phases: ``httpx.Timeout`` is one."""

    @property
    def connect(self) -> Optional[float]:
        """Seconds to open a connection."""

    @property
    def read(self) -> Optional[float]:
        """Seconds for each read."""

    @property
    def write(self) -> Optional[float]:
        """Seconds for each write."""

    @property
    def pool(self) -> Optional[float]:
        """Seconds to wait for a free connection."""


TimeoutTypes = Union[Timeout, float, TimeoutLike, None]
"""What a ``timeout`` option accepts: a :class:`Timeout`, seconds for every phase, an
``httpx.Timeout`` (any :class:`TimeoutLike`), or ``None``."""


UPLOAD_CHUNK_SIZE = 256 * 1024
"""How many bytes of a file a transport reads (and holds) at a time while sending it."""


_DEFAULT_TIMEOUT = Timeout()


@dataclass(frozen=True)
class FileRange:
    """``length`` bytes of the file at ``path``, from byte ``offset``.

    Read afresh, from ``offset``, on every attempt, so a body holding one can be sent again.
    ``param`` names the argument the file came from, for error messages.
    """

    path: str
    offset: int
    length: int
    param: str = "file"


@dataclass(frozen=True, eq=False)
class ReaderRange:
    """Bytes of an open binary file object (anything with ``read(n) -> bytes``).

    With ``start`` (a seekable file), every attempt rewinds the reader to ``start`` and reads
    ``length`` bytes: replayable. Without (a pipe, a socket, a stream), the reader is read
    once, to its end or for ``length`` bytes: a one-shot body. The SDK never closes it.
    """

    reader: Any
    start: Optional[int] = None
    length: Optional[int] = None
    param: str = "file"

    @property
    def replayable(self) -> bool:
        """Whether the bytes can be read again from the start."""
        return self.start is not None


BodyPart = Union[bytes, FileRange, ReaderRange]
"""One part of a :class:`StreamedBody`."""

FileOpener = Callable[[str], Any]
"""How a transport opens a file for reading: ``open(path, "rb")``, or a stand-in in tests."""


@dataclass(frozen=True)
class StreamedBody:
    """A request body sent as it is read: bytes and references to bytes, in order.

    ``length`` is the total size, or ``None`` when a one-shot part does not say (the
    transport then sends it with chunked transfer-encoding). ``limit``, if set, bounds what
    :meth:`chunks` sends of a body of unknown length: past it, sending stops with an
    :class:`~meshapi_core.errors.InvalidArgumentError`.

    >>> import io
    >>> body = StreamedBody((b"head:", ReaderRange(io.BytesIO(b"abcdef"), 0, 6), b":tail"))
    >>> body.length, body.replayable
    (16, True)
    >>> b"".join(body.chunks(open))
    b'head:abcdef:tail'
    """

    parts: Tuple[BodyPart, ...]
    limit: Optional[int] = None

    @property
    def length(self) -> Optional[int]:
        """The body's size in bytes, or ``None`` if a part's size is unknown."""
        total = 0
        for part in self.parts:
            if isinstance(part, bytes):
                total += len(part)
            elif part.length is None:
                return None
            else:
                total += part.length
        return total

    @property
    def replayable(self) -> bool:
        """Whether every part can be read again from its start (no one-shot reader)."""
        return all(not isinstance(p, ReaderRange) or p.replayable for p in self.parts)

    def chunks(
        self, open_file: FileOpener, chunk_size: int = UPLOAD_CHUNK_SIZE
    ) -> Generator[bytes, None, None]:
        """The body's bytes, reading files ``chunk_size`` bytes at a time.

        ``open_file`` opens a path for binary reading (a transport passes the builtin
        ``open``-like function of its choice). A file that ends early or cannot be read
        raises :class:`~meshapi_core.errors.InvalidArgumentError`, naming the argument it
        came from: a file that changes while it is sent cannot be retried into shape. Files
        this method opens are closed when the iterator ends or is closed; readers handed in
        are left open.
        """
        chunks = self._chunks(open_file, chunk_size)
        return chunks if self.limit is None else self._bounded(chunks, self.limit)

    def _chunks(self, open_file: FileOpener, chunk_size: int) -> Generator[bytes, None, None]:
        for part in self.parts:
            if isinstance(part, bytes):
                if part:
                    yield part
            elif isinstance(part, FileRange):
                yield from _file_chunks(part, open_file, chunk_size)
            else:
                yield from _reader_chunks(part, chunk_size)

    def _bounded(
        self, chunks: Generator[bytes, None, None], limit: int
    ) -> Generator[bytes, None, None]:
        sent = 0
        try:
            for data in chunks:
                sent += len(data)
                if sent > limit:
                    param = next((p.param for p in self.parts if not isinstance(p, bytes)), None)
                    raise InvalidArgumentError(
                        f"The request body passed the gateway's limit of {limit:,} bytes while "
                        "it was being sent (its size was not known before): the gateway "
                        "refuses larger bodies with 413. Send less.",
                        param=param,
                    )
                yield data
        finally:
            chunks.close()


def _read_failed(param: str, what: str, exc: BaseException) -> InvalidArgumentError:
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return InvalidArgumentError(f"{param}: could not read {what} ({reason})", param=param)


def _short(param: str, what: str, expected: int, got: int) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"{param}: {what} ended after {got:,} of its {expected:,} bytes: it changed while it "
        "was being sent",
        param=param,
    )


def _file_chunks(part: FileRange, open_file: FileOpener, chunk_size: int) -> Iterator[bytes]:
    what = repr(part.path)
    try:
        file = open_file(part.path)
    except OSError as exc:
        raise _read_failed(part.param, what, exc) from None
    try:
        try:
            if part.offset:
                file.seek(part.offset)
        except OSError as exc:
            raise _read_failed(part.param, what, exc) from None
        remaining = part.length
        while remaining > 0:
            try:
                data = file.read(min(chunk_size, remaining))
            except OSError as exc:
                raise _read_failed(part.param, what, exc) from None
            if not data:
                raise _short(part.param, what, part.length, part.length - remaining)
            remaining -= len(data)
            yield data
    finally:
        file.close()


def _reader_chunks(part: ReaderRange, chunk_size: int) -> Iterator[bytes]:
    reader, what = part.reader, "the file object"
    try:
        if part.start is not None:
            reader.seek(part.start)
    except (OSError, ValueError) as exc:
        raise _read_failed(part.param, what, exc) from None
    remaining = part.length
    while remaining is None or remaining > 0:
        try:
            data = reader.read(chunk_size if remaining is None else min(chunk_size, remaining))
        except (OSError, ValueError) as exc:
            raise _read_failed(part.param, what, exc) from None
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidArgumentError(
                f"{part.param}: the file object returned {type(data).__name__}, not bytes: "
                "open it in binary mode ('rb')",
                param=part.param,
            )
        if not data:
            if remaining is not None and part.length is not None:
                raise _short(part.param, what, part.length, part.length - remaining)
            return
        if remaining is not None:
            remaining -= len(data)
        yield bytes(data)


Body = Union[bytes, StreamedBody]
"""What a :class:`Request` may carry."""


@dataclass(frozen=True, init=False)
class Request:
    """One HTTP request, ready for a transport to send.

    ``body`` is bytes or a :class:`StreamedBody` (which a transport sends with
    :meth:`StreamedBody.chunks`). ``stream`` says the response body is read as a stream (an
    SSE or byte stream) rather than whole.
    ``max_body`` bounds a whole successful body, in bytes after decompression; error bodies
    are bounded by :data:`ERROR_BODY_LIMIT`. The ``repr`` never shows the value of a
    credential header, nor, with ``secret_query`` (a signed URL, whose query is its
    signature), the URL's query.

    >>> Request("PUT", "https://storage.example/u/1?sig=abc", (), secret_query=True)
    Request(method='PUT', url='https://storage.example/u/1?[redacted]', headers=(), \
body=<0 bytes>, stream=False)
    """

    method: str
    url: str
    headers: Tuple[Tuple[str, str], ...]
    body: Optional[Body] = None
    timeout: Timeout = field(default_factory=Timeout)
    stream: bool = False
    max_body: Optional[int] = None
    secret_query: bool = False

    def __init__(
        self,
        method: str,
        url: str,
        headers: Tuple[Tuple[str, str], ...],
        body: Optional[Body] = None,
        timeout: Optional[Timeout] = None,
        stream: bool = False,
        max_body: Optional[int] = None,
        secret_query: bool = False,
    ) -> None:
        # One request is built per call. A frozen dataclass's own __init__ sets each field
        # through object.__setattr__; filling the instance dict directly is the same result
        # at a third of the cost. (``timeout=None`` is the default :class:`Timeout`.)
        fields = self.__dict__
        fields["method"] = method
        fields["url"] = url
        fields["headers"] = headers
        fields["body"] = body
        fields["timeout"] = _DEFAULT_TIMEOUT if timeout is None else timeout
        fields["stream"] = stream
        fields["max_body"] = max_body
        fields["secret_query"] = secret_query

    def header(self, name: str) -> Optional[str]:
        """The value of header ``name`` (any case), or ``None``."""
        return find_header(self.headers, name)

    def __repr__(self) -> str:
        shown = tuple(
            (k, "[redacted]" if k.lower() in _SECRET_HEADERS else v) for k, v in self.headers
        )
        body = self.body
        if isinstance(body, StreamedBody):
            size = "streamed, " + (
                "unknown size" if body.length is None else f"{body.length} bytes"
            )
        else:
            size = f"{0 if body is None else len(body)} bytes"
        url = self.url
        if self.secret_query and "?" in url:
            url = url.split("?", 1)[0] + "?[redacted]"
        return (
            f"Request(method={self.method!r}, url={url!r}, headers={shown!r}, "
            f"body=<{size}>, stream={self.stream!r})"
        )


@dataclass(frozen=True, init=False)
class Response:
    """A complete HTTP response: status, lower-case headers, and the whole body.

    >>> Response(200, {"content-type": "application/json"}, b'{"key": "rsk_..."}')
    Response(status=200, body=<18 bytes>)
    """

    status: int
    headers: Dict[str, str]
    body: bytes

    def __init__(self, status: int, headers: Dict[str, str], body: bytes) -> None:
        fields = self.__dict__  # as in Request.__init__: one response is read per attempt
        fields["status"] = status
        fields["headers"] = headers
        fields["body"] = body

    @property
    def request_id(self) -> Optional[str]:
        """The gateway's ``x-request-id`` for this response, if it sent one."""
        return self.headers.get("x-request-id")

    def __repr__(self) -> str:
        # Like a Request's, the repr shows the body's size only: a body may hold a secret
        # (a created key, or one a server echoed), and an error reporter that records the
        # local variables of each frame shows them by their repr.
        return f"Response(status={self.status!r}, body=<{len(self.body)} bytes>)"


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


# --- what every transport can send --------------------------------------------------------

_NOT_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_ASCII_HOST = re.compile(r"\A[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?\Z")


def _shown_url(url: str) -> str:
    # A signed URL's query is its signature: a message shows the URL without it.
    bare = url.split("?", 1)[0].split("#", 1)[0]
    return repr(bare if len(bare) <= 100 else bare[:97] + "...")


def _host_problem(parts: SplitResult) -> Optional[str]:
    host = parts.hostname
    if not host:
        return "has no host"
    if parts.netloc.rpartition("@")[2].startswith("["):
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return "has a bracketed host that is not an IPv6 address"
        return None
    if not host.isascii():
        return (
            "has a host that is not ASCII: write an internationalised name in its ASCII (xn--) form"
        )
    if not _ASCII_HOST.match(host):
        return "has a host that is not a host name or an IP address"
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                label.encode("ascii").decode("idna")
            except UnicodeError:
                return "has an xn-- label that is not a valid internationalised name"
    return None


def check_url(url: object, *, param: str) -> SplitResult:
    """``url`` (leading and trailing whitespace dropped) split into its parts, if every
    transport can send a request to it; else an :class:`~meshapi_core.errors.InvalidArgumentError`
    naming ``param``, before anything is sent.

    Refused: a value that is not a string; a control character, space or line break anywhere
    in it (the transports disagree on these: httpx raises, aiohttp and ``urllib`` drop a CR or
    LF silently, and a line break in a URL is how a header is injected); a scheme other than
    ``http`` or ``https``; no host; a port that is not a number from 0 to 65535; a host that
    is not a host name, an IPv4 address or a bracketed IPv6 address, or that is not ASCII
    (an internationalised name goes in its ``xn--`` form, which the transports agree on).
    A message shows the URL without its query, which may be a signature.

    >>> check_url("https://storage.example/u/1?sig=abc", param="url").hostname
    'storage.example'
    >>> check_url("https://storage.example/u\\r\\n1?sig=abc", param="signed_url")
    Traceback (most recent call last):
    ...
    meshapi_core.errors.InvalidArgumentError: signed_url 'https://storage.example/u\\r\\n1' \
contains a control character, a space or a line break, which no request may carry
    """
    if not isinstance(url, str):
        raise InvalidArgumentError(
            f"{param} must be a string URL, not {type(url).__name__}", param=param
        )
    text = url.strip()
    problem: Optional[str] = None
    parts: Optional[SplitResult] = None
    if _NOT_IN_URL.search(text):
        problem = (
            "contains a control character, a space or a line break, which no request may carry"
        )
    else:
        try:
            parts = urlsplit(text)
            parts.port  # noqa: B018 (raises for a port that is not a number in range)
        except ValueError:
            problem = "is not a URL with a valid host and port"
    if parts is not None and problem is None:
        if parts.scheme not in ("http", "https"):
            problem = "must be an http:// or https:// URL"
        else:
            problem = _host_problem(parts)
    if problem is not None or parts is None:
        raise InvalidArgumentError(f"{param} {_shown_url(text)} {problem}", param=param)
    return parts


def unsendable(library: str, exc: BaseException) -> MeshAPIError:
    """The SDK's error for a request a transport's library refuses to build (a URL or header
    value it cannot put on the wire), before anything is sent: an
    :class:`~meshapi_core.errors.InvalidArgumentError`. The core checks what it builds, so
    this is a last line; it names only the library's exception type, as the exception's text
    may quote the request."""
    return InvalidArgumentError(
        f"{library} refused to send this request ({type(exc).__name__}): a URL or header value "
        "it cannot put on the wire. Nothing was sent."
    )
