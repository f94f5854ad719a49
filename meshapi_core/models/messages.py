"""Anthropic Messages: ``POST /v1/messages`` (``docs/gateway/api.md`` §16), for any catalog
model.

The request and the reply follow Anthropic's Messages API. A stream is Anthropic's event
sequence, told apart by ``type``: ``message_start``, then per content block
``content_block_start``, ``content_block_delta``... ``content_block_stop``, then
``message_delta`` (the stop reason and final usage) and ``message_stop``, which ends it;
``ping`` may come at any time. An ``error`` event (``{"type": "error", "error": {"type",
"message"}}``) raises the typed error. Schema errors are ``400`` in Anthropic's envelope
(``invalid_request_error``), not the gateway's ``422``.

Content blocks are kept open (``type`` plus whatever fields that type has: ``text``,
``image``, ``tool_use``, ``tool_result``, ``thinking``...), so every block Anthropic defines
travels, in both directions. A reply goes back into the conversation as it is:
``messages.append(reply)``, or ``{"role": "assistant", "content": reply.content}``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Literal, Optional, Tuple, Type, Union

from pydantic import Field, model_validator

from .base import RequestModel, ResponseModel
from .chat import _Passthrough

__all__ = [
    "ContentBlockDeltaEvent",
    "ContentBlockStartEvent",
    "ContentBlockStopEvent",
    "MessageDeltaEvent",
    "MessageParam",
    "MessageStartEvent",
    "MessageStopEvent",
    "MessagesContentBlock",
    "MessagesDelta",
    "MessagesParams",
    "MessagesPingEvent",
    "MessagesResponse",
    "MessagesStopDelta",
    "MessagesStreamEvent",
    "MessagesTool",
    "MessagesUsage",
]

MESSAGES_TERMINAL_EVENTS = frozenset({"message_stop"})
"""The event type that ends a Messages stream."""


# --- the request ---------------------------------------------------------------------------


def _block(block: Any) -> Any:
    """A reply's content block as the dict a request sends (the fields it came with)."""
    if isinstance(block, ResponseModel):
        return block.model_dump(by_alias=True, exclude_unset=True)
    return block


class MessageParam(_Passthrough):
    """One turn: ``role`` and ``content``, a string or a list of content blocks
    (``{"type": "text", "text": ...}``, ``{"type": "image", "source": {...}}``,
    ``{"type": "tool_result", ...}``...). A reply (:class:`MessagesResponse`) is one too, as
    it is, and its blocks may be the content of one.

    >>> MessageParam(role="user", content="Hello").content
    'Hello'
    """

    __reply_forms__: ClassVar[Tuple[type, ...]] = ()
    """The reply models accepted in place of this one (typed as such in the typed dicts)."""

    @model_validator(mode="before")
    @classmethod
    def _from_reply(cls, value: Any) -> Any:
        if isinstance(value, ResponseModel):  # a whole reply: its role and content blocks
            value = {"role": getattr(value, "role", None) or "assistant",
                     "content": getattr(value, "content", None)}  # fmt: skip
        if isinstance(value, dict) and isinstance(value.get("content"), list):
            content = value["content"]
            if any(isinstance(block, ResponseModel) for block in content):
                value = {**value, "content": [_block(block) for block in content]}
        return value

    role: Literal["user", "assistant"]
    """``user`` or ``assistant`` (the system prompt is ``system`` of the request)."""
    content: Union[str, List[Dict[str, Any]]]
    """A string, or a list of content blocks (``text``, ``image``, ``tool_use``,
    ``tool_result``...)."""


class MessagesTool(_Passthrough):
    """A tool the model may use: ``name``, ``description`` and the JSON Schema of its
    input (server tools carry a ``type`` instead, kept as an extra field)."""

    name: str
    """The name the model calls the tool by."""
    description: Optional[str] = None
    """What the tool does, for the model to decide when to use it."""
    input_schema: Optional[Dict[str, Any]] = None
    """The tool's input, as a JSON Schema object."""


