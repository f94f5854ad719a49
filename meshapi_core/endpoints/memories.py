"""Memories and their items (``docs/gateway/control-plane.md`` §7): dashboard sessions only
(a data-plane key is refused), addressed by slug; item paths beyond the list are inferred."""

from __future__ import annotations

from ..endpoint import DASHBOARD, EMPTY, JSON, Endpoint
from ..models.memories import (
    Memory,
    MemoryCreateParams,
    MemoryItem,
    MemoryItemCreateParams,
    MemoryItemPage,
    MemoryItemUpdateParams,
    MemoryPage,
    MemoryUpdateParams,
)

__all__ = [
    "MEMORIES_CREATE",
    "MEMORIES_DELETE",
    "MEMORIES_GET",
    "MEMORIES_LIST",
    "MEMORIES_UPDATE",
    "MEMORY_ITEMS_CREATE",
    "MEMORY_ITEMS_DELETE",
    "MEMORY_ITEMS_LIST",
    "MEMORY_ITEMS_UPDATE",
]

MEMORIES_LIST: Endpoint[None, MemoryPage] = Endpoint(
    "GET", "/v1/memories", DASHBOARD, JSON(MemoryPage)
)
"""``GET /v1/memories``, called by ``memories.list``."""
MEMORIES_CREATE: Endpoint[MemoryCreateParams, Memory] = Endpoint(
    "POST", "/v1/memories", DASHBOARD, JSON(Memory), MemoryCreateParams
)
"""``POST /v1/memories``, called by ``memories.create``."""
MEMORIES_GET: Endpoint[None, Memory] = Endpoint(
    "GET", "/v1/memories/{slug}", DASHBOARD, JSON(Memory)
)
"""``GET /v1/memories/{slug}``, called by ``memories.get``."""
MEMORIES_UPDATE: Endpoint[MemoryUpdateParams, Memory] = Endpoint(
    "PATCH", "/v1/memories/{slug}", DASHBOARD, JSON(Memory), MemoryUpdateParams
)
"""``PATCH /v1/memories/{slug}``, called by ``memories.update``."""
MEMORIES_DELETE: Endpoint[None, None] = Endpoint("DELETE", "/v1/memories/{slug}", DASHBOARD, EMPTY)
"""``DELETE /v1/memories/{slug}``, called by ``memories.delete``."""
MEMORY_ITEMS_LIST: Endpoint[None, MemoryItemPage] = Endpoint(
    "GET", "/v1/memories/{slug}/items", DASHBOARD, JSON(MemoryItemPage)
)
"""``GET /v1/memories/{slug}/items``, called by ``memories.items.list``."""
MEMORY_ITEMS_CREATE: Endpoint[MemoryItemCreateParams, MemoryItem] = Endpoint(
    "POST", "/v1/memories/{slug}/items", DASHBOARD, JSON(MemoryItem), MemoryItemCreateParams
)
"""``POST /v1/memories/{slug}/items``, called by ``memories.items.create``."""
MEMORY_ITEMS_UPDATE: Endpoint[MemoryItemUpdateParams, MemoryItem] = Endpoint(
    "PATCH",
    "/v1/memories/{slug}/items/{item_id}",
    DASHBOARD,
    JSON(MemoryItem),
    MemoryItemUpdateParams,
)
"""``PATCH /v1/memories/{slug}/items/{item_id}``, called by ``memories.items.update``."""
MEMORY_ITEMS_DELETE: Endpoint[None, None] = Endpoint(
    "DELETE", "/v1/memories/{slug}/items/{item_id}", DASHBOARD, EMPTY
)
"""``DELETE /v1/memories/{slug}/items/{item_id}``, called by ``memories.items.delete``."""
