"""Memories, ``/v1/memories`` (``docs/gateway/control-plane.md`` §7): stored context the gateway
injects into chat completions that name it (``x-mem-id``). Managed with a dashboard session
only; addressed by ``slug``.

Known: memories are addressed by slug, a PATCH can make one inactive, and items are typed
``guardrail`` (always included verbatim), ``preference`` or ``fact`` (the top 8 by similarity
to the latest user message). Inferred: every other field name (``name``, ``description``,
``active``; an item's ``id`` and ``content``), the lists' envelope, and the item paths
``/v1/memories/{slug}/items/{item_id}``. Replies keep every field they carry.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from .base import RequestModel, ResponseModel
from .pages import CursorPage

__all__ = [
    "Memory",
    "MemoryCreateParams",
    "MemoryItem",
    "MemoryItemCreateParams",
    "MemoryItemPage",
    "MemoryItemType",
    "MemoryItemUpdateParams",
    "MemoryPage",
    "MemoryUpdateParams",
]

MemoryItemType = Literal["guardrail", "preference", "fact"]
"""How an item is injected: guardrails always, facts and preferences by relevance."""


class Memory(ResponseModel):
    """A memory (field names beyond ``slug`` inferred)."""

    slug: Optional[str] = None
    name: Optional[str] = None
    description: Optional[str] = None
    active: Optional[bool] = None


class MemoryCreateParams(RequestModel):
    """The body of ``POST /v1/memories``."""

    slug: str = Field(min_length=1)
    name: Optional[str] = None
    description: Optional[str] = None
    active: Optional[bool] = None


class MemoryUpdateParams(RequestModel):
    """The body of ``PATCH /v1/memories/{slug}``: ``active=False`` makes it inactive
    (unknown or inactive memories named by ``x-mem-id`` are silently ignored)."""

    name: Optional[str] = None
    description: Optional[str] = None
    active: Optional[bool] = None


class MemoryPage(CursorPage[Memory]):
    """The caller's memories."""


class MemoryItem(ResponseModel):
    """One item of a memory (field names beyond ``type`` inferred)."""

    id: Optional[str] = None
    type: Optional[str] = None
    content: Optional[str] = None


class MemoryItemCreateParams(RequestModel):
    """The body of ``POST /v1/memories/{slug}/items``."""

    type: MemoryItemType
    content: str = Field(min_length=1)


class MemoryItemUpdateParams(RequestModel):
    """The body of ``PATCH /v1/memories/{slug}/items/{item_id}`` (inferred)."""

    type: Optional[MemoryItemType] = None
    content: Optional[str] = Field(default=None, min_length=1)


class MemoryItemPage(CursorPage[MemoryItem]):
    """The items of a memory."""
