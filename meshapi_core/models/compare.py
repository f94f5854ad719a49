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
    temperature: Optional[float] = Field(default=None, ge=0, le=2)
    max_tokens: Optional[int] = Field(default=None, ge=1)
    system_prompt: Optional[str] = None


class CompareParams(RequestModel):
    """The body of ``POST /v1/chat/compare``: two or more ``models`` and the ``messages``.

    >>> CompareParams(models=["openai/gpt-4o-mini", "anthropic/claude-haiku-4.5"],
    ...               messages=[ChatMessage(role="user", content="Hi")],
    ...               skip_comparison=True).to_json_dict()["skip_comparison"]
    True
    """

    models: List[str] = Field(min_length=2)
    messages: List[ChatMessage]
    model_overrides: Optional[List[ModelOverride]] = None
    comparison_model: Optional[str] = None
    comparison_instructions: Optional[str] = None
    temperature: Optional[float] = Field(default=None, ge=0, le=2)
    max_tokens: Optional[int] = Field(default=None, ge=1)
    skip_comparison: Optional[bool] = None
    template: Optional[str] = None
    variables: Optional[Dict[str, str]] = None
    cache: Optional[bool] = None
    stream: Optional[bool] = Field(default=None, exclude=True)
    """Decided by the method: ``create`` sends no stream, ``stream`` asks for one."""


class TokenUsage(ResponseModel):
    """Token counts of one model's answer (or of the comparison)."""

    prompt_tokens: Optional[int] = None
    completion_tokens: Optional[int] = None
    total_tokens: Optional[int] = None


class ModelCompareResult(ResponseModel):
    """One model's answer, or its failure: ``error`` is a string (with ``error_code``)
    when this model failed, ``None`` when it answered."""

    model: Optional[str] = None
    content: Optional[str] = None
    response_body: Optional[Dict[str, Any]] = None
    latency_ms: Optional[int] = None
    error: Optional[str] = None
    error_code: Optional[str] = None
    usage: Optional[TokenUsage] = None
    request_id: Optional[str] = None


class CompareResponse(ResponseModel):
    """The whole comparison: a result per model, and the evaluation unless it was skipped
    (or fewer than two models answered). ``partial`` is true when some model failed."""

    comparison_id: Optional[str] = None
    object: Optional[str] = None
    created: Optional[int] = None
    models: List[str] = Field(default_factory=list)
    results: List[ModelCompareResult] = Field(default_factory=list)
    comparison: Optional[str] = None
    comparison_model: Optional[str] = None
    comparison_usage: Optional[TokenUsage] = None
    comparison_fallback_used: Optional[bool] = None
    total_latency_ms: Optional[int] = None
    partial: Optional[bool] = None
    skip_comparison: Optional[bool] = None


class CompareStreamEvent(ResponseModel):
    """One event of a compare stream. ``event`` is the SSE event name (``delta`` for a piece
    of text; the other names are not documented, so branch on the fields present); a string
    ``error`` is one model's failure, reported as data.
    """

    event: Optional[str] = None
    data: Optional[Dict[str, Any]] = None
    delta: Optional[str] = None
    model: Optional[str] = None
    comparison_id: Optional[str] = None
    comparison_model: Optional[str] = None
    models: Optional[List[str]] = None
    latency_ms: Optional[int] = None
    total_latency_ms: Optional[int] = None
    finish_reason: Optional[str] = None
    error: Optional[str] = None
    error_code: Optional[str] = None
    usage: Optional[TokenUsage] = None
    skip_comparison: Optional[bool] = None
    partial: Optional[bool] = None
    comparison_fallback_used: Optional[bool] = None
