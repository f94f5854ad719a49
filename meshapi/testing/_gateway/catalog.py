"""The emulator's model catalog: a data file of the gateway's public models, and its reader.

The catalog is data, not code: ``meshapi/testing/data/models.json`` (see ``docs/testing.md``,
"The model catalog"), plus the emulator's own ``mesh/echo`` and ``mesh/embed-multimodal``. A
catalog file is a JSON array of ModelInfo objects (``{"data": [...]}`` and ``{"items":
[...]}`` wrappers too), what ``meshapi models --json`` writes; every field but ``id`` may be
left out and takes its default (:func:`complete_model`; per-1k prices are derived from per-1M
ones and back), and unknown fields are served as they are. Prices drive the accounts
(:func:`cost_of`).
"""

from __future__ import annotations

import copy
import json
import os
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

MODEL_TYPES = ("text", "embedding", "image", "audio", "video")

CatalogSource = Union[str, "os.PathLike[str]", Iterable[Mapping[str, Any]]]
"""A catalog: the path of a JSON file, or ModelInfo objects."""

SUPPORT_FLAGS = (
    "supports_thinking", "supports_completions_api", "supports_responses_api", "supports_realtime",
    "supports_embeddings", "supports_tools", "supports_structured_output",
    "supports_system_prompt", "supports_batching", "supports_background_response",
    "supports_video_generation", "supports_image_edit", "supports_image_inpaint",
    "supports_image_outpaint", "supports_image_mix", "supports_image_reframe",
    "supports_image_upscale", "supports_image_remove_background", "supports_image_reference",
)  # fmt: skip

_NULL_PRICES = (
    "image_usd_per_image",
    "audio_input_usd_per_1m",
    "audio_output_usd_per_1m",
    "cached_audio_input_usd_per_1m",
    "cached_text_input_usd_per_1m",
)
_TOKEN_PRICES = ("prompt", "completion")
_OUTPUTS = {"embedding": "embedding", "image": "image", "audio": "audio", "video": "video"}


