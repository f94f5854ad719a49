"""Web search (``docs/gateway/api.md`` §9)."""

from __future__ import annotations

from ..endpoint import DATA, JSON, Endpoint
from ..models.web import WebSearchParams, WebSearchResponse

__all__ = ["WEB_SEARCH"]

WEB_SEARCH: Endpoint[WebSearchParams, WebSearchResponse] = Endpoint(
    "POST", "/v1/web/search", DATA, JSON(WebSearchResponse), WebSearchParams
)
"""``POST /v1/web/search``, called by ``web.search``."""
