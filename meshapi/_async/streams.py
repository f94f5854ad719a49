"""Stream objects: what ``.stream(...)`` methods return.

A stream opens its connection lazily, on first iteration (or on entering
``async with stream:``), so ``async for chunk in client.chat.completions.stream(p)`` is all it
takes, and the response headers are there before the first event for those who enter it as a
context manager. It closes its connection when the body ends, on :meth:`AsyncStream.aclose`,
on leaving the ``async with stream:`` block, and when the loop ``async for chunk in stream:``
is left early (the loop's iterator is a generator whose ``finally`` closes it). A stream is
complete only when the gateway said so (``[DONE]`` or a terminal event); it then stops reading
at once.

Decoding is the core's :class:`~meshapi_core.streams.StreamDecoder`; these classes move bytes
into it and events out of it. This module is the source of ``meshapi/_sync/streams.py``.
"""

from __future__ import annotations

import os
from contextlib import suppress
from types import TracebackType
from typing import Any, AsyncIterator, BinaryIO, Dict, Generic, Optional, Type, TypeVar, Union

from meshapi_core.calls import Call
from meshapi_core.endpoint import SSE, Endpoint
from meshapi_core.errors import StreamInterruptedError
from meshapi_core.streams import StreamDecoder
from meshapi_core.transport import AsyncStreamResponse

from .engine import AsyncEngine

__all__ = ["AsyncByteStream", "AsyncStream"]

C = TypeVar("C")


def _create(path: Union[str, os.PathLike[str]]) -> BinaryIO:
    """``path`` opened for writing bytes (pieces of a body are written as they arrive: each
    write is brief and local, so even the async streams make it directly)."""
    return open(path, "wb")


class _AsyncResponseStream:
    """What both stream kinds share: one lazily opened response, its head, and closing."""

    def __init__(self, engine: AsyncEngine, endpoint: Endpoint[Any, Any], call: Call[Any]) -> None:
        assert endpoint.stream is not None
        self._engine = engine
        self._kind = endpoint.stream
        self._call = call
        self._response: Optional[AsyncStreamResponse] = None
        self._headers: Dict[str, str] = {}
        self._status = 0
        self._closed = False
        self._claimed = False
        self._complete = False

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
        """Whether the stream reached its end (``[DONE]``, a terminal event, or the end of a
        byte stream)."""
        return self._complete

    async def _open_response(self) -> Optional[AsyncStreamResponse]:
        if self._response is None and not self._closed:
            response, request = await self._engine.open(self._call, self._kind)
            self._response = response
            self._status, self._headers = response.status, response.headers
            self._opened(request)
        return self._response

    def _opened(self, request: Any) -> None:
        """Called once the head is in; subclasses set up their decoding."""

    def _claim(self) -> AsyncStreamResponse:
        if self._closed:
            raise RuntimeError("This stream is closed; start a new one with .stream(...)")
        if self._claimed:
            raise RuntimeError("This stream is already being iterated")
        self._claimed = True
        assert self._response is not None
        return self._response

    def _interrupted(self, error: StreamInterruptedError) -> StreamInterruptedError:
        if error.request_id is None:
            error.request_id = self.request_id
            error.headers = self._headers
        return error

    async def aclose(self) -> None:
        """Close the connection; the stream cannot be iterated afterwards."""
        self._closed = True
        response, self._response = self._response, None
        if response is not None:
            await response.aclose()

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()


class AsyncStream(_AsyncResponseStream, Generic[C]):
    """A stream of typed events (chat chunks, responses events...).

    Iterate it (``async for event in stream``), or take events one by one with
    ``await anext(stream)``.

    >>> async with client.chat.completions.stream(params) as stream:   # doctest: +SKIP
    ...     print(stream.request_id)
    ...     async for chunk in stream:
    ...         print(chunk.choices[0].delta.content, end="")
    """

    _decoder: Optional[StreamDecoder[C]] = None
    _iterator: Optional[AsyncIterator[C]] = None

    def _opened(self, request: Any) -> None:
        kind = self._kind
        assert isinstance(kind, SSE)
        engine = self._engine
        self._decoder = StreamDecoder(
            kind,
            self._headers,
            engine.config.max_event_size,
            idle_timeout=request.timeout.idle,
            clock=engine.runtime.clock,
        )

    async def open(self) -> AsyncStream[C]:
        """Send the request and wait for the headers (done for you on first iteration)."""
        await self._open_response()
        return self

    async def _events(self) -> AsyncIterator[C]:
        try:
            await self._open_response()
            response = self._claim()
            decoder = self._decoder
            assert decoder is not None
            try:
                async for data in response.iter_bytes():
                    for chunk in decoder.feed(data):
                        yield chunk
                    if decoder.done:
                        break
            except StreamInterruptedError as error:
                if not decoder.done:
                    raise self._interrupted(error) from None
            decoder.end()
            self._complete = True
        finally:
            await self.aclose()

    def __aiter__(self) -> AsyncIterator[C]:
        return self._events()

    async def __anext__(self) -> C:
        if self._iterator is None:
            self._iterator = self._events()
        return await self._iterator.__anext__()

    async def __aenter__(self) -> AsyncStream[C]:
        return await self.open()


class AsyncByteStream(_AsyncResponseStream):
    """A body of raw bytes read as it arrives (speech, downloads), never held whole.

    >>> async with client.audio.speech.stream(params) as audio:   # doctest: +SKIP
    ...     async for piece in audio:
    ...         player.feed(piece)
    """

    async def open(self) -> AsyncByteStream:
        """Send the request and wait for the headers (done for you on first iteration)."""
        await self._open_response()
        return self

    async def _chunks(self) -> AsyncIterator[bytes]:
        try:
            await self._open_response()
            response = self._claim()
            try:
                async for data in response.iter_bytes():
                    if data:
                        yield data
            except StreamInterruptedError as error:
                raise self._interrupted(error) from None
            self._complete = True
        finally:
            await self.aclose()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def write_to(self, path: Union[str, os.PathLike[str]]) -> int:
        """Write the body to the file at ``path`` as it arrives, one piece at a time (the
        body is never held whole), and return how many bytes were written.

        A body that ends early raises :class:`~meshapi_core.errors.StreamInterruptedError`
        and leaves no file behind, so a file at ``path`` is always complete. (Each piece is
        written with a plain, brief blocking write.)
        """
        written = 0
        with _create(path) as file:
            try:
                async for piece in self:
                    file.write(piece)
                    written += len(piece)
            except BaseException:
                file.close()
                with suppress(OSError):
                    os.remove(path)
                raise
        return written

    async def __aenter__(self) -> AsyncByteStream:
        return await self.open()
