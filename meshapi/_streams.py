"""Stream objects: what ``chat.completions.stream(...)`` returns.

A stream opens its connection lazily, on first iteration or on entering ``with`` /
``async with``, so the documented one-liner ``for chunk in client.chat.completions.stream(p)``
works for both clients, and the response headers are there before the first chunk for those
who enter it as a context manager. It closes its connection when the body ends, on
``close()``/``aclose()``, on leaving the ``with`` block, and on an early ``break`` (the
iterator is a generator, whose ``finally`` runs when it is dropped). After ``[DONE]`` it reads
the (empty) rest of the body, up to a small bound, so the connection can go back to the pool.

Decoding is the core's :class:`~meshapi_core.streams.StreamDecoder`; these classes only move
bytes into it and chunks out of it.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, AsyncIterator, Dict, Generic, Iterator, Optional, Type, TypeVar

import pydantic

from meshapi_core.calls import Call
from meshapi_core.endpoints import Endpoint
from meshapi_core.errors import StreamInterruptedError
from meshapi_core.streams import StreamDecoder
from meshapi_core.transport import AsyncStreamResponse, SyncStreamResponse

from ._engine import AsyncEngine, SyncEngine

__all__ = ["AsyncStream", "Stream"]

M = TypeVar("M", bound=pydantic.BaseModel)


class _StreamBase(Generic[M]):
    """State shared by both stream kinds: headers, the decoder, and the open/closed flags."""

    def __init__(self, endpoint: Endpoint[M], call: Call[Any]) -> None:
        self._endpoint = endpoint
        self._call = call
        self._decoder: Optional[StreamDecoder[M]] = None
        self._headers: Dict[str, str] = {}
        self._status = 0
        self._closed = False
        self._iterating = False

    @property
    def headers(self) -> Dict[str, str]:
        """Response headers (lower-case names); empty until the stream is open."""
        return self._headers

    @property
    def status(self) -> int:
        """The HTTP status, or ``0`` until the stream is open."""
        return self._status

    @property
    def request_id(self) -> Optional[str]:
        """The gateway's ``x-request-id`` for this stream, once open."""
        return self._headers.get("x-request-id")

    @property
    def resolved_model(self) -> Optional[str]:
        """The model the Auto Router chose (``x-resolved-model-id``), for ``model="auto"``."""
        return self._headers.get("x-resolved-model-id")

    @property
    def completed(self) -> bool:
        """Whether the stream reached ``[DONE]``."""
        return self._decoder is not None and self._decoder.done

    def _claim(self) -> None:
        if self._closed:
            raise RuntimeError("This stream is closed; start a new one with .stream(...)")
        if self._iterating:
            raise RuntimeError("This stream is already being iterated")
        self._iterating = True

    def _opened(self, status: int, headers: Dict[str, str], decoder: StreamDecoder[M]) -> None:
        self._status, self._headers, self._decoder = status, headers, decoder

    def _interrupted(self, error: StreamInterruptedError) -> StreamInterruptedError:
        if error.request_id is None:
            error.request_id = self.request_id
            error.headers = self._headers
        return error


class Stream(_StreamBase[M]):
    """A stream of typed chunks from a blocking client.

    >>> with client.chat.completions.stream(params) as stream:   # doctest: +SKIP
    ...     print(stream.request_id)
    ...     for chunk in stream:
    ...         print(chunk.choices[0].delta.content, end="")
    """

    def __init__(self, engine: SyncEngine, endpoint: Endpoint[M], call: Call[Any]) -> None:
        super().__init__(endpoint, call)
        self._engine = engine
        self._response: Optional[SyncStreamResponse] = None

    def open(self) -> Stream[M]:
        """Send the request and wait for the headers (done for you on first iteration)."""
        if self._response is None and not self._closed:
            response, decoder = self._engine.open(self._endpoint, self._call)
            self._response = response
            self._opened(response.status, response.headers, decoder)
        return self

    def __iter__(self) -> Iterator[M]:
        self._claim()
        try:
            self.open()
            assert self._response is not None
            assert self._decoder is not None
            decoder = self._decoder
            try:
                for data in self._response.iter_bytes():
                    yield from decoder.feed(data)
                    if decoder.exhausted:
                        break
            except StreamInterruptedError as error:
                if not decoder.done:
                    raise self._interrupted(error) from error
            decoder.end()
        finally:
            self.close()

    def close(self) -> None:
        """Close the connection; the stream cannot be iterated afterwards."""
        self._closed = True
        response, self._response = self._response, None
        if response is not None:
            response.close()

    def __enter__(self) -> Stream[M]:
        return self.open()

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()


class AsyncStream(_StreamBase[M]):
    """A stream of typed chunks from an async client.

    >>> async with client.chat.completions.stream(params) as stream:   # doctest: +SKIP
    ...     async for chunk in stream:
    ...         print(chunk.choices[0].delta.content, end="")
    """

    def __init__(self, engine: AsyncEngine, endpoint: Endpoint[M], call: Call[Any]) -> None:
        super().__init__(endpoint, call)
        self._engine = engine
        self._response: Optional[AsyncStreamResponse] = None

    async def open(self) -> AsyncStream[M]:
        """Send the request and wait for the headers (done for you on first iteration)."""
        if self._response is None and not self._closed:
            response, decoder = await self._engine.open(self._endpoint, self._call)
            self._response = response
            self._opened(response.status, response.headers, decoder)
        return self

    async def __aiter__(self) -> AsyncIterator[M]:
        self._claim()
        try:
            await self.open()
            assert self._response is not None
            assert self._decoder is not None
            decoder = self._decoder
            try:
                async for data in self._response.iter_bytes():
                    for chunk in decoder.feed(data):
                        yield chunk
                    if decoder.exhausted:
                        break
            except StreamInterruptedError as error:
                if not decoder.done:
                    raise self._interrupted(error) from error
            decoder.end()
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close the connection; the stream cannot be iterated afterwards."""
        self._closed = True
        response, self._response = self._response, None
        if response is not None:
            await response.close()

    async def __aenter__(self) -> AsyncStream[M]:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()
