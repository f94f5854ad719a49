"""Inference keys and admin keys (``docs/gateway/control-plane.md`` §2 and §3).

``/v1/keys`` (an admin key or a dashboard session): the plaintext ``key`` is in the create
reply only; ``DELETE`` suspends; an admin key needs ``keys:*``/``limits:read`` and at scope
``self`` reaches only the keys its lineage minted. ``/v1/admin-keys``: minted, rotated and
revoked by a dashboard session (lifetime at most 90 days; a rotation cuts the old key's life
to ``grace_hours``); a revoked key is unknown (401) from then on.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .._gateway.errors import GatewayError, invalid
from .._gateway.plan import ResponsePlan, empty_plan, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.state import ADMIN_PERMISSIONS, ApiKey, iso8601
from .._gateway.stores import OrgStore, audit, cursor_page, json_object, parse_money, parse_time
from .._gateway.validate import (
    Checker,
    RequestSchema,
    any_object,
    dict_of,
    integer,
    list_of,
    literal,
    nullable,
    number,
    obj,
    string,
)
from .._gateway.versions import VERSIONS

_ORG_ONLY = ("org:read", "limits:", "alerts:")
_MAX_ADMIN_LIFETIME = 90 * 86_400
_DEFAULT_RPM, _DEFAULT_RPD = 100, 10_000

_KEY_CHECKS: Dict[str, Checker] = {
    "name": nullable(string(max_length=200)),
    "rpm_limit": nullable(integer(ge=1, le=1000)),
    "rpd_limit": nullable(integer(ge=1, le=1_000_000)),
    "tpm_limit": nullable(integer(ge=1)),
    "spend_cap_usd": nullable(string()),
    "default_model": nullable(string(min_length=1)),
    "default_params": nullable(any_object),
    "allowed_models": nullable(list_of(string())),
    "model_limits": nullable(
        dict_of(
            obj(
                {
                    "max_cost_usd": nullable(string()),
                    "max_tokens": nullable(integer(ge=1)),
                    "max_requests": nullable(integer(ge=1)),
                }
            )
        )
    ),
    "org_id": nullable(string()),
    "team_id": nullable(string()),
    "routing_policy": nullable(any_object),
    "routing_policy_template_id": nullable(string()),
    "api_version": nullable(literal(*VERSIONS)),
    "fixed_provider": nullable(string()),
}
# Fields kept on ``ApiKey`` itself (enforced by the emulator); the rest go to ``extra``.
_ENFORCED = ("name", "rpm_limit", "rpd_limit", "allowed_models", "default_model", "api_version")

_ADMIN_CHECKS: Dict[str, Checker] = {
    "name": nullable(string(max_length=200)),
    "permissions": list_of(literal(*ADMIN_PERMISSIONS), min_length=1),
    "scope": nullable(literal("self", "team", "org")),
    "team_id": nullable(string()),
    "expires_at": nullable(string()),
}
_ROTATE_CHECKS: Dict[str, Checker] = {
    "grace_hours": nullable(number(ge=0, le=168)),
    "expires_at": nullable(string()),
}
_KEY_REQUEST = RequestSchema(_KEY_CHECKS)
_ADMIN_REQUEST = RequestSchema(_ADMIN_CHECKS, required=("permissions",))
_ROTATE_REQUEST = RequestSchema(_ROTATE_CHECKS)


def _require(ctx: RouteContext, permission: str) -> None:
    """An admin key must hold ``permission`` (a dashboard session holds them all)."""
    key = ctx.principal.key
    if ctx.principal.realm == "mak" and key is not None:
        held = key.extra.get("permissions", ())
        if permission not in held:
            raise GatewayError(
                403, "forbidden", f"This admin key lacks the '{permission}' permission."
            )


def _reaches(ctx: RouteContext, key: ApiKey) -> bool:
    """Whether the caller may manage data-plane key ``key``."""
    if key.realm != "dp" or key.owner != ctx.principal.owner:
        return False
    admin = ctx.principal.key
    if ctx.principal.realm == "mak" and admin is not None and admin.extra.get("scope") == "self":
        return key.lineage is not None and key.lineage == admin.lineage
    return True


def _key(ctx: RouteContext) -> ApiKey:
    key = ctx.state.key_by_id(ctx.params["key_id"])
    if key is None or not _reaches(ctx, key):
        raise ctx.not_found("Key not found.")
    return key


def _current_org(ctx: RouteContext) -> Optional[str]:
    org = ctx.state.store("orgs", OrgStore).org_of(ctx.principal.owner)
    return org.id if org is not None else None


def _apply(ctx: RouteContext, key: ApiKey, body: Dict[str, Any]) -> None:
    if body.get("spend_cap_usd") is not None:
        parse_money(body["spend_cap_usd"], ("body", "spend_cap_usd"))
    for name, value in body.items():
        if name not in _KEY_CHECKS:
            continue
        if name in _ENFORCED:
            if name == "allowed_models":
                value = tuple(value) if value else None
            setattr(key, name, value)
        elif value is None:
            key.extra.pop(name, None)
        else:
            key.extra[name] = value
    if key.extra.get("routing_policy_template_id") and not key.extra.get("org_id"):
        raise invalid(
            "value_error",
            ("body", "routing_policy_template_id"),
            "A routing policy template needs a key that belongs to an org",
        )


# -- inference keys --------------------------------------------------------------------------


def list_keys(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/keys``: the keys the caller reaches, newest first, in cursor pages."""
    _require(ctx, "keys:read")
    keys = [k.to_json() for k in reversed(list(ctx.state.keys.values())) if _reaches(ctx, k)]
    return json_plan(200, cursor_page(ctx, keys))


