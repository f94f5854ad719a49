"""The models catalog: ``GET /v1/models`` (+ ``/free``, ``/paid``, ``/search``, ``/{model_id}``;
``docs/gateway/api.md`` §11; in the emulator: ``docs/data-plane/models.md``). Lists are bare
JSON arrays; ``/search``'s ``facets`` are inferred.
"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

from .._gateway.catalog import MODEL_TYPES
from .._gateway.errors import GatewayError, detail, validation_error
from .._gateway.media_helpers import FALSE_WORDS, TRUE_WORDS, form_bool
from .._gateway.plan import ResponsePlan, json_plan
from .._gateway.router import Route, RouteContext

_REALMS = ["dp", "jwt"]


def _models(ctx: RouteContext, free: Optional[bool]) -> List[Dict[str, Any]]:
    problems: List[Dict[str, Any]] = []
    if free is None:
        free = form_bool(ctx.query_value("free"), "free", problems, "query")
    model_type = ctx.query_value("type")
    if model_type is not None and model_type not in MODEL_TYPES:
        names = ", ".join(f"'{t}'" for t in MODEL_TYPES[:-1])
        message = f"Input should be {names} or '{MODEL_TYPES[-1]}'"
        problems.append(detail("enum", ("query", "type"), message))
    if problems:
        raise validation_error(problems)
    provider = ctx.query_value("provider")
    return [
        copy.deepcopy(info)
        for info in ctx.state.catalog.values()
        if (free is None or info.get("is_free") is free)
        and (model_type is None or info.get("model_type") == model_type)
        and (not provider or info.get("provider") == provider)
    ]


def _lister(free: Optional[bool]) -> Callable[[RouteContext], ResponsePlan]:
    """The handler of ``/v1/models`` (``free`` from the query), ``/free`` or ``/paid``."""
    return lambda ctx: json_plan(200, _models(ctx, free))


def get_model(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/models/{model_id}`` (the id may contain ``/``)."""
    model_id = ctx.params["model_id"]
    info = ctx.state.catalog.get(model_id)
    if info is None:
        if "/" not in model_id:  # FastAPI's own 404 shape, which some of these get
            return json_plan(404, {"detail": f"Model '{model_id}' not found"})
        raise GatewayError(404, "model_not_found", f"Model '{model_id}' not found.")
    return json_plan(200, copy.deepcopy(info))


# --- search -------------------------------------------------------------------------------

SEARCH_SORTS = ("brand", "name", "id", "context_length", "price")
SEARCH_DEFAULT_LIMIT = 20
SEARCH_MAX_LIMIT = 100
_PRICE_MODALITIES = ("text", "image", "video")
_MODALITY_FIELDS = (
    ("input_modality", "input_modalities"),
    ("output_modality", "output_modalities"),
)


def _bad_search(name: str, message: str) -> GatewayError:
    return GatewayError(
        400, "invalid_search_parameter", f"Invalid search parameter '{name}': {message}"
    )


