"""Stream accumulators: the events of a stream folded into the reply it stands for.

An accumulator is fed every event of one stream, in order (:meth:`Accumulator.add`), can say
what text an event adds (:meth:`Accumulator.text`), and gives the whole reply at the end
(:meth:`Accumulator.result`). It is pure: no I/O, no clock, so every transport's streams share
it and it can be tested with hand-made events. An endpoint's
:class:`~meshapi_core.endpoint.SSE` declaration names its accumulator; a stream then feeds it
as events arrive, which is what ``stream.text()`` and ``stream.final()`` read.

Three are defined, one per streaming format of the gateway:

- :class:`ChatCompletionAccumulator`: ``chat.completion.chunk`` events into a
  :class:`~meshapi_core.models.chat.ChatCompletion` (content, refusal, tool calls whose
  argument fragments are joined per call, usage, finish reasons, several choices);
- :class:`ResponseAccumulator`: Responses events; the result is the ``response`` of the
  terminal event (``response.completed``, ``.failed`` or ``.incomplete``), the text is
  ``response.output_text.delta``;
- :class:`MessageAccumulator`: Anthropic Messages events (``message_start``,
  ``content_block_start``/``_delta``/``_stop``, ``message_delta``, ``message_stop``) into the
  final message.

Events are read by attribute, or by key when they are mappings, and unknown fields are kept,
so an accumulator works on any model that carries the documented fields.

Tool calls (``docs/gateway/streaming.md`` §2). Mesh fronts many providers, and some stream tool
calls without ``index``, with argument fragments under another index than the call's name,
or without ids. A fragment belongs to the call its ``index`` already names; else to the call
its ``id`` names; else it starts a new call if it brings a new id (while the call in flight
has one) or a second name; else it continues the call in flight. Calls that never got an id
get one made up at the end (``call_mesh_<n>``), so a reply can always be sent back with its
tool results.

>>> from meshapi_core.models.chat import ChatCompletionChunk
>>> acc = ChatCompletionAccumulator()
>>> for data in ['{"id":"c1","choices":[{"delta":{"role":"assistant","content":"4"}}]}',
...              '{"id":"c1","choices":[{"delta":{},"finish_reason":"stop"}]}']:
...     acc.add(ChatCompletionChunk.model_validate_json(data))
>>> done = acc.result()
>>> done.choices[0].message.content, done.choices[0].finish_reason
('4', 'stop')
"""

from __future__ import annotations

import json
from typing import Any, Dict, Generic, List, Mapping, Optional, Protocol, Type, TypeVar

from .errors import ResponseDecodeError
from .models.chat import (
    ChatCompletion,
    ChatCompletionChunk,
    ChunkChoice,
    ToolCallDelta,
)

__all__ = [
    "Accumulator",
    "ChatCompletionAccumulator",
    "LastEvent",
    "MessageAccumulator",
    "ResponseAccumulator",
]

C = TypeVar("C")
C_contra = TypeVar("C_contra", contravariant=True)
F_co = TypeVar("F_co", covariant=True)
M = TypeVar("M")


class Accumulator(Protocol[C_contra, F_co]):
    """What a stream needs from an accumulator."""

    def add(self, event: C_contra) -> None:
        """Fold one event in."""

    def text(self, event: C_contra) -> str:
        """The text ``event`` adds to the reply (``""`` if none)."""

    def result(self) -> F_co:
        """The reply so far (after the last event: the whole reply)."""


