"""Images (``docs/gateway/api.md`` §5): generation, whole or streamed, and edits."""

from __future__ import annotations

from ..endpoint import DATA, JSON, SSE, Endpoint
from ..models.images import (
    ImageEditParams,
    ImageGenerationChunk,
    ImageGenerationParams,
    ImageGenerationResponse,
)

__all__ = ["IMAGES_EDIT", "IMAGES_GENERATE", "IMAGES_STREAM"]

IMAGES_GENERATE: Endpoint[ImageGenerationParams, ImageGenerationResponse] = Endpoint(
    "POST",
    "/v1/images/generations",
    DATA,
    JSON(ImageGenerationResponse),
    ImageGenerationParams,
)
"""``POST /v1/images/generations``, called by ``images.generate``."""
IMAGES_STREAM: Endpoint[ImageGenerationParams, ImageGenerationChunk] = Endpoint(
    "POST",
    "/v1/images/generations",
    DATA,
    params=ImageGenerationParams,
    stream=SSE(ImageGenerationChunk),
)
"""``POST /v1/images/generations`` as a stream, called by ``images.stream``."""
IMAGES_EDIT: Endpoint[ImageEditParams, ImageGenerationResponse] = Endpoint(
    "POST",
    "/v1/images/edits",
    DATA,
    JSON(ImageGenerationResponse),
    ImageEditParams,
    files=("image", "mask", "reference_images"),
)
"""JSON when every image is a reference; a multipart form when any is a file."""
