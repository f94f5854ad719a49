"""The Responses API: ``POST /v1/responses``, ``GET /v1/responses`` and
``GET /v1/responses/{response_id}`` (``docs/gateway/api.md`` §3, ``docs/gateway/streaming.md`` §4).

The gateway passes the provider's response object through, so replies are loosely typed: the
documented fields are declared and everything else is kept (``model_extra``). A stream is a
sequence of ``response.*`` events told apart by ``type``; it ends on ``response.completed``,
``response.failed`` or ``response.incomplete`` (or ``[DONE]``).
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, Type, Union

from pydantic import Field

from .base import RequestModel, ResponseModel
from .chat import _Passthrough, _Tagged
from .pages import CursorPage

__all__ = [
    "BuiltinTool",
    "ResponsesDeltaEvent",
    "ResponsesFunctionTool",
    "ResponsesLifecycleEvent",
    "ResponsesListItem",
    "ResponsesListParams",
    "ResponsesListResponse",
    "ResponsesOutputItemEvent",
    "ResponsesParams",
    "ResponsesResponse",
    "ResponsesStreamEvent",
    "ResponsesTextDoneEvent",
    "ResponsesUsage",
]

RESPONSES_TERMINAL_EVENTS = frozenset(
    {"response.completed", "response.failed", "response.incomplete"}
)
"""The event types that end a Responses stream."""


# --- the request ---------------------------------------------------------------------------


class ResponsesFunctionTool(_Tagged):
    """A function the model may call: ``{"type": "function", "name", "parameters"...}``
    (flat, unlike chat's nested ``function``)."""

    type: Literal["function"] = "function"
    name: str
    description: Optional[str] = None
    parameters: Optional[Dict[str, Any]] = None
    strict: Optional[bool] = None


class BuiltinTool(_Passthrough):
    """A hosted tool, configured by its own extra fields. A request carrying
    ``web_search_preview`` is turned into a background job by the gateway."""

    type: Literal[
        "image_generation",
        "web_search_preview",
        "web_search_preview_2025_03_11",
        "file_search",
        "computer_use_preview",
        "code_interpreter",
    ]


class ResponsesParams(RequestModel):
    """The body of ``POST /v1/responses``; only ``input`` is required.

    ``text={"format": {"type": "json_schema", "name": ..., "schema": {...}}}`` asks for
    structured output; ``background=True`` queues a job to poll with ``responses.get``.

    >>> ResponsesParams(model="openai/gpt-4o-mini", input="Hi", max_output_tokens=50
    ...                 ).to_json_dict()
    {'input': 'Hi', 'model': 'openai/gpt-4o-mini', 'max_output_tokens': 50}
    """

    input: Union[str, List[Any]]
    model: Optional[str] = None
    template: Optional[str] = None
    variables: Optional[Dict[str, str]] = None
    session_id: Optional[str] = None
    instructions: Optional[str] = None
    previous_response_id: Optional[str] = None
    max_output_tokens: Optional[int] = Field(default=None, ge=1)
    temperature: Optional[float] = Field(default=None, ge=0, le=2)
    top_p: Optional[float] = Field(default=None, ge=0, le=1)
    seed: Optional[int] = None
    reasoning: Optional[Dict[str, Any]] = None
    tools: Optional[List[Union[ResponsesFunctionTool, BuiltinTool]]] = None
    tool_choice: Union[str, Dict[str, Any], None] = None
    max_tool_calls: Optional[int] = Field(default=None, ge=1, le=10)
    text: Optional[Dict[str, Any]] = None
    response_format: Optional[Dict[str, Any]] = None
    include: Optional[List[Any]] = None
    background: Optional[bool] = None
    store: Optional[bool] = None
    plugins: Optional[List[Any]] = None
    """Deprecated web-search plugin configuration."""
    user: Optional[str] = Field(default=None, max_length=256)
    thinking: Optional[Dict[str, Any]] = None
    caching: Optional[Dict[str, Any]] = None
    expire_at: Optional[int] = None
    context_management: Optional[Dict[str, Any]] = None
    upstream_timeout: Optional[float] = Field(default=None, gt=0, alias="timeout")
    """The gateway's own time limit for the provider, in seconds (sent as ``timeout``;
    the ``timeout=`` keyword of a method is the client's HTTP timeout)."""
    stream: Optional[bool] = Field(default=None, exclude=True)
    """Decided by the method: ``create`` sends no stream, ``stream`` asks for one."""


class ResponsesListParams(RequestModel):
    """The query of ``GET /v1/responses``: ``after`` (a response id) and ``limit``."""

    after: Optional[str] = None
    limit: Optional[int] = Field(default=None, ge=1)


# --- the reply ------------------------------------------------------------------------------


class ResponsesUsage(ResponseModel):
    """Token counts, under the Responses names (``input_tokens``...) or the chat names
    (``prompt_tokens``...), whichever the provider used."""

    input_tokens: Optional[int] = None
    output_tokens: Optional[int] = None
    total_tokens: Optional[int] = None
    prompt_tokens: Optional[int] = None
    completion_tokens: Optional[int] = None
    prompt_tokens_details: Optional[Dict[str, Any]] = None
    completion_tokens_details: Optional[Dict[str, Any]] = None
    classifier_tokens: Optional[int] = None


class ResponsesResponse(ResponseModel):
    """A response object: the reply of ``create``, or a job as ``get`` reports it.

    ``status`` moves ``queued`` -> ``in_progress`` -> ``completed`` (or ``failed``,
    ``incomplete``, ``cancelled``) for background jobs. ``output`` is the provider's list of
    output items; ``created_at`` is Unix seconds (an old example showed an ISO string, so
    both are accepted). Provider fields beyond these are kept in ``model_extra``.
    """

    id: Optional[str] = None
    object: Optional[str] = None
    model: Optional[str] = None
    status: Optional[str] = None
    output: Union[List[Any], str, None] = None
    usage: Optional[ResponsesUsage] = None
    created_at: Union[int, float, str, None] = None

    @property
    def output_text(self) -> str:
        """The text of every ``output_text`` part of every ``message`` item, joined
        (``""`` when there is none).

        >>> ResponsesResponse(output=[{"type": "message", "content": [
        ...     {"type": "output_text", "text": "4"}]}]).output_text
        '4'
        """
        if isinstance(self.output, str):
            return self.output
        parts: List[str] = []
        for item in self.output or ():
            if not isinstance(item, dict) or item.get("type") != "message":
                continue
            for part in item.get("content") or ():
                if isinstance(part, dict) and part.get("type") == "output_text":
                    text = part.get("text")
                    if isinstance(text, str):
                        parts.append(text)
        return "".join(parts)


class ResponsesListItem(ResponseModel):
    """One background job as ``GET /v1/responses`` lists it."""

    id: str
    object: Optional[str] = None
    model: Optional[str] = None
    provider: Optional[str] = None
    status: Optional[str] = None
    created_at: Optional[int] = None
    completed_at: Optional[int] = None
    usage_synced: Optional[bool] = None


class ResponsesListResponse(CursorPage[ResponsesListItem]):
    """A page of ``GET /v1/responses``: ``data``, ``has_more``, ``first_id``, ``last_id``."""


# --- stream events --------------------------------------------------------------------------


class ResponsesStreamEvent(ResponseModel):
    """One event of a Responses stream; every event keeps every field it came with.

    Known types arrive as the subclasses below; any other type (and a chat-shaped chunk,
    which older gateways sent) arrives as this class, with its fields in ``model_extra``.
    """

    type: Optional[str] = None
    response: Optional[ResponsesResponse] = None
    usage: Optional[ResponsesUsage] = None
    sequence_number: Optional[int] = None


class ResponsesLifecycleEvent(ResponsesStreamEvent):
    """``response.created``, ``.queued``, ``.in_progress``, ``.completed``, ``.failed`` and
    ``.incomplete``: the response object as it stands."""


class ResponsesDeltaEvent(ResponsesStreamEvent):
    """A piece of text: ``response.output_text.delta``, ``response.reasoning_text.delta``,
    ``response.reasoning_summary_text.delta``, ``response.refusal.delta`` and
    ``response.function_call_arguments.delta``."""

    delta: str = ""
    item_id: Optional[str] = None
    output_index: Optional[int] = None
    content_index: Optional[int] = None


class ResponsesTextDoneEvent(ResponsesStreamEvent):
    """``response.output_text.done``: the whole text of one output part."""

    text: Optional[str] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None
    content_index: Optional[int] = None


class ResponsesOutputItemEvent(ResponsesStreamEvent):
    """``response.output_item.added`` and ``.done``: one output item (a message, a function
    call, a reasoning item...)."""

    item: Optional[Dict[str, Any]] = None
    output_index: Optional[int] = None


RESPONSES_EVENT_MODELS: Dict[str, Type[ResponsesStreamEvent]] = {
    **dict.fromkeys(
        (
            "response.created",
            "response.queued",
            "response.in_progress",
            "response.completed",
            "response.failed",
            "response.incomplete",
        ),
        ResponsesLifecycleEvent,
    ),
    **dict.fromkeys(
        (
            "response.output_text.delta",
            "response.reasoning_text.delta",
            "response.reasoning_summary_text.delta",
            "response.refusal.delta",
            "response.function_call_arguments.delta",
        ),
        ResponsesDeltaEvent,
    ),
    "response.output_text.done": ResponsesTextDoneEvent,
    "response.output_item.added": ResponsesOutputItemEvent,
    "response.output_item.done": ResponsesOutputItemEvent,
}
"""The model of each known event type (others are :class:`ResponsesStreamEvent`)."""