def _get(obj: Any, name: str) -> Any:
    """A field of an event or part of one: by key for mappings, else by attribute (unknown
    fields of a lenient model included), ``None`` when absent."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _plain(obj: Any) -> Any:
    """A model as plain JSON-like data (the fields it was given, unknown ones included)."""
    dump = getattr(obj, "model_dump", None)
    if dump is not None:
        return dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(obj, Mapping):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


class LastEvent(Generic[C]):
    """The accumulator of streams that declare none: the result is the last event, and the
    text of an event is its ``delta`` when that is a string (compare streams)."""

    def __init__(self) -> None:
        self._last: Optional[C] = None

    def add(self, event: C) -> None:
        """Remember ``event``."""
        self._last = event

    def text(self, event: C) -> str:
        """``event.delta`` if it is a string, else ``""``."""
        delta = _get(event, "delta")
        return delta if isinstance(delta, str) else ""

    def result(self) -> Optional[C]:
        """The last event, or ``None`` before the first."""
        return self._last


# --- chat completions ------------------------------------------------------------------------


class _ToolCall:
    __slots__ = ("arguments", "extra", "id", "name", "thought_signature", "type")

    def __init__(self) -> None:
        self.id: Optional[str] = None
        self.type: Optional[str] = None
        self.name: Optional[str] = None
        self.arguments: List[str] = []
        self.thought_signature: Optional[str] = None
        self.extra: Dict[str, Any] = {}

    def to_json(self, made_up_id: str) -> Dict[str, Any]:
        call: Dict[str, Any] = {
            **self.extra,
            "id": self.id or made_up_id,
            "type": self.type or "function",
            "function": {"name": self.name or "", "arguments": "".join(self.arguments)},
        }
        if self.thought_signature is not None:
            call["thought_signature"] = self.thought_signature
        return call


class _ToolCalls:
    """The tool calls of one choice, assembled from their deltas (see the module docs)."""

    def __init__(self) -> None:
        self.calls: List[_ToolCall] = []
        self._by_index: Dict[int, _ToolCall] = {}
        self._by_id: Dict[str, _ToolCall] = {}
        self._current: Optional[_ToolCall] = None

    def add(self, delta: ToolCallDelta) -> None:
        index, call_id = delta.index, delta.id
        function = delta.function
        name = function.name if function is not None else None
        arguments = function.arguments if function is not None else None
        target = self._by_index.get(index) if index is not None else None
        if target is None and call_id:
            target = self._by_id.get(call_id)
        if target is not None and call_id and target.id and call_id != target.id:
            target = None  # the index is reused for another call (a new id says so)
        new = False
        if target is None:
            current = self._current
            new = (
                current is None
                or (bool(call_id) and current.id is not None)  # an id not seen before
                or (name is not None and current.name is not None)
            )
            target = _ToolCall() if new or current is None else current
            if new:
                self.calls.append(target)
        if index is not None and (new or index not in self._by_index):
            self._by_index[index] = target
        if call_id:
            self._by_id.setdefault(call_id, target)
            if target.id is None:
                target.id = call_id
        if name is not None and target.name is None:
            target.name = name
        if arguments:
            target.arguments.append(arguments)
        if delta.type:
            target.type = delta.type
        if delta.thought_signature is not None:
            target.thought_signature = delta.thought_signature
        if delta.model_extra:
            target.extra.update(delta.model_extra)
        self._current = target

    def to_json(self) -> List[Dict[str, Any]]:
        return [call.to_json(f"call_mesh_{n}") for n, call in enumerate(self.calls)]


class _Choice:
    """One choice of a streamed completion, as its deltas arrive."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.role: Optional[str] = None
        self.content: List[str] = []
        self.refusal: List[str] = []
        self.tools = _ToolCalls()
        self.finish_reason: Optional[str] = None
        self.logprobs: Optional[Dict[str, Any]] = None
        self.audio: Optional[Dict[str, Any]] = None
        self.reasoning: Optional[List[Dict[str, Any]]] = None
        self.extra: Dict[str, Any] = {}

    def add_rest(self, choice: ChunkChoice) -> None:
        """Fold in everything of a choice's chunk but its delta's content, which
        :meth:`ChatCompletionAccumulator.add` appends to :attr:`content` itself (and calls
        this only for a chunk that brings more)."""
        delta = choice.delta
        if delta.role:
            self.role = delta.role
        extra = delta.__pydantic_extra__
        if extra:
            refusal = extra.get("refusal")
            if isinstance(refusal, str) and refusal:
                self.refusal.append(refusal)
            self.extra.update((k, v) for k, v in extra.items() if k != "refusal")
        if delta.tool_calls:
            for call in delta.tool_calls:
                self.tools.add(call)
        if delta.audio:
            self.audio = _merge_audio(self.audio, delta.audio)
        if delta.reasoning_details:
            self.reasoning = (self.reasoning or []) + list(delta.reasoning_details)
        if choice.finish_reason is not None:
            self.finish_reason = choice.finish_reason
        if choice.logprobs:
            self.logprobs = _merge_lists(self.logprobs, choice.logprobs)

    def to_json(self) -> Dict[str, Any]:
        message: Dict[str, Any] = {**self.extra, "role": self.role or "assistant"}
        calls = self.tools.to_json()
        if self.content:
            message["content"] = "".join(self.content)
        else:
            message["content"] = None if calls or self.refusal else ""
        if self.refusal:
            message["refusal"] = "".join(self.refusal)
        if calls:
            message["tool_calls"] = calls
        if self.audio is not None:
            message["audio"] = self.audio
        if self.reasoning is not None:
            message["reasoning_details"] = self.reasoning
        choice: Dict[str, Any] = {
            "index": self.index,
            "message": message,
            "finish_reason": self.finish_reason,
        }
        if self.logprobs is not None:
            choice["logprobs"] = self.logprobs
        return choice


