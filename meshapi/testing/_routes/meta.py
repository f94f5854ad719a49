"""Contract versions: ``GET /v1/api-versions`` (:mod:`meshapi.testing._gateway.versions`).

The response shape is inferred (``docs/gateway/api.md`` §0 lists the fields seen): ``{"versions":
[{label, status, sunset_on, baseline, latest, capabilities}], "baseline", "latest"}``.
"""

from __future__ import annotations

from typing import Any, Dict, List

from .._gateway.plan import ResponsePlan, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.versions import BASELINE_VERSION, LATEST_VERSION, RETIRING, SUNSET_ON, VERSIONS


def list_api_versions(ctx: RouteContext) -> ResponsePlan:
    versions: List[Dict[str, Any]] = [
        {
            "label": label,
            "status": "deprecated" if label in RETIRING else "ga",
            "sunset_on": SUNSET_ON.get(label),
            "baseline": label == BASELINE_VERSION,
            "latest": label == LATEST_VERSION,
            "capabilities": [],
        }
        for label in VERSIONS
    ]
    return json_plan(
        200, {"versions": versions, "baseline": BASELINE_VERSION, "latest": LATEST_VERSION}
    )


ROUTES: List[Route] = [Route("GET", "/v1/api-versions", ["dp"], list_api_versions)]
