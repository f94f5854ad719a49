"""Provider keys, BYOK (``docs/gateway/control-plane.md`` §7): an admin key or a dashboard
session, per user and provider. ``POST .../test`` fails (``upstream_auth_error``) when the
secret contains ``invalid``. A reply never carries a secret, only which fields are set.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

from .._gateway.errors import GatewayError, invalid
from .._gateway.plan import ResponsePlan, empty_plan, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.state import iso8601
from .._gateway.stores import ProviderKeyStore, audit, json_object
from .._gateway.validate import Checker, boolean, nullable, string

PROVIDER_FIELDS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...], Tuple[str, ...]]] = {
    # provider: (required, optional, secret)
    "openai": (("api_key",), ("organization",), ("api_key",)),
    "azure": (("api_key", "endpoint"), ("api_version",), ("api_key",)),
    "azure-foundry": (("api_key", "endpoint"), (), ("api_key",)),
    "aws": (
        ("access_key_id", "secret_access_key", "region"),
        ("session_token",),
        ("secret_access_key", "session_token"),
    ),
    "vertex": (("service_account_json",), ("project_id", "location"), ("service_account_json",)),
}
"""Each provider's credential fields (inferred names): required, optional, and secret."""


def _provider(ctx: RouteContext) -> str:
    provider = ctx.params["provider"]
    if provider not in PROVIDER_FIELDS:
        names = ", ".join(f"'{p}'" for p in PROVIDER_FIELDS)
        raise invalid("enum", ("path", "provider"), f"Input should be {names}")
    return provider


def _checks(provider: str) -> Dict[str, Checker]:
    required, optional, _ = PROVIDER_FIELDS[provider]
    checks: Dict[str, Checker] = {name: string(min_length=1) for name in required}
    checks.update({name: nullable(string()) for name in optional})
    checks["allow_fallback"] = nullable(boolean)
    return checks


def _stored(ctx: RouteContext) -> Dict[str, Dict[str, Any]]:
    return ctx.state.store("provider_keys", ProviderKeyStore).of(ctx.principal.owner)


def _public(provider: str, record: Dict[str, Any]) -> Dict[str, Any]:
    _, _, secret = PROVIDER_FIELDS[provider]
    fields = record["fields"]
    return {
        "provider": provider,
        "allow_fallback": record["allow_fallback"],
        "configured_fields": sorted(fields),
        **{k: v for k, v in fields.items() if k not in secret},
        "created_at": iso8601(record["created_at"]),
        "updated_at": iso8601(record["updated_at"]),
    }


def _check_vertex(body: Dict[str, Any]) -> None:
    text = body.get("service_account_json")
    if text is None:
        return
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise invalid("value_error", ("body", "service_account_json"), "Not a JSON object")


def add_key(ctx: RouteContext) -> ResponsePlan:
    provider = _provider(ctx)
    required, _, _ = PROVIDER_FIELDS[provider]
    body = json_object(ctx, _checks(provider), required)
    if provider == "vertex":
        _check_vertex(body)
    fields = {k: v for k, v in body.items() if k in _checks(provider) and k != "allow_fallback"}
    fallback = body.get("allow_fallback")
    record = {
        "fields": {k: v for k, v in fields.items() if v is not None},
        "allow_fallback": True if fallback is None else fallback,
        "created_at": ctx.now,
        "updated_at": ctx.now,
    }
    _stored(ctx)[provider] = record
    audit(ctx, "provider_key.added", "provider_key", provider)
    return json_plan(201, _public(provider, record))


def update_key(ctx: RouteContext) -> ResponsePlan:
    provider = _provider(ctx)
    record = _stored(ctx).get(provider)
    if record is None:
        raise GatewayError(404, "not_found", f"No {provider} key is stored.")
    body = json_object(ctx, _checks(provider))
    if provider == "vertex":
        _check_vertex(body)
    required, _, _ = PROVIDER_FIELDS[provider]
    for name, value in body.items():
        if name == "allow_fallback":
            if value is not None:
                record["allow_fallback"] = value
        elif name in _checks(provider):
            if value is None and name in required:
                raise invalid("string_type", ("body", name), "Input should be a valid string")
            if value is None:
                record["fields"].pop(name, None)
            else:
                record["fields"][name] = value
    record["updated_at"] = ctx.now
    audit(ctx, "provider_key.updated", "provider_key", provider)
    return json_plan(200, _public(provider, record))


def remove_key(ctx: RouteContext) -> ResponsePlan:
    provider = _provider(ctx)
    if _stored(ctx).pop(provider, None) is None:
        raise GatewayError(404, "not_found", f"No {provider} key is stored.")
    audit(ctx, "provider_key.removed", "provider_key", provider)
    return empty_plan(204)


def test_key(ctx: RouteContext) -> ResponsePlan:
    provider = _provider(ctx)
    record = _stored(ctx).get(provider)
    if record is None:
        raise GatewayError(404, "not_found", f"No {provider} key is stored.")
    _, _, secret = PROVIDER_FIELDS[provider]
    bad = any("invalid" in str(record["fields"].get(name, "")) for name in secret)
    return json_plan(
        200,
        {
            "provider": provider,
            "ok": not bad,
            "code": "upstream_auth_error" if bad else None,
            "message": "The provider rejected the credentials." if bad else "Credentials work.",
        },
    )


def list_keys(ctx: RouteContext) -> ResponsePlan:
    data = [_public(p, r) for p, r in sorted(_stored(ctx).items())]
    return json_plan(200, {"object": "list", "data": data, "has_more": False})


_MANAGE = ["mak", "jwt"]

ROUTES: List[Route] = [
    Route("GET", "/v1/provider-keys", _MANAGE, list_keys),
    Route("POST", "/v1/provider-keys/{provider}", _MANAGE, add_key),
    Route("PATCH", "/v1/provider-keys/{provider}", _MANAGE, update_key),
    Route("DELETE", "/v1/provider-keys/{provider}", _MANAGE, remove_key),
    Route("POST", "/v1/provider-keys/{provider}/test", _MANAGE, test_key),
]
