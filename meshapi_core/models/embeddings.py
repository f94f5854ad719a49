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
    """The image's URL."""


class VideoEmbeddingUrl(_Passthrough):
    """Where a video to embed is."""

    url: str
    """The video's URL."""


class MultimodalEmbeddingInput(_Passthrough):
    """One item of a multimodal input.

    >>> MultimodalEmbeddingInput(type="image_url",
    ...     image_url=ImageEmbeddingUrl(url="https://example.com/cat.png")).type
    'image_url'
    """

    type: Literal["text", "image_url", "video_url"]
    """What the item is: ``text``, ``image_url`` or ``video_url``."""
    text: Optional[str] = None
    """The text, for ``type="text"``."""
    image_url: Optional[ImageEmbeddingUrl] = None
    """The image, for ``type="image_url"``."""
    video_url: Optional[VideoEmbeddingUrl] = None
    """The video, for ``type="video_url"``."""


class ProviderPreferences(_Passthrough):
    """Provider routing preferences: the ``order`` to try, whether to fall back, and
    whether providers may keep the data."""

    order: Optional[List[str]] = None
    """The providers to try, in order."""
    allow_fallbacks: Optional[bool] = None
    """Whether other providers may serve the request when these fail."""
    require_parameters: Optional[bool] = None
    """Only use providers that support every parameter of the request."""
    data_collection: Optional[Literal["allow", "deny"]] = None
    """``allow`` or ``deny`` providers that may keep the data."""


class SparseEmbeddingOptions(_Passthrough):
    """Dense plus sparse output, for the models that offer it."""

    type: Literal["enabled", "disabled"]
    """``enabled`` adds a sparse embedding to the dense one; ``disabled`` does not."""


class EmbeddingsParams(RequestModel):
    """The body of ``POST /v1/embeddings``.

    >>> EmbeddingsParams(model="openai/text-embedding-3-small", input=["a", "b"]
    ...                  ).to_json_dict()
    {'input': ['a', 'b'], 'model': 'openai/text-embedding-3-small'}
    """

    input: Union[str, List[str], List[int], List[List[int]], List[MultimodalEmbeddingInput]]
    """What to embed (required): a string, strings, token ids, lists of token ids, or multimodal
    items."""
    model: Optional[str] = None
    """The embedding model, e.g. ``openai/text-embedding-3-small`` (required unless the key has a
    default)."""
    dimensions: Optional[int] = Field(default=None, ge=1)
    """How many dimensions the embeddings have (at least 1), for models that can shorten them."""
    encoding_format: Optional[Literal["float", "base64"]] = None
    """``float`` (the gateway's default) or ``base64`` (a packed string per embedding)."""
    input_type: Optional[str] = None
    """E.g. ``query`` or ``document``, for asymmetric models."""
    provider: Union[str, ProviderPreferences, None] = None
    """A provider's name, or routing preferences (order, fallbacks, data collection)."""
    user: Optional[str] = Field(default=None, max_length=256)
    """Your end user's id (at most 256 characters)."""
    instructions: Optional[str] = None
    """Instructions for the model (provider-specific)."""
    sparse_embedding: Optional[SparseEmbeddingOptions] = None
    """Ask for a sparse embedding too (BytePlus)."""


class EmbeddingItem(ResponseModel):
    """One embedding: a list of floats, or a base64 string with
    ``encoding_format="base64"``; ``index`` is the input's position."""

    object: str = "embedding"
    """Always ``embedding``."""
    index: int = 0
    """The position of its input in ``input``."""
    embedding: Union[List[float], str] = Field(default_factory=list)
    """The vector: floats, or a base64 string with ``encoding_format="base64"``."""


class EmbeddingsUsage(ResponseModel):
    """Token counts (a BYOK reply may leave them out) and how the request was served."""

    prompt_tokens: Optional[int] = None
    """Tokens of the input (a BYOK reply may leave it out)."""
    total_tokens: Optional[int] = None
    """Tokens billed (a BYOK reply may leave it out)."""
    byok_used: Optional[bool] = None
    """Whether your own provider key (BYOK) served the request."""
    fallback_triggered: Optional[bool] = None
    """Whether a fallback served the request."""


class EmbeddingsResponse(ResponseModel):
    """The reply: ``data`` in input order, and the ``model`` that served it (after a
    cross-model fallback, not necessarily the one asked for)."""

    object: str = "list"
    """Always ``list``."""
    data: List[EmbeddingItem] = Field(default_factory=list)
    """One embedding per input, in input order."""
    model: Optional[str] = None
    """The model that served it (after a fallback, not necessarily the one asked for)."""
    usage: Optional[EmbeddingsUsage] = None
    """Token counts, and how the request was served."""
