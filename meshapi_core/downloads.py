"""Raw byte bodies (speech, videos, file contents): when a download is complete, and how
large it may grow.

A byte stream has no end marker of its own: it is complete when its body ends where HTTP
says it ends. The transports already fail a body that stops short of its
``Content-Length`` or of its last chunk; :class:`ByteCounter` checks it once more, in the
core, so that a transport which reports a cut body as a clean end (a custom one, or a proxy
that closes without framing) still cannot make a short download look complete.

When the body is compressed (``Content-Encoding``), the header counts the compressed bytes,
and the transport, which decompresses, is the one to check that the body is whole: the SDK's
transports decode with :mod:`meshapi_core.decoding`, which fails a body whose compressed
stream did not reach its end, whatever the HTTP framing says.

A download written to a file is bounded too (the client's ``max_download_size``): the count
is of the decoded bytes, and a body announced larger than the bound is refused before any of
it is read.
"""

from __future__ import annotations

from typing import Mapping, Optional

from .errors import ResponseTooLargeError, StreamInterruptedError

__all__ = ["ByteCounter"]


class ByteCounter:
    """Counts a byte body's bytes against the length its headers announce, and against
    ``limit`` (named ``setting`` in its error) when one is given; ``status`` is the
    response's, for that error.

    >>> counter = ByteCounter({"content-length": "10", "x-request-id": "req_1"})
    >>> counter.feed(b"12345")
    >>> counter.end()
    Traceback (most recent call last):
    ...
    meshapi_core.errors.StreamInterruptedError: The download ended after 5 of its 10 bytes \
(code stream_interrupted, request req_1)
    >>> ByteCounter({}, limit=4, status=200).feed(b"12345")
    Traceback (most recent call last):
    ...
    meshapi_core.errors.ResponseTooLargeError: The download is larger than max_download_size \
(4 bytes); raise the client's max_download_size (None lifts it) if it is legitimate \
(status 200, code response_too_large)
    """

    __slots__ = ("_expected", "_headers", "_limit", "_setting", "_status", "received")

    def __init__(
        self,
        headers: Mapping[str, str],
        limit: Optional[int] = None,
        setting: str = "max_download_size",
        *,
        status: int = 0,
    ) -> None:
        self._headers = headers
        self._status = status
        self._limit = limit
        self._setting = setting
        self._expected: Optional[int] = None
        length = headers.get("content-length")
        if length is not None and not headers.get("content-encoding"):
            try:
                self._expected = int(length.split(",")[0].strip())
            except ValueError:
                self._expected = None
        self.received = 0
        """Bytes received so far."""

    @property
    def expected(self) -> Optional[int]:
        """The announced length, when the headers give one the body can be checked against."""
        return self._expected

    def check_announced(self) -> None:
        """Raise :class:`~meshapi_core.errors.ResponseTooLargeError` at once when the
        announced length is already past the limit (nothing needs to be read to know)."""
        limit, expected = self._limit, self._expected
        if limit is not None and expected is not None and expected > limit:
            raise self._too_large(f"The download announces {expected:,} bytes, more than")

    def feed(self, data: bytes) -> None:
        """Count ``data``; raises :class:`~meshapi_core.errors.ResponseTooLargeError` once
        the count passes the limit."""
        self.received += len(data)
        limit = self._limit
        if limit is not None and self.received > limit:
            raise self._too_large("The download is larger than")

    def end(self) -> None:
        """Report the end of the body; raises unless every announced byte arrived."""
        expected = self._expected
        if expected is not None and self.received != expected:
            raise self.interrupted(
                f"The download ended after {self.received:,} of its {expected:,} bytes"
            )

    def interrupted(self, message: str) -> StreamInterruptedError:
        """The error for a download that stopped early."""
        return StreamInterruptedError(
            message, request_id=self._headers.get("x-request-id"), headers=self._headers
        )

    def _too_large(self, opening: str) -> ResponseTooLargeError:
        setting = self._setting
        return ResponseTooLargeError(
            f"{opening} {setting} ({self._limit:,} bytes); raise the client's {setting} "
            "(None lifts it) if it is legitimate",
            status=self._status,
            error_code="response_too_large",
            request_id=self._headers.get("x-request-id"),
            headers=self._headers,
        )