def _merge_lists(into: Optional[Dict[str, Any]], more: Mapping[str, Any]) -> Dict[str, Any]:
    """Logprobs: lists (``content``, ``refusal``) are concatenated, other values replaced."""
    merged = dict(into or {})
    for key, value in more.items():
        if isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = merged[key] + value
        else:
            merged[key] = value
    return merged


def _merge_audio(into: Optional[Dict[str, Any]], more: Mapping[str, Any]) -> Dict[str, Any]:
    """Audio deltas: ``data`` and ``transcript`` are concatenated, other values replaced."""
    merged = dict(into or {})
    for key, value in more.items():
        if key in ("data", "transcript") and isinstance(value, str):
            merged[key] = merged.get(key, "") + value
        else:
            merged[key] = value
    return merged


_CHUNK_HEAD = ("id", "created", "model", "system_fingerprint")
_HEAD_AND_CHOICES = frozenset({*_CHUNK_HEAD, "object", "choices"})


_HEAD_LOOKS = 3
"""How many chunks :class:`ChatCompletionAccumulator` reads the head fields from (``id``,
``model``... come with the first chunk; providers that send them late send them early too)."""


class ChatCompletionAccumulator:
    """Folds ``chat.completion.chunk`` events into the :class:`ChatCompletion` they spell.

    Per choice (by ``index``): the role, the content and any ``refusal`` joined, tool calls
    assembled (see the module docs), the last ``finish_reason``, logprob lists joined. Across
    the stream: the first ``id``, ``created``, ``model`` and ``system_fingerprint``, the last
    ``usage`` and ``cost`` (sent on the last chunk), and any unknown fields. :meth:`text` is
    the content the first choice's delta adds.
    """

    def __init__(self) -> None:
        self._head: Dict[str, Any] = {}
        self._missing = list(_CHUNK_HEAD)  # head fields no chunk has brought yet
        self._looks = _HEAD_LOOKS
        self._choices: Dict[int, _Choice] = {}
        self._extra: Dict[str, Any] = {}
        self._usage: Any = None
        self._cost: Optional[str] = None

    def add(self, chunk: ChatCompletionChunk) -> None:
        """Fold one chunk in.

        Nearly every chunk of a long stream is one choice whose delta is a piece of content:
        that piece is appended here, in one call, and the rest of the fold runs only for a
        chunk that carries more (a role, tool calls, a finish reason, usage, unknown fields).
        """
        if self._missing:  # the head comes with the first chunks: looked for in the first few
            self._look_at_head(chunk)
        if not chunk.__pydantic_fields_set__ <= _HEAD_AND_CHOICES:  # usage, cost, unknown fields
            self._add_tail(chunk)
        choices = self._choices
        for choice in chunk.choices:
            fields = choice.__dict__  # a model's fields, read as one dict: cheaper, once a token
            index = fields["index"]
            state = choices.get(index)
            if state is None:
                state = choices[index] = _Choice(index)
            delta = fields["delta"]
            content = delta.content
            if content:
                state.content.append(content)
                # Content alone (unknown fields too are in the fields set)?
                if (
                    fields["finish_reason"] is None
                    and not fields["logprobs"]
                    and len(delta.__pydantic_fields_set__) == 1
                ):
                    continue
            state.add_rest(choice)

    def _look_at_head(self, chunk: ChatCompletionChunk) -> None:
        missing = self._missing
        for name in missing:
            value = getattr(chunk, name, None)
            if value:
                self._head[name] = value
        self._looks -= 1
        self._missing = [] if not self._looks else [n for n in missing if n not in self._head]

    def _add_tail(self, chunk: ChatCompletionChunk) -> None:
        if chunk.usage is not None:
            self._usage = chunk.usage
        if chunk.cost is not None:
            self._cost = chunk.cost
        if chunk.__pydantic_extra__:
            self._extra.update(chunk.__pydantic_extra__)

    def text(self, chunk: ChatCompletionChunk) -> str:
        """The content ``chunk`` adds to the first choice."""
        for choice in chunk.choices:
            if choice.index == 0:
                return choice.delta.content
        return ""

    def result(self) -> ChatCompletion:
        """The completion the chunks so far spell."""
        body: Dict[str, Any] = {**self._extra, **self._head, "object": "chat.completion"}
        body["choices"] = [self._choices[i].to_json() for i in sorted(self._choices)]
        if self._usage is not None:
            body["usage"] = _plain(self._usage)
        if self._cost is not None:
            body["cost"] = self._cost
        return ChatCompletion.model_validate(body)


