"""The model catalog: ``GET /v1/models`` and friends (``spec/API.md`` section 11).

Prices are decimal **strings** (or null), kept as strings so no precision is lost; convert
with :class:`decimal.Decimal` when you need arithmetic.
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, Tuple

from pydantic import Field

from .base import RequestModel, ResponseModel

__all__ = ["ModelInfo", "ModelPricing", "ModelSearchPage", "ModelSearchParams"]


class ModelPricing(ResponseModel):
    """A model's prices as decimal strings, e.g. ``"0.00015"``; fields not listed are kept."""

    prompt_usd_per_1k: Optional[str] = None
    completion_usd_per_1k: Optional[str] = None
    prompt_usd_per_1m: Optional[str] = None
    completion_usd_per_1m: Optional[str] = None
    image_usd_per_image: Optional[str] = None
    audio_input_usd_per_1m: Optional[str] = None
    audio_output_usd_per_1m: Optional[str] = None
    cached_text_input_usd_per_1m: Optional[str] = None
    discount_pct: Optional[str] = None
    pricing_unit: Optional[str] = None


class ModelInfo(ResponseModel):
    """One model of the catalog. Capability flags not listed here are kept in ``model_extra``.

    >>> ModelInfo(id="openai/gpt-4o-mini", supports_tools=True).supports_tools
    True
    """

    id: str
    name: Optional[str] = None
    description: Optional[str] = None
    brand: Optional[str] = None
    provider: Optional[str] = None
    model_type: Optional[str] = None
    context_length: Optional[int] = None
    context_window: Optional[int] = None
    is_free: Optional[bool] = None
    pricing: Optional[ModelPricing] = None
    input_modalities: Optional[List[str]] = None
    output_modalities: Optional[List[str]] = None
    supports_thinking: Optional[bool] = None
    supports_tools: Optional[bool] = None
    supports_structured_output: Optional[bool] = None
    supports_system_prompt: Optional[bool] = None
    supports_completions_api: Optional[bool] = None
    supports_responses_api: Optional[bool] = None
    supports_embeddings: Optional[bool] = None
    supports_realtime: Optional[bool] = None
    supports_batching: Optional[bool] = None
    is_composite: Optional[bool] = None
    composite_models: Optional[List[str]] = None


class ModelSearchPage(ResponseModel):
    """A page of ``GET /v1/models/search``: ``items``, ``total``, and the paging it used."""

    items: List[ModelInfo] = Field(default_factory=list)
    total: Optional[int] = None
    limit: Optional[int] = None
    offset: Optional[int] = None
    brands: Optional[List[str]] = None
    facets: Optional[Dict[str, Any]] = None


class ModelSearchParams(RequestModel):
    """The query of ``GET /v1/models/search``; list fields repeat their key.

    >>> ModelSearchParams(q="claude", brand=["anthropic"], limit=5).to_query()
    [('q', 'claude'), ('brand', 'anthropic'), ('limit', '5')]
    """

    q: Optional[str] = None
    free: Optional[bool] = None
    discounted: Optional[bool] = None
    brand: Optional[List[str]] = None
    input_modality: Optional[List[str]] = None
    output_modality: Optional[List[str]] = None
    sort: Optional[str] = None
    order: Optional[Literal["asc", "desc"]] = None
    limit: Optional[int] = Field(default=None, ge=1)
    offset: Optional[int] = Field(default=None, ge=0)

    def to_query(self) -> List[Tuple[str, str]]:
        """The query pairs for the fields that were set (and ``extra_body``)."""
        pairs: List[Tuple[str, str]] = []
        for name, value in self.to_json_dict().items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, bool):
                    item = "true" if item else "false"
                if item is not None:
                    pairs.append((name, str(item)))
        return pairs
