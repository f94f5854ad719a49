"""Memories and their items (``docs/gateway/control-plane.md`` §7): dashboard sessions only,
per user, addressed by slug (1-64 letters, digits, ``-`` or ``_``; a used one is a 409).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from .._gateway.errors import GatewayError, invalid
from .._gateway.plan import ResponsePlan, empty_plan, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.state import iso8601
from .._gateway.stores import Memory, MemoryStore, audit, json_object
from .._gateway.validate import Checker, RequestSchema, boolean, literal, nullable, string

_SLUG = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
_MEMORY_CHECKS: Dict[str, Checker] = {
    "slug": string(min_length=1, max_length=64),
    "name": nullable(string(max_length=200)),
    "description": nullable(string()),
    "active": nullable(boolean),
}
_ITEM_TYPES = literal("guardrail", "preference", "fact")
_CREATE_REQUEST = RequestSchema(_MEMORY_CHECKS, required=("slug",))
_UPDATE_REQUEST = RequestSchema({k: v for k, v in _MEMORY_CHECKS.items() if k != "slug"})
_ITEM_CHECKS: Dict[str, Checker] = {"type": _ITEM_TYPES, "content": string(min_length=1)}
_ITEM_CREATE_REQUEST = RequestSchema(_ITEM_CHECKS, required=("type", "content"))
_ITEM_UPDATE_REQUEST = RequestSchema(_ITEM_CHECKS)


def _memories(ctx: RouteContext) -> Dict[str, Memory]:
    return ctx.state.store("memories", MemoryStore).of(ctx.principal.owner)


def _memory(ctx: RouteContext) -> Memory:
    found = _memories(ctx).get(ctx.params["slug"])
    if found is None:
        raise GatewayError(404, "not_found", "Memory not found.")
    return found


def _item(ctx: RouteContext, memory: Memory) -> Dict[str, Any]:
    found = memory.items.get(ctx.params["item_id"])
    if found is None:
        raise GatewayError(404, "not_found", "Memory item not found.")
    return found


def list_memories(ctx: RouteContext) -> ResponsePlan:
    data = [m.to_json() for m in _memories(ctx).values()]
    return json_plan(200, {"object": "list", "data": data, "has_more": False})


def create_memory(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    slug = body["slug"]
    if not _SLUG.match(slug):
        raise invalid("string_pattern_mismatch", ("body", "slug"), "Invalid slug")
    memories = _memories(ctx)
    if slug in memories:
        raise GatewayError(409, "conflict", f"A memory with slug '{slug}' already exists.")
    active = body.get("active")
    memory = Memory(
        slug=slug,
        name=body.get("name"),
        description=body.get("description"),
        active=True if active is None else active,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    memories[slug] = memory
    audit(ctx, "memory.created", "memory", slug)
    return json_plan(201, memory.to_json())


def get_memory(ctx: RouteContext) -> ResponsePlan:
    return json_plan(200, _memory(ctx).to_json())


def update_memory(ctx: RouteContext) -> ResponsePlan:
    memory = _memory(ctx)
    body = json_object(ctx, _UPDATE_REQUEST)
    for name in ("name", "description"):
        if name in body:
            setattr(memory, name, body[name])
    if body.get("active") is not None:
        memory.active = body["active"]
    memory.updated_at = ctx.now
    audit(ctx, "memory.updated", "memory", memory.slug)
    return json_plan(200, memory.to_json())


def delete_memory(ctx: RouteContext) -> ResponsePlan:
    memory = _memory(ctx)
    del _memories(ctx)[memory.slug]
    audit(ctx, "memory.deleted", "memory", memory.slug)
    return empty_plan(204)


def list_items(ctx: RouteContext) -> ResponsePlan:
    data = list(_memory(ctx).items.values())
    return json_plan(200, {"object": "list", "data": data, "has_more": False})


def create_item(ctx: RouteContext) -> ResponsePlan:
    memory = _memory(ctx)
    body = json_object(ctx, _ITEM_CREATE_REQUEST)
    item = {
        "id": "mi_" + ctx.state.ids.ulid(),
        "type": body["type"],
        "content": body["content"],
        "created_at": iso8601(ctx.now),
    }
    memory.items[item["id"]] = item
    memory.updated_at = ctx.now
    return json_plan(201, item)


def update_item(ctx: RouteContext) -> ResponsePlan:
    memory = _memory(ctx)
    item = _item(ctx, memory)
    body = json_object(ctx, _ITEM_UPDATE_REQUEST)
    item.update({k: body[k] for k in ("type", "content") if k in body})
    memory.updated_at = ctx.now
    return json_plan(200, item)


def delete_item(ctx: RouteContext) -> ResponsePlan:
    memory = _memory(ctx)
    del memory.items[_item(ctx, memory)["id"]]
    return empty_plan(204)


_JWT = ["jwt"]

ROUTES: List[Route] = [
    Route("GET", "/v1/memories", _JWT, list_memories),
    Route("POST", "/v1/memories", _JWT, create_memory, request=_CREATE_REQUEST),
    Route("GET", "/v1/memories/{slug}", _JWT, get_memory),
    Route("PATCH", "/v1/memories/{slug}", _JWT, update_memory),
    Route("DELETE", "/v1/memories/{slug}", _JWT, delete_memory),
    Route("GET", "/v1/memories/{slug}/items", _JWT, list_items),
    Route("POST", "/v1/memories/{slug}/items", _JWT, create_item),
    Route("PATCH", "/v1/memories/{slug}/items/{item_id}", _JWT, update_item),
    Route("DELETE", "/v1/memories/{slug}/items/{item_id}", _JWT, delete_item),
]