class MessagesParams(RequestModel):
    """The body of ``POST /v1/messages``. ``max_tokens`` and ``messages`` are required, as
    in Anthropic's API; ``model`` may come from the key's default.

    >>> MessagesParams(model="anthropic/claude-haiku-4.5", max_tokens=256,
    ...                messages=[MessageParam(role="user", content="Hi")]).to_json_dict()
    {'max_tokens': 256, 'messages': [{'role': 'user', 'content': 'Hi'}], \
'model': 'anthropic/claude-haiku-4.5'}
    """

    max_tokens: int = Field(ge=1)
    """The most tokens to generate (required, at least 1)."""
    messages: List[MessageParam]
    """The conversation, alternating ``user`` and ``assistant`` turns (required)."""
    model: Optional[str] = None
    """Any catalog model id, e.g. ``anthropic/claude-haiku-4.5`` (by default the key's)."""
    system: Union[str, List[Dict[str, Any]], None] = None
    """The system prompt: a string or a list of text blocks."""
    temperature: Optional[float] = Field(default=None, ge=0, le=1)
    """Sampling temperature: 0 to 1."""
    top_p: Optional[float] = Field(default=None, ge=0, le=1)
    """Nucleus sampling: 0 to 1."""
    top_k: Optional[int] = Field(default=None, ge=0)
    """Sample only from the ``top_k`` likeliest tokens (0 or more)."""
    stop_sequences: Optional[List[str]] = None
    """Strings that end the generation."""
    tools: Optional[List[MessagesTool]] = None
    """Tools the model may use."""
    tool_choice: Optional[Dict[str, Any]] = None
    """``{"type": "auto" | "any" | "none"}`` or ``{"type": "tool", "name": ...}``."""
    thinking: Optional[Dict[str, Any]] = None
    """``{"type": "enabled", "budget_tokens": N}`` for extended thinking."""
    metadata: Optional[Dict[str, Any]] = None
    """Data about the request, e.g. ``{"user_id": ...}``."""
    stream: Optional[bool] = Field(default=None, exclude=True)
    """Decided by the method: ``create`` sends no stream, ``stream`` asks for one."""


# --- the reply -----------------------------------------------------------------------------


class MessagesContentBlock(ResponseModel):
    """One block of the reply: ``text`` (with ``text``), ``tool_use`` (``id``, ``name``,
    ``input``), ``thinking`` (``thinking``, ``signature``), or another type with its own
    fields kept."""

    type: Optional[str] = None
    """``text``, ``tool_use``, ``thinking``, or another block type."""
    text: Optional[str] = None
    """The text of a ``text`` block."""
    id: Optional[str] = None
    """The id of a ``tool_use`` block: a ``tool_result`` answers it with ``tool_use_id``."""
    name: Optional[str] = None
    """The tool a ``tool_use`` block calls."""
    input: Optional[Dict[str, Any]] = None
    """The input of a ``tool_use`` block (an object, already parsed)."""
    thinking: Optional[str] = None
    """The reasoning of a ``thinking`` block."""
    signature: Optional[str] = None
    """The signature of a ``thinking`` block; send it back unchanged."""


class MessagesUsage(ResponseModel):
    """Token counts, Anthropic's names."""

    input_tokens: Optional[int] = None
    """Tokens of the input."""
    output_tokens: Optional[int] = None
    """Tokens generated."""
    cache_creation_input_tokens: Optional[int] = None
    """Input tokens written to the prompt cache."""
    cache_read_input_tokens: Optional[int] = None
    """Input tokens read from the prompt cache."""


