"""The stream machine: the bytes of an SSE body in, typed events out.

A :class:`StreamDecoder` sits on top of the :class:`~meshapi_core.sse.SSEDecoder` and follows
the endpoint's :class:`~meshapi_core.endpoint.SSE` declaration. Each ``data`` event is one
JSON object, validated into the declared model (or, for a
:class:`~meshapi_core.endpoint.Tagged` stream, the model its ``type`` names). Some events are
special:

- ``[DONE]`` ends the stream; so does an event whose ``type`` is one of the declaration's
  ``terminal`` types (``response.completed``), which is delivered first. Only then is the
  stream complete, and nothing after it is read: the adapter closes the connection rather
  than wait for a server that keeps the body open.
- An event whose JSON has an *object-valued* ``error`` is a failure the gateway reports after
  the 200 header: it raises the typed :class:`~meshapi_core.errors.MeshAPIError`, with the
  frame's ``request_id`` or else the response's ``x-request-id``. (A *string* ``error`` is
  data, e.g. one model's failure in a compare stream, and passes through as a field.)
- An event that is not JSON, or not the model's shape, raises
  :class:`~meshapi_core.errors.ResponseDecodeError`: an event is never silently skipped.

The body ending before the stream is complete, for whatever reason, is
:class:`~meshapi_core.errors.StreamInterruptedError`: :meth:`StreamDecoder.end` raises it, so
a stream that ends early is never reported as complete.

With an ``idle_timeout`` and a ``clock``, the decoder also watches the time between events:
a read that brings only keep-alive comments (or partial events) after ``idle_timeout``
seconds without an event raises :class:`~meshapi_core.errors.StreamTimeoutError`. (When
nothing arrives at all, the transport's read timeout fires instead.)

Events come out of :meth:`StreamDecoder.feed` as an iterator, so events that arrived before
an error frame in the same read are delivered before the error is raised.
"""

from __future__ import annotations

import json
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Generic,
    Iterator,
    List,
    Mapping,
    Optional,
    TypeVar,
    cast,
)

import pydantic

from .endpoint import SSE, StreamKind, Tagged
from .errors import (
    ResponseDecodeError,
    StreamInterruptedError,
    StreamTimeoutError,
    error_from_frame,
    shorten,
)
from .sse import SSEDecoder

__all__ = ["StreamDecoder", "is_stream_head"]

C = TypeVar("C")


def _model_for(tagged: Tagged, frame: Dict[str, Any]) -> Any:
    """The model a tagged frame names, else the default (an unhashable tag names none)."""
    tag = frame.get(tagged.field)
    return tagged.models.get(tag, tagged.default) if isinstance(tag, str) else tagged.default


def _never() -> float:
    """The clock of a decoder without one (which then has no idle timeout)."""
    return 0.0


def _first_problem(exc: pydantic.ValidationError) -> str:
    return str(exc.errors(include_url=False, include_input=False)[0].get("msg"))


def _is_terminal(tag: Any, terminal: FrozenSet[str]) -> bool:
    return isinstance(tag, str) and tag in terminal


def is_stream_head(kind: StreamKind, status: int, headers: Mapping[str, str]) -> bool:
    """Whether a response head starts the stream ``kind`` asked for. An error status does
    not, and neither does a 2xx whose content type says it is something else: a JSON body
    where events were expected is the gateway's in-band error, to be read as one.

    >>> is_stream_head(SSE(dict), 200, {"content-type": "text/event-stream; charset=utf-8"})
    True
    >>> is_stream_head(SSE(dict), 200, {"content-type": "application/json"})
    False
    """
    if not 200 <= status < 300:
        return False
    content_type = headers.get("content-type", "")
    if isinstance(kind, SSE):
        return not content_type or content_type.startswith("text/event-stream")
    return not content_type.startswith("application/json")