def _search_bool(ctx: RouteContext, name: str) -> Optional[bool]:
    raw = ctx.query_value(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in TRUE_WORDS:
        return True
    if raw.lower() in FALSE_WORDS:
        return False
    raise _bad_search(name, f"{raw!r} is not a boolean")


def _search_int(ctx: RouteContext, name: str, default: int, low: int, high: int) -> int:
    raw = ctx.query_value(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad_search(name, f"{raw!r} is not an integer") from None
    if not low <= value <= high:
        raise _bad_search(name, f"must be between {low} and {high}, not {value}")
    return value


def _search_list(ctx: RouteContext, name: str) -> List[str]:
    return [v for v in ctx.request.query.get(name, []) if v != ""]


def _price(info: Dict[str, Any], name: str) -> Optional[Decimal]:
    """The model's ``pricing[name]`` as a number (``None`` when absent or not a number)."""
    raw = (info.get("pricing") or {}).get(name)
    try:
        return Decimal(raw) if raw is not None else None
    except InvalidOperation:
        return None


Filter = Callable[[Dict[str, Any]], bool]


def _has_any(field: str, wanted: Set[str]) -> Filter:
    return lambda info: bool(wanted & set(info.get(field) or ()))


def _search_filters(ctx: RouteContext) -> Tuple[List[Filter], List[Filter]]:
    """The filters of a search request: those other than ``brand``, and ``brand``'s."""
    others: List[Filter] = []
    words = (ctx.query_value("q") or "").lower().split()
    if words:

        def matches_q(info: Dict[str, Any]) -> bool:
            text = " ".join(str(info.get(k) or "") for k in ("id", "name", "brand")).lower()
            return all(word in text for word in words)

        others.append(matches_q)
    free = _search_bool(ctx, "free")
    if free is not None:
        others.append(lambda info: info.get("is_free") is free)
    discounted = _search_bool(ctx, "discounted")
    if discounted is not None:
        others.append(lambda info: bool(_price(info, "discount_pct")) is discounted)
    for name, field in _MODALITY_FIELDS:
        wanted = set(_search_list(ctx, name))
        if wanted:
            others.append(_has_any(field, wanted))
    brands = {b.lower() for b in _search_list(ctx, "brand")}
    by_brand: List[Filter] = []
    if brands:
        by_brand.append(lambda info: str(info.get("brand") or "").lower() in brands)
    return others, by_brand


def _sort_key(sort: str) -> Callable[[Dict[str, Any]], Any]:
    if sort == "price":

        def price(info: Dict[str, Any]) -> Tuple[int, Decimal, str]:
            value = _price(info, "prompt_usd_per_1m")
            return (value is None, value if value is not None else Decimal(0), info["id"])

        return price
    if sort == "context_length":
        return lambda info: (info.get("context_length") or 0, info["id"])
    return lambda info: (str(info.get(sort) or "").lower(), info["id"])


def _facets(models: Sequence[Dict[str, Any]]) -> Dict[str, Dict[str, int]]:
    facets: Dict[str, Dict[str, int]] = {"brand": {}, "input_modality": {}, "output_modality": {}}
    for info in models:
        brand = str(info.get("brand") or "")
        facets["brand"][brand] = facets["brand"].get(brand, 0) + 1
        for name, field in _MODALITY_FIELDS:
            for value in info.get(field) or ():
                facets[name][value] = facets[name].get(value, 0) + 1
    return {name: dict(sorted(counts.items())) for name, counts in facets.items()}


def search_models(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/models/search``: see the module docs."""
    sort = ctx.query_value("sort") or "id"
    if sort not in SEARCH_SORTS:
        raise _bad_search("sort", f"{sort!r} is not one of {', '.join(SEARCH_SORTS)}")
    order = ctx.query_value("order") or "asc"
    if order not in ("asc", "desc"):
        raise _bad_search("order", f"{order!r} is not 'asc' or 'desc'")
    if sort == "price":
        outputs = _search_list(ctx, "output_modality")
        if len(outputs) != 1 or outputs[0] not in _PRICE_MODALITIES:
            raise _bad_search(
                "sort", "sort=price needs exactly one output_modality of text, image or video"
            )
    limit = _search_int(ctx, "limit", SEARCH_DEFAULT_LIMIT, 1, SEARCH_MAX_LIMIT)
    offset = _search_int(ctx, "offset", 0, 0, 1_000_000)
    others, by_brand = _search_filters(ctx)
    candidates = [m for m in ctx.state.catalog.values() if all(f(m) for f in others)]
    found = [m for m in candidates if all(f(m) for f in by_brand)]
    found.sort(key=_sort_key(sort), reverse=order == "desc")
    return json_plan(
        200,
        {
            "items": [copy.deepcopy(m) for m in found[offset : offset + limit]],
            "total": len(found),
            "limit": limit,
            "offset": offset,
            "brands": sorted({str(m.get("brand")) for m in candidates if m.get("brand")}),
            "facets": _facets(found),
        },
    )


ROUTES: List[Route] = [
    Route("GET", "/v1/models", _REALMS, _lister(None)),
    Route("GET", "/v1/models/free", _REALMS, _lister(True)),
    Route("GET", "/v1/models/paid", _REALMS, _lister(False)),
    Route("GET", "/v1/models/search", _REALMS, search_models),  # before {model_id:path}
    Route("GET", "/v1/models/{model_id:path}", _REALMS, get_model),
]
