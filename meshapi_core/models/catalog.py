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
    """USD per 1,000 prompt (input) tokens."""
    completion_usd_per_1k: Optional[str] = None
    """USD per 1,000 completion (output) tokens."""
    prompt_usd_per_1m: Optional[str] = None
    """USD per million prompt (input) tokens."""
    completion_usd_per_1m: Optional[str] = None
    """USD per million completion (output) tokens."""
    image_usd_per_image: Optional[str] = None
    """USD per generated image."""
    image_input_usd_per_image: Optional[str] = None
    """USD per image given as input."""
    image_output_usd_per_image: Optional[str] = None
    """USD per image produced."""
    image_output_size: Optional[str] = None
    """The image size the per-image prices are for."""
    audio_input_usd_per_1m: Optional[str] = None
    """USD per million audio input tokens."""
    audio_output_usd_per_1m: Optional[str] = None
    """USD per million audio output tokens."""
    cached_audio_input_usd_per_1m: Optional[str] = None
    """USD per million cached audio input tokens."""
    cached_text_input_usd_per_1m: Optional[str] = None
    """USD per million cached text input tokens."""
    cache_read_input_usd_per_1m: Optional[str] = None
    """USD per million input tokens read from the provider's prompt cache."""
    cache_write_input_usd_per_1m: Optional[str] = None
    """USD per million input tokens written to the provider's prompt cache."""
    cache_read_audio_input_usd_per_1m: Optional[str] = None
    """USD per million audio input tokens read from the provider's prompt cache."""
    cache_hit_usd_per_1m: Optional[str] = None
    """USD per million tokens served from a cache hit."""
    batch_input_usd_per_1m: Optional[str] = None
    """USD per million input tokens in a batch."""
    batch_output_usd_per_1m: Optional[str] = None
    """USD per million output tokens in a batch."""
    training_usd_per_1m: Optional[str] = None
    """USD per million training tokens (fine-tuning)."""
    transcription_usd_per_1m: Optional[str] = None
    """USD per million transcription tokens."""
    output_with_audio_usd_per_1m: Optional[str] = None
    """USD per million output tokens of a reply with audio."""
    output_with_video_usd_per_1m: Optional[str] = None
    """USD per million output tokens of a reply with video."""
    request_usd: Optional[str] = None
    """USD per request, for models priced by the request."""
    discount_pct: Optional[str] = None
    """Your discount on this model, in percent (the ``*_discounted`` prices apply it)."""
    pricing_unit: Optional[str] = None
    """The unit the model is priced by."""
    effective_date: Optional[str] = None
    """The day these prices took effect."""
    deprecated_date: Optional[str] = None
    """The deprecation date given with these prices."""
    notes: Optional[str] = None
    """Notes on the prices."""
    source_url: Optional[str] = None
    """Where the prices come from."""
    long_context_input_usd_per_1m: Optional[str] = None
    """USD per million input tokens of a long-context request."""
    long_context_output_usd_per_1m: Optional[str] = None
    """USD per million output tokens of a long-context request."""
    long_context_cache_read_input_usd_per_1m: Optional[str] = None
    """USD per million cache-read input tokens of a long-context request."""
    long_context_cache_write_input_usd_per_1m: Optional[str] = None
    """USD per million cache-write input tokens of a long-context request."""
    fine_tuned_input_usd_per_1m: Optional[str] = None
    """USD per million input tokens of a fine-tuned model."""
    fine_tuned_output_usd_per_1m: Optional[str] = None
    """USD per million output tokens of a fine-tuned model."""
    prompt_usd_per_1k_discounted: Optional[str] = None
    """``prompt_usd_per_1k`` after your ``discount_pct``."""
    completion_usd_per_1k_discounted: Optional[str] = None
    """``completion_usd_per_1k`` after your ``discount_pct``."""
    prompt_usd_per_1m_discounted: Optional[str] = None
    """``prompt_usd_per_1m`` after your ``discount_pct``."""
    completion_usd_per_1m_discounted: Optional[str] = None
    """``completion_usd_per_1m`` after your ``discount_pct``."""