class StreamDecoder(Generic[C]):
    """Turns an SSE body into typed events; see the module docs for the rules.

    >>> from meshapi_core.models.chat import ChatCompletionChunk
    >>> decoder = StreamDecoder(SSE(ChatCompletionChunk), {"x-request-id": "req_1"})
    >>> [c.choices[0].delta.content for c in decoder.feed(
    ...     b'data: {"choices":[{"delta":{"content":"Hi"}}]}\\n\\ndata: [DONE]\\n\\n')]
    ['Hi']
    >>> decoder.done
    True
    """

    def __init__(
        self,
        kind: SSE[C],
        headers: Mapping[str, str],
        max_event_size: int = 16 * 1024 * 1024,
        idle_timeout: Optional[float] = None,
        clock: Optional[Callable[[], float]] = None,
    ) -> None:
        chunk = kind.chunk
        self._tagged: Optional[Tagged] = chunk if isinstance(chunk, Tagged) else None
        self._name = chunk.default.__name__ if isinstance(chunk, Tagged) else chunk.__name__
        self._validate: Optional[Callable[[str], C]] = None
        if not isinstance(chunk, Tagged):
            self._validate = cast(Any, chunk).__pydantic_validator__.validate_json
        self._terminal = kind.terminal
        self._event_field = kind.event_field
        self._headers = headers
        self._sse = SSEDecoder(max_event_size)
        # One model, whatever the events' types: nearly every stream. Its events come as
        # their data alone, which the SSE decoder finds faster.
        self._events: Callable[[bytes], List[Any]] = (
            self._sse.feed_data
            if self._validate is not None and self._event_field is None
            else self._sse.feed
        )
        self.done = False
        """Whether the stream is complete (``[DONE]`` or a terminal event arrived)."""
        self.chunks = 0
        """How many events have been decoded."""
        self._idle_timeout = idle_timeout if clock is not None else None
        self._clock: Callable[[], float] = clock if clock is not None else _never
        self._last_event = self._clock()

    def feed(self, data: bytes) -> Iterator[C]:
        """Decode the next piece of the body; yields the events it completes."""
        if self.done:
            return
        events = self._events(data)
        idle = self._idle_timeout
        if idle is not None:
            now = self._clock()
            if events:
                self._last_event = now
            elif now - self._last_event > idle:
                raise self._idle(now)
        validate, event_field, terminal = self._validate, self._event_field, self._terminal
        for event in events:
            payload = event if event.__class__ is str else event.data
            if len(payload) < 64 and (payload == "[DONE]" or payload.strip() == "[DONE]"):
                self.done = True
                return
            if validate is not None:  # one model: nearly every stream, once per token
                if '"error"' in payload:
                    self._frame(payload)  # raises if it is an error frame
                problem: Optional[str] = None
                try:
                    chunk = validate(payload)
                except pydantic.ValidationError as exc:
                    problem = _first_problem(exc)
                if problem is not None:  # raised here, so pydantic's error is not its __context__
                    raise self._bad(problem)
            else:
                chunk = self._tagged_chunk(self._frame(payload))
            self.chunks += 1
            if event_field is not None and event.event != "message":
                setattr(chunk, event_field, event.event)
            if terminal and _is_terminal(getattr(chunk, "type", None), terminal):
                self.done = True
                yield chunk
                return
            yield chunk

    def end(self) -> None:
        """Report the end of the body; raises unless the stream is complete."""
        if not self.done:
            self._sse.close()
            raise self.interrupted("the connection closed before the stream's end")

    def interrupted(self, why: str) -> StreamInterruptedError:
        """The error for a stream that stopped early, for the reason ``why``."""
        return StreamInterruptedError(
            f"The stream was interrupted after {self.chunks} events: {why}",
            request_id=self._headers.get("x-request-id"),
            headers=self._headers,
        )

    def _idle(self, now: float) -> StreamTimeoutError:
        return StreamTimeoutError(
            f"No stream event for {now - self._last_event:.3g} s (idle timeout "
            f"{self._idle_timeout:g} s) after {self.chunks} events",
            request_id=self._headers.get("x-request-id"),
            headers=self._headers,
        )

    def _frame(self, payload: str) -> Any:
        """The event's JSON (``None`` if it is not JSON); raises the error an error frame
        (an object-valued ``error``) reports."""
        try:
            frame = json.loads(payload)
        except (ValueError, RecursionError):  # not JSON, or nested past the parser's limit
            return None
        if isinstance(frame, dict) and isinstance(frame.get("error"), dict):
            raise error_from_frame(frame, self._headers)
        return frame

    def _tagged_chunk(self, frame: Any) -> C:
        """The model a tagged stream's frame names, validated."""
        tagged = self._tagged
        assert tagged is not None
        if not isinstance(frame, dict):
            raise self._bad("not a JSON object")
        problem: Optional[str] = None
        try:
            return cast(C, _model_for(tagged, frame).model_validate(frame))
        except pydantic.ValidationError as exc:
            problem = _first_problem(exc)
        raise self._bad(problem)  # here, so pydantic's error is not its __context__

    def _bad(self, why: str) -> ResponseDecodeError:
        why = shorten(why, 500)
        return ResponseDecodeError(
            f"Stream event {self.chunks + 1} is not a valid {self._name}: {why}",
            error_code="parse_error",
            request_id=self._headers.get("x-request-id"),
            headers=self._headers,
        )