def create_key(ctx: RouteContext) -> ResponsePlan:
    _require(ctx, "keys:write")
    body = json_object(ctx, _KEY_REQUEST)
    org_id = body.get("org_id")
    if ctx.principal.realm == "mak" and org_id is not None and org_id != _current_org(ctx):
        raise GatewayError(403, "forbidden", "An admin key mints keys in its own org only.")
    admin = ctx.principal.key
    key = ctx.state.add_key(ctx.now, realm="dp", owner=ctx.principal.owner)
    key.lineage = admin.lineage if ctx.principal.realm == "mak" and admin is not None else None
    try:
        _apply(ctx, key, body)
    except GatewayError:
        del ctx.state.keys[key.token]
        raise
    audit(ctx, "key.created", "key", key.id)
    return json_plan(201, {**key.to_json(), "key": key.token})


def get_key(ctx: RouteContext) -> ResponsePlan:
    _require(ctx, "keys:read")
    return json_plan(200, _key(ctx).to_json())


def update_key(ctx: RouteContext) -> ResponsePlan:
    """``PATCH /v1/keys/{key_id}``: only the fields sent change."""
    _require(ctx, "keys:write")
    key = _key(ctx)
    body = json_object(ctx, _KEY_REQUEST)
    before = (dict(key.extra), {name: getattr(key, name) for name in _ENFORCED})
    try:
        _apply(ctx, key, body)
    except GatewayError:
        key.extra = before[0]
        for name, value in before[1].items():
            setattr(key, name, value)
        raise
    audit(ctx, "key.updated", "key", key.id, fields=sorted(body))
    return json_plan(200, key.to_json())


def suspend_key(ctx: RouteContext) -> ResponsePlan:
    """``DELETE /v1/keys/{key_id}``: a soft delete (the key becomes ``suspended``)."""
    _require(ctx, "keys:write")
    key = _key(ctx)
    key.status = "suspended"
    audit(ctx, "key.suspended", "key", key.id)
    return json_plan(200, key.to_json())