class ModelInfo(ResponseModel):
    """One model of the catalog; every field but ``id`` may be missing (``None``).

    >>> ModelInfo(id="openai/gpt-4o-mini", supports_tools=True).supports_tools
    True
    >>> ModelInfo(id="openai/gpt-4o-mini").supports_image_edit is None
    True
    """

    id: str
    """The model id to send as ``model``, ``provider/model`` (e.g. ``openai/gpt-4o-mini``)."""
    name: Optional[str] = None
    """The model's display name."""
    description: Optional[str] = None
    """A description of the model."""
    brand: Optional[str] = None
    """Who makes the model, e.g. ``anthropic`` or ``meta``."""
    provider: Optional[str] = None
    """Who serves it, e.g. ``openai``, ``vertex`` or ``amazon-bedrock``."""
    model_type: Optional[str] = None
    """What kind of model it is: ``text``, ``embedding``, ``image``, ``audio`` or ``video``."""
    context_length: Optional[int] = None
    """The model's context length, in tokens."""
    context_window: Optional[int] = None
    """The model's context window, in tokens."""
    standard_context_threshold: Optional[int] = None
    """The context size, in tokens, beyond which long-context prices apply *[inferred]*."""
    is_free: Optional[bool] = None
    """Whether the model costs nothing to use (it still counts against RPM and RPD)."""
    pricing: Optional[ModelPricing] = None
    """Its prices (the ``*_discounted`` ones after your discount)."""
    input_modalities: Optional[List[str]] = None
    """What it takes as input, e.g. ``text``, ``image``, ``audio``."""
    output_modalities: Optional[List[str]] = None
    """What it produces, e.g. ``text``, ``image``, ``audio``."""
    supports_thinking: Optional[bool] = None
    """Whether it reasons before answering (``reasoning_effort``)."""
    supports_completions_api: Optional[bool] = None
    """Whether ``chat.completions`` serves it."""
    supports_responses_api: Optional[bool] = None
    """Whether ``responses`` serves it."""
    supports_realtime: Optional[bool] = None
    """Whether it runs realtime speech-to-speech sessions."""
    supports_embeddings: Optional[bool] = None
    """Whether ``embeddings`` serves it."""
    supports_tools: Optional[bool] = None
    """Whether it calls tools."""
    supports_structured_output: Optional[bool] = None
    """Whether it follows a JSON schema (``response_format``)."""
    supports_system_prompt: Optional[bool] = None
    """Whether it takes a system message."""
    supports_batching: Optional[bool] = None
    """Whether ``batches`` may run it."""
    supports_background_response: Optional[bool] = None
    """Whether it runs background responses (``background=True``)."""
    supports_video_generation: Optional[bool] = None
    """Whether ``videos.generate`` serves it."""
    supports_image_edit: Optional[bool] = None
    """Whether ``images.edit`` serves it with ``operation="edit"``."""
    supports_image_inpaint: Optional[bool] = None
    """Whether ``images.edit`` serves it with ``operation="inpaint"``."""
    supports_image_outpaint: Optional[bool] = None
    """Whether ``images.edit`` serves it with ``operation="outpaint"``."""
    supports_image_mix: Optional[bool] = None
    """Whether ``images.edit`` serves it with ``operation="mix"``."""
    supports_image_reframe: Optional[bool] = None
    """Whether ``images.edit`` serves it with ``operation="reframe"``."""
    supports_image_upscale: Optional[bool] = None
    """Whether ``images.edit`` serves it with ``operation="upscale"``."""
    supports_image_remove_background: Optional[bool] = None
    """Whether ``images.edit`` serves it with ``operation="remove_background"``."""
    supports_image_reference: Optional[bool] = None
    """Whether it takes reference images."""
    realtime_session_max_tokens: Optional[int] = None
    """The most tokens one realtime session may use."""
    realtime_max_concurrent_per_owner: Optional[int] = None
    """The most realtime sessions an account may hold open at once."""
    is_composite: Optional[bool] = None
    """Whether the model is made of other models (``composite_models``)."""
    composite_models: Optional[List[str]] = None
    """The models a composite model is made of."""


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
    """Only free models (``True``), only paid ones (``False``), or both (``None``)."""
    type: Optional[ModelType] = None
    """Only models of this kind: ``text``, ``embedding``, ``image``, ``audio`` or ``video``."""
    provider: Optional[str] = None
    """Only models served by this provider, e.g. ``amazon-bedrock``, ``vertex``, ``openai``."""


class ModelSearchPage(ResponseModel):
    """A page of ``GET /v1/models/search``: ``items``, ``total``, and the paging it used."""

    items: List[ModelInfo] = Field(default_factory=list)
    """The models of this page."""
    total: Optional[int] = None
    """How many models match, over every page."""
    limit: Optional[int] = None
    """The most models a page holds, as the gateway applied it."""
    offset: Optional[int] = None
    """How many matching models come before this page."""
    brands: Optional[List[str]] = None
    """The brands among the matches."""
    facets: Optional[Dict[str, Any]] = None
    """The facets of the matches, as newer gateways send them (instead of ``brands``)."""

    def page_items(self) -> List[ModelInfo]:
        """The models of this page."""
        return self.items


class ModelSearchParams(RequestModel):
    """The query of ``GET /v1/models/search``, every field optional; list fields repeat
    their key in the query (``brand=anthropic&brand=meta``)."""

    q: Optional[str] = None
    """Fuzzy text matched against the id, name and brand."""
    free: Optional[bool] = None
    """Only free models (``True``) or only paid ones (``False``)."""
    discounted: Optional[bool] = None
    """Only discounted models (``True``) or only the others (``False``)."""
    brand: Optional[List[str]] = None
    """Only models of these brands (repeated in the query)."""
    input_modality: Optional[List[str]] = None
    """Only models with these input modalities (repeated in the query)."""
    output_modality: Optional[List[str]] = None
    """Only models with these output modalities (repeated in the query)."""
    sort: Optional[ModelSearchSort] = None
    """``price`` needs exactly one ``output_modality`` of text, image or video (newer
    gateways)."""
    order: Optional[Literal["asc", "desc"]] = None
    """``asc`` or ``desc``."""
    limit: Optional[int] = Field(default=None, ge=1)
    """The most models on one page (at least 1)."""
    offset: Optional[int] = Field(default=None, ge=0)
    """How many matching models to skip (0 or more)."""


ModelsPage = ModelSearchPage
"""The name meshapi 0.1.11 gives a catalog search page."""
ListModelsParams = ModelListParams
"""The name meshapi 0.1.11 gives :class:`ModelListParams`."""
