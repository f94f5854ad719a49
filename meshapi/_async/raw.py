"""``resource.with_raw_response``: any method's value together with the response behind it.

``client.chat.completions.with_raw_response.create(...)`` makes the same call as
``client.chat.completions.create(...)`` and returns an :class:`AsyncRawResponse`: the status,
headers, request id, time taken and attempts made, and :meth:`AsyncRawResponse.parse` for
the value the method would have returned. A stream method's raw response comes as soon as
the stream's head is in, before its first event; its value is the open stream.

It works for every resource without any code of its own. :class:`AsyncRawView` calls the
method on a copy of the resource whose engine records each call's exchange in a
:class:`~meshapi._observe.Capture`, then reads the capture. Type checkers see generated views
instead (``meshapi/_raw_views.py``, written by ``scripts/generate.py``) in which each method
keeps its signature and returns ``AsyncRawResponse[<its value>]``.

>>> raw = await client.chat.completions.with_raw_response.create(   # doctest: +SKIP
...     model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
>>> raw.status_code, raw.request_id, raw.attempts                     # doctest: +SKIP
(200, 'req_01J...', 1)
>>> completion = await raw.parse()                                    # doctest: +SKIP

``resource.with_streaming_response`` is its sibling, for a body read when asked: ``async with
client.audio.speech.with_streaming_response.create(...) as response:`` gives an
:class:`AsyncStreamingResponse` as soon as the head is in (status, headers, request id), and
the body is read by :meth:`~AsyncStreamingResponse.iter_bytes`,
:meth:`~AsyncStreamingResponse.iter_text`, :meth:`~AsyncStreamingResponse.iter_lines`,
:meth:`~AsyncStreamingResponse.read` or :meth:`~AsyncStreamingResponse.parse` (the method's
value), or written to a file (:meth:`~AsyncStreamingResponse.stream_to_file`). The same copy
of the resource makes the call, on an engine that holds it at its 2xx head (retries, if any,
happen before), so every method of every resource has it too; one that makes several calls
(``wait``, ``upload_file``) has no one response to hand over, and does not.

>>> async with client.chat.completions.with_streaming_response.create(   # doctest: +SKIP
...         model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}]) as response:
...     print(response.headers["x-request-id"])
...     completion = await response.parse()

This module is the source of ``meshapi/_sync/raw.py``.
"""

from __future__ import annotations

import codecs
import copy
import functools
import inspect
import json
import os
import re
from datetime import timedelta
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Dict,
    Generic,
    Mapping,
    Optional,
    Type,
    TypeVar,
    Union,
    overload,
)

from typing_extensions import Concatenate, ParamSpec

from meshapi_core.bodies import BodyReader
from meshapi_core.downloads import ByteCounter
from meshapi_core.errors import InvalidArgumentError, ResponseDecodeError, ResponseTooLargeError
from meshapi_core.events import ResponseInfo
from meshapi_core.http import Request
from meshapi_core.meta import ResponseMeta
from meshapi_core.transport import AsyncStreamResponse

from .._observe import Capture
from .engine import AsyncEngine, Deferral, HeadReached, HeldResponse
from .streams import AsyncByteStream, AsyncStream, write_chunks

if TYPE_CHECKING:
    from .resource import AsyncResource

__all__ = [
    "AsyncRawMethod",
    "AsyncRawResponse",
    "AsyncRawView",
    "AsyncStreamingMethod",
    "AsyncStreamingResponse",
    "AsyncStreamingResponseManager",
    "AsyncStreamingView",
    "async_raw",
    "async_streaming",
]

T = TypeVar("T")
C = TypeVar("C")
F = TypeVar("F")
P = ParamSpec("P")