# --- responses ---------------------------------------------------------------------------------

_RESPONSE_TERMINAL = frozenset({"response.completed", "response.failed", "response.incomplete"})


def _validated(model: Optional[Type[Any]], value: Any) -> Any:
    if model is None or isinstance(value, model):
        return value
    import pydantic

    try:
        return model.model_validate(_plain(value))
    except pydantic.ValidationError as exc:
        problem = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in problem.get("loc", ())) or "the reply"
        raise ResponseDecodeError(
            f"The stream's events do not make a valid {model.__name__}: "
            f"{problem.get('msg', 'invalid')} at {where}",
            error_code="parse_error",
        ) from None


class ResponseAccumulator:
    """Follows a Responses stream (``docs/gateway/streaming.md`` §4).

    The result is the ``response`` of the terminal event (``response.completed``,
    ``response.failed`` or ``response.incomplete``), validated as ``model`` when one is
    given. The text is each ``response.output_text.delta`` event's ``delta`` (or, from a
    gateway that sends chat-shaped chunks instead, the first choice's content);
    :attr:`output_text` joins it.
    """

    def __init__(self, model: Optional[Type[Any]] = None) -> None:
        self._model = model
        self._final: Any = None
        self._latest: Any = None
        self._text: List[str] = []

    def add(self, event: Any) -> None:
        """Fold one event in."""
        response = _get(event, "response")
        if response is not None:
            self._latest = response
            if _get(event, "type") in _RESPONSE_TERMINAL:
                self._final = response
        piece = self.text(event)
        if piece:
            self._text.append(piece)

    def text(self, event: Any) -> str:
        """The output text ``event`` adds."""
        kind = _get(event, "type")
        if kind == "response.output_text.delta":
            delta = _get(event, "delta")
            return delta if isinstance(delta, str) else ""
        if kind is None:
            choices = _get(event, "choices")
            if isinstance(choices, list) and choices:
                content = _get(_get(choices[0], "delta"), "content")
                return content if isinstance(content, str) else ""
        return ""

    @property
    def output_text(self) -> str:
        """All the output text so far."""
        return "".join(self._text)

    @property
    def completed(self) -> bool:
        """Whether a terminal event arrived."""
        return self._final is not None

    def result(self) -> Any:
        """The final response; raises :class:`ResponseDecodeError` if the stream carried no
        terminal event (an interrupted stream raises its own error first)."""
        if self._final is None:
            raise ResponseDecodeError(
                "The Responses stream ended without response.completed, .failed or "
                ".incomplete: there is no final response",
                error_code="parse_error",
            )
        return _validated(self._model, self._final)


# --- Anthropic messages --------------------------------------------------------------------------


