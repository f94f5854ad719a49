"""``client.memories``: memories and their items (dashboard session only), addressed by
slug. Attach one to a chat completion with the ``x-mem-id`` header."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Optional, Union, overload

from meshapi_core.endpoints.memories import (
    MEMORIES_CREATE,
    MEMORIES_DELETE,
    MEMORIES_GET,
    MEMORIES_LIST,
    MEMORIES_UPDATE,
    MEMORY_ITEMS_CREATE,
    MEMORY_ITEMS_DELETE,
    MEMORY_ITEMS_LIST,
    MEMORY_ITEMS_UPDATE,
)
from meshapi_core.models.memories import (
    Memory,
    MemoryCreateParams,
    MemoryItem,
    MemoryItemCreateParams,
    MemoryItemUpdateParams,
    MemoryUpdateParams,
)

from ..pages import AsyncPaginator
from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        MemoryCreateArgs,
        MemoryCreateParamsDict,
        MemoryItemCreateArgs,
        MemoryItemCreateParamsDict,
        MemoryItemUpdateArgs,
        MemoryItemUpdateParamsDict,
        MemoryUpdateArgs,
        MemoryUpdateParamsDict,
        RequestOptions,
    )

__all__ = ["AsyncMemories", "AsyncMemoryItems"]


class AsyncMemoryItems(AsyncResource):
    """``client.memories.items``: the guardrails, preferences and facts of a memory."""

    def list(self, slug: str, /, **options: Unpack[RequestOptions]) -> AsyncPaginator[MemoryItem]:
        """The items of memory ``slug``."""
        return self._list(MEMORY_ITEMS_LIST, kwargs=options, path={"slug": slug})

    @overload
    async def create(
        self,
        slug: str,
        params: Union[MemoryItemCreateParams, MemoryItemCreateParamsDict],
        /,
        **options: Unpack[RequestOptions],
    ) -> MemoryItem: ...
    @overload
    async def create(self, slug: str, /, **kwargs: Unpack[MemoryItemCreateArgs]) -> MemoryItem: ...
    async def create(
        self,
        slug: str,
        params: Optional[Union[MemoryItemCreateParams, MemoryItemCreateParamsDict]] = None,
        /,
        **kwargs: Any,
    ) -> MemoryItem:
        """Add an item: ``type`` (``guardrail``, ``preference``, ``fact``) and ``content``.

        >>> await admin.memories.items.create(   # doctest: +SKIP
        ...     "support", type="guardrail", content="Never share internal URLs.")
        """
        return await self._request(MEMORY_ITEMS_CREATE, params, kwargs, path={"slug": slug})

    async def update(
        self,
        slug: str,
        item_id: str,
        params: Union[MemoryItemUpdateParams, MemoryItemUpdateParamsDict, None] = None,
        /,
        **kwargs: Unpack[MemoryItemUpdateArgs],
    ) -> MemoryItem:
        """Change an item's type or content."""
        return await self._request(
            MEMORY_ITEMS_UPDATE, params, kwargs, path={"slug": slug, "item_id": item_id}
        )

    async def delete(self, slug: str, item_id: str, /, **options: Unpack[RequestOptions]) -> None:
        """Delete an item."""
        return await self._request(
            MEMORY_ITEMS_DELETE, kwargs=options, path={"slug": slug, "item_id": item_id}
        )


class AsyncMemories(AsyncResource):
    """Memories by slug: list, create, get, update (``active=False`` pauses one), delete."""

    @cached_property
    def items(self) -> AsyncMemoryItems:
        """The items of a memory."""
        return AsyncMemoryItems(self._engine)

    def list(self, **options: Unpack[RequestOptions]) -> AsyncPaginator[Memory]:
        """The caller's memories."""
        return self._list(MEMORIES_LIST, kwargs=options)

    @overload
    async def create(
        self,
        params: Union[MemoryCreateParams, MemoryCreateParamsDict],
        /,
        **options: Unpack[RequestOptions],
    ) -> Memory: ...
    @overload
    async def create(self, /, **kwargs: Unpack[MemoryCreateArgs]) -> Memory: ...
    async def create(
        self,
        params: Optional[Union[MemoryCreateParams, MemoryCreateParamsDict]] = None,
        /,
        **kwargs: Any,
    ) -> Memory:
        """Create a memory with a ``slug`` of your choice."""
        return await self._request(MEMORIES_CREATE, params, kwargs)

    async def get(self, slug: str, /, **options: Unpack[RequestOptions]) -> Memory:
        """One memory by slug."""
        return await self._request(MEMORIES_GET, kwargs=options, path={"slug": slug})

    async def update(
        self,
        slug: str,
        params: Union[MemoryUpdateParams, MemoryUpdateParamsDict, None] = None,
        /,
        **kwargs: Unpack[MemoryUpdateArgs],
    ) -> Memory:
        """Change a memory; ``active=False`` makes chat completions ignore it."""
        return await self._request(MEMORIES_UPDATE, params, kwargs, path={"slug": slug})

    async def delete(self, slug: str, /, **options: Unpack[RequestOptions]) -> None:
        """Delete a memory and its items."""
        return await self._request(MEMORIES_DELETE, kwargs=options, path={"slug": slug})
