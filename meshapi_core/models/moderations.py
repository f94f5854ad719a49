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
    """The image's URL."""


class ModerationInputItem(_Passthrough):
    """One item of a multimodal input: ``{"type": "text", "text"}`` or
    ``{"type": "image_url", "image_url": {"url"}}``."""

    type: Literal["text", "image_url"]
    """``text`` or ``image_url``."""
    text: Optional[str] = None
    """The text, for ``type="text"``."""
    image_url: Optional[ModerationImageUrl] = None
    """The image, for ``type="image_url"``."""


class ModerationParams(RequestModel):
    """The body of ``POST /v1/moderations``.

    >>> ModerationParams(input=["first", "second"]).to_json_dict()
    {'input': ['first', 'second']}
    """

    input: Union[str, List[str], List[ModerationInputItem]]
    """What to check: a string, strings (one result each), or text and image items."""
    model: Optional[str] = None
    """The moderation model (the gateway's default: ``omni-moderation-latest``)."""


class ModerationResult(ResponseModel):
    """The verdict on one input: ``flagged``, and per category a flag and a score."""

    flagged: bool = False
    """Whether any category was flagged."""
    categories: Dict[str, bool] = Field(default_factory=dict)
    """Per category, whether it was flagged."""
    category_scores: Dict[str, float] = Field(default_factory=dict)
    """Per category, the model's score."""


class ModerationResponse(ResponseModel):
    """One result per input, in input order."""

    id: Optional[str] = None
    """The moderation's id."""
    model: Optional[str] = None
    """The model that checked the input."""
    results: List[ModerationResult] = Field(default_factory=list)
    """One verdict per input, in input order."""
