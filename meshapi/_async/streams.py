"""Stream objects: what ``.stream(...)`` methods return.

A stream opens its connection lazily, on first iteration (or on entering
``async with stream:``), so ``async for chunk in client.chat.completions.stream(p)`` is all it
takes, and the response headers are there before the first event for those who enter it as a
context manager. It closes its connection when the body ends, on :meth:`AsyncStream.aclose`,
on leaving the ``async with stream:`` block, and when the loop ``async for chunk in stream:``
is left early (the loop's iterator is a generator whose ``finally`` closes it). A stream is
complete only when the gateway said so (``[DONE]`` or a terminal event); it then stops reading
at once, and its connection goes back to the pool if the body's end is already in or follows
within ``RELEASE_GRACE`` (50 ms), else it is closed.

Decoding is the core's :class:`~meshapi_core.streams.StreamDecoder`; these classes move bytes
into it and events out of it. Every event also goes through the endpoint's accumulator
(:mod:`meshapi_core.accumulate`), so :meth:`AsyncStream.text` can give the text as it comes
and :meth:`AsyncStream.final` the whole reply, however much was iterated before. A byte stream
(:class:`AsyncByteStream`) is read chunk by chunk, whole (:meth:`AsyncByteStream.read`,
bounded by ``max_response_size``) or into a file (:meth:`AsyncByteStream.write_to`, bounded by
``max_download_size``, which never leaves a short file behind nor touches a file it did not
make). This module is the source of ``meshapi/_sync/streams.py``.
"""

from __future__ import annotations

import functools
import os
from types import TracebackType
from typing import (
    Any,
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Dict,
    Generic,
    Optional,
    Type,
    Union,
    cast,
)

from typing_extensions import TypeVar

from meshapi_core.accumulate import Accumulator, LastEvent
from meshapi_core.bodies import BodyReader
from meshapi_core.calls import Call
from meshapi_core.downloads import ByteCounter
from meshapi_core.endpoint import SSE, Endpoint, StreamKind
from meshapi_core.errors import ResponseTooLargeError, StreamInterruptedError
from meshapi_core.http import Request
from meshapi_core.meta import EMPTY_META, ResponseMeta
from meshapi_core.models.base import stamp_response
from meshapi_core.streams import StreamDecoder
from meshapi_core.transport import AsyncStreamResponse

from .._files import PartialFile
from .._observe import CallWatch
from .engine import AsyncEngine

__all__ = ["AsyncByteStream", "AsyncStream"]

C = TypeVar("C")
T = TypeVar("T")
F = TypeVar("F", default=Any)

WRITE_BUFFER_SIZE = 1024 * 1024
"""How much of a download :meth:`AsyncByteStream.write_to` gathers before writing it out."""


# async-only: begin
async def _in_thread(function: Callable[..., T], *args: Any) -> T:
    """Run a blocking file operation without blocking the event loop (asyncio or trio)."""
    import anyio.to_thread

    return await anyio.to_thread.run_sync(function, *args)


# async-only: end


# sync: def write_chunks(path: Union[str, os.PathLike[str]], chunks: Callable[[], Generator[bytes, None, None]], head: Optional[Callable[[], Any]] = None) -> int:  # noqa: E501
async def write_chunks(
    path: Union[str, os.PathLike[str]],
    chunks: Callable[[], AsyncGenerator[bytes, None]],
    head: Optional[Callable[[], Awaitable[Any]]] = None,
) -> int:
    """Write the bytes ``chunks()`` gives into the file at ``path``, whole or absent, and
    return its size: what :meth:`AsyncByteStream.write_to` and a streaming response's
    ``stream_to_file`` both do (see the former for the guarantees).

    ``path`` is checked first; then ``head()`` (if given) opens the response, so an error
    status raises before any file is made; then the bytes go to the SDK's own temporary file
    (at most ``WRITE_BUFFER_SIZE`` held in memory), moved over ``path`` only once the body
    ended. On any failure that file is removed and the error raised. The chunks are closed
    either way; file writes run in a worker thread, off the event loop.
    """
    # sync: target = PartialFile(path)
    target = await _in_thread(PartialFile, path)
    try:
        if head is not None:
            await head()  # an error status raises here: no file is made
        # sync: target.create()
        await _in_thread(target.create)
        buffer = bytearray()
        body = chunks()
        try:
            async for data in body:
                buffer += data
                if len(buffer) >= WRITE_BUFFER_SIZE:
                    # sync: target.write(buffer)
                    await _in_thread(target.write, buffer)
                    buffer = bytearray()
        finally:
            await body.aclose()
        if buffer:
            # sync: target.write(buffer)
            await _in_thread(target.write, buffer)
        # sync: return target.commit()
        return await _in_thread(target.commit)
    except BaseException:
        target.discard()  # not in a thread: it must run even when the task is cancelled
        raise


