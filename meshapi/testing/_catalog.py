"""The emulator's model catalog: a few deterministic models with full ModelInfo fields.

Every entry carries every ModelInfo field listed in ``docs/gateway/api.md`` §11, with pricing as
decimal strings (or ``null``), so SDK models can be exercised against complete objects.
``mesh/echo`` is the emulator's own free model: it answers with the last user message, and
has no batch API (``supports_batching`` is false, so ``POST /v1/batches`` with it is the
documented ``501 not_implemented``); the chat models of other brands support batches.
``mesh/embed-multimodal`` is its own embedding model for text, image and video inputs, and
``perplexity/sonar`` the model web search runs on.
Tests can add models with :meth:`Gateway.add_model <meshapi.testing.Gateway.add_model>`.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any, Dict, List, Optional, Sequence

__all__ = ["DEFAULT_MODELS", "MODEL_TYPES", "make_model", "pricing"]

MODEL_TYPES = ("text", "embedding", "image", "audio", "video")

_SUPPORT_FLAGS = (
    "supports_thinking",
    "supports_completions_api",
    "supports_responses_api",
    "supports_realtime",
    "supports_embeddings",
    "supports_tools",
    "supports_structured_output",
    "supports_system_prompt",
    "supports_batching",
    "supports_background_response",
    "supports_video_generation",
    "supports_image_edit",
    "supports_image_inpaint",
    "supports_image_outpaint",
    "supports_image_mix",
    "supports_image_reframe",
    "supports_image_upscale",
    "supports_image_remove_background",
    "supports_image_reference",
)

_NULL_PRICES = (
    "image_usd_per_image",
    "audio_input_usd_per_1m",
    "audio_output_usd_per_1m",
    "cached_audio_input_usd_per_1m",
    "cached_text_input_usd_per_1m",
)


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def pricing(prompt_per_1m: Optional[str], completion_per_1m: Optional[str]) -> Dict[str, Any]:
    """A pricing object from per-million-token prices (decimal strings, or ``None``)."""
    out: Dict[str, Any] = {}
    for prefix, per_1m in (("prompt", prompt_per_1m), ("completion", completion_per_1m)):
        if per_1m is None:
            out[f"{prefix}_usd_per_1k"] = None
            out[f"{prefix}_usd_per_1m"] = None
        else:
            out[f"{prefix}_usd_per_1k"] = _decimal(Decimal(per_1m) / 1000)
            out[f"{prefix}_usd_per_1m"] = _decimal(Decimal(per_1m))
    for name in _NULL_PRICES:
        out[name] = None
    out["discount_pct"] = "0"
    for name in (
        "prompt_usd_per_1k",
        "completion_usd_per_1k",
        "prompt_usd_per_1m",
        "completion_usd_per_1m",
    ):
        out[f"{name}_discounted"] = out[name]
    return out


def make_model(
    model_id: str,
    *,
    name: Optional[str] = None,
    provider: Optional[str] = None,
    brand: Optional[str] = None,
    model_type: str = "text",
    is_free: bool = False,
    context_length: int = 128_000,
    prompt_per_1m: Optional[str] = "1",
    completion_per_1m: Optional[str] = "2",
    supports: Sequence[str] = ("completions_api", "system_prompt"),
    input_modalities: Sequence[str] = ("text",),
    output_modalities: Sequence[str] = ("text",),
    description: str = "",
    **overrides: Any,
) -> Dict[str, Any]:
    """A complete ModelInfo object; ``overrides`` replace any field."""
    if model_type not in MODEL_TYPES:
        raise ValueError(f"model_type must be one of {MODEL_TYPES}")
    provider = provider or model_id.split("/", 1)[0]
    info: Dict[str, Any] = {
        "id": model_id,
        "name": name or model_id.split("/", 1)[-1],
        "context_length": context_length,
        "is_free": is_free,
        "pricing": pricing("0", "0") if is_free else pricing(prompt_per_1m, completion_per_1m),
        "description": description or f"Deterministic emulator model {model_id}.",
        "brand": brand or provider.capitalize(),
        "provider": provider,
        "model_type": model_type,
        "input_modalities": list(input_modalities),
        "output_modalities": list(output_modalities),
    }
    for flag in _SUPPORT_FLAGS:
        info[flag] = flag[len("supports_") :] in supports
    info.update(
        {
            "context_window": context_length,
            "standard_context_threshold": None,
            "realtime_session_max_tokens": None,
            "realtime_max_concurrent_per_owner": None,
            "is_composite": False,
            "composite_models": None,
        }
    )
    info.update(overrides)
    return info


_CHAT = ("completions_api", "system_prompt", "tools", "structured_output", "batching")

DEFAULT_MODELS: List[Dict[str, Any]] = [
    make_model(
        "openai/gpt-4o-mini",
        name="GPT-4o mini",
        brand="OpenAI",
        prompt_per_1m="0.15",
        completion_per_1m="0.60",
        supports=(*_CHAT, "responses_api"),
        input_modalities=("text", "image"),
    ),
    make_model(
        "anthropic/claude-haiku-4.5",
        name="Claude Haiku 4.5",
        brand="Anthropic",
        context_length=200_000,
        prompt_per_1m="1",
        completion_per_1m="5",
        supports=(*_CHAT, "thinking"),
        input_modalities=("text", "image"),
    ),
    make_model(
        "google/gemini-2.5-flash",
        name="Gemini 2.5 Flash",
        provider="vertex",
        brand="Google",
        context_length=1_048_576,
        prompt_per_1m="0.30",
        completion_per_1m="2.50",
        supports=(*_CHAT, "thinking"),
    ),
    make_model(
        "mesh/echo",
        name="Mesh Echo",
        brand="Mesh",
        is_free=True,
        context_length=1_000_000,
        supports=("completions_api", "system_prompt", "tools"),
        description="Replies with the text of the last user message. No batch API.",
    ),
    make_model(
        "openai/text-embedding-3-small",
        name="text-embedding-3-small",
        brand="OpenAI",
        model_type="embedding",
        context_length=8_191,
        prompt_per_1m="0.02",
        completion_per_1m=None,
        supports=("embeddings",),
        output_modalities=("embedding",),
    ),
    make_model(
        "perplexity/pplx-embed-v1-4b",
        name="pplx-embed-v1-4b",
        brand="Perplexity",
        model_type="embedding",
        context_length=32_768,
        prompt_per_1m="0.03",
        completion_per_1m=None,
        supports=("embeddings",),
        output_modalities=("embedding",),
    ),
    make_model(
        "mesh/embed-multimodal",
        name="Mesh Multimodal Embedding",
        brand="Mesh",
        model_type="embedding",
        context_length=8_192,
        prompt_per_1m="0.05",
        completion_per_1m=None,
        supports=("embeddings",),
        input_modalities=("text", "image", "video"),
        output_modalities=("embedding",),
        description="Embeds text, image and video URLs (deterministic vectors).",
    ),
    make_model(
        "perplexity/sonar",
        name="Sonar",
        brand="Perplexity",
        prompt_per_1m="1",
        completion_per_1m="1",
        description="The native web-search model (POST /v1/web/search runs on it).",
    ),
]


def default_catalog() -> Dict[str, Dict[str, Any]]:
    """A fresh, mutable copy of the default catalog, keyed by model id."""
    return {model["id"]: copy.deepcopy(model) for model in DEFAULT_MODELS}