class _ResponseFacts:
    """What a raw and a streaming response both tell about the exchange (``info``)."""

    info: ResponseInfo

    @property
    def status_code(self) -> int:
        """The HTTP status of the response."""
        return self.info.status

    @property
    def headers(self) -> Mapping[str, str]:
        """The response headers (lower-case names)."""
        return self.info.headers

    @property
    def request_id(self) -> Optional[str]:
        """The gateway's ``x-request-id``."""
        return self.info.request_id

    @property
    def meta(self) -> ResponseMeta:
        """What the gateway said about the response in its headers: the model and provider
        that served, routing and fallbacks, a cache hit, the API version, a deprecation
        (:class:`~meshapi_core.meta.ResponseMeta`)."""
        return ResponseMeta.from_headers(self.info.headers, self._requested_model())

    def _requested_model(self) -> Optional[str]:
        """The model the call asked for, where the response's object knows it."""
        return None

    @property
    def elapsed(self) -> timedelta:
        """How long the call took, retries and waits included."""
        return timedelta(seconds=self.info.elapsed)

    @property
    def attempts(self) -> int:
        """How many attempts the call made (1 without a retry)."""
        return self.info.attempts

    @property
    def retries_taken(self) -> int:
        """How many retries the call needed."""
        return max(0, self.info.attempts - 1)

    @property
    def method(self) -> str:
        """The request's HTTP method."""
        return self.info.method

    @property
    def url(self) -> str:
        """The URL the call was sent to."""
        return self.info.url


class AsyncRawResponse(_ResponseFacts, Generic[T]):
    """A method's value with the HTTP response it came in.

    ``elapsed`` runs from the first attempt to the response (a stream: to its head);
    ``attempts`` counts every attempt and ``retries_taken`` the retries among them.
    """

    def __init__(self, value: T, info: ResponseInfo) -> None:
        self._value = value
        self.info = info
        """Everything recorded about the exchange."""

    @property
    def content(self) -> bytes:
        """The whole body as it came (empty for a stream, whose body is its value)."""
        return self.info.body or b""

    @property
    def text(self) -> str:
        """The body, decoded as UTF-8."""
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body, parsed as JSON."""
        return json.loads(self.content)

    @property
    def meta(self) -> ResponseMeta:
        """What the gateway said about the response in its headers (the value's own
        ``meta`` when it has one: a reply, a page, a stream; see
        :class:`~meshapi_core.meta.ResponseMeta`)."""
        meta = getattr(self._value, "meta", None)
        if isinstance(meta, ResponseMeta):
            return meta
        return ResponseMeta.from_headers(self.info.headers)

    async def parse(self) -> T:
        """The value the method returns: a model, a page, or for a stream method the open
        stream (iterate it, or close it with ``aclose``)."""
        return self._value

    async def aclose(self) -> None:
        """Close the value's connection if it is a stream; nothing otherwise."""
        value: Any = self._value
        if isinstance(value, (AsyncStream, AsyncByteStream)):
            await value.aclose()

    async def __aenter__(self) -> AsyncRawResponse[T]:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} [{self.status_code}] {self.method} {self.url} "
            f"request_id={self.request_id!r} attempts={self.attempts}>"
        )


async def _call_raw(
    resource: AsyncResource, name: str, args: Any, kwargs: Dict[str, Any]
) -> AsyncRawResponse[Any]:
    """Call ``resource.<name>(*args, **kwargs)`` and return its value with its exchange."""
    capture = Capture()
    recording = copy.copy(resource)
    recording._engine = resource._engine.capturing(capture)
    value = getattr(recording, name)(*args, **kwargs)
    # async-only: begin
    if inspect.isawaitable(value):  # a coroutine, or a paginator's first page
        value = await value
    # async-only: end
    if isinstance(value, (AsyncStream, AsyncByteStream)):
        await value.open()
    if capture.info is None:
        raise RuntimeError(f"{type(resource).__name__}.{name} made no HTTP call to describe")
    return AsyncRawResponse(value, capture.info)