def _ignore(event: Any) -> None:
    """Where events go once a stream is too long to keep whole."""


class _AsyncResponseStream:
    """What both stream kinds share: one lazily opened response, its head, and closing."""

    _request: Optional[Request] = None
    _meta: Optional[ResponseMeta] = None

    def __init__(
        self,
        engine: AsyncEngine,
        endpoint: Union[Endpoint[Any, Any], StreamKind],
        call: Call[Any],
    ) -> None:
        kind = endpoint.stream if isinstance(endpoint, Endpoint) else endpoint
        assert kind is not None
        self._engine = engine
        self._kind = kind
        self._call = call
        self._response: Optional[AsyncStreamResponse] = None
        self._headers: Dict[str, str] = {}
        self._status = 0
        self._closed = False
        self._claimed = False
        self._complete = False
        self._watch: Optional[CallWatch] = None
        self._error: Optional[BaseException] = None

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
    def meta(self) -> ResponseMeta:
        """What the gateway said about this stream in its headers (the model the Auto Router
        chose, the API version, a deprecation...: see
        :class:`~meshapi_core.meta.ResponseMeta`); all ``None`` until the stream is open.
        Streams carry no routing headers (``docs/gateway/streaming.md`` §2)."""
        meta = self._meta
        if meta is None:
            if not self._status:
                return EMPTY_META
            meta = self._meta = ResponseMeta.from_headers(self._headers, self._call.model)
        return meta

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
            response, request, self._watch = await self._engine.open(self._call, self._kind)
            self._response = response
            self._status, self._headers = response.status, response.headers
            self._request = request
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

    def _events_so_far(self) -> int:
        return 0

    async def aclose(self) -> None:
        """Close the connection; the stream cannot be iterated afterwards."""
        self._closed = True
        response, self._response = self._response, None
        watch, self._watch = self._watch, None
        if response is not None:
            try:
                # Ended as its protocol says: its connection may go back to the pool, if the
                # body's end follows at once (see RELEASE_GRACE in meshapi_core.transport).
                release = getattr(response, "release", None) if self._complete else None
                if release is not None:
                    await release()
                else:
                    await response.aclose()
            finally:
                if watch is not None:
                    watch.stream_ended(self._events_so_far(), self._complete, self._error)

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()


