"""What a transport must do for the SDK, and nothing more.

A transport moves bytes. It does not know about endpoints, retries, JSON or SSE: the core
decides all of that and tells the transport what to send and how long to wait. Bring your own
transport by implementing :class:`SyncTransport` or :class:`AsyncTransport` and passing it as
``MeshAPI(transport=...)`` / ``AsyncMeshAPI(transport=...)``.

The error contract is the whole of a transport's duty beyond moving bytes: every failure it
meets surfaces as one of the SDK's own exceptions, never as its library's.

- ``send`` and ``open_stream`` raise :class:`~meshapi_core.errors.APIConnectionError` (or its
  :class:`~meshapi_core.errors.APITimeoutError`) when no complete response could be had, with
  ``response_started=True`` when the failure came after the status line.
- A :class:`SyncStreamResponse` raises :class:`~meshapi_core.errors.StreamInterruptedError`
  (or :class:`~meshapi_core.errors.StreamTimeoutError`) when its body breaks off.
- Any status is a response, not an error: the core reads error statuses itself.
"""

from __future__ import annotations

from typing import AsyncIterator, Dict, Iterator, Protocol

from .http import Request, Response

__all__ = ["AsyncStreamResponse", "AsyncTransport", "SyncStreamResponse", "SyncTransport"]


class SyncStreamResponse(Protocol):
    """A response whose body is read as it arrives."""

    @property
    def status(self) -> int:
        """The HTTP status."""

    @property
    def headers(self) -> Dict[str, str]:
        """The response headers, with lower-case names."""

    def iter_bytes(self) -> Iterator[bytes]:
        """The body, chunk by chunk, as the server sends it."""

    def read(self) -> bytes:
        """The rest of the body, whole (used for error responses)."""

    def close(self) -> None:
        """Release the connection; safe to call more than once."""


class AsyncStreamResponse(Protocol):
    """The async twin of :class:`SyncStreamResponse`."""

    @property
    def status(self) -> int:
        """The HTTP status."""

    @property
    def headers(self) -> Dict[str, str]:
        """The response headers, with lower-case names."""

    def iter_bytes(self) -> AsyncIterator[bytes]:
        """The body, chunk by chunk, as the server sends it."""

    async def read(self) -> bytes:
        """The rest of the body, whole (used for error responses)."""

    async def close(self) -> None:
        """Release the connection; safe to call more than once."""


class SyncTransport(Protocol):
    """Sends requests the core builds, on the calling thread."""

    def send(self, request: Request) -> Response:
        """Send ``request`` and read the whole response."""

    def open_stream(self, request: Request) -> SyncStreamResponse:
        """Send ``request`` and return once the status and headers have arrived."""

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` between attempts."""

    def close(self) -> None:
        """Release what the transport owns (never a client it was handed)."""


class AsyncTransport(Protocol):
    """Sends requests the core builds, inside an event loop."""

    async def send(self, request: Request) -> Response:
        """Send ``request`` and read the whole response."""

    async def open_stream(self, request: Request) -> AsyncStreamResponse:
        """Send ``request`` and return once the status and headers have arrived."""

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` between attempts, in this event loop's way."""

    async def close(self) -> None:
        """Release what the transport owns (never a client it was handed)."""
