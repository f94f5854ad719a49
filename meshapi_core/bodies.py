"""Reading a whole response body, within its bound.

A transport hands the body over as it arrives, already decompressed. :class:`BodyReader`
collects it and says when to stop: a successful body may grow to the request's ``max_body``
(past it the call fails with :class:`~meshapi_core.errors.ResponseTooLargeError`, and nothing
more is read); an error body is cut at :data:`~meshapi_core.http.ERROR_BODY_LIMIT` and read
no further, since what matters of it (the JSON envelope, a page's title) comes first. Either
way the memory a hostile server can make the client hold is the bound plus one read.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from .errors import ResponseTooLargeError
from .http import ERROR_BODY_LIMIT, Request, Response

__all__ = ["BodyReader"]


class BodyReader:
    """Collects the body of one response; see the module docs. ``error`` reads it as an
    error body whatever its status (a 2xx that should have been a stream).

    >>> from meshapi_core.http import Request
    >>> reader = BodyReader(Request("GET", "http://h/", (), max_body=4), 200, {})
    >>> reader.feed(b"ab"), reader.feed(b"cd")
    (False, False)
    >>> reader.response().body
    b'abcd'
    >>> reader.feed(b"e")
    True
    """

    __slots__ = ("_chunks", "_error", "_headers", "_limit", "_over", "_size", "_status")

    def __init__(
        self, request: Request, status: int, headers: Dict[str, str], *, error: bool = False
    ) -> None:
        self._status = status
        self._headers = headers
        self._error = error or not 200 <= status < 300
        self._limit: Optional[int] = ERROR_BODY_LIMIT if self._error else request.max_body
        self._chunks: List[bytes] = []
        self._size = 0
        self._over = False

    def feed(self, data: bytes) -> bool:
        """Keep ``data``; ``True`` once the bound is passed and reading must stop."""
        self._size += len(data)
        limit = self._limit
        if limit is not None and self._size > limit:
            self._over = True
            keep = limit - (self._size - len(data))
            if keep > 0:
                self._chunks.append(data[:keep])
            return True
        self._chunks.append(data)
        return False

    def response(self) -> Response:
        """The response read; raises :class:`ResponseTooLargeError` for a successful body
        that passed its bound (an error body is returned cut short)."""
        if self._over and not self._error:
            self._chunks.clear()
            raise ResponseTooLargeError(
                f"The response body is larger than max_response_size ({self._limit:,} bytes); "
                "raise the client's max_response_size if the reply is legitimate",
                status=self._status,
                error_code="response_too_large",
                request_id=self._headers.get("x-request-id"),
                headers=self._headers,
            )
        chunks = self._chunks
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return Response(self._status, self._headers, body)
