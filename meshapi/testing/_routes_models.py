"""The models catalog: ``GET /v1/models`` (+ ``/free``, ``/paid``, ``/{model_id}``).

Lists are bare JSON arrays. ``/v1/models`` filters on ``free`` (a boolean, parsed as FastAPI
does: ``true/false/1/0/yes/no/on/off``), ``type`` (one of the model types) and ``provider``;
a bad ``free`` or ``type`` is a 422 with ``loc: ["query", name]``. The single-model route
accepts ids containing ``/``; an unknown id is a ``404 model_not_found``.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional

from ._catalog import MODEL_TYPES
from ._errors import GatewayError, detail, validation_error
from ._plan import ResponsePlan, json_plan
from ._router import Route, RouteContext, route

__all__ = ["ROUTES"]

_TRUE = {"true", "1", "yes", "on", "t", "y"}
_FALSE = {"false", "0", "no", "off", "f", "n"}
_REALMS = ["dp", "jwt"]


def _parse_free(ctx: RouteContext, problems: List[Dict[str, Any]]) -> Optional[bool]:
    raw = ctx.query_value("free")
    if raw is None or raw == "":
        return None
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    problems.append(
        detail(
            "bool_parsing",
            ("query", "free"),
            "Input should be a valid boolean, unable to interpret input",
        )
    )
    return None


def _models(ctx: RouteContext, free: Optional[bool]) -> List[Dict[str, Any]]:
    problems: List[Dict[str, Any]] = []
    if free is None:
        free = _parse_free(ctx, problems)
    model_type = ctx.query_value("type")
    if model_type is not None and model_type not in MODEL_TYPES:
        problems.append(
            detail(
                "enum",
                ("query", "type"),
                "Input should be "
                + ", ".join(f"'{t}'" for t in MODEL_TYPES[:-1])
                + f" or '{MODEL_TYPES[-1]}'",
            )
        )
    if problems:
        raise validation_error(problems)
    provider = ctx.query_value("provider")
    out = []
    for info in ctx.state.catalog.values():
        if free is not None and info.get("is_free") is not free:
            continue
        if model_type is not None and info.get("model_type") != model_type:
            continue
        if provider and info.get("provider") != provider:
            continue
        out.append(copy.deepcopy(info))
    return out


def list_models(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/models``."""
    return json_plan(200, _models(ctx, None))


def list_free_models(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/models/free``."""
    return json_plan(200, _models(ctx, True))


def list_paid_models(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/models/paid``."""
    return json_plan(200, _models(ctx, False))


def get_model(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/models/{model_id}`` (the id may contain ``/``)."""
    model_id = ctx.params["model_id"]
    info = ctx.state.catalog.get(model_id)
    if info is None:
        raise GatewayError(404, "model_not_found", f"Model '{model_id}' not found.")
    return json_plan(200, copy.deepcopy(info))


ROUTES: List[Route] = [
    route("GET", "/v1/models", list_models, _REALMS),
    route("GET", "/v1/models/free", list_free_models, _REALMS),
    route("GET", "/v1/models/paid", list_paid_models, _REALMS),
    route("GET", "/v1/models/{model_id:path}", get_model, _REALMS),
]
