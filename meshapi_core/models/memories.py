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
    """The memory's slug: its address, and what ``x-mem-id`` names."""
    name: Optional[str] = None
    """Its display name."""
    description: Optional[str] = None
    """What it holds."""
    active: Optional[bool] = None
    """Whether it is injected (an inactive memory named by ``x-mem-id`` is ignored)."""


class MemoryCreateParams(RequestModel):
    """The body of ``POST /v1/memories``."""

    slug: str = Field(min_length=1)
    """The memory's slug: its address, and what ``x-mem-id`` names."""
    name: Optional[str] = None
    """A display name."""
    description: Optional[str] = None
    """What it holds."""
    active: Optional[bool] = None
    """Whether it is injected."""


class MemoryUpdateParams(RequestModel):
    """The body of ``PATCH /v1/memories/{slug}``: ``active=False`` makes it inactive
    (unknown or inactive memories named by ``x-mem-id`` are silently ignored)."""

    name: Optional[str] = None
    """A new display name."""
    description: Optional[str] = None
    """A new description."""
    active: Optional[bool] = None
    """``False`` makes the memory inactive: ``x-mem-id`` then ignores it."""


class MemoryPage(CursorPage[Memory]):
    """The caller's memories."""


class MemoryItem(ResponseModel):
    """One item of a memory (field names beyond ``type`` inferred)."""

    id: Optional[str] = None
    """The item's id."""
    type: Optional[str] = None
    """``guardrail`` (always injected), ``preference`` or ``fact`` (injected by relevance)."""
    content: Optional[str] = None
    """The text injected."""


class MemoryItemCreateParams(RequestModel):
    """The body of ``POST /v1/memories/{slug}/items``."""

    type: MemoryItemType
    """``guardrail`` (always injected, verbatim), ``preference`` or ``fact`` (the 8 most
    relevant)."""
    content: str = Field(min_length=1)
    """The text to inject."""


class MemoryItemUpdateParams(RequestModel):
    """The body of ``PATCH /v1/memories/{slug}/items/{item_id}`` (inferred)."""

    type: Optional[MemoryItemType] = None
    """A new type: ``guardrail``, ``preference`` or ``fact``."""
    content: Optional[str] = Field(default=None, min_length=1)
    """New text."""


class MemoryItemPage(CursorPage[MemoryItem]):
    """The items of a memory."""