def key_limits(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/keys/{key_id}/limits``: raw and effective limits, with their source."""
    _require(ctx, "limits:read")
    key = _key(ctx)
    cap = key.extra.get("spend_cap_usd")
    return json_plan(
        200,
        {
            "key_id": key.id,
            "rpm_limit": key.rpm_limit,
            "rpd_limit": key.rpd_limit,
            "tpm_limit": key.extra.get("tpm_limit"),
            "spend_cap_usd": cap,
            "effective_rpm_limit": key.rpm_limit or _DEFAULT_RPM,
            "effective_rpd_limit": key.rpd_limit or _DEFAULT_RPD,
            "effective_tpm_limit": key.extra.get("tpm_limit"),
            "effective_spend_cap_usd": cap,
            "sources": {
                "rpm": "key" if key.rpm_limit else "default",
                "rpd": "key" if key.rpd_limit else "default",
                "tpm": "key" if key.extra.get("tpm_limit") else None,
                "spend_cap": "key" if cap else None,
            },
            "org_id": key.extra.get("org_id"),
            "team_id": key.extra.get("team_id"),
        },
    )


# -- admin keys ------------------------------------------------------------------------------


def _admin_json(key: ApiKey) -> Dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "masked_key": key.token[:8] + "..." + key.token[-4:],
        "permissions": list(key.extra.get("permissions", ())),
        "scope": key.extra.get("scope"),
        "team_id": key.extra.get("team_id"),
        "status": key.status,
        "expires_at": iso8601(key.expires_at) if key.expires_at is not None else None,
        "last_used_at": None,
        "created_by": key.extra.get("created_by"),
        "created_at": iso8601(key.created_at),
    }


def _visible_admin(ctx: RouteContext, key: ApiKey) -> bool:
    if key.realm != "mak" or key.owner != ctx.principal.owner or key.status == "revoked":
        return False
    caller = ctx.principal.key
    if ctx.principal.realm != "mak" or caller is None:
        return True
    scope = caller.extra.get("scope")
    if scope == "org":
        return True
    own = key.lineage == caller.lineage
    if scope == "team":
        return own or key.extra.get("team_id") == caller.extra.get("team_id")
    return own


def _admin_key(ctx: RouteContext) -> ApiKey:
    key = ctx.state.key_by_id(ctx.params["key_id"])
    if key is None or not _visible_admin(ctx, key):
        raise ctx.not_found("Admin key not found.")
    return key


def _expiry(ctx: RouteContext, value: Any, loc: str) -> float:
    when = parse_time(value, ("body", loc))
    if not ctx.now < when <= ctx.now + _MAX_ADMIN_LIFETIME:
        raise invalid("value_error", ("body", loc), "An admin key lives at most 90 days")
    return when


def create_admin_key(ctx: RouteContext) -> ResponsePlan:
    """``POST /v1/admin-keys`` (dashboard session)."""
    body = ctx.body
    scope = body.get("scope") or "self"
    wrong = [p for p in body["permissions"] if p.startswith(_ORG_ONLY)]
    if wrong and scope != "org":
        raise invalid(
            "value_error",
            ("body", "permissions"),
            f"{', '.join(wrong)} can only be granted at scope 'org'",
        )
    expires = body.get("expires_at")
    key = ctx.state.add_key(ctx.now, realm="mak", owner=ctx.principal.owner, name=body.get("name"))
    key.expires_at = (
        _expiry(ctx, expires, "expires_at") if expires else ctx.now + _MAX_ADMIN_LIFETIME
    )
    key.extra.update(
        permissions=list(body["permissions"]),
        scope=scope,
        team_id=body.get("team_id"),
        created_by=ctx.principal.owner,
    )
    audit(ctx, "admin_key.created", "admin_key", key.id)
    return json_plan(201, {**_admin_json(key), "key": key.token})


def list_admin_keys(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/admin-keys``: masked, newest first, as far as the caller's scope sees."""
    keys = [
        _admin_json(k)
        for k in reversed(list(ctx.state.keys.values()))
        if _visible_admin(ctx, k) and k.usable(ctx.now)
    ]
    return json_plan(200, cursor_page(ctx, keys))


def get_admin_key(ctx: RouteContext) -> ResponsePlan:
    return json_plan(200, _admin_json(_admin_key(ctx)))


def rotate_admin_key(ctx: RouteContext) -> ResponsePlan:
    """``POST /v1/admin-keys/{key_id}/rotate``: a successor, and a grace for the old key."""
    old = _admin_key(ctx)
    body = json_object(ctx, _ROTATE_REQUEST) if ctx.request.body.strip() else {}
    grace = body.get("grace_hours")
    grace_seconds = (24.0 if grace is None else float(grace)) * 3600
    successor = ctx.state.add_key(ctx.now, realm="mak", owner=old.owner, name=old.name)
    successor.lineage = old.lineage
    successor.extra = {**old.extra, "rotated_from": old.id}
    expires = body.get("expires_at")
    successor.expires_at = _expiry(ctx, expires, "expires_at") if expires else old.expires_at
    old.expires_at = min(old.expires_at or float("inf"), ctx.now + grace_seconds)
    audit(ctx, "admin_key.rotated", "admin_key", old.id, successor_id=successor.id)
    return json_plan(200, {**_admin_json(successor), "key": successor.token})


def revoke_admin_key(ctx: RouteContext) -> ResponsePlan:
    """``DELETE /v1/admin-keys/{key_id}``: at once, no grace; ``?reason=`` is audited."""
    key = _admin_key(ctx)
    key.status = "revoked"
    audit(ctx, "admin_key.revoked", "admin_key", key.id, reason=ctx.query_value("reason"))
    return empty_plan(204)


_MANAGE = ["mak", "jwt"]

ROUTES: List[Route] = [
    Route("GET", "/v1/keys", _MANAGE, list_keys),
    Route("POST", "/v1/keys", _MANAGE, create_key),
    Route("GET", "/v1/keys/{key_id}", _MANAGE, get_key),
    Route("PATCH", "/v1/keys/{key_id}", _MANAGE, update_key),
    Route("DELETE", "/v1/keys/{key_id}", _MANAGE, suspend_key),
    Route("GET", "/v1/keys/{key_id}/limits", _MANAGE, key_limits),
    Route("GET", "/v1/admin-keys", _MANAGE, list_admin_keys),
    Route("POST", "/v1/admin-keys", ["jwt"], create_admin_key, request=_ADMIN_REQUEST),
    Route("GET", "/v1/admin-keys/{key_id}", _MANAGE, get_admin_key),
    Route("POST", "/v1/admin-keys/{key_id}/rotate", ["jwt"], rotate_admin_key),
    Route("DELETE", "/v1/admin-keys/{key_id}", ["jwt"], revoke_admin_key),
]
