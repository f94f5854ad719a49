"""The contract versions the gateway serves (``docs/gateway/api.md`` §0)."""

from __future__ import annotations

from typing import List

from ..endpoint import DATA, JSON, Endpoint
from ..models.api_versions import ApiVersion, ApiVersionList

__all__ = ["API_VERSIONS_LIST"]

API_VERSIONS_LIST: Endpoint[None, List[ApiVersion]] = Endpoint(
    "GET", "/v1/api-versions", DATA, JSON(ApiVersionList)
)
"""``GET /v1/api-versions``, called by ``api_versions.list``."""
