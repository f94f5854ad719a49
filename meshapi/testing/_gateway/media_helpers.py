"""What the media routes share: model resolution (the request's ``model`` or the endpoint's
default; 404 ``model_not_found`` outside the catalog, 400 ``model_capability_not_supported``
for a model of another kind) and form fields read as the gateway's framework reads them
(:func:`form_bool`, :func:`form_int`, :func:`form_float`: a bad value is a 422 problem)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .errors import GatewayError, detail
from .router import RouteContext
from .validate import check_bounds, parse_int


def model_info(ctx: RouteContext, model: str) -> Optional[Dict[str, Any]]:
    """A model's catalog entry, or ``None``."""
    return ctx.state.catalog.get(model)


TRUE_WORDS = {"true", "1", "yes", "on", "t", "y"}
FALSE_WORDS = {"false", "0", "no", "off", "f", "n"}


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


def form_bool(
    value: Optional[str], name: str, problems: List[Dict[str, Any]], where: str = "body"
) -> Optional[bool]:
    """A boolean form (or, with ``where="query"``, query) field, or ``None`` when absent."""
    if value is None or value == "":
        return None
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    message = "Input should be a valid boolean, unable to interpret input"
    problems.append(detail("bool_parsing", (where, name), message))
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
        message = "Input should be a valid number, unable to parse string as a number"
        problems.append(detail("float_parsing", ("body", name), message))
        return None
    check_bounds(number, ("body", name), problems, ge, le, spec="g")
    return number
