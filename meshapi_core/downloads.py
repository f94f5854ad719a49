"""Raw byte bodies (speech, videos, file contents): when a download is complete.

A byte stream has no end marker of its own: it is complete when its body ends where HTTP
says it ends. The transports already fail a body that stops short of its
``Content-Length`` or of its last chunk; :class:`ByteCounter` checks it once more, in the
core, so that a transport which reports a cut body as a clean end (a custom one, or a proxy
that closes without framing) still cannot make a short download look complete.

When the body is compressed (``Content-Encoding``), the header counts the compressed bytes,
and the transport, which decompresses, is the one to check that the body is whole: the SDK's
transports decode with :mod:`meshapi_core.decoding`, which fails a body whose compressed
stream did not reach its end, whatever the HTTP framing says.
"""

from __future__ import annotations

from typing import Mapping, Optional

from .errors import StreamInterruptedError

__all__ = ["ByteCounter"]


class ByteCounter:
    """Counts a byte body's bytes against the length its headers announce.

    >>> counter = ByteCounter({"content-length": "10", "x-request-id": "req_1"})
    >>> counter.feed(b"12345")
    >>> counter.end()
    Traceback (most recent call last):
    ...
    meshapi_core.errors.StreamInterruptedError: The download ended after 5 of its 10 bytes \
(code stream_interrupted, request req_1)
    """

    __slots__ = ("_expected", "_headers", "received")

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = headers
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

    def feed(self, data: bytes) -> None:
        """Count ``data``."""
        self.received += len(data)

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
