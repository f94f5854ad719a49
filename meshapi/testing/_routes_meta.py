"""Contract versions (``GET /v1/api-versions``) and a minimal key-management surface.

Versions: ``2026-08`` is the baseline served without a header or pin, ``2026-09`` the latest.
The response shape is inferred (spec/API.md section 0 lists the fields seen): ``{"versions":
[{label, status, sunset_on, baseline, latest, capabilities}], "baseline", "latest"}``.

Keys (spec/CONTROL_PLANE.md section 2, admin key or JWT only): ``GET /v1/keys`` lists the
caller's data-plane keys, ``POST /v1/keys`` creates one (``201``; the plaintext ``key`` is
returned only then; ``rpm_limit`` above 1,000 is a 422), ``DELETE /v1/keys/{key_id}``
soft-deletes (status ``suspended``, ``200`` with the key). Enough to give the admin realm a
route to call; the full control plane is not emulated.
"""

from __future__ import annotations

from typing import Any, Dict, List

from ._errors import GatewayError, detail, validation_error
from ._plan import ResponsePlan, json_plan
from ._router import Route, RouteContext, route
from ._validate import validate_key_create

__all__ = ["BASELINE_VERSION", "LATEST_VERSION", "ROUTES", "VERSIONS"]

BASELINE_VERSION = "2026-08"
LATEST_VERSION = "2026-09"
VERSIONS = (BASELINE_VERSION, LATEST_VERSION)


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


def list_keys(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/keys``: the caller's data-plane keys."""
    keys = [
        k.to_json()
        for k in ctx.state.keys.values()
        if k.realm == "dp" and k.owner == ctx.principal.owner
    ]
    return json_plan(200, {"object": "list", "data": keys})


def create_key(ctx: RouteContext) -> ResponsePlan:
    """``POST /v1/keys``."""
    body = ctx.json_body()
    problems = validate_key_create(body)
    if isinstance(body, dict) and body.get("api_version") not in (None, *VERSIONS):
        problems.append(
            detail(
                "literal_error",
                ("body", "api_version"),
                f"Input should be '{BASELINE_VERSION}' or '{LATEST_VERSION}'",
            )
        )
    if problems:
        raise validation_error(problems)
    fields = {
        k: body[k]
        for k in (
            "name",
            "rpm_limit",
            "rpd_limit",
            "allowed_models",
            "default_model",
            "api_version",
        )
        if body.get(k) is not None
    }
    key = ctx.state.add_key(ctx.now, realm="dp", owner=ctx.principal.owner, **fields)
    return json_plan(201, {**key.to_json(), "key": key.token})


def delete_key(ctx: RouteContext) -> ResponsePlan:
    """``DELETE /v1/keys/{key_id}``: a soft delete (the key becomes ``suspended``)."""
    key = ctx.state.key_by_id(ctx.params["key_id"])
    if key is None or key.realm != "dp" or key.owner != ctx.principal.owner:
        raise GatewayError(404, "not_found", "Key not found.")
    key.status = "suspended"
    return json_plan(200, key.to_json())


ROUTES: List[Route] = [
    route("GET", "/v1/api-versions", list_api_versions, ["dp"]),
    route("GET", "/v1/keys", list_keys, ["mak", "jwt"]),
    route("POST", "/v1/keys", create_key, ["mak", "jwt"]),
    route("DELETE", "/v1/keys/{key_id}", delete_key, ["mak", "jwt"]),
]
