"""The model catalog (``docs/gateway/api.md`` §11): readable with a data-plane key or a dashboard
session; lists are bare JSON arrays, search is paged by offset."""

from __future__ import annotations

from ..endpoint import DATA_OR_DASHBOARD, JSON, Endpoint, OffsetPaging
from ..models.catalog import (
    ModelInfo,
    ModelList,
    ModelListParams,
    ModelSearchPage,
    ModelSearchParams,
)

__all__ = ["MODELS_FREE", "MODELS_GET", "MODELS_LIST", "MODELS_PAID", "MODELS_SEARCH"]

MODELS_LIST: Endpoint[ModelListParams, ModelList] = Endpoint(
    "GET", "/v1/models", DATA_OR_DASHBOARD, JSON(ModelList), ModelListParams
)
"""``GET /v1/models``, called by ``models.list``."""
MODELS_FREE: Endpoint[None, ModelList] = Endpoint(
    "GET", "/v1/models/free", DATA_OR_DASHBOARD, JSON(ModelList)
)
"""``GET /v1/models/free``, called by ``models.free``."""
MODELS_PAID: Endpoint[None, ModelList] = Endpoint(
    "GET", "/v1/models/paid", DATA_OR_DASHBOARD, JSON(ModelList)
)
"""``GET /v1/models/paid``, called by ``models.paid``."""
MODELS_SEARCH: Endpoint[ModelSearchParams, ModelSearchPage] = Endpoint(
    "GET",
    "/v1/models/search",
    DATA_OR_DASHBOARD,
    JSON(ModelSearchPage),
    ModelSearchParams,
    paging=OffsetPaging(),
)
"""``GET /v1/models/search``, called by ``models.search``."""
MODELS_GET: Endpoint[None, ModelInfo] = Endpoint(
    "GET", "/v1/models/{model_id:path}", DATA_OR_DASHBOARD, JSON(ModelInfo)
)
"""``GET /v1/models/{model_id:path}``, called by ``models.get``."""
