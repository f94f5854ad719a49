"""Model compare: ``POST /v1/chat/compare`` (``docs/gateway/api.md`` §2,
``docs/gateway/streaming.md`` §3).

One conversation fans out to several models; a comparison model may then write an
evaluation. One model failing does not fail the call: its result carries a *string*
``error`` (with ``error_code``) and the reply is ``partial``. In a stream, such a string
``error`` is an event's data, never a failure of the stream; only an object-valued
``error`` frame is.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from pydantic import Field

from .base import RequestModel, ResponseModel
from .chat import ChatMessage, _Passthrough

__all__ = [
    "CompareParams",
    "CompareResponse",
    "CompareStreamEvent",
    "ModelCompareResult",
    "ModelOverride",
    "TokenUsage",
]


class ModelOverride(_Passthrough):
    """Settings for one of the compared models."""

    model: str
    """The compared model these settings are for."""
    temperature: Optional[float] = Field(default=None, ge=0, le=2)
    """Its sampling temperature: 0 to 2."""
    max_tokens: Optional[int] = Field(default=None, ge=1)
    """The most tokens it may generate (at least 1)."""
    system_prompt: Optional[str] = None
    """A system prompt for this model only."""


class CompareParams(RequestModel):
    """The body of ``POST /v1/chat/compare``: two or more ``models`` and the ``messages``.

    >>> CompareParams(models=["openai/gpt-4o-mini", "anthropic/claude-haiku-4.5"],
    ...               messages=[ChatMessage(role="user", content="Hi")],
    ...               skip_comparison=True).to_json_dict()["skip_comparison"]
    True
    """

    models: List[str] = Field(min_length=2)
    """The models to compare: two or more (duplicates are dropped, order is kept)."""
    messages: List[ChatMessage]
    """The conversation every model answers, as in a chat completion."""
    model_overrides: Optional[List[ModelOverride]] = None
    """Settings for single models (temperature, max tokens, system prompt)."""
    comparison_model: Optional[str] = None
    """The model that writes the evaluation."""
    comparison_instructions: Optional[str] = None
    """Extra guidance for the evaluation."""
    temperature: Optional[float] = Field(default=None, ge=0, le=2)
    """Sampling temperature for every model: 0 to 2."""
    max_tokens: Optional[int] = Field(default=None, ge=1)
    """The most tokens each model may generate (at least 1)."""
    skip_comparison: Optional[bool] = None
    """Skip the evaluation and only collect the answers (the gateway's default: false)."""
    template: Optional[str] = None
    """A prompt template, by name or UUID, as in a chat completion."""
    variables: Optional[Dict[str, str]] = None
    """Values for the template's ``{{slot}}`` placeholders."""
    cache: Optional[bool] = None
    """``False`` opts out of the gateway's response cache; ``True`` caches only if eligible."""
    stream: Optional[bool] = Field(default=None, exclude=True)
    """Decided by the method: ``create`` sends no stream, ``stream`` asks for one."""


class TokenUsage(ResponseModel):
    """Token counts of one model's answer (or of the comparison)."""

    prompt_tokens: Optional[int] = None
    """Tokens of the input."""
    completion_tokens: Optional[int] = None
    """Tokens generated."""
    total_tokens: Optional[int] = None
    """Both together."""


class ModelCompareResult(ResponseModel):
    """One model's answer, or its failure: ``error`` is a string (with ``error_code``)
    when this model failed, ``None`` when it answered."""

    model: Optional[str] = None
    """The model this result is for."""
    content: Optional[str] = None
    """Its answer, when it answered."""
    response_body: Optional[Dict[str, Any]] = None
    """Its whole reply, as the provider sent it."""
    latency_ms: Optional[int] = None
    """How long it took, in milliseconds (each model has 120 s at most)."""
    error: Optional[str] = None
    """Why this model failed (a string: the other models' results still stand)."""
    error_code: Optional[str] = None
    """The error code of the failure, e.g. ``gateway_timeout``."""
    usage: Optional[TokenUsage] = None
    """Its token counts."""
    request_id: Optional[str] = None
    """The gateway's id of this model's call."""


class CompareResponse(ResponseModel):
    """The whole comparison: a result per model, and the evaluation unless it was skipped
    (or fewer than two models answered). ``partial`` is true when some model failed."""

    comparison_id: Optional[str] = None
    """The comparison's id, ``cmp_...``."""
    object: Optional[str] = None
    """The kind of object, as the gateway names it."""
    created: Optional[int] = None
    """When it was made (Unix seconds)."""
    models: List[str] = Field(default_factory=list)
    """The models compared."""
    results: List[ModelCompareResult] = Field(default_factory=list)
    """One result per model."""
    comparison: Optional[str] = None
    """The evaluation (``None`` when skipped or when fewer than two models answered)."""
    comparison_model: Optional[str] = None
    """The model that wrote the evaluation."""
    comparison_usage: Optional[TokenUsage] = None
    """The evaluation's token counts."""
    comparison_fallback_used: Optional[bool] = None
    """Whether another model wrote the evaluation than the one asked for."""
    total_latency_ms: Optional[int] = None
    """How long the whole comparison took, in milliseconds."""
    partial: Optional[bool] = None
    """Whether some model failed (its result carries the ``error``)."""
    skip_comparison: Optional[bool] = None
    """Whether the evaluation was skipped."""


class CompareStreamEvent(ResponseModel):
    """One event of a compare stream. ``event`` is the SSE event name (``delta`` for a piece
    of text; the other names are not documented, so branch on the fields present); a string
    ``error`` is one model's failure, reported as data.
    """

    event: Optional[str] = None
    """The SSE event name: ``delta`` for a piece of text (the other names are not documented)."""
    data: Optional[Dict[str, Any]] = None
    """The event's payload, when it comes wrapped in a ``data`` object."""
    delta: Optional[str] = None
    """A piece of text: of a model's answer, or of the evaluation."""
    model: Optional[str] = None
    """The model the event is about."""
    comparison_id: Optional[str] = None
    """The comparison's id, ``cmp_...``."""
    comparison_model: Optional[str] = None
    """The model that writes the evaluation."""
    models: Optional[List[str]] = None
    """The models compared."""
    latency_ms: Optional[int] = None
    """How long the model took, in milliseconds."""
    total_latency_ms: Optional[int] = None
    """How long the whole comparison took, in milliseconds."""
    finish_reason: Optional[str] = None
    """Why the model stopped, e.g. ``stop``."""
    error: Optional[str] = None
    """Why a model failed: a string, data of the stream and not a failure of it."""
    error_code: Optional[str] = None
    """The error code of that failure, e.g. ``gateway_timeout``."""
    usage: Optional[TokenUsage] = None
    """The model's token counts."""
    skip_comparison: Optional[bool] = None
    """Whether the evaluation is skipped."""
    partial: Optional[bool] = None
    """Whether some model failed."""
    comparison_fallback_used: Optional[bool] = None
    """Whether another model wrote the evaluation than the one asked for."""
