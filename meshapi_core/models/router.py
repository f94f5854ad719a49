"""Router select: ``POST /v1/router/select`` (``docs/gateway/api.md`` §10).

Asks the Auto Router which model it would pick for ``messages``, without running inference.
The router fails soft: when its classifier fails it answers the default model with
``auto_router.fallback_used`` set.
"""

from __future__ import annotations

from typing import List, Literal, Optional

from pydantic import Field

from .base import RequestModel, ResponseModel
from .chat import ChatMessage

__all__ = ["AutoRouterMeta", "RouterSelectParams", "RouterSelectResponse"]


class RouterSelectParams(RequestModel):
    """The body of ``POST /v1/router/select``. ``candidate_models`` restricts the choice to
    a shortlist (newer gateways; not in 0.1.11); ``api_type`` defaults to ``completions`` on
    the gateway.

    >>> RouterSelectParams(messages=[ChatMessage(role="user", content="Hi")],
    ...                    candidate_models=["anthropic/claude-haiku-4.5"]
    ...                    ).to_json_dict()["candidate_models"]
    ['anthropic/claude-haiku-4.5']
    """

    messages: List[ChatMessage] = Field(min_length=1)
    """The conversation to route (at least one message)."""
    api_type: Optional[Literal["completions", "responses", "embeddings"]] = None
    """The API the choice is for: ``completions`` (the gateway's default), ``responses`` or
    ``embeddings``."""
    exclude_models: Optional[List[str]] = None
    """Models the router must not choose."""
    candidate_models: Optional[List[str]] = None
    """Choose the best available of these models only (newer gateways)."""


class AutoRouterMeta(ResponseModel):
    """How the choice was made: ``fallback_used`` when the classifier could not decide
    (``fallback_reason`` says why)."""

    fallback_used: Optional[bool] = None
    """Whether the router answered its default model because the classifier failed."""
    fallback_reason: Optional[str] = None
    """Why it fell back, e.g. ``classifier_timeout``."""


class RouterSelectResponse(ResponseModel):
    """The chosen ``model``, and the ``reasoning_effort`` the router would use with it."""

    model: Optional[str] = None
    """The model the router chose."""
    auto_router: Optional[AutoRouterMeta] = None
    """How the choice was made."""
    reasoning_effort: Optional[str] = None
    """The reasoning effort the router would use with the model."""