def _http_method(resource: AsyncResource, name: str) -> Callable[..., Any]:
    """The method ``name`` of ``resource``'s class, if it is one whose HTTP response a view
    can show."""
    method = getattr(type(resource), name, None)
    if name.startswith("_") or not inspect.isfunction(method):
        raise AttributeError(f"{type(resource).__name__} has no method {name!r}")
    if not resource._raw_responses:
        raise AttributeError(
            f"{type(resource).__name__}.{name} opens a WebSocket session: there is no "
            "HTTP response to return with it"
        )
    return method


class AsyncRawView:
    """``resource.with_raw_response``: the resource's methods, each returning its value
    in a :class:`AsyncRawResponse`."""

    def __init__(self, resource: AsyncResource) -> None:
        self._resource = resource

    # sync: def _method(self, name: str) -> Callable[..., RawResponse[Any]]:
    def _method(self, name: str) -> Callable[..., Awaitable[AsyncRawResponse[Any]]]:
        resource = self._resource
        method = _http_method(resource, name)

        @functools.wraps(method)
        async def call(*args: Any, **kwargs: Any) -> AsyncRawResponse[Any]:
            fields = resource._secret_fields
            if fields is not None:  # no frame below this one holds a secret in plain text
                args, kwargs = fields.conceal_arguments(args, kwargs)
            return await _call_raw(resource, name, args, kwargs)

        return call

    if not TYPE_CHECKING:  # type checkers see the generated views' methods instead

        def __getattr__(self, name: str) -> Any:
            return self._method(name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {type(self._resource).__name__}>"


class _AsyncViewDescriptor:
    """Makes a view of a resource (a fresh view each time: views are cheap)."""

    _view: Callable[[AsyncResource], Any]
    _name = "with_raw_response"

    def __get__(self, resource: Optional[AsyncResource], owner: Any = None) -> Any:
        if resource is None:
            raise AttributeError(f"{self._name} is read from a resource instance")
        return type(self)._view(resource)


class AsyncRawViewDescriptor(_AsyncViewDescriptor):
    """Makes ``with_raw_response`` of a resource."""

    _view = AsyncRawView


class AsyncRawMethod(Generic[P, T]):
    """A method of a generated raw view, for type checkers: the resource method's
    parameters, returning its value in a :class:`AsyncRawResponse`."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self._name = method.__name__

    # sync: def __get__(self, view: RawView, owner: Any = None) -> Callable[P, RawResponse[T]]:
    def __get__(
        self, view: AsyncRawView, owner: Any = None
    ) -> Callable[P, Awaitable[AsyncRawResponse[T]]]:
        return view._method(self._name)


# async-only: begin
@overload
def async_raw(
    method: Callable[Concatenate[Any, P], AsyncStream[C, F]],
) -> AsyncRawMethod[P, AsyncStream[C, F]]: ...


@overload
def async_raw(
    method: Callable[Concatenate[Any, P], AsyncByteStream],
) -> AsyncRawMethod[P, AsyncByteStream]: ...


@overload
def async_raw(method: Callable[Concatenate[Any, P], Awaitable[T]]) -> AsyncRawMethod[P, T]: ...


# async-only: end
# sync: def raw(method: Callable[Concatenate[Any, P], T]) -> RawMethod[P, T]:
def async_raw(method: Callable[..., Any]) -> Any:
    """The typed raw form of a resource method (used by the generated views)."""
    return AsyncRawMethod(method)


# --- with_streaming_response -------------------------------------------------------------

_NEWLINE = re.compile(r"\r\n|\r|\n")
_UNSET: Any = object()


class AsyncStreamingResponse(_ResponseFacts, Generic[T]):
    """A method's HTTP response whose body is read only when asked
    (``with_streaming_response``); the facts of :class:`AsyncRawResponse` are there at once.

    Read the body once, one way: :meth:`iter_bytes`, :meth:`iter_text` or :meth:`iter_lines`
    as it arrives, :meth:`stream_to_file` into a file, or whole with :meth:`read`,
    :meth:`text`, :meth:`json` or :meth:`parse` (the value the method returns; for a stream
    method, the open stream, to iterate before the block ends). A whole body
    is bounded by the client's ``max_response_size``, a line by its ``max_event_size``. The
    connection is closed when the body ends, on :meth:`aclose`, and when the block ends.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        info: ResponseInfo,
        request: Request,
        source: AsyncStreamResponse,
        *,
        held: Optional[HeldResponse] = None,
        stream: Union[AsyncStream[Any, Any], AsyncByteStream, None] = None,
    ) -> None:
        self.info = info
        """Everything recorded about the exchange (the head: ``body`` is ``None``)."""
        self._engine = engine
        self._request = request
        self._source = source
        self._held = held
        self._stream = stream
        self._content: Optional[bytes] = None
        self._consumed = False
        self._closed = False
        self._parsed: Any = _UNSET

    @property
    def is_closed(self) -> bool:
        """Whether the connection is closed (the body was read, or the response closed)."""
        return self._closed

    def _requested_model(self) -> Optional[str]:
        if self._held is not None:
            return self._held.call.model
        call = getattr(self._stream, "_call", None)
        return getattr(call, "model", None)

    @property
    def encoding(self) -> str:
        """The body's text encoding: the ``charset`` of its content type, else UTF-8."""
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value.strip('"'):
                try:
                    return codecs.lookup(value.strip('"')).name
                except LookupError:
                    break
        return "utf-8"

    # sync: def _body(self, limit: Optional[int] = None) -> Generator[bytes, None, None]:
    async def _body(self, limit: Optional[int] = None) -> AsyncGenerator[bytes, None]:
        """The body as it arrives, read once (checked against its announced length, and
        ``limit`` bytes); the connection is closed at its end."""
        if self._consumed or self._closed:
            raise RuntimeError(
                "This response's body was already read (or the response closed): read it "
                "once, one way"
            )
        self._consumed = True
        try:
            counter = ByteCounter(self.headers, limit, status=self.status_code)
            counter.check_announced()
            async for data in self._source.iter_bytes():
                if data:
                    counter.feed(data)
                    yield data
            counter.end()
        finally:
            await self.aclose()

    # sync: def _pieces(self, chunk_size: Optional[int]) -> Generator[bytes, None, None]:
    async def _pieces(self, chunk_size: Optional[int]) -> AsyncGenerator[bytes, None]:
        if chunk_size is not None and chunk_size < 1:
            raise InvalidArgumentError("chunk_size must be a positive number of bytes")
        if self._content is not None:  # already read whole
            content = self._content
            step = chunk_size or len(content) or 1
            for start in range(0, len(content), step):
                yield content[start : start + step]
            return
        body = self._body()
        try:
            if chunk_size is None:
                async for data in body:
                    yield data
                return
            buffer = b""
            async for data in body:
                buffer += data
                while len(buffer) >= chunk_size:
                    yield buffer[:chunk_size]
                    buffer = buffer[chunk_size:]
            if buffer:
                yield buffer
        finally:
            await body.aclose()

    def iter_bytes(self, chunk_size: Optional[int] = None) -> AsyncIterator[bytes]:
        """The body's bytes as they arrive (in pieces of ``chunk_size`` bytes, if given)."""
        return self._pieces(chunk_size)

    async def iter_text(self, chunk_size: Optional[int] = None) -> AsyncIterator[str]:
        """The body as text, decoded as it arrives (characters split between reads are
        joined first; bytes that are not text become U+FFFD)."""
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
        async for data in self._pieces(chunk_size):
            text = decoder.decode(data)
            if text:
                yield text
        tail = decoder.decode(b"", True)
        if tail:
            yield tail

    async def iter_lines(self) -> AsyncIterator[str]:
        """The body's lines as they arrive, without their line breaks (``\\n``,
        ``\\r\\n`` or ``\\r``). A line longer than the client's ``max_event_size`` raises
        :class:`~meshapi_core.errors.ResponseTooLargeError`."""
        limit = self._engine.config.max_event_size
        pending = ""
        async for text in self.iter_text():
            pending += text
            held_cr = pending.endswith("\r")  # a \r\n may be split between two reads
            lines = _NEWLINE.split(pending[:-1] if held_cr else pending)
            pending = lines.pop() + ("\r" if held_cr else "")
            for line in lines:
                yield line
            if len(pending) > limit:
                raise ResponseTooLargeError(
                    f"A line of the response is longer than max_event_size ({limit:,} characters)",
                    status=self.status_code,
                    error_code="event_too_large",
                    request_id=self.request_id,
                    headers=self.headers,
                )
        if pending.endswith("\r"):
            pending = pending[:-1]
        if pending:
            yield pending

    async def read(self) -> bytes:
        """The whole body, bounded by the client's ``max_response_size``."""
        if self._content is None:
            reader = BodyReader(self._request, self.status_code, dict(self.headers))
            body = self._body()
            try:
                async for data in body:
                    if reader.feed(data):
                        break
            finally:
                await body.aclose()
            self._content = reader.response().body
        return self._content

    async def text(self) -> str:
        """The whole body, as text."""
        return (await self.read()).decode(self.encoding, "replace")

    async def json(self) -> Any:
        """The whole body, parsed as JSON."""
        content = await self.read()
        try:
            return json.loads(content)
        except ValueError:
            raise ResponseDecodeError(
                "The response body is not JSON",
                status=self.status_code,
                error_code="parse_error",
                request_id=self.request_id,
                headers=self.headers,
            ) from None

    async def parse(self) -> T:
        """The value the method returns, from the body: read whole and decoded, or for a
        stream method the open stream (iterate it before the block ends)."""
        if self._parsed is _UNSET:
            if self._held is not None:
                self._parsed = self._held.value(await self.read())
            elif self._consumed or self._closed:
                raise RuntimeError(
                    "This stream's bytes were already read (or the response closed): parse() "
                    "before reading them, or instead"
                )
            else:
                self._consumed = True
                self._parsed = self._stream
        parsed: T = self._parsed
        return parsed

    async def stream_to_file(self, file: Union[str, os.PathLike[str]]) -> int:
        """Write the body into ``file`` as it arrives and return its size: the file is whole
        or absent, and no file the SDK did not create is touched (as
        :meth:`~meshapi.AsyncByteStream.write_to`); bounded by the client's
        ``max_download_size``."""
        if self._content is not None:  # already read whole
            return await write_chunks(file, functools.partial(self._pieces, None))
        limit = self._engine.config.max_download_size
        return await write_chunks(file, functools.partial(self._body, limit))

    async def aclose(self) -> None:
        """Close the connection (reading the body closes it at its end)."""
        if self._closed:
            return
        self._closed = True
        if self._stream is not None:
            await self._stream.aclose()
        else:
            await self._source.aclose()

    # async-only: begin
    async def close(self) -> None:
        """:meth:`aclose`, by openai-python's name."""
        await self.aclose()

    # async-only: end
    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} [{self.status_code}] {self.method} {self.url} "
            f"request_id={self.request_id!r}>"
        )