class MessagesResponse(ResponseModel):
    """A whole reply (``type: "message"``). ``stop_reason`` is ``end_turn``,
    ``max_tokens``, ``stop_sequence`` or ``tool_use``."""

    id: Optional[str] = None
    """The message's id."""
    type: Optional[str] = None
    """``message``."""
    role: Optional[str] = None
    """``assistant``."""
    model: Optional[str] = None
    """The model that answered."""
    content: List[MessagesContentBlock] = Field(default_factory=list)
    """The blocks of the answer: text, tool uses, thinking..."""
    stop_reason: Optional[str] = None
    """Why the model stopped: ``end_turn``, ``max_tokens``, ``stop_sequence`` or ``tool_use``."""
    stop_sequence: Optional[str] = None
    """The stop sequence that ended it, if one did."""
    usage: Optional[MessagesUsage] = None
    """Token counts."""

    @property
    def text(self) -> str:
        """The text of every ``text`` block, joined.

        >>> MessagesResponse(content=[{"type": "text", "text": "4"}]).text
        '4'
        """
        return "".join(b.text or "" for b in self.content if b.type == "text")


# --- stream events ---------------------------------------------------------------------------


MessageParam.__reply_forms__ = (MessagesResponse,)


class MessagesStreamEvent(ResponseModel):
    """One event of a Messages stream; known types arrive as the subclasses below, others
    as this class with every field kept."""

    type: Optional[str] = None
    """The event type, e.g. ``content_block_delta``."""


class MessageStartEvent(MessagesStreamEvent):
    """``message_start``: the message with empty ``content`` and the input usage."""

    message: Optional[MessagesResponse] = None
    """The message, with empty ``content`` and the input's usage."""


class ContentBlockStartEvent(MessagesStreamEvent):
    """``content_block_start``: block ``index`` begins, as ``content_block``."""

    index: Optional[int] = None
    """The block's position in the message."""
    content_block: Optional[MessagesContentBlock] = None
    """The block as it begins."""


class MessagesDelta(ResponseModel):
    """What a ``content_block_delta`` adds: ``text_delta`` (``text``),
    ``input_json_delta`` (``partial_json``), ``thinking_delta`` (``thinking``) or
    ``signature_delta`` (``signature``)."""

    type: Optional[str] = None
    """``text_delta``, ``input_json_delta``, ``thinking_delta`` or ``signature_delta``."""
    text: Optional[str] = None
    """Text added, in a ``text_delta``."""
    partial_json: Optional[str] = None
    """A fragment of a tool's input JSON, in an ``input_json_delta``."""
    thinking: Optional[str] = None
    """Reasoning added, in a ``thinking_delta``."""
    signature: Optional[str] = None
    """The thinking block's signature, in a ``signature_delta``."""


class ContentBlockDeltaEvent(MessagesStreamEvent):
    """``content_block_delta``: a piece of block ``index``."""

    index: Optional[int] = None
    """The position of the block it adds to."""
    delta: Optional[MessagesDelta] = None
    """What it adds."""


class ContentBlockStopEvent(MessagesStreamEvent):
    """``content_block_stop``: block ``index`` is complete."""

    index: Optional[int] = None
    """The position of the block that is complete."""


class MessagesStopDelta(ResponseModel):
    """The message-level change a ``message_delta`` carries."""

    stop_reason: Optional[str] = None
    """Why the model stopped: ``end_turn``, ``max_tokens``, ``stop_sequence`` or ``tool_use``."""
    stop_sequence: Optional[str] = None
    """The stop sequence that ended it, if one did."""


class MessageDeltaEvent(MessagesStreamEvent):
    """``message_delta``: the stop reason, and the final output token count in ``usage``."""

    delta: Optional[MessagesStopDelta] = None
    """The stop reason."""
    usage: Optional[MessagesUsage] = None
    """The final output token count."""


class MessageStopEvent(MessagesStreamEvent):
    """``message_stop``: the end of the stream."""


class MessagesPingEvent(MessagesStreamEvent):
    """``ping``: a keep-alive."""


MESSAGES_EVENT_MODELS: Dict[str, Type[MessagesStreamEvent]] = {
    "message_start": MessageStartEvent,
    "content_block_start": ContentBlockStartEvent,
    "content_block_delta": ContentBlockDeltaEvent,
    "content_block_stop": ContentBlockStopEvent,
    "message_delta": MessageDeltaEvent,
    "message_stop": MessageStopEvent,
    "ping": MessagesPingEvent,
}
"""The model of each known event type (others are :class:`MessagesStreamEvent`)."""
