"""The model catalog: ``GET /v1/models`` and friends (``docs/gateway/api.md`` §11).

Prices are decimal **strings** (or null), kept as strings so no precision is lost; convert
with :class:`decimal.Decimal` when you need arithmetic.
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional

from pydantic import Field, GetCoreSchemaHandler

from .base import RequestModel, ResponseModel

__all__ = [
    "ListModelsParams",
    "ModelInfo",
    "ModelList",
    "ModelListParams",
    "ModelPricing",
    "ModelSearchPage",
    "ModelSearchParams",
    "ModelSearchSort",
    "ModelType",
    "ModelsPage",
]

ModelType = Literal["text", "embedding", "image", "audio", "video"]
"""The kinds of model the catalog filters on."""

ModelSearchSort = Literal["brand", "name", "id", "context_length", "price"]
"""The orders of a catalog search."""


class ModelPricing(ResponseModel):
    """A model's prices as decimal strings, e.g. ``"0.00015"`` (or ``None`` where the model
    has no such price). ``*_discounted`` fields are your prices after ``discount_pct``;
    other ``*_discounted`` variants the catalog sends are kept in ``model_extra``.
    """

    prompt_usd_per_1k: Optional[str] = None
    completion_usd_per_1k: Optional[str] = None
    prompt_usd_per_1m: Optional[str] = None
    completion_usd_per_1m: Optional[str] = None
    image_usd_per_image: Optional[str] = None
    image_input_usd_per_image: Optional[str] = None
    image_output_usd_per_image: Optional[str] = None
    image_output_size: Optional[str] = None
    audio_input_usd_per_1m: Optional[str] = None
    audio_output_usd_per_1m: Optional[str] = None
    cached_audio_input_usd_per_1m: Optional[str] = None
    cached_text_input_usd_per_1m: Optional[str] = None
    cache_read_input_usd_per_1m: Optional[str] = None
    cache_write_input_usd_per_1m: Optional[str] = None
    cache_read_audio_input_usd_per_1m: Optional[str] = None
    cache_hit_usd_per_1m: Optional[str] = None
    batch_input_usd_per_1m: Optional[str] = None
    batch_output_usd_per_1m: Optional[str] = None
    training_usd_per_1m: Optional[str] = None
    transcription_usd_per_1m: Optional[str] = None
    output_with_audio_usd_per_1m: Optional[str] = None
    output_with_video_usd_per_1m: Optional[str] = None
    request_usd: Optional[str] = None
    discount_pct: Optional[str] = None
    pricing_unit: Optional[str] = None
    effective_date: Optional[str] = None
    deprecated_date: Optional[str] = None
    notes: Optional[str] = None
    source_url: Optional[str] = None
    long_context_input_usd_per_1m: Optional[str] = None
    long_context_output_usd_per_1m: Optional[str] = None
    long_context_cache_read_input_usd_per_1m: Optional[str] = None
    long_context_cache_write_input_usd_per_1m: Optional[str] = None
    fine_tuned_input_usd_per_1m: Optional[str] = None
    fine_tuned_output_usd_per_1m: Optional[str] = None
    prompt_usd_per_1k_discounted: Optional[str] = None
    completion_usd_per_1k_discounted: Optional[str] = None
    prompt_usd_per_1m_discounted: Optional[str] = None
    completion_usd_per_1m_discounted: Optional[str] = None


class ModelInfo(ResponseModel):
    """One model of the catalog; every field but ``id`` may be missing (``None``).

    >>> ModelInfo(id="openai/gpt-4o-mini", supports_tools=True).supports_tools
    True
    >>> ModelInfo(id="openai/gpt-4o-mini").supports_image_edit is None
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
    standard_context_threshold: Optional[int] = None
    is_free: Optional[bool] = None
    pricing: Optional[ModelPricing] = None
    input_modalities: Optional[List[str]] = None
    output_modalities: Optional[List[str]] = None
    supports_thinking: Optional[bool] = None
    supports_completions_api: Optional[bool] = None
    supports_responses_api: Optional[bool] = None
    supports_realtime: Optional[bool] = None
    supports_embeddings: Optional[bool] = None
    supports_tools: Optional[bool] = None
    supports_structured_output: Optional[bool] = None
    supports_system_prompt: Optional[bool] = None
    supports_batching: Optional[bool] = None
    supports_background_response: Optional[bool] = None
    supports_video_generation: Optional[bool] = None
    supports_image_edit: Optional[bool] = None
    supports_image_inpaint: Optional[bool] = None
    supports_image_outpaint: Optional[bool] = None
    supports_image_mix: Optional[bool] = None
    supports_image_reframe: Optional[bool] = None
    supports_image_upscale: Optional[bool] = None
    supports_image_remove_background: Optional[bool] = None
    supports_image_reference: Optional[bool] = None
    realtime_session_max_tokens: Optional[int] = None
    realtime_max_concurrent_per_owner: Optional[int] = None
    is_composite: Optional[bool] = None
    composite_models: Optional[List[str]] = None


class ModelList(List[ModelInfo]):
    """The models of ``models.list()`` (and ``free()``, ``paid()``): a plain list, as the
    gateway sends it, that also reads as openai-python's page (``.data``).

    >>> models = ModelList([ModelInfo(id="openai/gpt-4o-mini")])
    >>> models[0].id, models.data[0].id, isinstance(models, list)
    ('openai/gpt-4o-mini', 'openai/gpt-4o-mini', True)
    """

    @property
    def data(self) -> List[ModelInfo]:
        """The models: this list itself, by openai-python's name."""
        return self

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> Any:
        # A list of ModelInfo, then made a ModelList (pydantic-core's schema as plain dicts).
        return {
            "type": "function-after",
            "function": {"type": "no-info", "function": cls},
            "schema": handler.generate_schema(List[ModelInfo]),
        }


class ModelListParams(RequestModel):
    """The filters of ``GET /v1/models``: ``free``, ``type`` and ``provider``."""

    free: Optional[bool] = None
    type: Optional[ModelType] = None
    provider: Optional[str] = None


class ModelSearchPage(ResponseModel):
    """A page of ``GET /v1/models/search``: ``items``, ``total``, and the paging it used."""

    items: List[ModelInfo] = Field(default_factory=list)
    total: Optional[int] = None
    limit: Optional[int] = None
    offset: Optional[int] = None
    brands: Optional[List[str]] = None
    facets: Optional[Dict[str, Any]] = None

    def page_items(self) -> List[ModelInfo]:
        """The models of this page."""
        return self.items


class ModelSearchParams(RequestModel):
    """The query of ``GET /v1/models/search``, every field optional; list fields repeat
    their key in the query (``brand=anthropic&brand=meta``)."""

    q: Optional[str] = None
    free: Optional[bool] = None
    discounted: Optional[bool] = None
    brand: Optional[List[str]] = None
    input_modality: Optional[List[str]] = None
    output_modality: Optional[List[str]] = None
    sort: Optional[ModelSearchSort] = None
    """``price`` needs exactly one ``output_modality`` of text, image or video (newer
    gateways)."""
    order: Optional[Literal["asc", "desc"]] = None
    limit: Optional[int] = Field(default=None, ge=1)
    offset: Optional[int] = Field(default=None, ge=0)


ModelsPage = ModelSearchPage
"""The name meshapi 0.1.11 gives a catalog search page."""
ListModelsParams = ModelListParams
"""The name meshapi 0.1.11 gives :class:`ModelListParams`."""