class AsyncStream(_AsyncResponseStream, Generic[C, F]):
    """A stream of typed events (chat chunks, responses events...); ``F`` is the whole
    reply they fold into (a chat stream's ``ChatCompletion``).

    Iterate it (``async for event in stream``), or take events one by one with
    ``await anext(stream)``; iterate only its text with :meth:`text`; or wait for the whole
    reply with :meth:`final`, which reads what is left.

    >>> async with client.chat.completions.stream(params) as stream:   # doctest: +SKIP
    ...     print(stream.request_id)
    ...     async for chunk in stream:
    ...         print(chunk.choices[0].delta.content, end="")
    ...     completion = await stream.final()
    """

    _decoder: Optional[StreamDecoder[C]] = None
    _iterator: Optional[AsyncIterator[C]] = None
    _accumulator: Optional[Accumulator[C, F]] = None
    _overflowed = False

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

    @property
    def accumulator(self) -> Accumulator[C, F]:
        """What folds this stream's events into the whole reply (every event read so far
        went through it)."""
        accumulator = self._accumulator
        if accumulator is None:
            kind = self._kind
            assert isinstance(kind, SSE)
            factory: Callable[[], Any] = kind.accumulator or LastEvent
            accumulator = self._accumulator = cast("Accumulator[C, F]", factory())
        return accumulator

    def _events_so_far(self) -> int:
        return self._decoder.chunks if self._decoder is not None else 0

    async def open(self) -> AsyncStream[C, F]:
        """Send the request and wait for the headers (done for you on first iteration)."""
        await self._open_response()
        return self

    async def _events(self) -> AsyncIterator[C]:
        try:
            await self._open_response()
            response = self._claim()
            decoder = self._decoder
            assert decoder is not None
            feed, add = decoder.feed, self.accumulator.add
            # The accumulator holds what the events spell, as long as the body stays within
            # max_response_size; past it the events still come, but final() has no reply.
            room = self._engine.config.max_response_size
            try:
                async for data in response.iter_bytes():
                    room -= len(data)
                    if room < 0 and not self._overflowed:
                        self._overflowed, add = True, _ignore
                    for chunk in feed(data):
                        add(chunk)
                        yield chunk
                    if decoder.done:
                        break
            except StreamInterruptedError as error:
                if not decoder.done:
                    raise self._interrupted(error) from None
            decoder.end()
            self._complete = True
        except BaseException as error:
            self._error = error if not isinstance(error, GeneratorExit) else None
            raise
        finally:
            await self.aclose()

    def __aiter__(self) -> AsyncIterator[C]:
        return self._events()

    async def __anext__(self) -> C:
        if self._iterator is None:
            self._iterator = self._events()
        return await self._iterator.__anext__()

    async def text(self) -> AsyncIterator[str]:
        """The reply's text as it arrives, one piece per event that adds some (for chat:
        the first choice's content). Iterating it reads the stream.

        >>> async for piece in client.chat.completions.stream(params).text():  # doctest: +SKIP
        ...     print(piece, end="", flush=True)
        """
        text = self.accumulator.text
        while True:
            try:
                event = await self.__anext__()
            except StopAsyncIteration:
                return
            piece = text(event)
            if piece:
                yield piece

    async def final(self) -> F:
        """Read the rest of the stream and return the whole reply (a chat stream's
        :class:`~meshapi.types.ChatCompletion`, with this stream's ``request_id``).

        Events already iterated count: call it after a loop that ran to the end, or
        instead of one. Raises the stream's error if it fails; a stream closed before its
        end (``break``, :meth:`AsyncStream.aclose`) has no whole reply and raises
        ``RuntimeError``; a stream longer than ``max_response_size`` is not kept whole (its
        events still come) and raises :class:`~meshapi_core.errors.ResponseTooLargeError`.
        """
        while not self._complete:
            try:
                await self.__anext__()
            except StopAsyncIteration:
                if not self._complete:
                    raise RuntimeError(
                        "This stream was closed before its end: there is no final reply"
                    ) from None
        if self._overflowed:
            raise ResponseTooLargeError(
                "The stream was longer than max_response_size "
                f"({self._engine.config.max_response_size:,} bytes), so its whole reply was "
                "not kept: iterate its events instead, or raise max_response_size",
                error_code="response_too_large",
                request_id=self.request_id,
                headers=self._headers,
            )
        result = self.accumulator.result()
        stamp_response(result, self._headers, self._call.model)
        return result

    async def get_final_completion(self) -> F:
        """:meth:`final`, as openai-python names it for chat streams."""
        return await self.final()

    async def get_final_response(self) -> F:
        """:meth:`final`, as openai-python names it for Responses streams."""
        return await self.final()

    async def get_final_message(self) -> F:
        """:meth:`final`, as the Anthropic SDK names it for Messages streams."""
        return await self.final()

    async def __aenter__(self) -> AsyncStream[C, F]:
        return await self.open()


