"""What the media routes share: model resolution and reading form fields.

Models resolve as the gateway resolves them for media: the request's ``model`` or the
endpoint's default; an unknown id is ``404 model_not_found``, a model of another kind
(a text model asked for speech) ``400 model_capability_not_supported``. The media models
(:data:`MEDIA_MODELS`: ``openai/gpt-image-1``, ``sarvam/bulbul:v2``/``v3``,
``elevenlabs/scribe_v2``, ``openai/whisper-1``, ``sarvam/saaras:v3``,
``byteplus/seedance-1-0-pro``) are known to these routes besides the catalog, and not listed
by ``/v1/models``, whose contents other tests pin; a model added with
:meth:`Gateway.add_model <meshapi.testing.Gateway.add_model>` is found too, and wins.

Form fields arrive as text; :func:`form_bool`, :func:`form_int` and :func:`form_float` read
them the way the gateway's framework does (``true``/``false``/``1``/``0``...), reporting a
bad value as a 422 problem with ``loc: ["body", name]``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ._catalog import make_model
from ._errors import GatewayError, detail
from ._router import RouteContext
from ._validate import parse_int

__all__ = ["MEDIA_MODELS", "form_bool", "form_float", "form_int", "media_model"]

MEDIA_MODELS: Dict[str, Dict[str, Any]] = {
    model["id"]: model
    for model in (
        make_model(
            "openai/gpt-image-1",
            name="GPT Image 1",
            brand="OpenAI",
            model_type="image",
            prompt_per_1m="5",
            completion_per_1m="40",
            supports=(
                "image_edit",
                "image_inpaint",
                "image_mix",
                "image_remove_background",
                "image_reference",
            ),
            input_modalities=("text", "image"),
            output_modalities=("image",),
        ),
        make_model(
            "sarvam/bulbul:v3",
            name="Bulbul v3",
            brand="Sarvam",
            model_type="audio",
            prompt_per_1m="15",
            completion_per_1m=None,
            supports=(),
            output_modalities=("audio",),
        ),
        make_model(
            "sarvam/bulbul:v2",
            name="Bulbul v2",
            brand="Sarvam",
            model_type="audio",
            prompt_per_1m="15",
            completion_per_1m=None,
            supports=(),
            output_modalities=("audio",),
        ),
        make_model(
            "elevenlabs/scribe_v2",
            name="Scribe v2",
            brand="ElevenLabs",
            model_type="audio",
            prompt_per_1m="6",
            completion_per_1m=None,
            supports=(),
            input_modalities=("audio",),
        ),
        make_model(
            "openai/whisper-1",
            name="Whisper",
            brand="OpenAI",
            model_type="audio",
            prompt_per_1m="6",
            completion_per_1m=None,
            supports=(),
            input_modalities=("audio",),
        ),
        make_model(
            "sarvam/saaras:v3",
            name="Saaras v3",
            brand="Sarvam",
            model_type="audio",
            prompt_per_1m="6",
            completion_per_1m=None,
            supports=(),
            input_modalities=("audio",),
        ),
        make_model(
            "byteplus/seedance-1-0-pro",
            name="Seedance 1.0 Pro",
            brand="BytePlus",
            model_type="video",
            prompt_per_1m="2.5",
            completion_per_1m=None,
            supports=("video_generation",),
            input_modalities=("text", "image"),
            output_modalities=("video",),
        ),
    )
}
"""The media models these routes know besides the catalog, by id."""


def model_info(ctx: RouteContext, model: str) -> Optional[Dict[str, Any]]:
    """A model's catalog entry: the gateway's catalog first, then :data:`MEDIA_MODELS`."""
    return ctx.state.catalog.get(model) or MEDIA_MODELS.get(model)


_TRUE = {"true", "1", "yes", "on", "t", "y"}
_FALSE = {"false", "0", "no", "off", "f", "n"}


def media_model(ctx: RouteContext, requested: Any, default: Optional[str], kind: str) -> str:
    """The model a media request runs on, checked against the catalog."""
    model = requested or default
    if not model:
        raise GatewayError(400, "bad_request", "No model specified: pass `model`.")
    info = model_info(ctx, model)
    if info is None:
        raise GatewayError(404, "model_not_found", f"Model '{model}' not found.")
    if info.get("model_type") != kind:
        raise GatewayError(
            400,
            "model_capability_not_supported",
            f"Model '{model}' is not a{'n' if kind[0] in 'aeiou' else ''} {kind} model.",
        )
    ctx.entry.model = model
    return str(model)


def form_bool(value: Optional[str], name: str, problems: List[Dict[str, Any]]) -> Optional[bool]:
    """A boolean form field, or ``None`` when absent."""
    if value is None or value == "":
        return None
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    problems.append(
        detail(
            "bool_parsing",
            ("body", name),
            "Input should be a valid boolean, unable to interpret input",
        )
    )
    return None


def form_int(
    value: Optional[str],
    name: str,
    problems: List[Dict[str, Any]],
    *,
    ge: Optional[int] = None,
    le: Optional[int] = None,
) -> Optional[int]:
    """An integer form field within bounds, or ``None`` when absent."""
    return parse_int(value, ("body", name), problems, ge=ge, le=le)


def form_float(
    value: Optional[str],
    name: str,
    problems: List[Dict[str, Any]],
    *,
    ge: Optional[float] = None,
    le: Optional[float] = None,
) -> Optional[float]:
    """A number form field within bounds, or ``None`` when absent."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        problems.append(
            detail(
                "float_parsing",
                ("body", name),
                "Input should be a valid number, unable to parse string as a number",
            )
        )
        return None
    if ge is not None and number < ge:
        problems.append(
            detail(
                "greater_than_equal",
                ("body", name),
                f"Input should be greater than or equal to {ge:g}",
            )
        )
    elif le is not None and number > le:
        problems.append(
            detail(
                "less_than_equal", ("body", name), f"Input should be less than or equal to {le:g}"
            )
        )
    return number