def _decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _number(value: Any) -> Optional[Decimal]:
    """A price as a decimal, or ``None`` for a missing or unreadable one."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _complete_pricing(raw: Mapping[str, Any], is_free: bool) -> Dict[str, Any]:
    """A pricing object with every documented field: per-1k and per-1M token prices derived
    from each other, the other prices ``null``, no discount, ``*_discounted`` as the base."""
    out: Dict[str, Any] = dict(raw)
    for prefix in _TOKEN_PRICES:
        per_1k, per_1m = f"{prefix}_usd_per_1k", f"{prefix}_usd_per_1m"
        if is_free and out.get(per_1m) is None and out.get(per_1k) is None:
            out[per_1k] = out[per_1m] = "0"
        thousand, million = _number(out.get(per_1k)), _number(out.get(per_1m))
        if out.get(per_1m) is None:
            out[per_1m] = _decimal(thousand * 1000) if thousand is not None else None
        if out.get(per_1k) is None:
            out[per_1k] = _decimal(million / 1000) if million is not None else None
    for name in _NULL_PRICES:
        out.setdefault(name, None)
    if out.get("discount_pct") is None:
        out["discount_pct"] = "0"
    for prefix in _TOKEN_PRICES:
        for unit in ("1k", "1m"):
            name = f"{prefix}_usd_per_{unit}"
            if out.get(f"{name}_discounted") is None:
                out[f"{name}_discounted"] = out[name]
    return out


def complete_model(raw: Mapping[str, Any]) -> Dict[str, Any]:
    """A complete ModelInfo object from a partial one (see the module docs for the
    defaults); ``ValueError`` without a string ``id``."""
    model_id = raw.get("id")
    if not isinstance(model_id, str) or not model_id.strip():
        raise ValueError(f"a catalog model needs a string 'id', not {model_id!r}")
    provider = raw.get("provider") or model_id.split("/", 1)[0]
    model_type = raw.get("model_type") or "text"
    is_free = bool(raw.get("is_free"))
    info: Dict[str, Any] = {
        "id": model_id,
        "name": model_id.split("/", 1)[-1],
        "context_length": None,
        "is_free": is_free,
        "description": f"Deterministic emulator model {model_id}.",
        "brand": str(provider).capitalize(),
        "provider": provider,
        "model_type": model_type,
        "input_modalities": ["text"],
        "output_modalities": [_OUTPUTS.get(model_type, "text")],
        **{flag: False for flag in SUPPORT_FLAGS},
        "standard_context_threshold": None,
        "realtime_session_max_tokens": None,
        "realtime_max_concurrent_per_owner": None,
        "is_composite": False,
        "composite_models": None,
    }
    info.update(copy.deepcopy(dict(raw)))
    info["provider"], info["model_type"], info["is_free"] = provider, model_type, is_free
    if info.get("context_window") is None:
        info["context_window"] = info["context_length"]
    pricing_raw = info.get("pricing")
    info["pricing"] = _complete_pricing(
        pricing_raw if isinstance(pricing_raw, dict) else {}, is_free
    )
    return info


def pricing(prompt_per_1m: Optional[str], completion_per_1m: Optional[str]) -> Dict[str, Any]:
    """A complete pricing object from per-million-token prices (decimal strings, or ``None``)."""
    return _complete_pricing(
        {"prompt_usd_per_1m": prompt_per_1m, "completion_usd_per_1m": completion_per_1m}, False
    )


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
    """A complete ModelInfo object; ``overrides`` replace any field (a partial ``pricing``
    is completed as a catalog file's is)."""
    if model_type not in MODEL_TYPES:
        raise ValueError(f"model_type must be one of {MODEL_TYPES}")
    given = {"name": name, "description": description, "brand": brand, "provider": provider}
    raw: Dict[str, Any] = {  # what is not given takes complete_model's default
        "id": model_id,
        **{field: value for field, value in given.items() if value},
        "context_length": context_length,
        "is_free": is_free,
        "pricing": pricing("0", "0") if is_free else pricing(prompt_per_1m, completion_per_1m),
        "model_type": model_type,
        "input_modalities": list(input_modalities),
        "output_modalities": list(output_modalities),
    }
    for flag in SUPPORT_FLAGS:
        raw[flag] = flag[len("supports_") :] in supports
    raw.update(overrides)
    return complete_model(raw)


def _models_of(document: Any, where: str) -> List[Mapping[str, Any]]:
    if isinstance(document, dict):
        for wrapper in ("data", "items", "models"):
            if isinstance(document.get(wrapper), list):
                document = document[wrapper]
                break
    if not isinstance(document, list) or not all(isinstance(m, dict) for m in document):
        raise ValueError(f"{where}: a catalog is a JSON array of model objects")
    return document


def load_catalog(source: CatalogSource) -> Dict[str, Dict[str, Any]]:
    """The catalog ``source`` holds (a JSON file's path, or model objects), completed and
    keyed by id in its order; ``ValueError`` naming the problem for a file that is not one."""
    if isinstance(source, (str, os.PathLike)):
        where = os.fspath(source)
        try:
            with open(where, encoding="utf-8") as handle:
                document = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(f"{where}: not JSON ({error})") from None
        models = _models_of(document, where)
    else:
        models = _models_of(list(source), "catalog")
    out: Dict[str, Dict[str, Any]] = {}
    for index, raw in enumerate(models):
        try:
            info = complete_model(raw)
        except ValueError as error:
            raise ValueError(f"catalog model #{index}: {error}") from None
        out[info["id"]] = info
    return out


_DEFAULT: Optional[Dict[str, Dict[str, Any]]] = None


def shipped(name: str) -> Any:
    """The JSON of the data file ``meshapi/testing/data/<name>``."""
    return json.loads(
        resources.files("meshapi.testing").joinpath("data").joinpath(name).read_text("utf-8")
    )


def default_models() -> Dict[str, Dict[str, Any]]:
    """A fresh, mutable copy of the shipped catalog (``data/models.json``), keyed by id."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_catalog(_models_of(shipped("models.json"), "data/models.json"))
    return copy.deepcopy(_DEFAULT)


def cost_of(
    info: Optional[Mapping[str, Any]], prompt: int, completion: int, images: int = 0
) -> Decimal:
    """What a request costs on model ``info``: ``images`` at its per-image price when it has
    one, else the tokens at its per-1M prices (the discounted ones when set); unpriced parts
    and free models cost nothing."""
    if info is None or info.get("is_free"):
        return Decimal(0)
    prices = info.get("pricing") or {}
    per_image = _number(prices.get("image_usd_per_image"))
    if per_image is not None and images:
        return per_image * images
    total = Decimal(0)
    for count, prefix in ((prompt, "prompt"), (completion, "completion")):
        price = _number(prices.get(f"{prefix}_usd_per_1m_discounted"))
        if price is None:
            price = _number(prices.get(f"{prefix}_usd_per_1m"))
        if price is not None and count:
            total += price * count / 1_000_000
    return total