# sync: def _call_streaming(resource: Resource, name: str, args: Any, kwargs: Dict[str, Any]) -> StreamingResponse[Any]:  # noqa: E501
async def _call_streaming(
    resource: AsyncResource, name: str, args: Any, kwargs: Dict[str, Any]
) -> AsyncStreamingResponse[Any]:
    """Call ``resource.<name>(*args, **kwargs)`` on an engine that holds its call at the
    head, and hand over the response, its body unread."""
    capture = Capture()
    deferral = Deferral()
    recording = copy.copy(resource)
    engine = recording._engine = resource._engine.capturing(capture, deferral)
    try:
        value = getattr(recording, name)(*args, **kwargs)
        # async-only: begin
        if inspect.isawaitable(value):  # a coroutine, or a paginator's first page
            value = await value
        # async-only: end
        if isinstance(value, (AsyncStream, AsyncByteStream)):
            deferral.active = False
            await value.open()
    except HeadReached:
        held = deferral.held
        assert held is not None
        assert capture.info is not None
        return AsyncStreamingResponse(engine, capture.info, held.request, held.response, held=held)
    finally:
        deferral.active = False
    if isinstance(value, (AsyncStream, AsyncByteStream)):
        response, request = value._response, value._request
        if response is not None and request is not None and capture.info is not None:
            return AsyncStreamingResponse(engine, capture.info, request, response, stream=value)
    raise RuntimeError(f"{type(resource).__name__}.{name} made no HTTP call to stream")


