"""Embeddings (``docs/gateway/api.md`` §4)."""

from __future__ import annotations

from ..endpoint import DATA, JSON, Endpoint
from ..models.embeddings import EmbeddingsParams, EmbeddingsResponse

__all__ = ["EMBEDDINGS_CREATE"]

EMBEDDINGS_CREATE: Endpoint[EmbeddingsParams, EmbeddingsResponse] = Endpoint(
    "POST", "/v1/embeddings", DATA, JSON(EmbeddingsResponse), EmbeddingsParams
)
"""``POST /v1/embeddings``, called by ``embeddings.create``."""
