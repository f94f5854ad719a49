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
an error frame in the same read are delivered before the error is raised. A read that holds
one frame (how a gateway sends each token, and how httpx hands each HTTP chunk over) is
decoded by ``feed`` itself, at once; a read of several frames is decoded as it is iterated,
in the same steps.
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


_NOTHING: Iterator[Any] = iter(())
"""What :meth:`StreamDecoder.feed` returns for a read that completes no event (an iterator
that is always exhausted)."""


def _never() -> float:
    """The clock of a decoder without one (which then has no idle timeout)."""
    return 0.0


def _first_problem(exc: pydantic.ValidationError) -> str:
    return str(exc.errors(include_url=False, include_input=False)[0].get("msg"))


def _keeps_error_as_extra(model: Any) -> bool:
    """Whether a frame's top-level ``error`` can only land in the model's unknown fields
    (``__pydantic_extra__``): a model that keeps extras and has no field or alias named
    ``error``. Its events are looked at for an error frame only when they bring unknown
    fields; any other model's JSON is searched for ``"error"`` before it is validated."""
    if not (isinstance(model, type) and issubclass(model, pydantic.BaseModel)):
        return False
    if model.model_config.get("extra") != "allow":
        return False
    for name, field in model.model_fields.items():
        if name == "error" or field.alias == "error":
            return False
        if field.validation_alias is not None and not isinstance(field.validation_alias, str):
            return False  # AliasChoices, AliasPath: could name it
        if field.validation_alias == "error":
            return False
    return True


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
        # ... and most have no terminal event type either: feed() decodes those itself.
        self._plain: Optional[Callable[[str], Any]] = (
            self._validate if self._events == self._sse.feed_data and not kind.terminal else None
        )
        self._scan = not _keeps_error_as_extra(chunk)
        self.done = False
        """Whether the stream is complete (``[DONE]`` or a terminal event arrived)."""
        self.chunks = 0
        """How many events have been decoded."""
        self._idle_timeout = idle_timeout if clock is not None else None
        self._clock: Callable[[], float] = clock if clock is not None else _never
        self._last_event = self._clock()

    def feed(self, data: bytes) -> Iterator[C]:
        """Decode the next piece of the body; return an iterator of the events it completes.

        The idle timeout and an event too large are raised by this call; an error frame or
        an event that is not a valid chunk by this call (a read of one frame, on a stream of
        one model) or when the iterator reaches it, after the events before it."""
        if self.done:
            return _NOTHING
        events = self._events(data)
        if self._idle_timeout is not None:  # an event resets the clock; a read without may raise
            now = self._clock()
            if events:
                self._last_event = now
            elif now - self._last_event > self._idle_timeout:
                raise self._idle(now)
        validate = self._plain
        if validate is None:
            return self._decode(events)
        if len(events) != 1:
            return self._plain_events(events, validate)
        # One frame in the read: how a gateway sends each token, so once a token. Decoded
        # here, in the steps of _plain_events, with no generator made for it.
        payload = events[0]
        if payload == "[DONE]":
            self.done = True
            return _NOTHING
        if self._scan and '"error"' in payload:
            self._frame(payload)  # raises if it is an error frame
        try:
            chunk = validate(payload)
        except pydantic.ValidationError as exc:  # " [DONE]" is not JSON: it comes here
            problem = exc
        else:
            if not self._scan and chunk.__pydantic_extra__ and '"error"' in payload:
                self._frame(payload)  # an unknown "error" field: raises if an object
            self.chunks += 1
            return iter((chunk,))
        self._end_or_raise(payload, problem)  # here, so pydantic's error is not a __context__
        return _NOTHING

    def _plain_events(self, events: List[str], validate: Callable[[str], Any]) -> Iterator[C]:
        """The events of a read with several frames (or none), on a stream of one model
        without terminal types: nearly every stream. The steps of :meth:`feed`'s one frame."""
        scan = self._scan
        for payload in events:
            if payload == "[DONE]":
                self.done = True
                return
            if scan and '"error"' in payload:
                self._frame(payload)  # raises if it is an error frame
            try:
                chunk = validate(payload)
            except pydantic.ValidationError as exc:  # " [DONE]" is not JSON: it comes here
                problem = exc
            else:
                if not scan and chunk.__pydantic_extra__ and '"error"' in payload:
                    self._frame(payload)  # an unknown "error" field: raises if an object
                self.chunks += 1
                yield chunk
                continue
            self._end_or_raise(payload, problem)  # here, so pydantic's error is not a __context__
            return

    def _end_or_raise(self, payload: str, exc: pydantic.ValidationError) -> None:
        """An event that is not a valid chunk: ends the stream if it is ``[DONE]``, else
        raises what it is (an error frame's error, or :meth:`_bad`'s), ``chunks`` counting
        the events decoded before it."""
        if len(payload) < 64 and payload.strip() == "[DONE]":
            self.done = True
            return
        if '"error"' in payload:
            self._frame(payload)
        raise self._bad(_first_problem(exc))

    def _decode(self, events: List[Any]) -> Iterator[C]:
        """The events of a stream with several models, an event field or terminal types."""
        validate, event_field, terminal = self._validate, self._event_field, self._terminal
        for event in events:
            payload = event if event.__class__ is str else event.data
            if len(payload) < 64 and (payload == "[DONE]" or payload.strip() == "[DONE]"):
                self.done = True
                return
            if validate is not None:
                if '"error"' in payload:
                    self._frame(payload)  # raises if it is an error frame
                why: Optional[str] = None
                try:
                    chunk = validate(payload)
                except pydantic.ValidationError as exc:
                    why = _first_problem(exc)
                if why is not None:  # raised here, so pydantic's error is not its __context__
                    raise self._bad(why)
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
