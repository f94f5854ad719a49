"""The stream machine: the bytes of an SSE body in, typed chunks out.

A :class:`StreamDecoder` sits on top of the :class:`~meshapi_core.sse.SSEDecoder`. Each
``data`` event is one JSON chunk, validated into the endpoint's chunk model; three events are
special:

- ``[DONE]`` ends the stream. Bytes after it are ignored; only now is the stream complete.
- A frame whose JSON has an *object-valued* ``error`` is a failure the gateway reports after
  the 200 header: it raises the typed :class:`~meshapi_core.errors.MeshAPIError`, with the
  frame's ``request_id`` or else the response's ``x-request-id``. (A *string* ``error`` is
  data, e.g. one model's failure in a compare stream, and passes through as a chunk field.)
- A frame that is not JSON, or not the chunk's shape, raises
  :class:`~meshapi_core.errors.ResponseDecodeError`: a chunk is never silently skipped.

The body ending before ``[DONE]``, for whatever reason, is
:class:`~meshapi_core.errors.StreamInterruptedError`: :meth:`StreamDecoder.end` raises it, so
a stream that ends early is never reported as complete.

After ``[DONE]`` the rest of the body is read and dropped, so the connection can be reused,
but only up to ``drain_limit`` bytes: past that, :attr:`StreamDecoder.exhausted` tells the
adapter to stop reading and close.

With an ``idle_timeout`` and a ``clock``, the decoder also watches the time between events:
a read that brings only keep-alive comments (or partial events) after ``idle_timeout``
seconds without an event raises :class:`~meshapi_core.errors.StreamTimeoutError`. (When
nothing arrives at all, the transport's read timeout fires instead.)

Chunks come out of :meth:`StreamDecoder.feed` as an iterator, so chunks that arrived before an
error frame in the same read are delivered before the error is raised.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Generic, Iterator, Mapping, Optional, Type, TypeVar

import pydantic

from .errors import (
    ResponseDecodeError,
    StreamInterruptedError,
    StreamTimeoutError,
    error_from_frame,
)
from .sse import SSEDecoder

__all__ = ["StreamDecoder"]

M = TypeVar("M", bound=pydantic.BaseModel)


class StreamDecoder(Generic[M]):
    """Turns an SSE body into ``model`` chunks; see the module docs for the rules.

    >>> from meshapi_core.models.chat import ChatCompletionChunk
    >>> decoder = StreamDecoder(ChatCompletionChunk, {"x-request-id": "req_1"})
    >>> [c.choices[0].delta.content for c in decoder.feed(
    ...     b'data: {"choices":[{"delta":{"content":"Hi"}}]}\\n\\ndata: [DONE]\\n\\n')]
    ['Hi']
    >>> decoder.done
    True
    """

    def __init__(
        self,
        model: Type[M],
        headers: Mapping[str, str],
        max_event_size: int = 16 * 1024 * 1024,
        drain_limit: int = 64 * 1024,
        idle_timeout: Optional[float] = None,
        clock: Optional[Callable[[], float]] = None,
    ) -> None:
        self._model = model
        self._validate = model.__pydantic_validator__.validate_json
        self._headers = headers
        self._sse = SSEDecoder(max_event_size)
        self.done = False
        """Whether ``[DONE]`` has arrived."""
        self.chunks = 0
        """How many chunks have been decoded."""
        self.exhausted = False
        """Whether more than ``drain_limit`` bytes came after ``[DONE]``: stop reading."""
        self._drain_left = drain_limit
        self._idle_timeout = idle_timeout if clock is not None else None
        self._clock = clock
        self._last_event = clock() if clock is not None else 0.0

    def feed(self, data: bytes) -> Iterator[M]:
        """Decode the next piece of the body; yields the chunks it completes."""
        if self.done:
            self._drain_left -= len(data)
            self.exhausted = self._drain_left < 0
            return
        events = self._sse.feed(data)
        if self._idle_timeout is not None:
            self._check_idle(bool(events))
        for event in events:
            payload = event.data
            if payload == "[DONE]" or (len(payload) < 64 and payload.strip() == "[DONE]"):
                self.done = True
                return
            yield self._chunk(payload)

    def end(self) -> None:
        """Report the end of the body; raises unless ``[DONE]`` came first."""
        if not self.done:
            self._sse.close()
            raise self.interrupted("the connection closed before [DONE]")

    def interrupted(self, why: str) -> StreamInterruptedError:
        """The error for a stream that stopped early, for the reason ``why``."""
        return StreamInterruptedError(
            f"The stream was interrupted after {self.chunks} chunks: {why}",
            request_id=self._headers.get("x-request-id"),
            headers=self._headers,
        )

    def _check_idle(self, got_events: bool) -> None:
        assert self._clock is not None
        assert self._idle_timeout is not None
        now = self._clock()
        if got_events:
            self._last_event = now
        elif now - self._last_event > self._idle_timeout:
            raise StreamTimeoutError(
                f"No stream event for {now - self._last_event:.3g} s (idle timeout "
                f"{self._idle_timeout:g} s) after {self.chunks} chunks",
                request_id=self._headers.get("x-request-id"),
                headers=self._headers,
            )

    def _chunk(self, payload: str) -> M:
        if '"error"' in payload:
            try:
                frame: Any = json.loads(payload)
            except ValueError:
                frame = None
            if isinstance(frame, dict) and isinstance(frame.get("error"), dict):
                raise error_from_frame(frame, self._headers)
        try:
            chunk: M = self._validate(payload)
        except pydantic.ValidationError as exc:
            problem = exc.errors(include_url=False, include_input=False)[0]
            raise ResponseDecodeError(
                f"Stream chunk {self.chunks + 1} is not a valid {self._model.__name__}: "
                f"{problem.get('msg', 'invalid')}",
                error_code="parse_error",
                request_id=self._headers.get("x-request-id"),
                headers=self._headers,
            ) from None
        self.chunks += 1
        return chunk
