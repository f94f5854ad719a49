"""Prompt-template CRUD, ``/v1/templates`` (``docs/gateway/api.md`` §14; in the emulator:
``docs/data-plane/templates.md``). Global templates (:meth:`Gateway.add_template(...,
is_global=True) <meshapi.testing.Gateway.add_template>`) are visible to all and read-only.
"""

from __future__ import annotations

from typing import Any, Dict, List

from .._gateway.errors import GatewayError, validation_error
from .._gateway.plan import ResponsePlan, empty_plan, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.state import Template
from .._gateway.validate import validate_template

_REALMS = ["dp", "jwt"]
_EDITABLE = ("name", "description", "system", "messages", "model", "params", "variables", "team_id")


def _conflict(name: str) -> GatewayError:
    return GatewayError(409, "conflict", f"A template named '{name}' already exists.")


def _name_taken(ctx: RouteContext, name: str, except_id: str = "") -> bool:
    return any(
        t.name == name and t.owner == ctx.principal.owner and not t.is_global and t.id != except_id
        for t in ctx.state.templates.values()
    )


def _visible(ctx: RouteContext) -> Template:
    template = ctx.state.templates.get(ctx.params["template_id"])
    if template is None or not (template.is_global or template.owner == ctx.principal.owner):
        raise GatewayError(404, "not_found", "Template not found.")
    return template


def _apply(template: Template, body: Dict[str, Any]) -> None:
    for name in _EDITABLE:
        if name not in body:
            continue
        value = body[name]
        if name in ("messages", "variables"):
            value = list(value or [])
        elif name == "params":
            value = dict(value or {})
        setattr(template, name, value)


def list_templates(ctx: RouteContext) -> ResponsePlan:
    """``GET /v1/templates``: the caller's templates, then global ones; ``team_id`` keeps a
    team's, ``member_owner`` one owner's (the emulator has no orgs: only the caller's own)."""
    found = ctx.state.visible_templates(ctx.principal.owner)
    team_id = ctx.query_value("team_id")
    if team_id:
        found = [t for t in found if t.team_id == team_id]
    member = ctx.query_value("member_owner")
    if member:
        found = [t for t in found if t.owner == member and not t.is_global]
    return json_plan(200, [t.to_json() for t in found])


def create_template(ctx: RouteContext) -> ResponsePlan:
    body = ctx.json_body()
    problems = validate_template(body, partial=False)
    if problems:
        raise validation_error(problems)
    if _name_taken(ctx, body["name"]):
        raise _conflict(body["name"])
    template = Template(
        id=ctx.state.ids.uuid(),
        name=body["name"],
        owner=ctx.principal.owner,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    _apply(template, body)
    ctx.state.templates[template.id] = template
    return json_plan(201, template.to_json())


def get_template(ctx: RouteContext) -> ResponsePlan:
    return json_plan(200, _visible(ctx).to_json())


def update_template(ctx: RouteContext) -> ResponsePlan:
    """``PATCH /v1/templates/{template_id}``: a partial update."""
    template = _visible(ctx)
    body = ctx.json_body()
    problems = validate_template(body, partial=True)
    if problems:
        raise validation_error(problems)
    if template.is_global:
        raise GatewayError(403, "forbidden", "Global templates are read-only.")
    if "name" in body and _name_taken(ctx, body["name"], except_id=template.id):
        raise _conflict(body["name"])
    _apply(template, body)
    template.updated_at = ctx.now
    return json_plan(200, template.to_json())


def delete_template(ctx: RouteContext) -> ResponsePlan:
    """``DELETE /v1/templates/{template_id}``: 204, no body."""
    template = _visible(ctx)
    if template.is_global:
        raise GatewayError(403, "forbidden", "Global templates are read-only.")
    del ctx.state.templates[template.id]
    return empty_plan(204)


ROUTES: List[Route] = [
    Route("GET", "/v1/templates", _REALMS, list_templates),
    Route("POST", "/v1/templates", _REALMS, create_template),
    Route("GET", "/v1/templates/{template_id}", _REALMS, get_template),
    Route("PATCH", "/v1/templates/{template_id}", _REALMS, update_template),
    Route("DELETE", "/v1/templates/{template_id}", _REALMS, delete_template),
]
