"""The Auto Router's choice without inference (``docs/gateway/api.md`` §10)."""

from __future__ import annotations

from ..endpoint import DATA, JSON, Endpoint
from ..models.router import RouterSelectParams, RouterSelectResponse

__all__ = ["ROUTER_SELECT"]

ROUTER_SELECT: Endpoint[RouterSelectParams, RouterSelectResponse] = Endpoint(
    "POST", "/v1/router/select", DATA, JSON(RouterSelectResponse), RouterSelectParams
)
"""``POST /v1/router/select``, called by ``router.select``."""