class AsyncByteStream(_AsyncResponseStream):
    """A body of raw bytes read as it arrives (speech, videos, file contents), never held
    whole unless asked to.

    Iterate it for the chunks as they arrive, :meth:`read` it whole (bounded by the client's
    ``max_response_size``), or :meth:`write_to` a file (bounded by ``max_download_size``).
    It is complete only when the whole body arrived (every byte its ``Content-Length``
    announced, and a compressed body's whole compressed stream); a body cut short raises
    :class:`~meshapi_core.errors.StreamInterruptedError`.

    >>> async with client.audio.synthesize_stream(input="Hello") as audio:   # doctest: +SKIP
    ...     async for piece in audio:
    ...         player.feed(piece)
    >>> await client.audio.synthesize_stream(input="Hello").write_to("hello.mp3")  # doctest: +SKIP
    """

    async def open(self) -> AsyncByteStream:
        """Send the request and wait for the headers (done for you on first iteration)."""
        await self._open_response()
        return self

    @property
    def content_type(self) -> Optional[str]:
        """The body's ``Content-Type`` (e.g. ``audio/mpeg``), once open."""
        return self._headers.get("content-type")

    # sync: def _chunks(self, limit: Optional[int] = None) -> Generator[bytes, None, None]:
    async def _chunks(self, limit: Optional[int] = None) -> AsyncGenerator[bytes, None]:
        """The body's chunks, checked against its announced length and ``limit``."""
        try:
            await self._open_response()
            response = self._claim()
            counter = ByteCounter(self._headers, limit, status=self._status)
            counter.check_announced()
            try:
                async for data in response.iter_bytes():
                    if data:
                        counter.feed(data)
                        yield data
            except StreamInterruptedError as error:
                raise self._interrupted(error) from None
            counter.end()
            self._complete = True
        finally:
            await self.aclose()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def __aenter__(self) -> AsyncByteStream:
        return await self.open()

    async def read(self) -> bytes:
        """The whole body. Past the client's ``max_response_size`` it stops reading and
        raises :class:`~meshapi_core.errors.ResponseTooLargeError`: for a long body, iterate
        or use :meth:`write_to` instead."""
        chunks = self._chunks()
        try:
            await self._open_response()
            assert self._request is not None
            reader = BodyReader(self._request, self._status, self._headers)
            async for data in chunks:
                if reader.feed(data):
                    break
        finally:
            await chunks.aclose()
        return reader.response().body

    async def write_to(self, path: Union[str, os.PathLike[str]]) -> int:
        """Stream the body into the file at ``path`` and return its size in bytes.

        A file the SDK writes is whole or absent, and a file it did not create is never
        touched. ``path`` is checked before the request is sent (a missing folder or a
        directory raises :class:`~meshapi_core.errors.InvalidArgumentError`). Once a
        successful response is in, the bytes go to a temporary file of the SDK's own beside
        ``path`` (a unique ``.<name>.<random>.part``, created exclusively, never through a
        link; at most 1 MiB, ``WRITE_BUFFER_SIZE``, held in memory), which replaces ``path``
        in one rename only once the body is complete. If the download fails, that temporary
        file is removed (and nothing else), any earlier file at ``path`` is left as it was,
        and the error is raised: a body cut short raises
        :class:`~meshapi_core.errors.StreamInterruptedError`, one larger than the client's
        ``max_download_size`` (counted after decompression) raises
        :class:`~meshapi_core.errors.ResponseTooLargeError`, and a failure of the file system
        raises the :class:`OSError` of that kind, naming ``path``. The file gets the mode
        ``open(path, "wb")`` would give a new file. File writes run in a worker thread, off
        the event loop.
        """
        limit = self._engine.config.max_download_size
        try:
            return await write_chunks(
                path, functools.partial(self._chunks, limit), self._open_response
            )
        finally:
            await self.aclose()
