"""Contract versions (``GET /v1/api-versions``).

Versions: ``2026-08`` is the baseline served without a header or pin, ``2026-09`` the latest.
The response shape is inferred (``docs/gateway/api.md`` §0 lists the fields seen): ``{"versions":
[{label, status, sunset_on, baseline, latest, capabilities}], "baseline", "latest"}``.

Key management lives in ``_routes_keys.py``.
"""

from __future__ import annotations

from typing import Any, Dict, List

from ._plan import ResponsePlan, json_plan
from ._router import Route, RouteContext, route

__all__ = ["BASELINE_VERSION", "LATEST_VERSION", "ROUTES", "VERSIONS"]

BASELINE_VERSION = "2026-08"
"""The version served to a request without ``X-Mesh-Version`` or a pinned key."""
LATEST_VERSION = "2026-09"
"""The newest version the emulator serves."""
VERSIONS = (BASELINE_VERSION, LATEST_VERSION)
"""Every version the emulator serves, oldest first; ``X-Mesh-Version`` takes one of them."""


def list_api_versions(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/api-versions``."""
    versions: List[Dict[str, Any]] = [
        {
            "label": label,
            "status": "ga",
            "sunset_on": None,
            "baseline": label == BASELINE_VERSION,
            "latest": label == LATEST_VERSION,
            "capabilities": [],
        }
        for label in VERSIONS
    ]
    return json_plan(
        200, {"versions": versions, "baseline": BASELINE_VERSION, "latest": LATEST_VERSION}
    )


ROUTES: List[Route] = [
    route("GET", "/v1/api-versions", list_api_versions, ["dp"]),
]