class MessageAccumulator:
    """Follows an Anthropic Messages stream into the final message.

    ``message_start`` gives the message; each content block starts with
    ``content_block_start`` (at its ``index``), grows with ``content_block_delta``
    (``text_delta`` text, ``input_json_delta`` fragments of a tool's input, parsed when the
    block stops, ``thinking_delta``, ``signature_delta``, ``citations_delta``) and ends with
    ``content_block_stop``; ``message_delta`` sets ``stop_reason``/``stop_sequence`` and
    updates ``usage``. The result is the message as a dict, or validated as ``model``. A
    tool input whose fragments do not form JSON (a stream cut short) is left empty, with
    the joined fragments as the block's ``partial_json``.
    """

    def __init__(self, model: Optional[Type[Any]] = None) -> None:
        self._model = model
        self._message: Optional[Dict[str, Any]] = None
        self._blocks: Dict[int, Dict[str, Any]] = {}
        self._json: Dict[int, List[str]] = {}
        self.stopped = False
        """Whether ``message_stop`` arrived."""

    def add(self, event: Any) -> None:
        """Fold one event in."""
        kind = _get(event, "type")
        if kind == "message_start":
            message = _plain(_get(event, "message"))
            self._message = dict(message) if isinstance(message, Mapping) else {}
            for index, block in enumerate(self._message.get("content") or ()):
                if isinstance(block, Mapping):
                    self._blocks[index] = dict(block)
        elif kind == "content_block_start":
            block = _plain(_get(event, "content_block"))
            self._blocks[self._index(event)] = dict(block) if isinstance(block, Mapping) else {}
        elif kind == "content_block_delta":
            self._delta(self._index(event), _plain(_get(event, "delta")))
        elif kind == "content_block_stop":
            self._close_block(self._index(event))
        elif kind == "message_delta":
            message = self._started()
            delta = _plain(_get(event, "delta"))
            if isinstance(delta, Mapping):
                message.update(delta)
            usage = _plain(_get(event, "usage"))
            if isinstance(usage, Mapping):
                merged = dict(message.get("usage") or {})
                merged.update(usage)
                message["usage"] = merged
        elif kind == "message_stop":
            self.stopped = True

    def text(self, event: Any) -> str:
        """The text ``event`` adds (a ``text_delta``)."""
        if _get(event, "type") != "content_block_delta":
            return ""
        delta = _get(event, "delta")
        if _get(delta, "type") != "text_delta":
            return ""
        text = _get(delta, "text")
        return text if isinstance(text, str) else ""

    def result(self) -> Any:
        """The message so far; raises :class:`ResponseDecodeError` before ``message_start``."""
        if self._message is None:
            raise ResponseDecodeError(
                "The Messages stream carried no message_start event: there is no message",
                error_code="parse_error",
            )
        for index in list(self._json):
            self._close_block(index)
        message = dict(self._message)
        message["content"] = [self._blocks[i] for i in sorted(self._blocks)]
        return _validated(self._model, message)

    def _started(self) -> Dict[str, Any]:
        if self._message is None:
            self._message = {}
        return self._message

    @staticmethod
    def _index(event: Any) -> int:
        index = _get(event, "index")
        return index if isinstance(index, int) else 0

    def _delta(self, index: int, delta: Any) -> None:
        if not isinstance(delta, Mapping):
            return
        block = self._blocks.setdefault(index, {})
        kind = delta.get("type")
        if kind == "text_delta":
            block.setdefault("type", "text")
            block["text"] = str(block.get("text") or "") + str(delta.get("text") or "")
        elif kind == "input_json_delta":
            self._json.setdefault(index, []).append(str(delta.get("partial_json") or ""))
        elif kind == "thinking_delta":
            block["thinking"] = str(block.get("thinking") or "") + str(delta.get("thinking") or "")
        elif kind == "signature_delta":
            block["signature"] = delta.get("signature")
        elif kind == "citations_delta":
            block.setdefault("citations", []).append(delta.get("citation"))

    def _close_block(self, index: int) -> None:
        parts = self._json.pop(index, None)
        if parts is None:
            return
        text = "".join(parts)
        block = self._blocks.setdefault(index, {})
        if not text:
            block.setdefault("input", {})
            return
        try:
            block["input"] = json.loads(text)
        except ValueError:  # cut short: the input is unknown, the fragments are kept
            block["input"] = {}
            block["partial_json"] = text
