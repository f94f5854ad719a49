"""Embeddings: ``POST /v1/embeddings`` (``docs/gateway/api.md`` §4).

``input`` is a string, a list of strings, a list of token ids, a list of token-id lists, or a
list of multimodal items (text, image and video URLs, for the models that take them). The
reply keeps input order; with ``encoding_format="base64"`` each embedding is a base64 string
of packed little-endian float32 values instead of a list of floats.
"""

from __future__ import annotations

from typing import List, Literal, Optional, Union

from pydantic import Field

from .base import RequestModel, ResponseModel
from .chat import _Passthrough

__all__ = [
    "EmbeddingItem",
    "EmbeddingsParams",
    "EmbeddingsResponse",
    "EmbeddingsUsage",
    "ImageEmbeddingUrl",
    "MultimodalEmbeddingInput",
    "ProviderPreferences",
    "SparseEmbeddingOptions",
    "VideoEmbeddingUrl",
]


class ImageEmbeddingUrl(_Passthrough):
    """Where an image to embed is."""

    url: str


class VideoEmbeddingUrl(_Passthrough):
    """Where a video to embed is."""

    url: str


class MultimodalEmbeddingInput(_Passthrough):
    """One item of a multimodal input.

    >>> MultimodalEmbeddingInput(type="image_url",
    ...     image_url=ImageEmbeddingUrl(url="https://example.com/cat.png")).type
    'image_url'
    """

    type: Literal["text", "image_url", "video_url"]
    text: Optional[str] = None
    image_url: Optional[ImageEmbeddingUrl] = None
    video_url: Optional[VideoEmbeddingUrl] = None


class ProviderPreferences(_Passthrough):
    """Provider routing preferences: the ``order`` to try, whether to fall back, and
    whether providers may keep the data."""

    order: Optional[List[str]] = None
    allow_fallbacks: Optional[bool] = None
    require_parameters: Optional[bool] = None
    data_collection: Optional[Literal["allow", "deny"]] = None


class SparseEmbeddingOptions(_Passthrough):
    """Dense plus sparse output, for the models that offer it."""

    type: Literal["enabled", "disabled"]


class EmbeddingsParams(RequestModel):
    """The body of ``POST /v1/embeddings``.

    >>> EmbeddingsParams(model="openai/text-embedding-3-small", input=["a", "b"]
    ...                  ).to_json_dict()
    {'input': ['a', 'b'], 'model': 'openai/text-embedding-3-small'}
    """

    input: Union[str, List[str], List[int], List[List[int]], List[MultimodalEmbeddingInput]]
    model: Optional[str] = None
    dimensions: Optional[int] = Field(default=None, ge=1)
    encoding_format: Optional[Literal["float", "base64"]] = None
    input_type: Optional[str] = None
    """E.g. ``query`` or ``document``, for asymmetric models."""
    provider: Union[str, ProviderPreferences, None] = None
    user: Optional[str] = Field(default=None, max_length=256)
    instructions: Optional[str] = None
    sparse_embedding: Optional[SparseEmbeddingOptions] = None


class EmbeddingItem(ResponseModel):
    """One embedding: a list of floats, or a base64 string with
    ``encoding_format="base64"``; ``index`` is the input's position."""

    object: str = "embedding"
    index: int = 0
    embedding: Union[List[float], str] = Field(default_factory=list)


class EmbeddingsUsage(ResponseModel):
    """Token counts (a BYOK reply may leave them out) and how the request was served."""

    prompt_tokens: Optional[int] = None
    total_tokens: Optional[int] = None
    byok_used: Optional[bool] = None
    fallback_triggered: Optional[bool] = None


class EmbeddingsResponse(ResponseModel):
    """The reply: ``data`` in input order, and the ``model`` that served it (after a
    cross-model fallback, not necessarily the one asked for)."""

    object: str = "list"
    data: List[EmbeddingItem] = Field(default_factory=list)
    model: Optional[str] = None
    usage: Optional[EmbeddingsUsage] = None