class AsyncStreamingResponseManager(Generic[T]):
    """What a method of ``with_streaming_response`` returns: ``async with`` it for the
    :class:`AsyncStreamingResponse` (the call is made on entering, and the response closed
    on leaving)."""

    # sync: def __init__(self, start: Callable[[], StreamingResponse[T]]) -> None:
    def __init__(self, start: Callable[[], Awaitable[AsyncStreamingResponse[T]]]) -> None:
        self._start = start
        self._response: Optional[AsyncStreamingResponse[T]] = None

    async def __aenter__(self) -> AsyncStreamingResponse[T]:
        self._response = await self._start()
        return self._response

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        response, self._response = self._response, None
        if response is not None:
            await response.aclose()


class AsyncStreamingView:
    """``resource.with_streaming_response``: the resource's methods, each returning an
    :class:`AsyncStreamingResponseManager`."""

    def __init__(self, resource: AsyncResource) -> None:
        self._resource = resource

    def _method(self, name: str) -> Callable[..., AsyncStreamingResponseManager[Any]]:
        resource = self._resource
        method = _http_method(resource, name)
        if getattr(method, "several_calls", False):
            raise AttributeError(
                f"{type(resource).__name__}.{name} makes several HTTP calls: there is no one "
                "response to stream (with_raw_response shows the last one)"
            )

        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> AsyncStreamingResponseManager[Any]:
            fields = resource._secret_fields
            if fields is not None:  # no frame below this one holds a secret in plain text
                args, kwargs = fields.conceal_arguments(args, kwargs)
            return AsyncStreamingResponseManager(
                functools.partial(_call_streaming, resource, name, args, kwargs)
            )

        return call

    if not TYPE_CHECKING:  # type checkers see the generated views' methods instead

        def __getattr__(self, name: str) -> Any:
            return self._method(name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {type(self._resource).__name__}>"


class AsyncStreamingViewDescriptor(_AsyncViewDescriptor):
    """Makes ``with_streaming_response`` of a resource."""

    _view = AsyncStreamingView
    _name = "with_streaming_response"


class AsyncStreamingMethod(Generic[P, T]):
    """A method of a generated streaming view, for type checkers: the resource method's
    parameters, returning an :class:`AsyncStreamingResponseManager` of its value."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self._name = method.__name__

    def __get__(
        self, view: AsyncStreamingView, owner: Any = None
    ) -> Callable[P, AsyncStreamingResponseManager[T]]:
        return view._method(self._name)


# async-only: begin
@overload
def async_streaming(
    method: Callable[Concatenate[Any, P], AsyncStream[C, F]],
) -> AsyncStreamingMethod[P, AsyncStream[C, F]]: ...


@overload
def async_streaming(
    method: Callable[Concatenate[Any, P], AsyncByteStream],
) -> AsyncStreamingMethod[P, AsyncByteStream]: ...


@overload
def async_streaming(
    method: Callable[Concatenate[Any, P], Awaitable[T]],
) -> AsyncStreamingMethod[P, T]: ...


# async-only: end
# sync: def streaming(method: Callable[Concatenate[Any, P], T]) -> StreamingMethod[P, T]:
def async_streaming(method: Callable[..., Any]) -> Any:
    """The typed streaming form of a resource method (used by the generated views)."""
    return AsyncStreamingMethod(method)
