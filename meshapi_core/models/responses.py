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
    """Always ``function``."""
    name: str
    """The name the model calls the function by."""
    description: Optional[str] = None
    """What the function does, for the model to decide when to call it."""
    parameters: Optional[Dict[str, Any]] = None
    """The function's arguments, as a JSON Schema object."""
    strict: Optional[bool] = None
    """Whether the arguments must follow ``parameters`` exactly."""


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
    """Which hosted tool: ``image_generation``, ``web_search_preview``, ``file_search``,
    ``computer_use_preview``, ``code_interpreter``..."""


class ResponsesParams(RequestModel):
    """The body of ``POST /v1/responses``; only ``input`` is required.

    ``text={"format": {"type": "json_schema", "name": ..., "schema": {...}}}`` asks for
    structured output; ``background=True`` queues a job to poll with ``responses.get``.

    >>> ResponsesParams(model="openai/gpt-4o-mini", input="Hi", max_output_tokens=50
    ...                 ).to_json_dict()
    {'input': 'Hi', 'model': 'openai/gpt-4o-mini', 'max_output_tokens': 50}
    """

    input: Union[str, List[Any]]
    """The input (required): a string, or a list of input items."""
    model: Optional[str] = None
    """The model id, or ``auto`` for the Auto Router."""
    template: Optional[str] = None
    """A prompt template, by name or UUID, as in a chat completion."""
    variables: Optional[Dict[str, str]] = None
    """Values for the template's ``{{slot}}`` placeholders."""
    session_id: Optional[str] = None
    """Your grouping key, for usage reports."""
    instructions: Optional[str] = None
    """System instructions for the model."""
    previous_response_id: Optional[str] = None
    """Continue the conversation of this earlier response."""
    max_output_tokens: Optional[int] = Field(default=None, ge=1)
    """The most tokens to generate (at least 1)."""
    temperature: Optional[float] = Field(default=None, ge=0, le=2)
    """Sampling temperature: 0 to 2."""
    top_p: Optional[float] = Field(default=None, ge=0, le=1)
    """Nucleus sampling: 0 to 1."""
    seed: Optional[int] = None
    """A seed, for repeatable sampling where the model supports it."""
    reasoning: Optional[Dict[str, Any]] = None
    """Reasoning options, e.g. ``{"effort": "low"}`` (``low``, ``medium`` or ``high``)."""
    tools: Optional[List[Union[ResponsesFunctionTool, BuiltinTool]]] = None
    """Function tools, or hosted tools (``web_search_preview`` turns the request into a background
    job)."""
    tool_choice: Union[str, Dict[str, Any], None] = None
    """Whether and which tool the model must call: a string or an object."""
    max_tool_calls: Optional[int] = Field(default=None, ge=1, le=10)
    """The most tool calls the model may make: 1 to 10."""
    text: Optional[Dict[str, Any]] = None
    """Text output options, e.g. ``{"format": {...}}`` for structured output."""
    response_format: Optional[Dict[str, Any]] = None
    """The output's format, as in a chat completion."""
    include: Optional[List[Any]] = None
    """Extra output to include in the reply."""
    background: Optional[bool] = None
    """Queue a background job instead of answering; poll it with ``responses.get``."""
    store: Optional[bool] = None
    """Whether the provider stores the response (ignored by providers without it)."""
    plugins: Optional[List[Any]] = None
    """Deprecated web-search plugin configuration."""
    user: Optional[str] = Field(default=None, max_length=256)
    """Your end user's id (at most 256 characters)."""
    thinking: Optional[Dict[str, Any]] = None
    """Thinking options (provider-specific; ignored by providers without them)."""
    caching: Optional[Dict[str, Any]] = None
    """Prompt-caching options (provider-specific; ignored by providers without them)."""
    expire_at: Optional[int] = None
    """When the stored response expires (provider-specific; ignored by providers without it)."""
    context_management: Optional[Dict[str, Any]] = None
    """Context-management options (provider-specific; ignored by providers without them)."""
    upstream_timeout: Optional[float] = Field(default=None, gt=0, alias="timeout")
    """The gateway's own time limit for the provider, in seconds (sent as ``timeout``;
    the ``timeout=`` keyword of a method is the client's HTTP timeout)."""
    stream: Optional[bool] = Field(default=None, exclude=True)
    """Decided by the method: ``create`` sends no stream, ``stream`` asks for one."""


class ResponsesListParams(RequestModel):
    """The query of ``GET /v1/responses``: ``after`` (a response id) and ``limit``."""

    after: Optional[str] = None
    """The id of the last response of the previous page: this page starts after it."""
    limit: Optional[int] = Field(default=None, ge=1)
    """The most responses on one page (at least 1)."""


# --- the reply ------------------------------------------------------------------------------


