"""What a transport must do for the SDK, and nothing more.

A transport moves bytes. It does not know about endpoints, retries, JSON or SSE: the core
decides all of that and tells the transport what to send and how long to wait. Bring your own
transport by implementing :class:`Transport` or :class:`AsyncTransport` and passing it as
``MeshAPI(transport=...)`` / ``AsyncMeshAPI(transport=...)``.

One operation does everything: :meth:`Transport.open_stream` sends a
:class:`~meshapi_core.http.Request` and returns as soon as the status and headers are in; the
SDK then reads the body through :meth:`StreamResponse.iter_bytes` (decompressed, in the
chunks it arrives in), bounds it, and closes the response. A transport honours every phase of
``request.timeout``, including ``total``: the whole exchange, from connecting to the last
byte of the body, ends when it runs out, however the server paces its bytes.

The error contract is the whole of a transport's duty beyond moving bytes: every failure it
meets surfaces as one of the SDK's own exceptions, never as its library's, and never chained
to its library's exception (which may hold the request, and so the credential).

- ``open_stream`` raises :class:`~meshapi_core.errors.APIConnectionError` (or its
  :class:`~meshapi_core.errors.APITimeoutError`) when no response could be had.
- ``iter_bytes`` raises :class:`~meshapi_core.errors.StreamInterruptedError` (or
  :class:`~meshapi_core.errors.StreamTimeoutError`) when the body breaks off, and when a
  compressed body's compressed stream did not reach its end, whatever the HTTP framing says
  (decompress with :mod:`meshapi_core.decoding`, which checks it).
- Any status is a response, not an error: the core reads error statuses itself.

Two more duties keep the credential where the core sent it:

- **Follow no redirect**, whatever the HTTP library's (or the user's client's) setting: a 3xx
  is handed to the core as a response, and the core makes it an error
  (``error_code="redirect"``). Nothing is ever re-sent to the address a server names.
- **Add no credential of the library's own.** A transport built on a client or session the
  user handed over refuses one whose own settings would put a credential on every request
  (an ``auth`` setting, a default header of
  :data:`~meshapi_core.config.CREDENTIAL_HEADERS`, ``Proxy-Authorization`` or ``Cookie``):
  :func:`refuse_client_credentials`. Those would replace or join the SDK's credential on the
  gateway's requests, and travel with the requests the SDK sends to other hosts (signed
  upload URLs, media downloads), which carry none of the gateway's.

A stream ends when its protocol says so (``[DONE]``, a terminal event), usually a few bytes
before its body does (the last HTTP chunk, or HTTP/2's end of stream). A connection goes back
to the pool only once its body has ended, so a stream response may offer ``release()``: the
SDK calls it instead of ``close()`` after the protocol's end, and it reads on for at most
:data:`RELEASE_GRACE` seconds and :data:`RELEASE_LIMIT` bytes, then closes, which gives the
connection back if the body ended in time and drops it otherwise. A transport without it is
closed at once (the connection is dropped if its body had not ended).

A stream response may also offer ``body_in_memory()``: the whole body, decompressed, if it
has all arrived already (a small reply comes in the packets of its head), else ``None``. The
SDK asks for it before reading a whole body (not a stream), and takes it instead of iterating;
the body is still bounded by the request's ``max_body``, and what the transport held was
bounded by its own read buffer.
"""

from __future__ import annotations

from typing import AsyncIterator, Dict, Iterable, Iterator, Optional, Protocol

from .config import CREDENTIAL_HEADERS, secret_header
from .errors import InvalidArgumentError
from .http import Request

__all__ = [
    "RELEASE_GRACE",
    "RELEASE_LIMIT",
    "AsyncStreamResponse",
    "AsyncTransport",
    "StreamResponse",
    "SyncStreamResponse",
    "SyncTransport",
    "Transport",
    "refuse_client_credentials",
]


RELEASE_GRACE = 0.05
"""How long, in seconds, ``release()`` waits for the end of a body after the end of its stream
(``[DONE]``, a terminal event) before it drops the connection instead of reusing it. A gateway
sends the body's end with the stream's end or right after it, so this is spent only on a
server that holds the body open; the time left of the call's ``total`` bounds it too."""

RELEASE_LIMIT = 64 * 1024
"""How many bytes ``release()`` reads after the end of a stream, at most, looking for the end
of its body (a gateway sends a few: the last HTTP chunk); past it, the connection is dropped."""


class StreamResponse(Protocol):
    """A response whose body is read as it arrives."""

    @property
    def status(self) -> int:
        """The HTTP status."""

    @property
    def headers(self) -> Dict[str, str]:
        """The response headers, with lower-case names."""

    def iter_bytes(self) -> Iterator[bytes]:
        """The body, decompressed, chunk by chunk as the server sends it."""

    def close(self) -> None:
        """Release the connection (reused only if the body was read to its end); safe to
        call more than once."""


class AsyncStreamResponse(Protocol):
    """The async twin of :class:`StreamResponse`."""

    @property
    def status(self) -> int:
        """The HTTP status."""

    @property
    def headers(self) -> Dict[str, str]:
        """The response headers, with lower-case names."""

    def iter_bytes(self) -> AsyncIterator[bytes]:
        """The body, decompressed, chunk by chunk as the server sends it."""

    async def aclose(self) -> None:
        """Release the connection; safe to call more than once, and shielded from
        cancellation."""


class Transport(Protocol):
    """Sends requests the core builds, on the calling thread."""

    def open_stream(self, request: Request) -> StreamResponse:
        """Send ``request`` and return once the status and headers have arrived."""

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` between attempts."""

    def close(self) -> None:
        """Release what the transport owns (never a client it was handed)."""


class AsyncTransport(Protocol):
    """Sends requests the core builds, inside an event loop."""

    async def open_stream(self, request: Request) -> AsyncStreamResponse:
        """Send ``request`` and return once the status and headers have arrived."""

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` between attempts, in this event loop's way."""

    async def aclose(self) -> None:
        """Release what the transport owns (never a client it was handed)."""


SyncTransport = Transport
"""Another name for :class:`Transport`."""
SyncStreamResponse = StreamResponse
"""Another name for :class:`StreamResponse`."""


def refuse_client_credentials(param: str, header_names: Iterable[str], auth: Optional[str]) -> None:
    """Refuse the user's client or session ``param`` if its own settings would put a
    credential on the SDK's requests: ``header_names`` are its default headers' names,
    ``auth`` names its auth setting (``None`` when it has none). The error names the setting,
    never a value.

    >>> refuse_client_credentials("httpx_client", ["user-agent"], None)
    >>> refuse_client_credentials("httpx_client", ["Authorization"], None)
    Traceback (most recent call last):
    ...
    meshapi_core.errors.InvalidArgumentError: httpx_client has a default 'Authorization' \
header: the SDK sets the credential itself, and a client's own would go with every request, \
to other hosts too (signed upload URLs); hand over a client without it
    """
    for name in header_names:
        if name.lower() in CREDENTIAL_HEADERS or secret_header(name):
            raise InvalidArgumentError(
                f"{param} has a default {name!r} header: the SDK sets the credential itself, "
                "and a client's own would go with every request, to other hosts too (signed "
                "upload URLs); hand over a client without it",
                param=param,
            )
    if auth is not None:
        raise InvalidArgumentError(
            f"{param} has auth set ({auth}): it would replace the SDK's credential and go with "
            "every request, to other hosts too (signed upload URLs); the SDK authenticates "
            "with its token: hand over a client without auth",
            param=param,
        )
