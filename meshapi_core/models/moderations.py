"""Moderations: ``POST /v1/moderations`` (``docs/gateway/api.md`` §8), OpenAI's shape.

``input`` is a string, a list of strings (one result each), or a list of text and image
items (one result for them all). ``model`` is left to the gateway unless given (its default
is ``omni-moderation-latest``).
"""

from __future__ import annotations

from typing import Dict, List, Literal, Optional, Union

from pydantic import Field

from .base import RequestModel, ResponseModel
from .chat import _Passthrough

__all__ = [
    "ModerationImageUrl",
    "ModerationInputItem",
    "ModerationParams",
    "ModerationResponse",
    "ModerationResult",
]


class ModerationImageUrl(_Passthrough):
    """Where an image to check is."""

    url: str


class ModerationInputItem(_Passthrough):
    """One item of a multimodal input: ``{"type": "text", "text"}`` or
    ``{"type": "image_url", "image_url": {"url"}}``."""

    type: Literal["text", "image_url"]
    text: Optional[str] = None
    image_url: Optional[ModerationImageUrl] = None


class ModerationParams(RequestModel):
    """The body of ``POST /v1/moderations``.

    >>> ModerationParams(input=["first", "second"]).to_json_dict()
    {'input': ['first', 'second']}
    """

    input: Union[str, List[str], List[ModerationInputItem]]
    model: Optional[str] = None


class ModerationResult(ResponseModel):
    """The verdict on one input: ``flagged``, and per category a flag and a score."""

    flagged: bool = False
    categories: Dict[str, bool] = Field(default_factory=dict)
    category_scores: Dict[str, float] = Field(default_factory=dict)


class ModerationResponse(ResponseModel):
    """One result per input, in input order."""

    id: Optional[str] = None
    model: Optional[str] = None
    results: List[ModerationResult] = Field(default_factory=list)