class ResponsesUsage(ResponseModel):
    """Token counts, under the Responses names (``input_tokens``...) or the chat names
    (``prompt_tokens``...), whichever the provider used."""

    input_tokens: Optional[int] = None
    """Tokens of the input (Responses name)."""
    output_tokens: Optional[int] = None
    """Tokens generated (Responses name)."""
    total_tokens: Optional[int] = None
    """Both together."""
    prompt_tokens: Optional[int] = None
    """Tokens of the input (chat name, from providers that use it)."""
    completion_tokens: Optional[int] = None
    """Tokens generated (chat name, from providers that use it)."""
    prompt_tokens_details: Optional[Dict[str, Any]] = None
    """Where input tokens came from (cache, audio)."""
    completion_tokens_details: Optional[Dict[str, Any]] = None
    """What output tokens were spent on (reasoning, audio)."""
    classifier_tokens: Optional[int] = None
    """Tokens of the Auto Router's classifier (billed)."""


class ResponsesResponse(ResponseModel):
    """A response object: the reply of ``create``, or a job as ``get`` reports it.

    ``status`` moves ``queued`` -> ``in_progress`` -> ``completed`` (or ``failed``,
    ``incomplete``, ``cancelled``) for background jobs. ``output`` is the provider's list of
    output items; ``created_at`` is Unix seconds (an old example showed an ISO string, so
    both are accepted). Provider fields beyond these are kept in ``model_extra``.
    """

    id: Optional[str] = None
    """The response's id, for ``responses.get`` and ``previous_response_id``."""
    object: Optional[str] = None
    """``response``."""
    model: Optional[str] = None
    """The model that answered."""
    status: Optional[str] = None
    """``queued``, ``in_progress``, ``completed``, ``failed``, ``incomplete`` or ``cancelled``."""
    output: Union[List[Any], str, None] = None
    """The provider's output items (messages, tool calls, reasoning...)."""
    usage: Optional[ResponsesUsage] = None
    """Token counts."""
    created_at: Union[int, float, str, None] = None
    """When it was made: Unix seconds (an ISO string from some gateways)."""

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
    """The job's id, for ``responses.get``."""
    object: Optional[str] = None
    """The kind of object, as the gateway names it."""
    model: Optional[str] = None
    """The model of the job."""
    provider: Optional[str] = None
    """The provider running it."""
    status: Optional[str] = None
    """Where the job stands, e.g. ``queued``, ``in_progress`` or ``completed``."""
    created_at: Optional[int] = None
    """When it was queued (Unix seconds)."""
    completed_at: Optional[int] = None
    """When it finished (Unix seconds)."""
    usage_synced: Optional[bool] = None
    """Whether the gateway has recorded its usage (billed when a terminal status is first seen)."""


class ResponsesListResponse(CursorPage[ResponsesListItem]):
    """A page of ``GET /v1/responses``: ``data``, ``has_more``, ``first_id``, ``last_id``."""


# --- stream events --------------------------------------------------------------------------


class ResponsesStreamEvent(ResponseModel):
    """One event of a Responses stream; every event keeps every field it came with.

    Known types arrive as the subclasses below; any other type (and a chat-shaped chunk,
    which older gateways sent) arrives as this class, with its fields in ``model_extra``.
    """

    type: Optional[str] = None
    """The event type, e.g. ``response.output_text.delta``."""
    response: Optional[ResponsesResponse] = None
    """The response object as it stands (lifecycle events)."""
    usage: Optional[ResponsesUsage] = None
    """Token counts, when the event carries them."""
    sequence_number: Optional[int] = None
    """The event's position in the stream."""


class ResponsesLifecycleEvent(ResponsesStreamEvent):
    """``response.created``, ``.queued``, ``.in_progress``, ``.completed``, ``.failed`` and
    ``.incomplete``: the response object as it stands."""


class ResponsesDeltaEvent(ResponsesStreamEvent):
    """A piece of text: ``response.output_text.delta``, ``response.reasoning_text.delta``,
    ``response.reasoning_summary_text.delta``, ``response.refusal.delta`` and
    ``response.function_call_arguments.delta``."""

    delta: str = ""
    """The text this event adds."""
    item_id: Optional[str] = None
    """The output item it adds to."""
    output_index: Optional[int] = None
    """That item's position in the output."""
    content_index: Optional[int] = None
    """The content part's position in the item."""


class ResponsesTextDoneEvent(ResponsesStreamEvent):
    """``response.output_text.done``: the whole text of one output part."""

    text: Optional[str] = None
    """The whole text of the part."""
    item_id: Optional[str] = None
    """The output item it belongs to."""
    output_index: Optional[int] = None
    """That item's position in the output."""
    content_index: Optional[int] = None
    """The content part's position in the item."""


class ResponsesOutputItemEvent(ResponsesStreamEvent):
    """``response.output_item.added`` and ``.done``: one output item (a message, a function
    call, a reasoning item...)."""

    item: Optional[Dict[str, Any]] = None
    """The output item: a message, a function call, a reasoning item..."""
    output_index: Optional[int] = None
    """Its position in the output."""


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
